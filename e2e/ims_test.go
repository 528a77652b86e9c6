package e2e_test

import (
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/mcptt-conformance/mcptt-conformance/validators"
	"github.com/mcptt-conformance/mcptt-conformance/verdict"
)

// behindIMS writes a profile that runs the client of a bundled profile through a test
// S-CSCF (fixtures/kamailio/scscf-run): server.behind_ims, digest credentials for the
// core (added when the profile has none), the client pointed at Kamailio, Kamailio at
// the suite over transport; withResponse makes each third-party REGISTER carry
// Kamailio's 200 OK too.
func behindIMS(t *testing.T, profile, transport string, withResponse bool) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, profile))
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	server := "  listen: 127.0.0.1:0\n  behind_ims: true\n"
	if !strings.Contains(s, "  digest:") {
		server += "  digest:\n    realm: mcptt.example.com\n    username: alice\n    password: secret\n"
		s = strings.Replace(s, "--server {host}:{port}", "--server {host}:{port} --user {username} --password {password}", 1)
	}
	run := "fixtures/kamailio/scscf-run"
	if withResponse {
		run += " --with-response"
	}
	s = strings.Replace(s, "  listen: 127.0.0.1:0\n", server, 1)
	s = strings.Replace(s, "  exec: >-\n    ", "  exec: >-\n    "+run+" {host} {port} "+transport+" {realm} {password} --\n    ", 1)
	s = strings.Replace(s, "{host}:{port}", "%SCSCF%", 1)
	s = strings.Replace(s, "timeout: 10s", "timeout: 20s", 1)
	if !strings.Contains(s, "%SCSCF%") || !strings.Contains(s, "behind_ims: true") {
		t.Fatalf("%s: cannot put its client behind the core", profile)
	}
	path := filepath.Join(t.TempDir(), "ims-"+filepath.Base(profile))
	if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// Clients register to Kamailio as the S-CSCF (digest there) and publish through it;
// the suite, behind it, judges the third-party REGISTERs and the routed PUBLISH and
// gives the verdicts a direct run of the same client gives, over UDP and TCP, with and
// without the carried 200 OK; a --break fails the same requirement through the core.
func TestThroughIMSCore(t *testing.T) {
	need(t, "kamailio", "kamailio")
	cases := []struct {
		name, profile, transport, args string
		withResponse                   bool
	}{
		{"register/udp", "fixtures/profiles/plain-register.yaml", "udp", "--transport udp", false},
		{"register/tcp/with-response", "fixtures/profiles/plain-register.yaml", "tcp", "--transport tcp", true},
		{"publish/tcp", "fixtures/profiles/plain-publish.yaml", "tcp", "--transport tcp", false},
		{"protected-register/udp/with-response", "fixtures/profiles/protected-register-conf-integ.yaml", "udp", "--transport udp", true},
		{"break-7.2.1-03/udp", "fixtures/profiles/plain-register.yaml", "udp", "--transport udp --break 7.2.1-03", false},
		{"sipp/u1", "fixtures/profiles/sipp-publish.yaml", "udp", "-t u1", false},
		{"sipp/t1/with-response", "fixtures/profiles/sipp-publish.yaml", "tcp", "-t t1", true},
	}
	if _, err := exec.LookPath("sipp"); err != nil {
		cases = cases[:5]
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			direct := runSuite(t, c.profile, "-client-args="+c.args)
			core := runSuite(t, behindIMS(t, c.profile, c.transport, c.withResponse), "-client-args="+c.args)
			want, got := direct.verdicts(), core.verdicts()
			for _, id := range slices.Sorted(maps.Keys(want)) {
				if got[id] != want[id] {
					t.Errorf("%s: expected %s as in the direct run, saw %s through the core\ndirect:\n%s\nthrough the core:\n%s\n%s",
						id, want[id], got[id], direct.describe(id), core.describe(id), tail(core.output))
				}
			}
			if core.exit != direct.exit {
				t.Errorf("expected exit %d as in the direct run, saw %d", direct.exit, core.exit)
			}
			embedded := 0
			for _, r := range core.Results {
				if strings.HasSuffix(r.Message, validators.EmbeddedSuffix) && r.Requirement == "7.2.1-01" && r.Verdict == verdict.Pass {
					embedded++
				}
			}
			if embedded == 0 {
				t.Errorf("expected the carried REGISTERs judged (…%s), saw\n%s", validators.EmbeddedSuffix, core.describe("7.2.1-01"))
			}
		})
	}
}
