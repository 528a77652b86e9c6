package main

import (
	"bytes"
	"context"
	"net"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/mcptt-conformance/mcptt-conformance/client"
	"github.com/mcptt-conformance/mcptt-conformance/crypto/mcx"
	"github.com/mcptt-conformance/mcptt-conformance/kms"
)

func TestHelpExplainsEveryFlag(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), []string{"--help"}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d, want 0", code)
	}
	for _, f := range []string{"server", "transport", "local", "mode", "mcptt-id", "client-id", "token", "partner-token",
		"primary-mcptt-id", "profile-index", "answer-mode", "multiplex", "psi", "registrar", "user", "password",
		"logoff", "break", "variant", "timeout", "v", "confidentiality", "integrity", "mdsi", "second-mdsi", "keys",
		"other-keys", "mutant", "ca"} {
		if !regexp.MustCompile(`\n  -` + regexp.QuoteMeta(f) + `\s`).MatchString(stderr.String()) {
			t.Errorf("--help does not explain -%s", f)
		}
	}
}

func TestLists(t *testing.T) {
	for _, c := range []struct {
		arg  string
		opts []client.Option
	}{{"--break", client.Breaks}, {"--variant", client.Variants}} {
		var stdout, stderr bytes.Buffer
		if code := run(context.Background(), []string{c.arg, "list"}, &stdout, &stderr); code != 0 {
			t.Fatalf("%s list: exit %d, want 0 (%s)", c.arg, code, &stderr)
		}
		lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
		if len(lines) != len(c.opts) {
			t.Errorf("%s list: %d lines, want %d", c.arg, len(lines), len(c.opts))
		}
		for i, o := range c.opts {
			if i < len(lines) && (!strings.HasPrefix(lines[i], o.Name+" ") || !strings.Contains(lines[i], o.Doc)) {
				t.Errorf("%s list line %q: want %s and its description", c.arg, lines[i], o.Name)
			}
		}
	}
}

func TestParse(t *testing.T) {
	var stdout, stderr bytes.Buffer
	got, err := parse([]string{"--server", "127.0.0.1:5060", "--transport", "tcp", "--local", "127.0.0.2", "--mode", "publish",
		"--mcptt-id", "sip:alice@mcptt.example.com", "--client-id", "urn:uuid:1", "--token", "tok", "--profile-index", "2",
		"--answer-mode", "manual-answer", "--multiplex", "true", "--psi", "sip:psi@mcptt.example.com", "--registrar", "sip:reg.example.com",
		"--user", "u", "--password", "p", "--break", "7.2.2-11", "--variant", "ns-prefix", "--variant", "compact-headers",
		"--timeout", "2s", "-v"}, &stdout, &stderr)
	if err != nil {
		t.Fatal(err)
	}
	want := client.Config{Server: "127.0.0.1:5060", Transport: "tcp", Local: "127.0.0.2", Mode: client.ModePublish,
		MCPTTID: "sip:alice@mcptt.example.com", ClientID: "urn:uuid:1", Token: "tok", ProfileIndex: 2,
		AnswerMode: client.ManualAnswer, Multiplex: true, PSI: "sip:psi@mcptt.example.com", Registrar: "sip:reg.example.com",
		User: "u", Password: "p", Break: "7.2.2-11", Variants: []string{"ns-prefix", "compact-headers"},
		Timeout: 2 * time.Second, Trace: &stderr, Log: &stdout}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
}

func TestUsageErrors(t *testing.T) {
	base := []string{"--server", "127.0.0.1:5060", "--mcptt-id", "sip:alice@mcptt.example.com", "--client-id", "urn:uuid:1", "--token", "t"}
	for _, c := range []struct {
		args    []string
		wantErr string
	}{
		{[]string{"--mode", "register"}, "--server is required"},
		{append(base, "--multiplex", "yes"), `--multiplex "yes": expected true or false`},
		{append(base, "--break", "7.2.2-01"), "--break 7.2.2-01 does not apply to register mode"},
		{append(base, "extra"), `unexpected argument "extra"`},
		{append(base, "--no-such-flag"), "flag provided but not defined"},
	} {
		var stdout, stderr bytes.Buffer
		if code := run(context.Background(), c.args, &stdout, &stderr); code != 2 || !strings.Contains(stderr.String(), c.wantErr) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", c.args, code, &stderr, c.wantErr)
		}
	}
}

// TestTimeout runs against a socket that never answers: exit 1 with the reason.
func TestTimeout(t *testing.T) {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"--server", pc.LocalAddr().String(), "--mcptt-id", "sip:alice@mcptt.example.com",
		"--client-id", "urn:uuid:1", "--token", "t", "--timeout", "200ms"}, &stdout, &stderr)
	if code != 1 || !strings.Contains(stderr.String(), "timeout: no final response to the REGISTER") {
		t.Errorf("exit %d, stderr %q; want 1 and a timeout message", code, &stderr)
	}
}

func TestMutantList(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), []string{"--mutant", "list"}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d, want 0 (%s)", code, &stderr)
	}
	for _, m := range client.Mutants {
		line := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(m.Name) + ` +` + regexp.QuoteMeta(m.Needs) + ` .*register ` +
			regexp.QuoteMeta(m.Fails[client.ModeRegister]) + `, publish ` + regexp.QuoteMeta(m.Fails[client.ModePublish]) +
			`, migration ` + regexp.QuoteMeta(m.Fails[client.ModeMigration]) + `\n +` + regexp.QuoteMeta(m.Doc) + `$`)
		if !line.MatchString(stdout.String()) {
			t.Errorf("--mutant list does not list %s with its requirements and description:\n%s", m.Name, &stdout)
		}
	}
}

// The protected flags, with the key files read into the configuration.
func TestParseProtected(t *testing.T) {
	k, err := kms.New("kms.example.com", mcx.KeyPeriod{Length: 2592000}, nil)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, user := range []string{"alice", "mallory"} {
		ck, err := k.ClientKeys("sip:"+user+"@mcptt.example.com", "", 1, nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := ck.Write(dir + "/" + user + ".json"); err != nil {
			t.Fatal(err)
		}
	}
	base := []string{"--server", "127.0.0.1:5060", "--mcptt-id", "sip:alice@mcptt.example.com", "--client-id", "urn:uuid:1", "--token", "t"}
	var stdout, stderr bytes.Buffer
	got, err := parse(append(base, "--confidentiality", "--integrity", "--mdsi", "sip:mdsi@mcptt.example.com",
		"--second-mdsi", "sip:mdsi@partner.example.com", "--keys", dir+"/alice.json", "--other-keys", dir+"/mallory.json",
		"--mutant", "other-identity"), &stdout, &stderr)
	if err != nil {
		t.Fatal(err)
	}
	if !got.Confidentiality || !got.Integrity || got.MDSI != "sip:mdsi@mcptt.example.com" || got.SecondMDSI != "sip:mdsi@partner.example.com" ||
		got.Keys == nil || got.Keys.UserURI != "sip:alice@mcptt.example.com" || got.OtherKeys == nil ||
		got.OtherKeys.UserURI != "sip:mallory@mcptt.example.com" || got.Mutant != "other-identity" {
		t.Errorf("got %+v", got)
	}
	for _, c := range []struct {
		args    []string
		wantErr string
	}{
		{append(base, "--integrity", "--mdsi", "sip:mdsi@mcptt.example.com"), "--keys is required"},
		{append(base, "--integrity", "--mdsi", "sip:mdsi@mcptt.example.com", "--keys", dir+"/none.json"), "--keys: "},
		{append(base, "--mutant", "no-mikey"), "--mutant no-mikey needs --confidentiality or --integrity"},
	} {
		stdout.Reset()
		stderr.Reset()
		if code := run(context.Background(), c.args, &stdout, &stderr); code != 2 || !strings.Contains(stderr.String(), c.wantErr) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", c.args, code, &stderr, c.wantErr)
		}
	}
}
