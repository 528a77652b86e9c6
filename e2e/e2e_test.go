// Package e2e_test drives the built suite end to end, as a vendor runs it: real
// sockets, the bundled reference client (conformant, with each legal variation, and
// breaking one requirement at a time), sipp as a client nobody here wrote, and garbage
// bytes. Each run's verdicts.json is read back and held against what must come out.
package e2e_test

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/mcptt-conformance/mcptt-conformance/client"
	"github.com/mcptt-conformance/mcptt-conformance/validators"
	"github.com/mcptt-conformance/mcptt-conformance/verdict"
)

var (
	root  string // the repository root: the suite and the profiles resolve paths from it
	suite string // the suite binary, built with the race detector
	cli   string // bin/mcptt-conformance, beside the suite binary it drives
)

func TestMain(m *testing.M) {
	os.Exit(func() int {
		wd, _ := os.Getwd()
		root = filepath.Dir(wd)
		tmp, err := os.MkdirTemp("", "mcptt-e2e")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		defer os.RemoveAll(tmp)
		suite = filepath.Join(tmp, "mcptt-suite")
		cli = filepath.Join(tmp, "mcptt-conformance")
		for _, build := range [][]string{
			{"go", "build", "-o", filepath.Join(root, "bin", "refclient"), "./cmd/refclient"},
			{"go", "test", "-race", "-c", "-o", suite, "./suites"},
			{"go", "build", "-o", cli, "./cmd/mcptt-conformance"},
		} {
			cmd := exec.Command(build[0], build[1:]...)
			cmd.Dir, cmd.Stdout, cmd.Stderr = root, os.Stderr, os.Stderr
			if err := cmd.Run(); err != nil {
				fmt.Fprintf(os.Stderr, "%s: %v\n", strings.Join(build, " "), err)
				return 1
			}
		}
		return m.Run()
	}())
}

// need finds a program the test needs, failing in CI (make deps installs it) and
// skipping elsewhere.
func need(t *testing.T, program, pkg string) string {
	t.Helper()
	path, err := exec.LookPath(program)
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s (Debian package %s) is missing; make deps installs it", program, pkg)
		}
		t.Skipf("%s (Debian package %s) is not installed; run make deps", program, pkg)
	}
	return path
}

// outcome is one run of the suite: its exit status and verdicts.json.
type outcome struct {
	exit    int
	output  string
	dir     string
	Summary struct {
		Pass    int             `json:"pass"`
		Outcome verdict.Outcome `json:"outcome"`
	} `json:"summary"`
	Results  []verdict.Result `json:"results"`
	Source   string           `json:"source"`
	Profile  string           `json:"profile"`
	Finished string           `json:"finished"`
}

// runSuite runs the suite binary with a profile and extra flags, in a reports folder
// of its own.
func runSuite(t *testing.T, profile string, args ...string) outcome {
	t.Helper()
	dir := t.TempDir()
	return readRun(t, dir, exec.Command(suite, append([]string{"-profile=" + profile, "-reports=" + dir, "-ginkgo.no-color"}, args...)...))
}

// readRun runs cmd (the suite, or the command line driving it) in the repository
// root, reads the verdicts.json it wrote into dir, checks its junit.xml against the
// schema and its rows against the golden ones.
func readRun(t *testing.T, dir string, cmd *exec.Cmd) outcome {
	t.Helper()
	cmd.Dir = root
	out, err := cmd.CombinedOutput()
	o := outcome{output: string(out), dir: dir}
	if ee, ok := err.(*exec.ExitError); ok {
		o.exit = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("running the suite: %v", err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "verdicts.json"))
	if err != nil {
		t.Fatalf("no verdicts.json (exit %d): %v\n%s", o.exit, err, out)
	}
	if err := json.Unmarshal(b, &o); err != nil {
		t.Fatalf("verdicts.json: %v", err)
	}
	checkJUnit(t, dir)
	checkGolden(t, o)
	return o
}

// verdicts maps each requirement to its worst verdict.
func (o outcome) verdicts() map[string]verdict.Verdict {
	m := map[string]verdict.Verdict{}
	for _, r := range o.Results {
		m[r.Requirement] = verdict.Worst(m[r.Requirement], r.Verdict)
	}
	return m
}

func (o outcome) failed() []string {
	var ids []string
	for id, v := range o.verdicts() {
		if v.Bad() {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return ids
}

func (o outcome) describe(ids ...string) string {
	var b strings.Builder
	for _, r := range o.Results {
		if len(ids) == 0 && r.Verdict.Bad() || slices.Contains(ids, r.Requirement) {
			fmt.Fprintf(&b, "  %s %s [%s] %s\n", r.Requirement, r.Verdict, r.Message, r.Detail)
		}
	}
	return b.String()
}

// conformant asserts a clean run: exit 0, a result for every requirement of the
// catalogue, none fail or error.
func conformant(t *testing.T, o outcome) {
	t.Helper()
	if o.exit != 0 || len(o.failed()) > 0 {
		t.Fatalf("expected a conformant run, saw exit %d and failures:\n%s\n%s", o.exit, o.describe(), tail(o.output))
	}
	v := o.verdicts()
	for _, req := range validators.Catalogue() {
		if _, ok := v[req.ID]; !ok {
			t.Errorf("no result for %s", req.ID)
		}
	}
}

func tail(s string) string {
	lines := strings.Split(s, "\n")
	return strings.Join(lines[max(0, len(lines)-25):], "\n")
}

// profiles maps each reference-client mode to its bundled plaintext profile.
var profiles = map[client.Mode]string{
	client.ModeRegister:  "fixtures/profiles/plain-register.yaml",
	client.ModePublish:   "fixtures/profiles/plain-publish.yaml",
	client.ModeMigration: "fixtures/profiles/plain-migration.yaml",
}

// Every bundled plaintext profile passes over UDP and over TCP, with a result for
// every requirement ID.
func TestBundledProfilesPass(t *testing.T) {
	for _, p := range []string{
		"fixtures/profiles/plain-register.yaml", "fixtures/profiles/plain-publish.yaml",
		"fixtures/profiles/plain-publish-rejected.yaml", "fixtures/profiles/plain-migration.yaml",
	} {
		for _, transport := range []string{"udp", "tcp"} {
			t.Run(filepath.Base(p)+"/"+transport, func(t *testing.T) {
				t.Parallel()
				o := runSuite(t, p, "-client-args=--transport "+transport)
				conformant(t, o)
				if o.Summary.Outcome != verdict.OutcomeConformant {
					t.Errorf("expected the outcome conformant, saw %s", o.Summary.Outcome)
				}
				testcases.add(t, transport, filepath.Join(o.dir, "junit.xml"))
				if !strings.Contains(o.describeAll(), "-"+transport+"-") {
					t.Errorf("expected captures received over %s, saw:\n%s", transport, o.describeAll())
				}
			})
		}
	}
}

func (o outcome) describeAll() string {
	var names []string
	for _, r := range o.Results {
		names = append(names, r.Message)
	}
	return strings.Join(names, "\n")
}

// For every requirement the reference client can break, the suite fails exactly that
// requirement and no other, and exits non-zero.
func TestEachBreakFailsExactlyItsRequirement(t *testing.T) {
	for _, b := range client.Breaks {
		profile := profiles[b.Modes[0]]
		args := "--break " + b.Name
		switch b.Name {
		case "7.2.2-16":
			profile = "fixtures/profiles/plain-publish-rejected.yaml"
		case "MIME-03":
			args += " --transport udp" // the defect only exists in a datagram
		}
		t.Run(b.Name, func(t *testing.T) {
			t.Parallel()
			o := runSuite(t, profile, "-client-args="+args)
			if got := o.failed(); !slices.Equal(got, []string{b.Name}) {
				t.Fatalf("--break %s (%s): expected only %s to fail, saw %v\n%s", b.Name, b.Doc, b.Name, got, o.describe(append(got, b.Name)...))
			}
			if o.exit == 0 {
				t.Errorf("expected a non-zero exit status for a failing run")
			}
		})
	}
}

// Legal variations of the wire format fail nothing.
func TestLegalVariationsPass(t *testing.T) {
	for _, v := range client.Variants {
		for _, mode := range v.Modes {
			t.Run(v.Name+"/"+string(mode), func(t *testing.T) {
				t.Parallel()
				conformant(t, runSuite(t, profiles[mode], "-client-args=--variant "+v.Name))
			})
		}
	}
}

// sipp, a client nobody here wrote, registers with digest and publishes over UDP and
// TCP; a defect in its Contact shows as exactly the one failure it is.
func TestSipp(t *testing.T) {
	need(t, "sipp", "sip-tester")
	const profile = "fixtures/profiles/sipp-publish.yaml"
	// The same client with one defect: the feature tag written without its '+'.
	b, err := os.ReadFile(filepath.Join(root, profile))
	if err != nil {
		t.Fatal(err)
	}
	defective := filepath.Join(t.TempDir(), "sipp-no-plus.yaml")
	fixed := strings.Replace(string(b), "-key mcptt_tag +g.3gpp.mcptt", "-key mcptt_tag g.3gpp.mcptt", 1)
	if fixed == string(b) {
		t.Fatalf("%s no longer sets -key mcptt_tag +g.3gpp.mcptt", profile)
	}
	if err := os.WriteFile(defective, []byte(fixed), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, transport := range []string{"u1", "t1"} {
		t.Run(transport, func(t *testing.T) {
			t.Parallel()
			o := runSuite(t, profile, "-client-args=-t "+transport)
			conformant(t, o)
			if o.Summary.Pass < 15 {
				t.Errorf("expected sipp's REGISTERs and PUBLISH judged, saw %v", o.Summary)
			}
		})
		t.Run(transport+"/no-plus", func(t *testing.T) {
			t.Parallel()
			o := runSuite(t, defective, "-client-args=-t "+transport)
			if got := o.failed(); !slices.Equal(got, []string{"7.2.1-02"}) {
				t.Fatalf("expected only 7.2.1-02 to fail for a tag without '+', saw %v\n%s", got, o.describe())
			}
			if !strings.Contains(o.describe("7.2.1-02"), "leading '+'") {
				t.Errorf("expected the detail to name the missing '+', saw\n%s", o.describe("7.2.1-02"))
			}
		})
	}
}

// Garbage sent to the UDP and TCP ports is captured byte for byte and reported as a
// fail, and the server goes on serving the real client.
func TestGarbageIsCapturedAndReported(t *testing.T) {
	profile := filepath.Join(t.TempDir(), "garbage.yaml")
	garbage := "\x00\x01 not SIP at all \xff\xfe"
	script := fmt.Sprintf(`printf '%s' > /dev/udp/{host}/{port}; printf '%s' > /dev/tcp/{host}/{port}; exec bin/refclient --server {host}:{port} --transport udp --mode register --mcptt-id {mcptt_id} --client-id {client_id} --token {access_token}`,
		`\000\001 not SIP at all \377\376`, `\000\001 not SIP at all \377\376`)
	yaml := fmt.Sprintf(`authz: register
identity:
  mcptt_id: sip:alice@mcptt.example.com
  client_id: urn:uuid:6f1c2e2a-4b7d-4d0e-9a51-2c3d4e5f6a7b
  access_token: tok
server:
  listen: 127.0.0.1:0
client:
  exec: bash -c "%s"
`, script)
	if err := os.WriteFile(profile, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	o := runSuite(t, profile)
	if got := o.failed(); !slices.Equal(got, []string{"7.2.1-01"}) {
		t.Fatalf("expected the garbage to fail 7.2.1-01 only, saw %v\n%s\n%s", got, o.describe(), tail(o.output))
	}
	var unparsed []string
	for _, r := range o.Results {
		if r.Requirement == "7.2.1-01" && r.Verdict == verdict.Fail {
			unparsed = append(unparsed, r.Message)
		}
	}
	if len(unparsed) != 2 {
		t.Fatalf("expected the UDP and the TCP garbage as two failed captures, saw %v", unparsed)
	}
	for _, name := range unparsed {
		b, err := os.ReadFile(filepath.Join(o.dir, "captures", name))
		if err != nil || string(b) != garbage {
			t.Errorf("capture %s: expected the garbage bytes %q, saw %q (%v)", name, garbage, b, err)
		}
	}
	if v := o.verdicts(); v["7.2.1-08"] != verdict.Pass {
		t.Errorf("expected the real REGISTER after the garbage to be served and judged, saw 7.2.1-08 %s", v["7.2.1-08"])
	}
}

// --label-filter selects specs by ID or by clause; reports hold what ran.
func TestLabelFilter(t *testing.T) {
	for filter, want := range map[string][]string{
		"7.2.1-02":                   {"7.2.1-02"},
		"7.2.1-02 || 7.2.1-03":       {"7.2.1-02", "7.2.1-03"},
		"clause: consistsOf MIME":    {"MIME-01", "MIME-02", "MIME-03"},
		"clause: containsAny 7A.2.1": nil, // checked by count below
	} {
		t.Run(filter, func(t *testing.T) {
			t.Parallel()
			o := runSuite(t, "fixtures/profiles/plain-register.yaml", "-ginkgo.label-filter="+filter)
			var got []string
			for id := range o.verdicts() {
				got = append(got, id)
			}
			slices.Sort(got)
			if want == nil {
				if len(got) != 13 || !strings.HasPrefix(got[0], "7A.2.1-") {
					t.Fatalf("expected the 13 requirements of 7A.2.1, saw %v", got)
				}
				return
			}
			if !slices.Equal(got, want) {
				t.Fatalf("expected results for %v, saw %v", want, got)
			}
		})
	}
}

// Access tokens and digest passwords never reach a report unless asked for.
func TestSecretsAreRedacted(t *testing.T) {
	o := runSuite(t, "fixtures/profiles/plain-register.yaml", "-client-args=--break 7.2.1-08")
	for _, f := range []string{"verdicts.json", "junit.xml", "report.html"} {
		b, err := os.ReadFile(filepath.Join(o.dir, f))
		if err != nil {
			t.Fatal(err)
		}
		for _, secret := range []string{"eyJhbGciOiJub25lIn0.eyJzdWIiOiJhbGljZSJ9.", "secret"} {
			if strings.Contains(string(b), secret) {
				t.Errorf("%s holds the secret %q", f, secret)
			}
		}
	}
	shown := runSuite(t, "fixtures/profiles/plain-register.yaml", "-client-args=--break 7.2.1-08", "-show-secrets")
	if !strings.Contains(shown.describe("7.2.1-08"), "eyJhbGciOiJub25lIn0") {
		t.Errorf("with -show-secrets, expected the token in the detail, saw\n%s", shown.describe("7.2.1-08"))
	}
}
