package reports

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/mcptt-conformance/mcptt-conformance/baseline"
	"github.com/mcptt-conformance/mcptt-conformance/verdict"
)

func TestCaseRows(t *testing.T) {
	pass := verdict.Result{Requirement: "7.2.1-02", Clause: "7.2.1", Verdict: verdict.Pass, Message: "register-001.sip", Detail: "ok"}
	fail := verdict.Result{Requirement: "7.2.1-02", Clause: "7.2.1", Verdict: verdict.Fail, Message: "register-002.sip", Detail: "no tag"}
	row := func(v verdict.Verdict, detail string) verdict.Result {
		return verdict.Result{Requirement: "7.2.1-02", Clause: "7.2.1", Verdict: v, Detail: detail}
	}
	tests := []struct {
		name string
		c    Case
		want []verdict.Result
	}{
		{"results as given", Case{Verdict: verdict.Fail, Results: []verdict.Result{pass, fail}}, []verdict.Result{pass, fail}},
		{"verdict left empty, derived from results", Case{Results: []verdict.Result{pass}}, []verdict.Result{pass}},
		{"requirement and clause from the case",
			Case{Verdict: verdict.Pass, Results: []verdict.Result{{Verdict: verdict.Pass, Message: "register-001.sip", Detail: "ok"}}},
			[]verdict.Result{pass}},
		{"unknown verdict word becomes error",
			Case{Results: []verdict.Result{{Verdict: "passed", Detail: "ok"}}},
			[]verdict.Result{row(verdict.Error, `the suite recorded the unknown verdict "passed": ok`)}},
		{"no result: the verdict gets a row",
			Case{Verdict: verdict.NotTested},
			[]verdict.Result{row(verdict.NotTested, "the suite recorded the verdict not-tested without a result that says why")}},
		{"no result and no verdict is an error",
			Case{},
			[]verdict.Result{row(verdict.Error, "the suite recorded no verdict and no result for this requirement")}},
		{"unknown case verdict is an error",
			Case{Verdict: "ok"},
			[]verdict.Result{row(verdict.Error, `the suite recorded the unknown verdict "ok" for this requirement`)}},
		{"verdict worse than every result gets a row",
			Case{Verdict: verdict.Fail, Results: []verdict.Result{pass}},
			[]verdict.Result{pass, row(verdict.Fail, "the suite recorded the verdict fail without a result that says why")}},
		{"verdict better than a result adds nothing",
			Case{Verdict: verdict.Pass, Results: []verdict.Result{fail}},
			[]verdict.Result{fail}},
		{"suite error adds an error row",
			Case{Verdict: verdict.Error, Error: "panic: boom", Results: []verdict.Result{pass}},
			[]verdict.Result{pass, row(verdict.Error, "panic: boom")}},
		{"suite error already a row is not repeated",
			Case{Verdict: verdict.Error, Error: "panic: boom", Results: []verdict.Result{row(verdict.Error, "panic: boom")}},
			[]verdict.Result{row(verdict.Error, "panic: boom")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.c.ID, tt.c.Clause = "7.2.1-02", "7.2.1"
			got := tt.c.rows()
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("rows:\n got %v\nwant %v", got, tt.want)
			}
			// Prepared cases are already normalised: preparing adds nothing.
			p := viewOf(Run{Cases: []Case{tt.c}}).p.Cases[0]
			if again := p.rows(); !reflect.DeepEqual(again, p.Results) {
				t.Errorf("rows of a prepared case changed:\n got %v\nwant %v", again, p.Results)
			}
			if p.Verdict != worstOf(tt.want) {
				t.Errorf("prepared verdict %s, want %s", p.Verdict, worstOf(tt.want))
			}
		})
	}
}

func TestOutcome(t *testing.T) {
	one := verdict.Requests{"REGISTER": 1}
	known := &baseline.Baseline{Requirements: []string{"7.2.1-01"},
		Known: []baseline.Entry{{Requirement: "7.2.1-01", Message: "run", Reason: "r"}}}
	tests := []struct {
		name     string
		vs       []verdict.Verdict
		arrived  verdict.Requests
		baseline *baseline.Baseline
		want     verdict.Outcome
	}{
		{"no case", nil, one, nil, verdict.OutcomeInconclusive},
		{"pass and skips", []verdict.Verdict{verdict.Pass, verdict.NotApplicable, verdict.NotTested}, one, nil, verdict.OutcomeConformant},
		{"an inconclusive", []verdict.Verdict{verdict.Pass, verdict.Inconclusive}, one, nil, verdict.OutcomeInconclusive},
		{"nothing arrived", []verdict.Verdict{verdict.Pass}, nil, nil, verdict.OutcomeInconclusive},
		{"a fail", []verdict.Verdict{verdict.Pass, verdict.Fail}, one, nil, verdict.OutcomeNonConformant},
		{"an error", []verdict.Verdict{verdict.Error, verdict.Pass}, one, nil, verdict.OutcomeError},
		{"a known fail", []verdict.Verdict{verdict.Fail, verdict.Pass}, one, known, verdict.OutcomeConformant},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Run{Awaited: one, Arrived: tt.arrived, Baseline: tt.baseline}
			for _, v := range tt.vs {
				r.Cases = append(r.Cases, Case{ID: "7.2.1-01", Results: []verdict.Result{{Verdict: v, Message: "run"}}})
			}
			if got := r.Outcome(); got != tt.want {
				t.Errorf("Outcome() = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestClassNameAndTitle(t *testing.T) {
	tests := []struct{ clause, class, title string }{
		{"7.2.1", "TS24379.7_2_1", "TS 24.379 7.2.1 SIP REGISTER request for service authorisation"},
		{"7.2.2", "TS24379.7_2_2", "TS 24.379 7.2.2 SIP PUBLISH request for service authorisation and MCPTT service settings"},
		{"7A.2.1", "TS24379.7A_2_1", "TS 24.379 7A.2.1 SIP REGISTER request for migration service authorization"},
		{"MIME", "TS24379.MIME", "TS 24.379 MIME and XML bodies (every clause)"},
		{"9.1 x/ü", "TS24379.9_1_x__", "TS 24.379 9.1 x/ü"},
	}
	if got := className("7.2.2", "lab.sip_alice@example.org"); got != "TS24379.7_2_2.lab_sip_alice_example_org" {
		t.Errorf("className with a subject = %q, want TS24379.7_2_2.lab_sip_alice_example_org", got)
	}
	for _, tt := range tests {
		if got := className(tt.clause, ""); got != tt.class {
			t.Errorf("className(%q) = %q, want %q", tt.clause, got, tt.class)
		}
		if got := ClauseTitle(tt.clause); got != tt.title {
			t.Errorf("ClauseTitle(%q) = %q, want %q", tt.clause, got, tt.title)
		}
	}
}

func TestClauseOf(t *testing.T) {
	tests := []struct {
		c    Case
		want string
	}{
		{Case{ID: "7.2.1-02", Clause: "7.2.1"}, "7.2.1"},
		{Case{ID: "7A.2.1-03"}, "7A.2.1"},
		{Case{ID: "odd"}, "unclassified"},
	}
	for _, tt := range tests {
		if got := tt.c.clauseOf(); got != tt.want {
			t.Errorf("clauseOf(%+v) = %q, want %q", tt.c, got, tt.want)
		}
	}
}

func TestCaptureFiles(t *testing.T) {
	tests := []struct {
		dir, message string
		captures     []string
		want         []string
	}{
		{"captures", "register-001.sip", nil, []string{"captures/register-001.sip"}},
		{"captures", "register-001.sip, publish-002.sip", nil, []string{"captures/register-001.sip", "captures/publish-002.sip"}},
		{"captures", "", nil, nil},
		{"captures", "../etc/passwd .. /abs a\\b", nil, nil},
		{"", "register-001.sip", nil, nil},
		{"captures", "run", []string{"run.pcapng#frame-1"}, nil},
		{"captures", "run.pcapng#frame-1", []string{"run.pcapng#frame-1"}, []string{"captures/run.pcapng#frame-1"}},
	}
	for _, tt := range tests {
		r := Run{CaptureDir: tt.dir, Captures: tt.captures}
		if got := newLinker(r).files(tt.message); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("captureFiles(%q, %q) with captures %q = %q, want %q", tt.dir, tt.message, tt.captures, got, tt.want)
		}
	}
}

func TestRedactorLongestFirst(t *testing.T) {
	x := newRedactor([]string{"abc", "", "abcdef"}, false)
	if got := x.str("xabcdefy abc"); got != "x[redacted]y [redacted]" {
		t.Errorf("got %q", got)
	}
	if got := newRedactor([]string{"abc"}, true).str("abc"); got != "abc" {
		t.Errorf("ShowSecrets redacted: %q", got)
	}
	if got := newRedactor([]string{""}, false).str("abc"); got != "abc" {
		t.Errorf("an empty secret changed the text: %q", got)
	}
}

func TestRedactorEvidence(t *testing.T) {
	x := newRedactor([]string{"s3cret"}, false)
	got := x.evidence(map[string]any{
		"line":       9,
		"big":        uint64(1) << 60,
		"s3cret-key": []string{"a s3cret b"},
		"nested":     map[string]any{"v": struct{ Token string }{"s3cret"}},
	})
	want := map[string]any{
		"line":           "9",
		"big":            "1152921504606846976",
		"[redacted]-key": []any{"a [redacted] b"},
		"nested":         map[string]any{"v": map[string]any{"Token": "[redacted]"}},
	}
	// Numbers come back as json.Number; compare their text.
	for _, k := range []string{"line", "big"} {
		got[k] = got[k].(interface{ String() string }).String()
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("evidence:\n got %#v\nwant %#v", got, want)
	}
	bad := x.evidence(map[string]any{"f": func() {}})
	if msg, _ := bad["unencodable"].(string); !strings.Contains(msg, "could not be written as JSON") {
		t.Errorf("unencodable evidence gave %v", bad)
	}
}

// TestRedaction checks that the token appears in no report, in any escaped form,
// unless the run asks to show secrets.
func TestRedaction(t *testing.T) {
	for _, w := range writers {
		t.Run(w.name, func(t *testing.T) {
			r := sampleRun()
			r.Source = "capture with token " + token
			out := render(t, w.write, r)
			if bytes.Contains(out, []byte(tokenCore)) {
				t.Errorf("%s contains the token", w.name)
			}
			if n := bytes.Count(out, []byte(Redacted)); n < 4 {
				t.Errorf("%s has %d %q, want the detail, evidence, error and source redacted", w.name, n, Redacted)
			}
			r.ShowSecrets = true
			if out := render(t, w.write, r); !bytes.Contains(out, []byte(tokenCore)) {
				t.Errorf("%s with ShowSecrets does not show the token", w.name)
			}
		})
	}
}

func TestWriteAll(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "reports")
	if err := WriteAll(dir, sampleRun()); err != nil {
		t.Fatal(err)
	}
	for _, w := range writers {
		got, err := os.ReadFile(filepath.Join(dir, w.name))
		if err != nil {
			t.Fatal(err)
		}
		if want := render(t, w.write, sampleRun()); !bytes.Equal(got, want) {
			t.Errorf("%s differs from what the writer renders", w.name)
		}
		if bytes.Contains(got, []byte(tokenCore)) {
			t.Errorf("%s contains the token", w.name)
		}
	}

	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := WriteAll(filepath.Join(file, "reports"), sampleRun()); err == nil || !strings.Contains(err.Error(), "reports folder") {
		t.Errorf("WriteAll under a file: got %v, want a reports folder error", err)
	}
}

// A secret is redacted wherever a row holds it: in its strings, and in its evidence
// however deeply nested, also when JSON writes it escaped (quotes, backslashes,
// control characters, U+2028); a row that holds none is kept as it is.
func TestRedactorRow(t *testing.T) {
	nested := func(s string) map[string]any {
		return map[string]any{"line": 9, "parts": []any{"a", map[string]any{"deep": []string{"x " + s + " y"}}}}
	}
	tests := []struct {
		name, secret string
		res          verdict.Result
	}{
		{"escaped characters in evidence", `to"k\en` + "\x01\u2028", verdict.Result{Detail: "d", Evidence: map[string]any{"v": `to"k\en` + "\x01\u2028"}}},
		{"nested evidence", "s3cret", verdict.Result{Detail: "d", Evidence: nested("s3cret")}},
		{"nested escaped evidence", `<"s3cret">`, verdict.Result{Detail: "d", Evidence: nested(`<"s3cret">`)}},
		{"evidence key", "s3cret", verdict.Result{Evidence: map[string]any{"k s3cret": 1}}},
		{"detail", `a"b`, verdict.Result{Detail: `saw a"b`, Evidence: map[string]any{"line": 2}}},
		{"actual, no evidence", "s3cret", verdict.Result{Actual: "s3cret"}},
		{"struct in evidence", "s3cret", verdict.Result{Evidence: map[string]any{"v": struct{ B, A string }{"s3cret", "a"}}}},
	}
	rw := newRowWriter()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, ev := newRedactor([]string{tt.secret}, false).row(tt.res)
			row, err := rw.encode(res, ev, "")
			if err != nil {
				t.Fatal(err)
			}
			if bytes.Contains(row, []byte(tt.secret)) || bytes.Contains(row, []byte(escaped(tt.secret))) {
				t.Errorf("the row holds the secret %q:\n%s", tt.secret, row)
			}
			if !bytes.Contains(row, []byte(Redacted)) {
				t.Errorf("the row says %q nowhere:\n%s", Redacted, row)
			}
		})
	}
	clean := verdict.Result{Detail: "ok", Evidence: nested("nothing")}
	if got, _ := newRedactor([]string{"s3cret"}, false).row(clean); !reflect.DeepEqual(got, clean) {
		t.Errorf("a row without a secret changed: %#v", got)
	}
}

// The fast path of redactor.row (a row kept as it is) writes the same bytes as the
// full walk of result, with secrets and without, whatever the strings hold.
func FuzzRedactorRow(f *testing.F) {
	f.Add("s3cret", "a s3cret b", "k", 1.5)
	f.Add(`"<&>\`, "\x00\u2028\xff", `"<&>\`, -0.0)
	f.Add("", "\ufffd", "\\ufffd", 1e21)
	f.Fuzz(func(t *testing.T, secret, s, key string, n float64) {
		res := verdict.Result{Requirement: "7.2.1-01", Clause: "7.2.1", Verdict: verdict.Pass, Detail: s,
			Evidence: map[string]any{key: s, "n": n, "i": int(n), "num": json.Number(key), "nested": map[string]any{s: []any{key, true, nil, []string{s}}}}}
		rw := newRowWriter()
		for _, x := range []redactor{newRedactor([]string{secret}, false), {}} {
			got, gotEv := x.row(res)
			fast, err := rw.encode(got, gotEv, "")
			if err != nil {
				t.Fatal(err)
			}
			fast = bytes.Clone(fast)
			walked := x.result(res)
			ev, _ := evidenceJSON(walked.Evidence)
			if want, _ := encodingJSON(walked.Evidence); !bytes.Equal(ev, want) {
				t.Fatalf("walked evidence %s, encoding/json %s", ev, want)
			}
			full, err := rw.encode(walked, ev, "")
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(fast, full) {
				t.Fatalf("row:\n%s\nfull walk:\n%s", fast, full)
			}
		}
	})
}
