package reports

import (
	"encoding/xml"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/lestrrat-go/libxml2"
	"github.com/lestrrat-go/libxml2/xsd"

	"github.com/mcptt-conformance/mcptt-conformance/baseline"
	"github.com/mcptt-conformance/mcptt-conformance/verdict"
)

// validateJUnit validates a JUnit file against schemas/junit.xsd and returns the
// schema's complaints.
func validateJUnit(t *testing.T, out []byte) error {
	t.Helper()
	schema, err := xsd.ParseFromFile("../schemas/junit.xsd")
	if err != nil {
		t.Fatalf("schemas/junit.xsd: %v", err)
	}
	defer schema.Free()
	doc, err := libxml2.Parse(out)
	if err != nil {
		t.Fatalf("junit.xml is not well-formed: %v\n%s", err, out)
	}
	defer doc.Free()
	err = schema.Validate(doc)
	var sve xsd.SchemaValidationError
	if errors.As(err, &sve) {
		return errors.Join(sve.Errors()...)
	}
	return err
}

func TestJUnitValidates(t *testing.T) {
	runs := map[string]Run{
		"sample": sampleRun(),
		"empty":  {},
		"odd":    {Cases: []Case{{ID: "x"}, {ID: "9.9-1", Title: "line\nbreak \x00 nul", Results: []verdict.Result{{Verdict: verdict.Fail, Detail: "bad \x1b byte \xff"}}}}},
	}
	for name, r := range runs {
		t.Run(name, func(t *testing.T) {
			out := render(t, writers[1].write, r)
			if err := validateJUnit(t, out); err != nil {
				t.Errorf("junit.xml is not valid against schemas/junit.xsd: %v\n%s", err, out)
			}
			checkCounts(t, parseJUnit(t, out))
		})
	}
}

// TestJUnitSchemaRejects shows that the schema is not vacuous: each document breaks
// one rule of it.
func TestJUnitSchemaRejects(t *testing.T) {
	tests := map[string]string{
		"empty classname":  `<testsuites tests="1" failures="0" errors="0"><testsuite name="s" tests="1" failures="0" errors="0"><testcase name="a" classname=""/></testsuite></testsuites>`,
		"no name":          `<testsuites tests="1" failures="0" errors="0"><testsuite name="s" tests="1" failures="0" errors="0"><testcase classname="A.b"/></testsuite></testsuites>`,
		"negative count":   `<testsuites tests="-1" failures="0" errors="0"/>`,
		"unknown child":    `<testsuites tests="1" failures="0" errors="0"><testsuite name="s" tests="1" failures="0" errors="0"><testcase name="a" classname="A.b"><flaky/></testcase></testsuite></testsuites>`,
		"time not decimal": `<testsuites tests="0" failures="0" errors="0" time="1s"/>`,
		"negative time":    `<testsuites tests="0" failures="0" errors="0" time="-1.0"/>`,
		// What junit-10 (Jenkins xUnit) refuses and JUnit writers often emit.
		"testcase properties":   `<testsuites tests="1" failures="0" errors="0"><testsuite name="s" tests="1" failures="0" errors="0"><testcase name="a" classname="A.b"><properties><property name="p" value="v"/></properties></testcase></testsuite></testsuites>`,
		"testsuites skipped":    `<testsuites tests="0" failures="0" errors="0" skipped="0"/>`,
		"testsuites timestamp":  `<testsuites tests="0" failures="0" errors="0" timestamp="2026-11-25T10:00:00"/>`,
		"testsuites properties": `<testsuites tests="0" failures="0" errors="0"><properties/></testsuites>`,
		"testcase status":       `<testsuites tests="1" failures="0" errors="0"><testsuite name="s" tests="1" failures="0" errors="0"><testcase name="a" classname="A.b" status="run"/></testsuite></testsuites>`,
		"testsuite disabled":    `<testsuites tests="0" failures="0" errors="0"><testsuite name="s" tests="0" failures="0" errors="0" disabled="0"/></testsuites>`,
		"testsuite no errors":   `<testsuites tests="0" failures="0" errors="0"><testsuite name="s" tests="0" failures="0"/></testsuites>`,
	}
	for name, doc := range tests {
		t.Run(name, func(t *testing.T) {
			if validateJUnit(t, []byte(doc)) == nil {
				t.Errorf("schemas/junit.xsd accepted %s", doc)
			}
		})
	}
}

// The JUnit file as a reader sees it.
type (
	xSuites struct {
		Tests    int      `xml:"tests,attr"`
		Failures int      `xml:"failures,attr"`
		Errors   int      `xml:"errors,attr"`
		Time     string   `xml:"time,attr"`
		Suites   []xSuite `xml:"testsuite"`
	}
	xSuite struct {
		Name       string      `xml:"name,attr"`
		Tests      int         `xml:"tests,attr"`
		Failures   int         `xml:"failures,attr"`
		Errors     int         `xml:"errors,attr"`
		Skipped    int         `xml:"skipped,attr"`
		Properties []xProperty `xml:"properties>property"`
		Cases      []xCase     `xml:"testcase"`
	}
	xProperty struct {
		Name  string `xml:"name,attr"`
		Value string `xml:"value,attr"`
	}
	xCase struct {
		Name      string     `xml:"name,attr"`
		Classname string     `xml:"classname,attr"`
		Time      string     `xml:"time,attr"`
		Failures  []xProblem `xml:"failure"`
		Errors    []xProblem `xml:"error"`
		Skipped   []xProblem `xml:"skipped"`
		SystemOut string     `xml:"system-out"`
	}
	xProblem struct {
		Message string `xml:"message,attr"`
		Type    string `xml:"type,attr"`
		Text    string `xml:",chardata"`
	}
)

// skipped totals the testsuites' skipped counts (junit-10 has none on testsuites).
func (s xSuites) skipped() int {
	n := 0
	for _, su := range s.Suites {
		n += su.Skipped
	}
	return n
}

func parseJUnit(t *testing.T, out []byte) xSuites {
	t.Helper()
	var s xSuites
	if err := xml.Unmarshal(out, &s); err != nil {
		t.Fatalf("junit.xml: %v", err)
	}
	return s
}

// checkCounts checks that every count is what the testcases say.
func checkCounts(t *testing.T, s xSuites) {
	t.Helper()
	var tests, failures, errs, skipped int
	for _, su := range s.Suites {
		var f, e, sk int
		for _, c := range su.Cases {
			if n := len(c.Failures) + len(c.Errors) + len(c.Skipped); n > 1 {
				t.Errorf("%s has %d outcome elements, want at most one", c.Name, n)
			}
			f += len(c.Failures)
			e += len(c.Errors)
			sk += len(c.Skipped)
		}
		if su.Tests != len(su.Cases) || su.Failures != f || su.Errors != e || su.Skipped != sk {
			t.Errorf("testsuite %q says tests=%d failures=%d errors=%d skipped=%d, its testcases say %d %d %d %d",
				su.Name, su.Tests, su.Failures, su.Errors, su.Skipped, len(su.Cases), f, e, sk)
		}
		tests += len(su.Cases)
		failures, errs, skipped = failures+f, errs+e, skipped+sk
	}
	if s.Tests != tests || s.Failures != failures || s.Errors != errs {
		t.Errorf("testsuites says tests=%d failures=%d errors=%d, its testcases say %d %d %d",
			s.Tests, s.Failures, s.Errors, tests, failures, errs)
	}
	if skipped != s.skipped() {
		t.Errorf("the testsuites count %d skipped, their testcases %d", s.skipped(), skipped)
	}
}

func TestJUnitSuites(t *testing.T) {
	s := parseJUnit(t, render(t, writers[1].write, sampleRun()))
	want := []struct {
		name  string
		tests int
	}{
		{"TS 24.379 7.2.1 SIP REGISTER request for service authorisation", 4},
		{"TS 24.379 7.2.2 SIP PUBLISH request for service authorisation and MCPTT service settings", 1},
		{"TS 24.379 MIME and XML bodies (every clause)", 1},
	}
	if len(s.Suites) != len(want) {
		t.Fatalf("%d testsuites, want %d", len(s.Suites), len(want))
	}
	for i, w := range want {
		if s.Suites[i].Name != w.name || s.Suites[i].Tests != w.tests {
			t.Errorf("testsuite %d: %q with %d tests, want %q with %d", i, s.Suites[i].Name, s.Suites[i].Tests, w.name, w.tests)
		}
	}
	if s.Tests != 6 || s.Failures != 1 || s.Errors != 1 || s.skipped() != 3 {
		t.Errorf("totals tests=%d failures=%d errors=%d skipped=%d, want 6 1 1 3", s.Tests, s.Failures, s.Errors, s.skipped())
	}
	if s.Time != "3.250" {
		t.Errorf("time %q, want the run's wall time 3.250", s.Time)
	}
	props := map[string]string{}
	for _, p := range s.Suites[0].Properties {
		props[p.Name] = p.Value
	}
	if props["outcome"] != "error" || props["profile"] != "fixtures/profiles/plain-register.yaml" || props["strict"] != "false" || props["note"] == "" {
		t.Errorf("testsuite properties %v, want the outcome error, profile, strict and notes", props)
	}
}

// TestJUnitVerdicts checks each verdict's testcase: name, classname, properties and the
// one element that says the verdict.
func TestJUnitVerdicts(t *testing.T) {
	s := parseJUnit(t, render(t, writers[1].write, sampleRun()))
	cases := map[string]xCase{}
	for _, su := range s.Suites {
		for _, c := range su.Cases {
			cases[strings.Fields(c.Name)[0]] = c
		}
	}
	tests := []struct {
		v                      verdict.Verdict
		name, class, elem, typ string
		message                string // prefix
		text                   []string
	}{
		{verdict.Pass, "7.2.1-02 Contact carries g.3gpp.mcptt", "TS24379.7_2_1", "", "", "", nil},
		{verdict.Fail, "7.2.1-08 mcptt-access-token equals the token", "TS24379.7_2_1", "failure", "fail",
			"register-002.sip: mcptt-access-token is [redacted]x",
			[]string{"Expected: <mcptt-access-token> set to the access token [redacted]\n", "Actual:   [redacted]x\n", "Detail:   mcptt-access-token is [redacted]x", `"line":14`, "Capture:  captures/register-002.sip"}},
		{verdict.Inconclusive, "7.2.2-16 Not authorised after a rejected PUBLISH", "TS24379.7_2_2", "skipped", "",
			"inconclusive: publish-003.sip, register-004.sip: no request after the 403", nil},
		{verdict.NotApplicable, "7.2.1-10 application/mikey body", "TS24379.7_2_1", "skipped", "",
			"not-applicable: the profile declares neither", nil},
		{verdict.NotTested, "7.2.1-05 Service continuity", "TS24379.7_2_1", "skipped", "",
			"not-tested: TS 24.237 is a referenced spec", nil},
		{verdict.Error, "MIME-02 XML bodies well-formed", "TS24379.MIME", "error", "error",
			"panic in the XML check: token [redacted]", []string{"MIME-02 (run): panic in the XML check"}},
	}
	for _, tt := range tests {
		t.Run(string(tt.v), func(t *testing.T) {
			c, ok := cases[byVerdict[tt.v]]
			if !ok {
				t.Fatalf("no testcase for %s", byVerdict[tt.v])
			}
			if c.Name != tt.name || c.Classname != tt.class {
				t.Errorf("testcase %q classname %q, want %q classname %q", c.Name, c.Classname, tt.name, tt.class)
			}
			if _, err := strconv.ParseFloat(c.Time, 64); err != nil {
				t.Errorf("time %q: %v", c.Time, err)
			}
			if want := "requirement: " + byVerdict[tt.v] + "\nclause: "; !strings.HasPrefix(c.SystemOut, want) ||
				!strings.Contains(c.SystemOut, "\nverdict: "+string(tt.v)+"\n") {
				t.Errorf("system-out %q, want requirement %s, its clause and verdict %s first", c.SystemOut, byVerdict[tt.v], tt.v)
			}
			var got []xProblem
			switch tt.elem {
			case "failure":
				got = c.Failures
			case "error":
				got = c.Errors
			case "skipped":
				got = c.Skipped
			}
			if n := len(c.Failures) + len(c.Errors) + len(c.Skipped); n != len(got) || (tt.elem != "") != (n == 1) {
				t.Fatalf("testcase has %d failure, %d error, %d skipped; want only <%s>", len(c.Failures), len(c.Errors), len(c.Skipped), tt.elem)
			}
			if tt.elem == "" {
				return
			}
			p := got[0]
			if p.Type != tt.typ || !strings.HasPrefix(p.Message, tt.message) {
				t.Errorf("<%s type=%q message=%q>, want type %q message starting %q", tt.elem, p.Type, p.Message, tt.typ, tt.message)
			}
			for _, want := range tt.text {
				if !strings.Contains(p.Text, want) {
					t.Errorf("<%s> text lacks %q:\n%s", tt.elem, want, p.Text)
				}
			}
		})
	}
	if out := cases["7.2.1-02"].SystemOut; !strings.Contains(out, "pass register-001.sip: Contact carries") || !strings.Contains(out, "pass register-002.sip") {
		t.Errorf("system-out of the pass %q, want a line per result", out)
	}
}

// TestJUnitFailureExpectedActual checks that a <failure> states each failing row's own
// expectation and what was seen, and falls back to the requirement and the detail only
// for a row that has none.
func TestJUnitFailureExpectedActual(t *testing.T) {
	tests := []struct {
		name        string
		res         verdict.Result
		want, avoid []string
	}{
		{"the row's own",
			verdict.Result{Verdict: verdict.Fail, Message: "r.sip", Detail: "expected Event: poc-settings, saw no such header", Expected: "Event: poc-settings", Actual: "no such header"},
			[]string{"Expected: Event: poc-settings\n", "Actual:   no such header\n", "Detail:   expected Event: poc-settings"}, []string{"Expected: send Event"}},
		{"the detail when it is the actual",
			verdict.Result{Verdict: verdict.Fail, Message: "r.sip", Detail: "no such header", Expected: "Event: poc-settings", Actual: "no such header"},
			[]string{"Expected: Event: poc-settings\n", "Actual:   no such header\n"}, []string{"Detail:"}},
		{"the requirement without one",
			verdict.Result{Verdict: verdict.Fail, Message: "r.sip", Detail: "no Event header"},
			[]string{"Expected: send Event: poc-settings\n", "Actual:   no Event header\n"}, []string{"Detail:"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Run{Cases: []Case{{ID: "7.2.2-01", Clause: "7.2.2", Title: "PUBLISH follows 7.2.1A",
				Requirement: "send Event: poc-settings", Verdict: verdict.Fail, Results: []verdict.Result{tt.res}}}}
			text := parseJUnit(t, render(t, writers[1].write, r)).Suites[0].Cases[0].Failures[0].Text
			for _, w := range tt.want {
				if !strings.Contains(text, w) {
					t.Errorf("<failure> lacks %q:\n%s", w, text)
				}
			}
			for _, a := range tt.avoid {
				if strings.Contains(text, a) {
					t.Errorf("<failure> has %q:\n%s", a, text)
				}
			}
		})
	}
}

// TestJUnitSubjectAndBaseline checks that the classnames carry the run's subject, so
// that two profiles' files share no classname and name, and that a testcase's
// system-out and the testsuite's properties say what the baseline found.
func TestJUnitSubjectAndBaseline(t *testing.T) {
	res := verdict.Result{Requirement: "7.2.1-02", Clause: "7.2.1", Verdict: verdict.Pass, Message: "register-001.sip", Detail: "ok"}
	r := Run{Subject: "plain-publish", Cases: []Case{{ID: "7.2.1-02", Clause: "7.2.1", Title: "Contact", Results: []verdict.Result{res}}},
		Baseline: &baseline.Baseline{Requirements: []string{"7.2.1-02"},
			Known: []baseline.Entry{{Requirement: "7.2.1-02", Message: "register-001.sip", Reason: "r"}}},
		BaselineFile: "known.yaml"}
	out := render(t, writers[1].write, r)
	if err := validateJUnit(t, out); err != nil {
		t.Fatalf("not valid: %v\n%s", err, out)
	}
	s := parseJUnit(t, out)
	c := s.Suites[0].Cases[0]
	if c.Classname != "TS24379.7_2_1.plain-publish" {
		t.Errorf("classname %q, want TS24379.7_2_1.plain-publish", c.Classname)
	}
	if !strings.Contains(c.SystemOut, "pass register-001.sip: ok [baseline: fixed]") {
		t.Errorf("system-out %q, want the row's class", c.SystemOut)
	}
	props := map[string]string{}
	for _, p := range s.Suites[0].Properties {
		props[p.Name] = p.Value
	}
	if props["outcome"] != "conformant" || props["baseline"] != "known.yaml" ||
		props["baseline-fixed"] != "7.2.1-02 register-001.sip: fixed, remove from the baseline" {
		t.Errorf("properties %v, want the outcome conformant, the baseline and its fixed entry", props)
	}
}

// The run's metadata and notes are in the first testsuite only; every testsuite gives
// the run's outcome.
func TestJUnitRunPropertiesOnce(t *testing.T) {
	r := sampleRun()
	s := parseJUnit(t, render(t, writers[1].write, r))
	if len(s.Suites) < 2 {
		t.Fatalf("%d testsuites, want several", len(s.Suites))
	}
	for i, suite := range s.Suites {
		var names []string
		for _, p := range suite.Properties {
			names = append(names, p.Name)
		}
		if i == 0 && (len(names) < 2 || !slices.Contains(names, "note")) || i > 0 && !slices.Equal(names, []string{"outcome"}) {
			t.Errorf("testsuite %d has properties %q, want the outcome first and the run's metadata in the first testsuite only", i, names)
		}
		if names[0] != "outcome" || suite.Properties[0].Value != "error" {
			t.Errorf("testsuite %d: first property %v, want the outcome error", i, suite.Properties[0])
		}
	}
}

// A JUnit message names at most namedMessages requests of a run-wide row, and says how
// many more the row names.
func TestNamedFew(t *testing.T) {
	names := func(n int) string {
		var s []string
		for i := 1; i <= n; i++ {
			s = append(s, fmt.Sprintf("run.pcap#frame-%d", i))
		}
		return strings.Join(s, ", ")
	}
	tests := []struct{ in, want string }{
		{"run", "run"},
		{names(namedMessages), names(namedMessages)},
		{names(namedMessages + 1), names(namedMessages) + " and 1 more (verdicts.json names each)"},
		{names(1000), names(namedMessages) + " and 990 more (verdicts.json names each)"},
	}
	for _, tt := range tests {
		if got := namedFew(tt.in); got != tt.want {
			t.Errorf("namedFew of %d names: expected %q, saw %q", strings.Count(tt.in, ", ")+1, tt.want, got)
		}
	}
}
