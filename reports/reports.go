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
	"errors"
	"fmt"
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
	// RawOf returns the bytes of a request by its message name, for the report's
	// excerpt of the lines a failure is about; it is asked only for the rows the report
	// shows with an excerpt. nil, or nil bytes for a name, shows no excerpt.
	RawOf func(message string) []byte
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
// needed: a Stream given every case's results. Each file is written under a temporary
// name and renamed when complete, so a writer's error never leaves half a file; an
// error in one file does not stop the others.
func WriteAll(dir string, r Run) error {
	s, err := NewStream(dir, r)
	if err != nil {
		return err
	}
	for _, c := range r.Cases {
		if err := s.Add(c.rows()...); err != nil {
			return errors.Join(err, s.Close(r))
		}
	}
	return s.Close(r)
}

// known reports whether v is one of the verdict words.
func known(v verdict.Verdict) bool { return slices.Contains(verdict.All, v) }

// rows returns the case's results as the reports show them: each normalised, and the
// row that carries the case's verdict or suite error when no result does, so that the
// worst row is the case's verdict.
func (c Case) rows() []verdict.Result {
	rows := make([]verdict.Result, 0, len(c.Results)+1)
	for _, res := range c.Results {
		rows = append(rows, c.normal(res))
	}
	hasError := slices.ContainsFunc(rows, func(res verdict.Result) bool {
		return res.Verdict == verdict.Error && res.Detail == c.Error
	})
	if res, ok := c.verdictRow(worstOf(rows), len(rows), hasError); ok {
		rows = append(rows, res)
	}
	return rows
}

// normal is a result as the reports show it: without requirement or clause it takes
// the case's; an unknown verdict word becomes an error that names it.
func (c Case) normal(res verdict.Result) verdict.Result {
	if res.Requirement == "" {
		res.Requirement = c.ID
	}
	if res.Clause == "" {
		res.Clause = c.clauseOf()
	}
	return knownVerdict(res)
}

// knownVerdict makes a result with an unknown verdict word an error that names it.
func knownVerdict(res verdict.Result) verdict.Result {
	if !known(res.Verdict) {
		res.Detail = fmt.Sprintf("the suite recorded the unknown verdict %q: %s", res.Verdict, res.Detail)
		res.Verdict = verdict.Error
	}
	return res
}

// verdictRow is the row a case adds to its n rows, the worst of which is worst
// (hasError: one is an error row with the suite's error text): one for a suite error,
// and one for a case verdict worse than every row (or a case with no row at all).
func (c Case) verdictRow(worst verdict.Verdict, n int, hasError bool) (verdict.Result, bool) {
	want, reason := c.Verdict, c.Error
	switch {
	case c.Error != "":
		want = verdict.Error
	case want == "" && n > 0:
		return verdict.Result{}, false
	case want == "":
		want, reason = verdict.Error, "the suite recorded no verdict and no result for this requirement"
	case !known(want):
		want, reason = verdict.Error, fmt.Sprintf("the suite recorded the unknown verdict %q for this requirement", c.Verdict)
	case reason == "":
		reason = fmt.Sprintf("the suite recorded the verdict %s without a result that says why", want)
	}
	needed := n == 0 || verdict.Worst(worst, want) != worst
	if c.Error != "" {
		needed = !hasError
	}
	return verdict.Result{Requirement: c.ID, Clause: c.clauseOf(), Verdict: want, Detail: reason}, needed
}

func worstOf(rows []verdict.Result) verdict.Verdict {
	vs := make([]verdict.Verdict, len(rows))
	for i, res := range rows {
		vs[i] = res.Verdict
	}
	return verdict.Worst(vs...)
}

// view is a run as the writers show it: its metadata and cases redacted, each case's
// Results the rows the reports list and its Verdict the worst of all its rows, the
// count of every row per requirement and client, and the run's outcome.
type view struct {
	p       Run
	g       gate
	total   tally
	counts  map[string]map[string]tally // requirement → client → rows per verdict
	clients []string                    // the clients the rows name, in order of first row
	rawOf   func(message string) []byte
	links   linker
	red     redactor
}

// viewOf is the view of a run whose cases hold every row.
func viewOf(r Run) view {
	red := newRedactor(r.Secrets, r.ShowSecrets)
	v := view{p: prepareMeta(r), g: r.gate(), total: tally{}, counts: map[string]map[string]tally{}, rawOf: r.RawOf, red: red}
	v.p.Cases = make([]Case, len(r.Cases))
	seen := map[string]bool{}
	for i, c := range r.Cases {
		rows := c.rows()
		for j, res := range rows {
			rows[j], _ = red.row(res)
			res = rows[j]
			if v.counts[res.Requirement] == nil {
				v.counts[res.Requirement] = map[string]tally{}
			}
			t := v.counts[res.Requirement][res.Client]
			if t == nil {
				t = tally{}
				v.counts[res.Requirement][res.Client] = t
			}
			t[res.Verdict]++
			v.total[res.Verdict]++
			if !seen[res.Client] {
				seen[res.Client] = true
				v.clients = append(v.clients, res.Client)
			}
		}
		v.p.Cases[i] = prepareCase(red, c, rows, worstOf(rows))
	}
	v.links = newLinker(v.p)
	return v
}

// prepareMeta is the run's metadata redacted, without cases.
func prepareMeta(r Run) Run {
	red := newRedactor(r.Secrets, r.ShowSecrets)
	out := r
	out.Secrets = nil
	out.Suite, out.Version = red.str(r.Suite), red.str(r.Version)
	out.Profile, out.Source = red.str(r.Profile), red.str(r.Source)
	out.CaptureDir = red.str(r.CaptureDir)
	out.BaselineFile = red.str(r.BaselineFile)
	out.Notes = make([]string, len(r.Notes))
	for i, n := range r.Notes {
		out.Notes[i] = red.str(n)
	}
	out.Cases = nil
	return out
}

// prepareCase is case c as the writers show it, with the (redacted) rows they list
// and the worst verdict of all its rows.
func prepareCase(red redactor, c Case, rows []verdict.Result, worst verdict.Verdict) Case {
	return Case{
		ID:          red.str(c.ID),
		Clause:      red.str(c.Clause),
		Title:       red.str(c.Title),
		Requirement: red.str(c.Requirement),
		Verdict:     worst,
		Results:     rows,
		Duration:    c.Duration,
		Error:       red.str(c.Error),
	}
}

// findingsOnly reports whether the reports list only the fail, error and inconclusive
// rows, and count the others: past ListedRows rows, unless a baseline classifies
// every row.
func (v view) findingsOnly() bool {
	return v.total.rows() > ListedRows && v.p.Baseline == nil
}

// clientIndex gives, per requirement and client, where the client's rows are in its
// case's Results, in row order.
func clientIndex(cases []Case) map[string]map[string][]int {
	idx := make(map[string]map[string][]int, len(cases))
	for _, c := range cases {
		m := map[string][]int{}
		for i, res := range c.Results {
			m[res.Client] = append(m[res.Client], i)
		}
		idx[c.ID] = m
	}
	return idx
}

// rows is the number of rows counted, of every verdict.
func (t tally) rows() int {
	n := 0
	for _, k := range t {
		n += k
	}
	return n
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
	b, err := evidenceJSON(ev)
	if err != nil {
		return fmt.Sprintf("(unreadable evidence: %v)", err)
	}
	return string(b)
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

// linker names the capture files of a result's message.
type linker struct {
	dir  string
	only map[string]bool // nil: any plain file name
}

func newLinker(p Run) linker {
	l := linker{dir: p.CaptureDir}
	if p.Captures != nil {
		l.only = make(map[string]bool, len(p.Captures))
		for _, c := range p.Captures {
			l.only[c] = true
		}
	}
	return l
}

// files returns the capture files a result's message names, as paths relative to the
// reports folder. A run-wide result may name several requests, separated by commas or
// spaces; a name that is not a plain file name, or (when the run lists its captures)
// not one of them, is not linked: "run" for a run-wide verdict stays text.
func (l linker) files(message string) []string {
	if l.dir == "" {
		return nil
	}
	var files []string
	for _, name := range strings.FieldsFunc(message, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' }) {
		if name == "." || name == ".." || strings.ContainsAny(name, `/\`) || l.only != nil && !l.only[name] {
			continue
		}
		files = append(files, path.Join(filepath.ToSlash(l.dir), name))
	}
	return files
}

// utc formats t for the reports: RFC 3339 in UTC, fractional seconds only when present.
func utc(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }
