package reports

import (
	"cmp"
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/mcptt-conformance/mcptt-conformance/baseline"
	"github.com/mcptt-conformance/mcptt-conformance/verdict"
)

// The JUnit elements, as schemas/junit.xsd describes them.
type (
	// junitSuites carries only what junit-10 allows on <testsuites>: no skipped count,
	// no timestamp, no properties.
	junitSuites struct {
		XMLName  xml.Name     `xml:"testsuites"`
		Name     string       `xml:"name,attr"`
		Tests    int          `xml:"tests,attr"`
		Failures int          `xml:"failures,attr"`
		Errors   int          `xml:"errors,attr"`
		Time     string       `xml:"time,attr"`
		Suites   []junitSuite `xml:"testsuite"`
	}
	junitSuite struct {
		Name       string          `xml:"name,attr"`
		Tests      int             `xml:"tests,attr"`
		Failures   int             `xml:"failures,attr"`
		Errors     int             `xml:"errors,attr"`
		Skipped    int             `xml:"skipped,attr"`
		Time       string          `xml:"time,attr"`
		Timestamp  string          `xml:"timestamp,attr,omitempty"`
		ID         int             `xml:"id,attr"`
		Package    string          `xml:"package,attr"`
		Properties []junitProperty `xml:"properties>property"`
		Cases      []junitCase     `xml:"testcase"`
	}
	junitProperty struct {
		Name  string `xml:"name,attr"`
		Value string `xml:"value,attr"`
	}
	junitCase struct {
		Name      string        `xml:"name,attr"`
		Classname string        `xml:"classname,attr"`
		Time      string        `xml:"time,attr"`
		Skipped   *junitProblem `xml:"skipped"`
		Failure   *junitProblem `xml:"failure"`
		Error     *junitProblem `xml:"error"`
		SystemOut string        `xml:"system-out,omitempty"`
	}
	junitProblem struct {
		Message string `xml:"message,attr"`
		Type    string `xml:"type,attr,omitempty"`
		Text    string `xml:",chardata"`
	}
)

// WriteJUnit writes JUnit XML that every common consumer reads (schemas/junit.xsd,
// as strict as Jenkins xUnit's junit-10 and Surefire): one testsuite per clause (per
// client and clause when the rows name several clients), one testcase per requirement
// named "<ID> <title>" with classname "TS24379.<clause>.<subject>" (dots of the
// clause as underscores; the subject names the profile, and the client when one was
// chosen or the run holds several, so that several runs in one CI job never share a
// classname and name). A pass has no child; fail is a <failure type="fail"> with each
// failing row's own Expected and Actual and the capture files; error is an
// <error type="error">; inconclusive, not-applicable and not-tested are <skipped>
// whose message starts with the verdict word. A testcase's system-out gives its
// requirement, clause and verdict (junit-10 has no testcase properties), the count of
// its rows per verdict, its class against the baseline, and every row listed as a line
// (past ListedRows rows in the run without a baseline, only its fail, error and
// inconclusive rows). Each
// testsuite's properties give the run's outcome; the first testsuite's also describe
// the run (suite, profile, source, times, notes, baseline), once for the whole file.
func WriteJUnit(w io.Writer, r Run) error { return writeJUnit(w, viewOf(r)) }

func writeJUnit(w io.Writer, v view) error {
	p, g := v.p, v.g
	out := junitSuites{Name: strings.TrimSpace(p.Suite + " " + p.Version)}
	run := runProperties(p, g)
	outcome := run[:1]
	classes := caseClasses(p.Cases, g.Classes)
	clients := v.clients
	if len(clients) <= 1 {
		clients = []string{""}
	}
	var total time.Duration
	byClient := clientIndex(p.Cases)
	for _, client := range clients {
		subject := p.Subject
		if len(v.clients) > 1 && client != "" {
			subject = strings.Trim(subject+"."+client, ".")
		}
		for _, gr := range byClause(p.Cases) {
			s := junitSuite{
				Name:       ClauseTitle(gr.Clause),
				Timestamp:  junitTime(p.Started),
				ID:         len(out.Suites),
				Package:    className(gr.Clause, subject),
				Properties: outcome,
			}
			if len(out.Suites) == 0 {
				s.Properties = run
			}
			if len(v.clients) > 1 {
				s.Name += " · " + cmp.Or(client, "every client alike")
			}
			var d time.Duration
			for _, c := range gr.Cases {
				t, rows, cls := v.clientRows(c, client, byClient[c.ID][client], classes[c.ID])
				if t == nil {
					continue
				}
				jc := junitCaseOf(v, c, subject, t, rows, cls)
				s.Tests++
				switch {
				case jc.Failure != nil:
					s.Failures++
				case jc.Error != nil:
					s.Errors++
				case jc.Skipped != nil:
					s.Skipped++
				}
				d += c.Duration
				s.Cases = append(s.Cases, jc)
			}
			if s.Tests == 0 {
				continue
			}
			s.Time = seconds(d)
			total += d
			out.Tests += s.Tests
			out.Failures += s.Failures
			out.Errors += s.Errors
			out.Suites = append(out.Suites, s)
		}
	}
	if wall := p.Finished.Sub(p.Started); wall > 0 && !p.Started.IsZero() {
		total = wall
	}
	out.Time = seconds(total)
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(out); err != nil {
		return fmt.Errorf("junit: %w", err)
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// clientRows is what case c holds of one client's rows (at, in c.Results): their
// counts per verdict (nil when the client has none; for a run of one client, every
// row), the rows listed and their classes against the baseline (nil without one).
func (v view) clientRows(c Case, client string, at []int, classes []baseline.Class) (tally, []verdict.Result, []baseline.Class) {
	if len(v.clients) <= 1 {
		t := tally{}
		for _, ct := range v.counts[c.ID] {
			for vd, n := range ct {
				t[vd] += n
			}
		}
		if len(t) == 0 {
			return nil, nil, nil
		}
		return t, c.Results, classes
	}
	t := v.counts[c.ID][client]
	if t == nil {
		return nil, nil, nil
	}
	var rows []verdict.Result
	var cls []baseline.Class
	for _, i := range at {
		rows = append(rows, c.Results[i])
		if classes != nil {
			cls = append(cls, classes[i])
		}
	}
	return t, rows, cls
}

// worstIn is the worst verdict counted.
func worstIn(t tally) verdict.Verdict {
	var vs []verdict.Verdict
	for vd, n := range t {
		if n > 0 {
			vs = append(vs, vd)
		}
	}
	return verdict.Worst(vs...)
}

// countsText is "2 pass, 1 fail": the rows counted per verdict, in report order.
func countsText(t tally) string {
	var parts []string
	for _, vd := range verdict.All {
		if t[vd] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", t[vd], vd))
		}
	}
	return strings.Join(parts, ", ")
}

// runProperties describes the run, its outcome first: the first testsuite's
// properties (the others give only the outcome).
func runProperties(p Run, g gate) []junitProperty {
	props := []junitProperty{
		{"outcome", string(g.Outcome)},
		{"suite", p.Suite},
		{"version", p.Version},
		{"profile", p.Profile},
		{"source", p.Source},
		{"strict", strconv.FormatBool(p.Strict)},
		{"started", utc(p.Started)},
		{"finished", utc(p.Finished)},
	}
	for _, n := range p.Notes {
		props = append(props, junitProperty{"note", n})
	}
	if p.Baseline != nil {
		props = append(props, junitProperty{"baseline", p.BaselineFile})
		for _, e := range g.Fixed {
			props = append(props, junitProperty{"baseline-fixed", entryText(e) + ": fixed, remove from the baseline"})
		}
	}
	return props
}

// entryText names an accepted failure: "7.2.1-02 REGISTER#1" (with its client).
func entryText(e baseline.Entry) string {
	s := e.Requirement + " " + e.Message
	if e.Client != "" {
		s += " (client " + e.Client + ")"
	}
	return s
}

// caseClasses gives each requirement the classes of its rows against the baseline, in
// row order; nil without a baseline.
func caseClasses(cases []Case, classes []baseline.Class) map[string][]baseline.Class {
	if classes == nil {
		return nil
	}
	m := map[string][]baseline.Class{}
	i := 0
	for _, c := range cases {
		m[c.ID] = classes[i : i+len(c.Results)]
		i += len(c.Results)
	}
	return m
}

// junitCaseOf renders one prepared case for one client (or the whole run): the rows
// counted per verdict, the rows listed with their classes against the baseline (nil
// without one).
func junitCaseOf(v view, c Case, subject string, t tally, rows []verdict.Result, classes []baseline.Class) junitCase {
	c.Verdict, c.Results = worstIn(t), rows
	jc := junitCase{
		Name:      caseName(c),
		Classname: className(c.clauseOf(), subject),
		Time:      seconds(c.Duration),
	}
	var out strings.Builder
	fmt.Fprintf(&out, "requirement: %s\nclause: %s\nverdict: %s\nrows: %s\n", c.ID, c.clauseOf(), c.Verdict, countsText(t))
	listed := 0
	for i, res := range c.Results {
		if v.findingsOnly() && !finding(res.Verdict) {
			continue
		}
		listed++
		fmt.Fprintf(&out, "%s %s: %s", res.Verdict, orRun(res.Message), res.Detail)
		if classes != nil && classes[i] != "" {
			fmt.Fprintf(&out, " [baseline: %s]", classes[i])
		}
		out.WriteString("\n")
	}
	if n := t.rows() - listed; n > 0 && listed > 0 {
		fmt.Fprintf(&out, "(%d more rows counted, not listed; verdicts.json holds every row)\n", n)
	}
	jc.SystemOut = out.String()
	switch c.Verdict {
	case verdict.Pass:
	case verdict.Fail:
		jc.Failure = &junitProblem{Type: "fail", Message: firstOf(c, verdict.Fail), Text: failureText(v.links, c)}
	case verdict.Error:
		jc.Error = &junitProblem{Type: "error", Message: firstOf(c, verdict.Error), Text: errorText(c)}
	default:
		jc.Skipped = &junitProblem{Message: string(c.Verdict) + ": " + firstOf(c, c.Verdict)}
	}
	return jc
}

// caseName is "<ID> <title>" on one line; never empty, as CI tools need a name.
func caseName(c Case) string {
	if n := strings.Join(strings.Fields(c.ID+" "+c.Title), " "); n != "" {
		return n
	}
	return "unnamed requirement"
}

// firstOf is "<message>: <detail>" of the case's first result with verdict v, with a
// count of the others that share it.
func firstOf(c Case, v verdict.Verdict) string {
	var first string
	n := 0
	for _, res := range c.Results {
		if res.Verdict != v {
			continue
		}
		if n == 0 {
			first = res.Detail
			if res.Message != "" {
				first = namedFew(res.Message) + ": " + res.Detail
			}
		}
		n++
	}
	if n > 1 {
		first += fmt.Sprintf(" (and %d more %s)", n-1, v)
	}
	return first
}

// namedMessages is how many of the requests a run-wide row's message names (one per
// request the requirement looked at, a thousand for a client of a thousand requests)
// a JUnit message repeats; verdicts.json keeps the row's message whole.
const namedMessages = 10

// namedFew is message with at most namedMessages of its comma-separated request names,
// and how many more it names.
func namedFew(message string) string {
	names := strings.SplitN(message, ", ", namedMessages+1)
	if len(names) <= namedMessages {
		return message
	}
	more := strings.Count(names[namedMessages], ", ") + 1
	return strings.Join(names[:namedMessages], ", ") + fmt.Sprintf(" and %d more (verdicts.json names each)", more)
}

// failureText gives, for every failing result, what was expected and what was seen
// (the result's own, or else the requirement and the detail), the detail when it says
// more, the evidence and the capture files.
func failureText(links linker, c Case) string {
	var b strings.Builder
	for _, res := range c.Results {
		if res.Verdict != verdict.Fail {
			continue
		}
		expected, actual := expectedActual(c, res)
		fmt.Fprintf(&b, "%s %s\n", c.ID, orRun(res.Message))
		fmt.Fprintf(&b, "  Expected: %s\n", expected)
		fmt.Fprintf(&b, "  Actual:   %s\n", actual)
		if actual != res.Detail {
			fmt.Fprintf(&b, "  Detail:   %s\n", res.Detail)
		}
		if ev := evidenceText(res.Evidence); ev != "" {
			fmt.Fprintf(&b, "  Evidence: %s\n", ev)
		}
		for _, f := range links.files(res.Message) {
			fmt.Fprintf(&b, "  Capture:  %s\n", f)
		}
	}
	return b.String()
}

// expectedActual is a result's specific expectation and what was seen; a result
// without them falls back to the requirement's text (or title) and the detail.
func expectedActual(c Case, res verdict.Result) (expected, actual string) {
	expected, actual = res.Expected, res.Actual
	if expected == "" {
		expected = cmp.Or(c.Requirement, c.Title)
	}
	if actual == "" {
		actual = res.Detail
	}
	return expected, actual
}

// errorText gives the details of the case's error results.
func errorText(c Case) string {
	var b strings.Builder
	for _, res := range c.Results {
		if res.Verdict == verdict.Error {
			fmt.Fprintf(&b, "%s %s: %s\n", c.ID, orRun(res.Message), res.Detail)
		}
	}
	return b.String()
}

// orRun names a result's message, or "(run)" for a result about no single request.
func orRun(message string) string {
	if message == "" {
		return "(run)"
	}
	return message
}

// className is "TS24379." followed by the clause, and by the subject when there is
// one, each with every character that is not an ASCII letter, digit, underscore or
// hyphen made an underscore: "7.2.1", "plain-publish" → "TS24379.7_2_1.plain-publish".
func className(clause, subject string) string {
	name := "TS24379." + classPart(clause)
	if subject != "" {
		name += "." + classPart(subject)
	}
	return name
}

func classPart(s string) string {
	return strings.Map(func(r rune) rune {
		if r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)) || r == '_' || r == '-' {
			return r
		}
		return '_'
	}, s)
}

// seconds is a JUnit time attribute: seconds with millisecond precision.
func seconds(d time.Duration) string {
	return strconv.FormatFloat(max(d, 0).Seconds(), 'f', 3, 64)
}

// junitTime is the timestamp form CI tools expect (ISO 8601 without zone), in UTC;
// empty for the zero time.
func junitTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02T15:04:05")
}
