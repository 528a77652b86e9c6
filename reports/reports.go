// Package reports writes the outcome of a run three ways: reports/verdicts.json for
// tools (shared/contract/verdicts.md), reports/junit.xml for CI systems, and
// reports/report.html, a self-contained page a person can read, print or attach to a
// certification.
//
// The three writers see the same prepared run: every case's results normalised (a case
// never loses its verdict for want of a result row, an unknown verdict word becomes an
// error) and every secret redacted, so that the files always agree with each other.
package reports

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/mcptt-conformance/mcptt-conformance/baseline"
	"github.com/mcptt-conformance/mcptt-conformance/verdict"
)

// Case is one requirement's spec in a run.
type Case struct {
	ID          string // "7.2.1-02"
	Clause      string // "7.2.1", "7.2.2", "7A.2.1", "MIME"
	Title       string // short title, e.g. "Contact carries g.3gpp.mcptt"
	Requirement string // the shall-statement / requirements.md text
	// Verdict is the case's verdict, the worst of its results. The reports derive the
	// verdict from Results; when Verdict is worse than every result (or there is no
	// result), they add a result row that carries it, so that no verdict is lost.
	Verdict  verdict.Verdict
	Results  []verdict.Result // one per examined request, or one for the run
	Duration time.Duration
	// Error is the suite's own error text (panic, harness fault) when Verdict is
	// verdict.Error; the reports add it as an error result row.
	Error string
}

// Run is everything the reports say about one run of the suite.
type Run struct {
	Suite, Version    string // "mcptt-conformance", "0.1.0"
	Profile, Source   string // profile path; "live udp:127.0.0.1:5060" / "capture <path>"
	Started, Finished time.Time
	Cases             []Case
	CaptureDir        string   // where the raw messages are, relative to the reports folder ("captures")
	Captures          []string // the file names in CaptureDir; when set, only these are linked
	Secrets           []string // values to redact (access tokens …) in every report
	ShowSecrets       bool     // the run asked not to redact
	Strict            bool
	Notes             []string // run-level notes for people (unexpected traffic counts, the client's exit status, …)
	// Subject names what was judged in JUnit classnames, so that the testcases of
	// several profiles or clients in one CI job stay apart: the profile's file name,
	// and the client when one was chosen ("plain-publish", "lab.sip_alice_example_org").
	Subject string
	// Awaited and Arrived count the REGISTER and PUBLISH requests the profile awaits
	// and those that arrived (retransmissions not counted): fewer arrived makes the
	// run inconclusive.
	Awaited, Arrived verdict.Requests
	// Baseline, when given, holds the accepted failures (BaselineFile names it): a
	// known failure no longer makes the run non-conformant, and every report shows
	// each row's class.
	Baseline     *baseline.Baseline
	BaselineFile string
	// Raw holds the bytes of each request by its message name, for the report's
	// excerpt of the lines a failure is about; a name not in it shows no excerpt.
	Raw map[string][]byte
}

// Redacted is what every report writes in place of a secret.
const Redacted = "[redacted]"

// Results returns the result rows the reports write, flattened in case order: each
// case's results, plus the row that carries its verdict or suite error when no result
// does. Secrets are not redacted here.
func (r Run) Results() []verdict.Result {
	var rows []verdict.Result
	for _, c := range r.Cases {
		rows = append(rows, c.rows()...)
	}
	return rows
}

// WriteAll writes junit.xml, verdicts.json and report.html into dir, creating dir if
// needed. Each file is rendered in full before it is written, so a writer's error
// never leaves half a file; an error in one file does not stop the others.
func WriteAll(dir string, r Run) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("reports folder: %w", err)
	}
	writers := []struct {
		name  string
		write func(io.Writer, Run) error
	}{
		{"junit.xml", WriteJUnit},
		{"verdicts.json", WriteJSON},
		{"report.html", WriteHTML},
	}
	var errs []error
	for _, w := range writers {
		var buf bytes.Buffer
		err := w.write(&buf, r)
		if err == nil {
			err = os.WriteFile(filepath.Join(dir, w.name), buf.Bytes(), 0o644)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", w.name, err))
		}
	}
	return errors.Join(errs...)
}

// flatten concatenates the results of prepared cases.
func flatten(cases []Case) []verdict.Result {
	var rows []verdict.Result
	for _, c := range cases {
		rows = append(rows, c.Results...)
	}
	return rows
}

// known reports whether v is one of the verdict words.
func known(v verdict.Verdict) bool { return slices.Contains(verdict.All, v) }

// rows returns the case's results as the reports show them. A result without
// requirement or clause takes the case's; an unknown verdict word becomes an error that
// names it; a suite error, and a case verdict worse than every result (or a case with
// no result at all), each add one row, so that the worst row is the case's verdict.
func (c Case) rows() []verdict.Result {
	rows := make([]verdict.Result, 0, len(c.Results)+1)
	for _, res := range c.Results {
		if res.Requirement == "" {
			res.Requirement = c.ID
		}
		if res.Clause == "" {
			res.Clause = c.clauseOf()
		}
		if !known(res.Verdict) {
			res.Detail = fmt.Sprintf("the suite recorded the unknown verdict %q: %s", res.Verdict, res.Detail)
			res.Verdict = verdict.Error
		}
		rows = append(rows, res)
	}
	want, reason := c.Verdict, c.Error
	switch {
	case c.Error != "":
		want = verdict.Error
	case want == "" && len(rows) > 0:
		return rows
	case want == "":
		want, reason = verdict.Error, "the suite recorded no verdict and no result for this requirement"
	case !known(want):
		want, reason = verdict.Error, fmt.Sprintf("the suite recorded the unknown verdict %q for this requirement", c.Verdict)
	case reason == "":
		reason = fmt.Sprintf("the suite recorded the verdict %s without a result that says why", want)
	}
	worst := worstOf(rows)
	needed := len(rows) == 0 || verdict.Worst(worst, want) != worst
	if c.Error != "" {
		needed = !slices.ContainsFunc(rows, func(res verdict.Result) bool {
			return res.Verdict == verdict.Error && res.Detail == c.Error
		})
	}
	if needed {
		rows = append(rows, verdict.Result{Requirement: c.ID, Clause: c.clauseOf(), Verdict: want, Detail: reason})
	}
	return rows
}

func worstOf(rows []verdict.Result) verdict.Verdict {
	vs := make([]verdict.Verdict, len(rows))
	for i, res := range rows {
		vs[i] = res.Verdict
	}
	return verdict.Worst(vs...)
}

// prepare returns the run as every writer shows it: each case's Results replaced by its
// rows and its Verdict by the worst of them, and every string redacted.
func prepare(r Run) Run {
	red := newRedactor(r.Secrets, r.ShowSecrets)
	out := r
	out.Secrets = nil
	out.Suite, out.Version = red.str(r.Suite), red.str(r.Version)
	out.Profile, out.Source = red.str(r.Profile), red.str(r.Source)
	out.CaptureDir = red.str(r.CaptureDir)
	out.Notes = make([]string, len(r.Notes))
	for i, n := range r.Notes {
		out.Notes[i] = red.str(n)
	}
	out.Cases = make([]Case, len(r.Cases))
	for i, c := range r.Cases {
		rows := c.rows()
		for j, res := range rows {
			rows[j] = red.result(res)
		}
		out.Cases[i] = Case{
			ID:          red.str(c.ID),
			Clause:      red.str(c.Clause),
			Title:       red.str(c.Title),
			Requirement: red.str(c.Requirement),
			Verdict:     worstOf(rows),
			Results:     rows,
			Duration:    c.Duration,
			Error:       red.str(c.Error),
		}
	}
	return out
}

// clauseOf is the case's clause, or the part of its ID before the last '-'.
func (c Case) clauseOf() string {
	if c.Clause != "" {
		return c.Clause
	}
	if i := strings.LastIndexByte(c.ID, '-'); i > 0 {
		return c.ID[:i]
	}
	return "unclassified"
}

// clauseTitles names the clauses of requirements.md, as a heading says them after
// "TS 24.379 ".
var clauseTitles = map[string]string{
	"7.2.1":  "7.2.1 SIP REGISTER request for service authorisation",
	"7.2.2":  "7.2.2 SIP PUBLISH request for service authorisation and MCPTT service settings",
	"7A.2.1": "7A.2.1 SIP REGISTER request for migration service authorization",
	"MIME":   "MIME and XML bodies (every clause)",
}

// ClauseTitle is the heading a report gives a clause, e.g.
// "TS 24.379 7.2.1 SIP REGISTER request for service authorisation".
func ClauseTitle(clause string) string {
	if t, ok := clauseTitles[clause]; ok {
		return "TS 24.379 " + t
	}
	return "TS 24.379 " + clause
}

// evidenceText is evidence as one line of JSON, with <, > and & left as they are (the
// HTML and XML writers escape them).
func evidenceText(ev map[string]any) string {
	if len(ev) == 0 {
		return ""
	}
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(ev); err != nil {
		return fmt.Sprintf("(unreadable evidence: %v)", err)
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// group is the cases of one clause, in run order.
type group struct {
	Clause string
	Cases  []Case
}

// byClause groups cases by clause, clauses in order of first appearance.
func byClause(cases []Case) []group {
	var gs []group
	at := map[string]int{}
	for _, c := range cases {
		cl := c.clauseOf()
		i, ok := at[cl]
		if !ok {
			i = len(gs)
			at[cl] = i
			gs = append(gs, group{Clause: cl})
		}
		gs[i].Cases = append(gs[i].Cases, c)
	}
	return gs
}

// captureFiles returns the capture files a result's message names, as paths relative
// to the reports folder. A run-wide result may name several requests, separated by
// commas or spaces; a name that is not a plain file name, or (when the run lists its
// captures) not one of them, is not linked: "run" for a run-wide verdict stays text.
func (r Run) captureFiles(message string) []string {
	if r.CaptureDir == "" {
		return nil
	}
	var files []string
	for _, name := range strings.FieldsFunc(message, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' }) {
		if name == "." || name == ".." || strings.ContainsAny(name, `/\`) ||
			r.Captures != nil && !slices.Contains(r.Captures, name) {
			continue
		}
		files = append(files, path.Join(filepath.ToSlash(r.CaptureDir), name))
	}
	return files
}

// utc formats t for the reports: RFC 3339 in UTC, fractional seconds only when present.
func utc(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }
