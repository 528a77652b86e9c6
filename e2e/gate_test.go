package e2e_test

import (
	"encoding/xml"
	"errors"
	"fmt"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/lestrrat-go/libxml2"
	"github.com/lestrrat-go/libxml2/xsd"

	"github.com/mcptt-conformance/mcptt-conformance/verdict"
)

// The release gate, through bin/mcptt-conformance as CI calls it: the exit status is the
// run's outcome, and a baseline of accepted failures turns a known failure into exit 0
// while a new one still fails the gate.

// runCLI runs the command line's run with a profile and extra flags, in a reports
// folder of its own.
func runCLI(t *testing.T, profile string, args ...string) outcome {
	t.Helper()
	dir := t.TempDir()
	return readRun(t, dir, exec.Command(cli, append([]string{"run", "-profile=" + profile, "-reports=" + dir}, args...)...))
}

func expectExit(t *testing.T, o outcome, code int, outcome verdict.Outcome, says ...string) {
	t.Helper()
	if o.exit != code || o.Summary.Outcome != outcome {
		t.Fatalf("expected exit status %d and outcome %s, saw %d and %s\n%s", code, outcome, o.exit, o.Summary.Outcome, tail(o.output))
	}
	for _, s := range says {
		if !strings.Contains(o.output, s) {
			t.Errorf("expected the output to say %q, saw\n%s", s, tail(o.output))
		}
	}
}

// A client that sends nothing at all gives no fail, and no pass either: inconclusive,
// exit 3, never a pass of the gate.
func TestGateSilentClient(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile(filepath.Join(root, "fixtures/profiles/plain-register.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	head, _, ok := strings.Cut(string(b), "\nclient:\n")
	if !ok {
		t.Fatal("plain-register.yaml has no client section")
	}
	silent := head + "\nclient:\n  start: exec\n  transport: udp\n  exec: sleep 0.2\n  timeout: 2s\n"
	path := filepath.Join(t.TempDir(), "silent.yaml")
	if err := os.WriteFile(path, []byte(silent), 0o644); err != nil {
		t.Fatal(err)
	}
	o := runCLI(t, path)
	expectExit(t, o, verdict.ExitInconclusive, verdict.OutcomeInconclusive, "outcome: inconclusive")
	if len(o.failed()) > 0 {
		t.Errorf("expected no fail from a client that sent nothing, saw %v", o.failed())
	}
}

// One defect fails the gate; its baseline lets it pass with the known failure listed;
// a clean run against that baseline passes with the failure listed as fixed; another
// defect against it fails; a malformed baseline is a usage error.
func TestGateBaseline(t *testing.T) {
	t.Parallel()
	const profile = "fixtures/profiles/plain-register.yaml"
	broken := runCLI(t, profile, "-client-args=--break 7.2.1-08")
	expectExit(t, broken, verdict.ExitNonConformant, verdict.OutcomeNonConformant)

	known := filepath.Join(t.TempDir(), "known.yaml")
	out, err := exec.Command(cli, "baseline", filepath.Join(broken.dir, "verdicts.json")).Output()
	if err != nil {
		t.Fatalf("mcptt-conformance baseline: %v", err)
	}
	if !strings.Contains(string(out), "requirement: 7.2.1-08") || !strings.Contains(string(out), "message: REGISTER#1") {
		t.Fatalf("expected the baseline to hold 7.2.1-08 REGISTER#1, saw\n%s", out)
	}
	if err := os.WriteFile(known, out, 0o644); err != nil {
		t.Fatal(err)
	}

	t.Run("known", func(t *testing.T) {
		t.Parallel()
		o := runCLI(t, profile, "-client-args=--break 7.2.1-08", "-baseline="+known)
		expectExit(t, o, verdict.ExitConformant, verdict.OutcomeConformant,
			"known failure: 7.2.1-08 REGISTER#1: reason not given")
		for _, r := range o.Results {
			if r.Verdict == verdict.Fail && r.Requirement != "7.2.1-08" {
				t.Errorf("expected only 7.2.1-08 to fail, saw %s", r)
			}
		}
	})
	t.Run("fixed", func(t *testing.T) {
		t.Parallel()
		o := runCLI(t, profile, "-baseline="+known)
		expectExit(t, o, verdict.ExitConformant, verdict.OutcomeConformant,
			"fixed, remove from the baseline: 7.2.1-08 REGISTER#1")
	})
	t.Run("regression", func(t *testing.T) {
		t.Parallel()
		o := runCLI(t, profile, "-client-args=--break 7.2.1-07", "-baseline="+known)
		expectExit(t, o, verdict.ExitNonConformant, verdict.OutcomeNonConformant, "regression: 7.2.1-07 REGISTER#1")
	})
	t.Run("malformed", func(t *testing.T) {
		t.Parallel()
		bad := filepath.Join(t.TempDir(), "bad.yaml")
		if err := os.WriteFile(bad, []byte("requirements: [7.2.1-08]\nknown:\n  - requirement: 7.2.1-08\n    message: REGISTER#1\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(cli, "run", "-profile="+profile, "-reports="+t.TempDir(), "-baseline="+bad)
		cmd.Dir = root
		out, err := cmd.CombinedOutput()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != verdict.ExitUsage || !strings.Contains(string(out), "line 3: expected a reason") {
			t.Fatalf("expected exit status 2 naming line 3, saw %v\n%s", err, out)
		}
	})
}

var (
	junitOnce   sync.Once
	junitSchema *xsd.Schema
	junitErr    error
)

// checkJUnit validates a run's junit.xml against schemas/junit.xsd.
func checkJUnit(t *testing.T, dir string) {
	t.Helper()
	junitOnce.Do(func() { junitSchema, junitErr = xsd.ParseFromFile(filepath.Join(root, "schemas", "junit.xsd")) })
	if junitErr != nil {
		t.Fatalf("schemas/junit.xsd: %v", junitErr)
	}
	b, err := os.ReadFile(filepath.Join(dir, "junit.xml"))
	if err != nil {
		t.Fatalf("junit.xml: %v", err)
	}
	doc, err := libxml2.Parse(b)
	if err != nil {
		t.Fatalf("junit.xml is not well-formed: %v", err)
	}
	defer doc.Free()
	if err := junitSchema.Validate(doc); err != nil {
		var sve xsd.SchemaValidationError
		if errors.As(err, &sve) {
			err = errors.Join(sve.Errors()...)
		}
		t.Errorf("junit.xml is not valid against schemas/junit.xsd: %v", err)
	}
}

// testcases are the classname + name of every testcase of the bundled profiles' runs,
// per transport (one CI job's worth, as make conformance-all gives): no two runs may
// share one, or a CI system that keys testcases by them merges the runs.
var testcases = testcaseSet{seen: map[string]string{}}

type testcaseSet struct {
	mu   sync.Mutex
	seen map[string]string // group, classname and name → the file that had it
}

func (s *testcaseSet) add(t *testing.T, group, path string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Suites []struct {
			Cases []struct {
				Name      string `xml:"name,attr"`
				Classname string `xml:"classname,attr"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(b, &doc); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, su := range doc.Suites {
		for _, c := range su.Cases {
			k := group + "\x00" + c.Classname + "\x00" + c.Name
			if other, ok := s.seen[k]; ok && other != path {
				t.Errorf("testcase %s %q is in %s and in %s", c.Classname, c.Name, other, path)
			}
			s.seen[k] = path
		}
	}
}

// The report shows the first failure without scrolling: headless Chromium renders
// report.html in a 1280×800 window, and the screenshot holds the colour that marks a
// failure (reports' --fail-mark, used for nothing else); a conformant run's holds none.
func TestReportShowsFailureFirst(t *testing.T) {
	browser := need(t, "chromium", "chromium")
	t.Parallel()
	for _, tt := range []struct {
		name string
		args []string
		fail bool
	}{
		{"one failure", []string{"-client-args=--break 7.2.1-02"}, true},
		{"conformant", nil, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			o := runSuite(t, "fixtures/profiles/plain-register.yaml", tt.args...)
			shot := filepath.Join(t.TempDir(), "report.png")
			cmd := exec.Command(browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
				"--disable-background-networking", "--disable-component-update", "--disable-sync",
				"--user-data-dir="+t.TempDir(), "--hide-scrollbars", "--force-device-scale-factor=1",
				"--screenshot="+shot, "--window-size=1280,800", "file://"+filepath.Join(o.dir, "report.html"))
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("chromium: %v\n%s", err, out)
			}
			n, err := markPixels(shot)
			if err != nil {
				t.Fatal(err)
			}
			if tt.fail && n < 200 || !tt.fail && n > 0 {
				t.Errorf("expected the failure marker in view: %t; saw %d of its pixels in the first 1280×800", tt.fail, n)
			}
		})
	}
}

// markPixels counts the pixels of the failure marker's colour (#e4007c) in a PNG.
func markPixels(path string) (int, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", path, err)
	}
	near := func(a uint32, b uint8) bool { d := int(a>>8) - int(b); return d > -8 && d < 8 }
	n := 0
	bounds := img.Bounds()
	for y := bounds.Min.Y; y < bounds.Max.Y; y++ {
		for x := bounds.Min.X; x < bounds.Max.X; x++ {
			r, g, b, _ := img.At(x, y).RGBA()
			if near(r, 0xe4) && near(g, 0x00) && near(b, 0x7c) {
				n++
			}
		}
	}
	return n, nil
}
