package profile_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/mcptt-conformance/mcptt-conformance/profile"
)

// Every bundled profile loads.
func TestBundledProfilesLoad(t *testing.T) {
	paths, _ := filepath.Glob("../fixtures/profiles/*.yaml")
	if len(paths) == 0 {
		t.Fatal("no bundled profiles found")
	}
	for _, p := range paths {
		if _, err := profile.Load(p); err != nil {
			t.Errorf("%s: %v", p, err)
		}
	}
}

const base = `
authz: register
identity:
  mcptt_id: sip:alice@mcptt.example.com
  client_id: urn:uuid:1
  access_token: tok
client:
  exec: bin/refclient --server {host}:{port}
`

// A bad profile gets an error that names the field.
func TestBadProfilesNameTheField(t *testing.T) {
	cases := []struct{ name, yaml, field string }{
		{"typo", base + "confidentialty: true\n", "confidentialty"},
		{"authz", strings.Replace(base, "authz: register", "authz: invite", 1), "authz"},
		{"mcptt id", strings.Replace(base, "sip:alice@", "alice@", 1), "identity.mcptt_id"},
		{"token", strings.Replace(base, "access_token: tok", "", 1), "identity.access_token"},
		{"publish settings", strings.Replace(base, "authz: register", "authz: publish", 1), "settings.answer_mode"},
		{"listen", base + "server:\n  listen: nowhere\n", "server.listen"},
		{"rejection status", strings.Replace(base, "authz: register", "authz: publish", 1) + "server:\n  publish_response:\n    status: 200\n", "server.publish_response.status"},
		{"start", strings.Replace(base, "client:\n", "client:\n  start: later\n", 1), "client.start"},
		{"duration", base + "  timeout: soon\n", "soon"},
		{"protected without mdsi", base + "integrity: true\n", "server.mdsi"},
		{"migration values", base + "migration: true\n", "identity.partner_token"},
		{"transport", strings.Replace(base, "client:\n", "client:\n  transport: sctp\n", 1), "client.transport"},
		{"tls port", base + "server:\n  tls: {port: 70000}\n", "server.tls.port"},
		{"tls cert without key", base + "server:\n  tls: {cert: c.pem}\n", "server.tls.cert"},
		{"tls client auth", base + "server:\n  tls: {client_auth: maybe}\n", "server.tls.client_auth"},
		{"tls client ca", base + "server:\n  tls: {client_ca: ca.pem}\n", "server.tls.client_ca"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := profile.Parse([]byte(c.yaml))
			if err == nil || !strings.Contains(err.Error(), c.field) {
				t.Fatalf("expected an error naming %q, saw %v", c.field, err)
			}
		})
	}
}

// The exec line is split into words without a shell, and placeholders are replaced
// in each word, values with spaces and quotes included.
func TestArgv(t *testing.T) {
	p, err := profile.Parse([]byte(strings.Replace(base, "access_token: tok", `access_token: "a b'c"`, 1) +
		`  transport: tcp
  start: exec
`))
	if err != nil {
		t.Fatal(err)
	}
	p.Client.Exec = `bin/refclient --server {host}:{port} --transport {transport} --token {access_token} --keys '{client_keys}' --ca {ca_file} "two words"`
	got, err := p.Argv(profile.Endpoint{Host: "127.0.0.1", Port: "5070", Transport: "tcp", ClientKeys: "/tmp/k.json", CAFile: "/tmp/ca.pem"})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"bin/refclient", "--server", "127.0.0.1:5070", "--transport", "tcp", "--token", "a b'c", "--keys", "/tmp/k.json", "--ca", "/tmp/ca.pem", "two words"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("expected %q, saw %q", want, got)
	}
	p.Client.Exec = `unbalanced "quote`
	if _, err := p.Argv(profile.Endpoint{}); err == nil || !strings.Contains(err.Error(), "client.exec") {
		t.Fatalf("expected an error naming client.exec, saw %v", err)
	}
}

func TestTLSPort(t *testing.T) {
	for _, c := range []struct {
		server string
		want   int
	}{
		{"server:\n  listen: 127.0.0.1:5070\n", 5061},
		{"server:\n  listen: 127.0.0.1:0\n", 0},
		{"server:\n  listen: 127.0.0.1:5070\n  tls: {port: 5091}\n", 5091},
	} {
		p, err := profile.Parse([]byte(base + c.server))
		if err != nil {
			t.Fatal(err)
		}
		if got := p.TLSPort(); got != c.want {
			t.Errorf("%q: expected TLS port %d, saw %d", c.server, c.want, got)
		}
	}
}

func TestSecretsAreListed(t *testing.T) {
	p, err := profile.Parse([]byte(base + "server:\n  digest: {realm: r, username: u, password: pw}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(p.Secrets(), ","); got != "tok,pw" {
		t.Fatalf("expected the token and the digest password, saw %q", got)
	}
}

// Each way of service authorisation names the SIP method that carries it.
func TestAuthorisationMethod(t *testing.T) {
	for _, c := range []struct {
		a    profile.Authorisation
		want string
	}{{profile.ByRegister, "REGISTER"}, {profile.ByPublish, "PUBLISH"}, {"invite", "INVITE"}} {
		if got := c.a.Method(); got != c.want {
			t.Errorf("%q.Method() = %q, want %q", c.a, got, c.want)
		}
	}
}
