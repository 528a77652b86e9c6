package e2e_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mcptt-conformance/mcptt-conformance/capture"
	"github.com/mcptt-conformance/mcptt-conformance/verdict"
)

// tlsSessions reads the run's capture index and checks every message came over TLS
// with its session recorded.
func tlsSessions(t *testing.T, o outcome) []*capture.Message {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(o.dir, "captures", capture.IndexFile))
	if err != nil {
		t.Fatal(err)
	}
	var msgs []*capture.Message
	if err := json.Unmarshal(b, &msgs); err != nil {
		t.Fatal(err)
	}
	for _, m := range msgs {
		if m.Transport != "tls" || m.TLS == nil || !strings.HasPrefix(m.TLS.Version, "TLS 1.") || m.TLS.CipherSuite == "" {
			t.Errorf("%s: expected transport tls with the TLS version and cipher suite in %s, saw %s %+v", m.Name, capture.IndexFile, m.Transport, m.TLS)
		}
	}
	return msgs
}

// tsharkSIP is what `tshark -r run.pcapng -Y sip` shows of the run: methods and
// status codes, one a line, decrypted with the key log inside the file alone.
func tsharkSIP(t *testing.T, o outcome) string {
	t.Helper()
	tshark := need(t, "tshark", "tshark")
	out, err := exec.Command(tshark, "-r", filepath.Join(o.dir, "run.pcapng"), "-Y", "sip", "-T", "fields", "-e", "sip.Method", "-e", "sip.Status-Code").Output()
	if err != nil {
		t.Fatalf("tshark: %v\n%s", err, out)
	}
	return strings.Join(strings.Fields(string(out)), " ")
}

// Every bundled TLS profile passes live with the reference client, and Wireshark shows
// the SIP inside the TLS of run.pcapng with no key file.
func TestTLSProfilesPass(t *testing.T) {
	for _, c := range []struct{ profile, sip string }{
		{"fixtures/profiles/plain-register-tls.yaml", "REGISTER 401 REGISTER 200 REGISTER 401 REGISTER 200"},
		{"fixtures/profiles/protected-publish-conf-integ-tls.yaml", "REGISTER 200 PUBLISH 200"},
	} {
		t.Run(filepath.Base(c.profile), func(t *testing.T) {
			t.Parallel()
			o := runSuite(t, c.profile, "-strict")
			conformant(t, o)
			if _, tls, _ := strings.Cut(o.Source, ", tls "); !strings.HasSuffix(tls, ":5061") {
				t.Errorf("expected the source to name the TLS listener on 5061, saw %q", o.Source)
			}
			if n := len(tlsSessions(t, o)); n == 0 {
				t.Fatal("expected captures over tls, saw none")
			}
			if got := tsharkSIP(t, o); got != c.sip {
				t.Errorf("expected tshark to show %q inside TLS, saw %q", c.sip, got)
			}
		})
	}
}

// baresip, a TLS SIP client nobody here wrote, registers over TLS: a well-formed
// REGISTER (7.2.1-01, MIME-03 pass) with no MCPTT feature tags and no mcptt-info body
// (7.2.1-02, 03 and 06 fail).
func TestBaresipOverTLS(t *testing.T) {
	t.Parallel()
	need(t, "baresip", "baresip-core")
	o := runSuite(t, "fixtures/baresip/register-tls.yaml")
	msgs := tlsSessions(t, o)
	if len(msgs) == 0 || msgs[0].TLS.SNI != "" && msgs[0].TLS.SNI != "127.0.0.4" {
		t.Fatalf("expected baresip's REGISTER over TLS, saw %+v", msgs)
	}
	first := msgs[0].Name
	want := map[string]verdict.Verdict{"7.2.1-01": verdict.Pass, "MIME-03": verdict.Pass, "7.2.1-02": verdict.Fail, "7.2.1-03": verdict.Fail, "7.2.1-06": verdict.Fail}
	for _, r := range o.Results {
		if w, ok := want[r.Requirement]; ok && r.Message == first {
			if r.Verdict != w {
				t.Errorf("%s on baresip's first REGISTER: expected %s, saw %s: %s", r.Requirement, w, r.Verdict, r.Detail)
			}
			delete(want, r.Requirement)
		}
	}
	if len(want) > 0 {
		t.Errorf("no verdict on baresip's first REGISTER for %v", want)
	}
	if o.exit == 0 {
		t.Error("expected a non-zero exit for a client that fails 7.2.1-02")
	}
	if got := tsharkSIP(t, o); !strings.HasPrefix(got, "REGISTER 200") {
		t.Errorf("expected tshark to show baresip's REGISTER and the 200 inside TLS, saw %q", got)
	}
}
