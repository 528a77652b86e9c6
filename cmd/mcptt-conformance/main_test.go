package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The help fits on one screen and names every command.
func TestHelp(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := run([]string{"--help"}, &out, &errOut); code != 0 {
		t.Fatalf("--help: expected exit status 0, saw %d", code)
	}
	if n := strings.Count(out.String(), "\n"); n >= 60 {
		t.Errorf("expected the help under 60 lines, saw %d", n)
	}
	for _, cmd := range []string{"run", "check", "list", "baseline", "inspect", "kms"} {
		if !strings.Contains(out.String(), "mcptt-conformance "+cmd+" ") {
			t.Errorf("expected the help to name %q, saw\n%s", cmd, out.String())
		}
	}
	for _, code := range []string{"0  conformant", "1  non-conformant", "2  usage", "3  inconclusive", "4  the suite itself failed"} {
		if !strings.Contains(out.String(), code) {
			t.Errorf("expected the help to give the exit status %q", code)
		}
	}
}

// list prints every requirement ID of shared/spec/requirements.md.
func TestListNamesEveryRequirement(t *testing.T) {
	spec, err := os.ReadFile(filepath.Join("..", "..", "..", "shared", "spec", "requirements.md"))
	if err != nil {
		t.Skipf("shared/spec beside the repository: %v", err)
	}
	ids := regexp.MustCompile(`(?m)^\| (7A?\.2\.[12]-\d+|MIME-\d+) `).FindAllStringSubmatch(string(spec), -1)
	if len(ids) < 40 {
		t.Fatalf("expected the requirement IDs of requirements.md, read %d", len(ids))
	}
	for _, args := range [][]string{{"list"}, {"list", "-profile", "../../fixtures/profiles/plain-register.yaml"}} {
		var out, errOut bytes.Buffer
		if code := run(args, &out, &errOut); code != 0 {
			t.Fatalf("%v: exit status %d: %s", args, code, errOut.String())
		}
		for _, id := range ids {
			if !regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(id[1]) + ` `).MatchString(out.String()) {
				t.Errorf("%v: expected a line for %s", args, id[1])
			}
		}
	}
}

// With a profile, list says which requirements apply and why the others do not.
func TestListApplicability(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := run([]string{"list", "-profile", "../../fixtures/profiles/plain-publish.yaml"}, &out, &errOut); code != 0 {
		t.Fatalf("exit status %d: %s", code, errOut.String())
	}
	for _, want := range []string{
		`(?m)^7\.2\.2-02 +7\.2\.2 +yes +PUBLISH carries`,
		`(?m)^7\.2\.1-06 +7\.2\.1 +no +REGISTER carries mcptt-info \(does not apply: the profile declares service authorisation by PUBLISH`,
	} {
		if !regexp.MustCompile(want).MatchString(out.String()) {
			t.Errorf("expected a line matching %s, saw\n%s", want, out.String())
		}
	}
}

// Mistakes are usage errors (exit status 2) that say what was wrong, before anything
// runs; a suite that cannot be run is the suite's error (4).
func TestUsageErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(bad, []byte("authz: sometimes\n"), 0o644)
	badBaseline := filepath.Join(dir, "known.yaml")
	os.WriteFile(badBaseline, []byte("requirements: [7.2.1-01]\nknown:\n  - requirement: 7.2.1-99\n    message: run\n    reason: r\n"), 0o644)
	notVerdicts := filepath.Join(dir, "verdicts.json")
	os.WriteFile(notVerdicts, []byte("{not json"), 0o644)
	for _, tt := range []struct {
		args []string
		code int
		says string
	}{
		{nil, 2, "Usage:"},
		{[]string{"frobnicate"}, 2, `unknown command "frobnicate"`},
		{[]string{"run", "-nope"}, 2, "flag provided but not defined: -nope"},
		{[]string{"run", "-profile", bad}, 2, "the profile cannot be used"},
		{[]string{"run", "-profile", filepath.Join(dir, "missing.yaml")}, 2, "the profile cannot be used"},
		{[]string{"run", "-profile", "../../fixtures/profiles/plain-register.yaml", "stray"}, 2, `unexpected argument "stray"`},
		{[]string{"check", "-profile", "../../fixtures/profiles/plain-register.yaml"}, 2, "-capture is required"},
		{[]string{"check", "-profile", "../../fixtures/profiles/plain-register.yaml", "-capture", filepath.Join(dir, "none.pcap")}, 2, "the capture cannot be read"},
		{[]string{"list", "-profile", bad}, 2, "the profile cannot be used"},
		{[]string{"run", "-profile", "../../fixtures/profiles/plain-register.yaml", "-baseline", badBaseline}, 2, `line 3: expected a requirement ID of the catalogue, saw "7.2.1-99"`},
		{[]string{"run", "-profile", "../../fixtures/profiles/plain-register.yaml", "-baseline", filepath.Join(dir, "none.yaml")}, 2, "the baseline cannot be read"},
		{[]string{"baseline"}, 2, "usage: mcptt-conformance baseline"},
		{[]string{"baseline", notVerdicts}, 2, "verdicts.json"},
		{[]string{"merge", "-reports", dir}, 2, "expected the shards' verdicts.json files"},
		{[]string{"merge", "-reports", filepath.Join(dir, "merged"), notVerdicts}, 2, "merge " + notVerdicts},
		{[]string{"run", "-profile", "../../fixtures/profiles/plain-register.yaml", "-reports", dir, "-suite", filepath.Join(dir, "no-suite")}, 4, "cannot run the suite"},
	} {
		var out, errOut bytes.Buffer
		code := run(tt.args, &out, &errOut)
		if code != tt.code || !strings.Contains(out.String()+errOut.String(), tt.says) {
			t.Errorf("%v: expected exit status %d saying %q, saw %d:\n%s%s", tt.args, tt.code, tt.says, code, out.String(), errOut.String())
		}
	}
}

// readOutcome takes summary.outcome from the head of verdicts.json, whatever follows the
// summary (a results array too large to read, or bytes cut short), and says what is
// wrong with a file that has none.
func TestReadOutcome(t *testing.T) {
	tests := []struct {
		name, json, outcome, err string
	}{
		{"summary first", `{"suite":"mcptt-conformance","summary":{"pass":1,"outcome":"conformant"},"results":[{"requirement":"7.2.1-01"}]}`, "conformant", ""},
		{"results cut short after the summary", `{"summary":{"outcome":"inconclusive"},"results":[{"requirement":"7.2.1-0`, "inconclusive", ""},
		{"results before the summary", `{"results":[{"verdict":"fail"}],"summary":{"outcome":"non-conformant"}}`, "non-conformant", ""},
		{"no summary", `{"suite":"mcptt-conformance","results":[]}`, "", "has no summary.outcome"},
		{"no outcome", `{"summary":{"pass":3}}`, "", "has no summary.outcome"},
		{"not an object", `["conformant"]`, "", "expected the JSON of shared/contract/verdicts.md"},
		{"empty", ``, "", "expected the JSON of shared/contract/verdicts.md"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "verdicts.json")
			if err := os.WriteFile(path, []byte(tt.json), 0o644); err != nil {
				t.Fatal(err)
			}
			outcome, err := readOutcome(path)
			if tt.err == "" && (err != nil || outcome != tt.outcome) {
				t.Fatalf("expected the outcome %q, saw %q (error %v)", tt.outcome, outcome, err)
			}
			if tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)) {
				t.Fatalf("expected an error saying %q, saw the outcome %q and error %v", tt.err, outcome, err)
			}
		})
	}
}
