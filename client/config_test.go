package client

import (
	"bufio"
	"strings"
	"testing"
)

func TestValidate(t *testing.T) {
	cases := []struct {
		name    string
		mode    Mode
		edit    func(*Config)
		wantErr string // "" for a valid configuration
	}{
		{"register", ModeRegister, func(*Config) {}, ""},
		{"publish", ModePublish, func(*Config) {}, ""},
		{"migration", ModeMigration, func(*Config) {}, ""},
		{"no server", ModeRegister, func(c *Config) { c.Server = "" }, "--server is required"},
		{"server without port", ModeRegister, func(c *Config) { c.Server = "127.0.0.1" }, "expected HOST:PORT"},
		{"sctp", ModeRegister, func(c *Config) { c.Transport = "sctp" }, "expected udp, tcp or tls"},
		{"local not an IP", ModeRegister, func(c *Config) { c.Local = "localhost" }, "expected an IP address"},
		{"no timeout", ModeRegister, func(c *Config) { c.Timeout = 0 }, "expected a positive duration"},
		{"tel URI", ModeRegister, func(c *Config) { c.MCPTTID = "tel:+15551234" }, "expected a sip: or sips: URI"},
		{"no user part", ModeRegister, func(c *Config) { c.MCPTTID = "sip:mcptt.example.com" }, "expected the form sip:user@domain"},
		{"unknown mode", "subscribe", func(*Config) {}, `--mode "subscribe"`},
		{"register without token", ModeRegister, func(c *Config) { c.Token = "" }, "--token is required in register mode"},
		{"publish without PSI", ModePublish, func(c *Config) { c.PSI = "" }, "--psi is required in publish mode"},
		{"publish answer mode", ModePublish, func(c *Config) { c.AnswerMode = "automatic" }, `--answer-mode "automatic"`},
		{"publish without index", ModePublish, func(c *Config) { c.ProfileIndex = -1 }, "--profile-index is required in publish mode"},
		{"migration without partner token", ModeMigration, func(c *Config) { c.PartnerToken = "" }, "--partner-token is required"},
		{"migration without primary", ModeMigration, func(c *Config) { c.PrimaryMCPTTID = "" }, "--primary-mcptt-id is required"},
		{"logoff in publish", ModePublish, func(c *Config) { c.Logoff = true }, "--logoff applies to register mode only"},
		{"user without password", ModeRegister, func(c *Config) { c.User = "alice" }, "--user and --password go together"},
		{"unknown break", ModeRegister, func(c *Config) { c.Break = "7.2.1-99" }, "unknown requirement ID"},
		{"break of another mode", ModeRegister, func(c *Config) { c.Break = "7.2.2-01" }, "--break 7.2.2-01 does not apply to register mode: it applies to publish"},
		{"7A break in register mode", ModeRegister, func(c *Config) { c.Break = "7A.2.1-01" }, "does not apply to register mode"},
		{"MIME-03 over tcp", ModeRegister, func(c *Config) { c.Break, c.Transport = "MIME-03", "tcp" }, "--break MIME-03 needs --transport udp"},
		{"unknown variant", ModeRegister, func(c *Config) { c.Variants = []string{"lf-only"} }, `--variant "lf-only": unknown variant`},
		{"variant of another mode", ModeRegister, func(c *Config) { c.Variants = []string{"quoted-boundary"} }, "--variant quoted-boundary does not apply to register mode"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := testConfig(c.mode)
			cfg.Mode = c.mode
			c.edit(&cfg)
			err := cfg.Validate()
			switch {
			case c.wantErr == "" && err != nil:
				t.Errorf("got %v, want no error", err)
			case c.wantErr != "" && (err == nil || !strings.Contains(err.Error(), c.wantErr)):
				t.Errorf("got %v, want an error containing %q", err, c.wantErr)
			}
		})
	}
}

func TestBuildBoundaryInPart(t *testing.T) {
	cfg := testConfig(ModePublish)
	cfg.Token = "a--" + boundary + "b"
	if _, err := Build(&cfg, Publish, testLeg(Publish)); err == nil || !strings.Contains(err.Error(), "boundary") {
		t.Errorf("got %v, want an error naming the boundary", err)
	}
}

func TestParseChallenge(t *testing.T) {
	cases := []struct {
		value   string
		want    challenge
		wantErr string
	}{
		{`Digest realm="r", nonce="n,1", algorithm=MD5, qop="auth,auth-int", opaque="o"`,
			challenge{realm: "r", nonce: "n,1", opaque: "o", algorithm: "MD5", qops: []string{"auth", "auth-int"}}, ""},
		{`digest nonce=abc,realm="a \"b\""`, challenge{realm: `a "b"`, nonce: "abc"}, ""},
		{`Basic realm="r"`, challenge{}, "expected the Digest scheme"},
		{`Digest realm="r"`, challenge{}, "expected realm and nonce"},
		{`Digest realm="r", nonce="n", algorithm=SHA-256`, challenge{}, "algorithm SHA-256 not supported"},
		{`Digest nonce=n, realm="r`, challenge{}, "expected a closing quote"},
		{`Digest realm="r" nonce="n"`, challenge{}, "expected a comma"},
		{`Digest realm`, challenge{}, "expected name=value"},
	}
	for _, c := range cases {
		got, err := parseChallenge(c.value)
		if c.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), c.wantErr) {
				t.Errorf("%s: got %v, want an error containing %q", c.value, err, c.wantErr)
			}
			continue
		}
		if err != nil || got.realm != c.want.realm || got.nonce != c.want.nonce || got.opaque != c.want.opaque ||
			strings.Join(got.qops, ",") != strings.Join(c.want.qops, ",") {
			t.Errorf("%s: got %+v, %v; want %+v", c.value, got, err, c.want)
		}
	}
}

// TestAuthorizationWithoutQop checks the RFC 2069 form against RFC 2617's example
// credentials, recomputed by hand: no qop, so response = MD5(HA1:nonce:HA2).
func TestAuthorizationWithoutQop(t *testing.T) {
	c := challenge{realm: "testrealm@host.com", nonce: "dcd98b7102dd2f0e8b11d0f600bfb0c093"}
	v, err := c.authorization("Mufasa", "Circle Of Life", "GET", "/dir/index.html", "unused", 1)
	if err != nil {
		t.Fatal(err)
	}
	ha1 := md5Hex("Mufasa:testrealm@host.com:Circle Of Life")
	ha2 := md5Hex("GET:/dir/index.html")
	want := `response="` + md5Hex(ha1+":dcd98b7102dd2f0e8b11d0f600bfb0c093:"+ha2) + `"`
	if !strings.Contains(v, want) || strings.Contains(v, "qop=") {
		t.Errorf("got %s, want %s and no qop", v, want)
	}
	c.qops = []string{"auth-int"}
	if _, err := c.authorization("Mufasa", "x", "GET", "/", "c", 1); err == nil {
		t.Error("got no error for a challenge offering only auth-int")
	}
}

func TestReadStream(t *testing.T) {
	two := "\r\n\r\nSIP/2.0 100 Trying\r\nl: 0\r\n\r\nSIP/2.0 200 OK\r\nContent-Length: 4\r\n\r\nbodyEXTRA"
	r := bufio.NewReader(strings.NewReader(two))
	for _, want := range []string{"SIP/2.0 100 Trying\r\nl: 0\r\n\r\n", "SIP/2.0 200 OK\r\nContent-Length: 4\r\n\r\nbody"} {
		got, err := readStream(r)
		if err != nil || string(got) != want {
			t.Errorf("got %q, %v; want %q", got, err, want)
		}
	}
	for _, bad := range []struct{ in, wantErr string }{
		{"SIP/2.0 200 OK\r\n\r\n", "expected a Content-Length header"},
		{"SIP/2.0 200 OK\r\nContent-Length: -1\r\n\r\n", "expected a non-negative integer"},
		{"SIP/2.0 200 OK\r\nContent-Length: 99999999\r\n\r\n", "expected at most"},
		{"SIP/2.0 200 OK\r\nContent-Length: 10\r\n\r\nshort", "reading a 10-byte body"},
		{"SIP/2.0 200 OK\r\nno colon\r\n\r\n", `expected a header field line (name: value), saw "no colon"`},
		{"SIP/2.0 200 OK\r\nX: " + strings.Repeat("a", 10000) + "\r\n\r\n", "expected header lines shorter"},
	} {
		if _, err := readStream(bufio.NewReaderSize(strings.NewReader(bad.in), 8<<10)); err == nil || !strings.Contains(err.Error(), bad.wantErr) {
			t.Errorf("%.40q: got %v, want an error containing %q", bad.in, err, bad.wantErr)
		}
	}
}

func TestParseMessage(t *testing.T) {
	m, err := parseMessage([]byte("SIP/2.0 401 Unauthorized\r\nv: SIP/2.0/UDP h;branch=z9hG4bKa, SIP/2.0/UDP p;branch=z9hG4bKb\r\n" +
		"CSeq: 7\r\n  REGISTER\r\nTo: <sip:a@b;x=1>;tag=t9\r\nContent-Length: 0\r\n\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	code, reason, err := m.status()
	branch, method := m.transaction()
	if code != 401 || reason != "Unauthorized" || err != nil || branch != "z9hG4bKa" || method != "REGISTER" || m.toTag() != "t9" {
		t.Errorf("got %d %q %v, transaction %s %s, To tag %q", code, reason, err, branch, method, m.toTag())
	}
	for _, bad := range []string{"", "SIP/2.0 200 OK", "SIP/2.0 OK\r\n\r\n", "INVITE sip:x SIP/2.0\r\n\r\n"} {
		m, err := parseMessage([]byte(bad))
		if err == nil {
			_, _, err = m.status()
		}
		if err == nil {
			t.Errorf("%q: got no error", bad)
		}
	}
}

func FuzzParseMessage(f *testing.F) {
	f.Add([]byte("SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP h;branch=z9hG4bKa\r\nCSeq: 1 REGISTER\r\nl: 0\r\n\r\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := parseMessage(b)
		if err == nil {
			m.status()
			m.transaction()
			m.toTag()
		}
		readStream(bufio.NewReader(strings.NewReader(string(b))))
	})
}

func FuzzParseChallenge(f *testing.F) {
	f.Add(`Digest realm="r", nonce="n", algorithm=MD5, qop="auth"`)
	f.Fuzz(func(t *testing.T, v string) {
		if c, err := parseChallenge(v); err == nil {
			c.authorization("u", "p", "REGISTER", "sip:x", "c", 1)
		}
	})
}
