package reports

import (
	_ "embed"
	"html/template"
	"io"
	"net/url"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/mcptt-conformance/mcptt-conformance/baseline"
	"github.com/mcptt-conformance/mcptt-conformance/verdict"
)

//go:embed report.tmpl
var reportTemplate string

var htmlReport = template.Must(template.New("report").Parse(reportTemplate))

// The page's data: the prepared run, arranged for the template.
type (
	htmlPage struct {
		Run      Run
		Started  string
		Finished string
		Elapsed  string
		Outcome  verdict.Outcome
		Says     string // what the outcome means, in one sentence
		Cases    int
		Counts   []htmlCount
		// Attention are the rows a reader must see first: every fail, error and
		// inconclusive row, fails first, in chunks of chunkRows (see htmlSummary).
		Attention [][]htmlRow
		Baseline  *htmlBaseline
		// Sections are the per-clause tables: one section for a run of one client;
		// with several, one per client and one for the rows every client gives alike.
		Sections []htmlSection
		// Summary, instead of Sections for a run of several clients past ListedRows
		// rows, is one row per requirement and one compact row per client.
		Summary *htmlSummary
	}
	htmlSummary struct {
		Requirements []htmlRequirement
		IDs          []string // the matrix's columns
		// Clients are the matrix's rows in tables of chunkRows, so that a browser lays
		// out only the tables in view.
		Clients [][]htmlClientRow
	}
	htmlRequirement struct {
		Case
		Counts string // "9,990 pass, 10 fail"
	}
	htmlClientRow struct {
		Client string // "" for the rows of no one client
		Cells  []htmlCell
	}
	// htmlCell is a client's rows of one requirement: the worst verdict's mark and how
	// many rows have it, and (when they have several verdicts) every count; no verdict
	// where it has none.
	htmlCell struct {
		Verdict verdict.Verdict
		Mark    string
		N       int
		Counts  string
	}
	htmlCount struct {
		Verdict verdict.Verdict
		N       int
	}
	htmlBaseline struct {
		File                    string
		Known, Fixed, Unmatched []htmlEntry
		Regressions, New        int
	}
	htmlEntry struct {
		Text, Reason string
		Unexplained  bool
		Until        string
	}
	htmlSection struct {
		Client  string // "" for a run of one client
		Title   string // "" for a run of one client
		Clauses []htmlClause
	}
	htmlClause struct {
		Title string
		Cases []htmlCase
		// Folded are the cases that do not apply, shown by ID in one folded line.
		Folded []htmlCase
	}
	htmlCase struct {
		Case
		Rows []htmlRow
	}
	htmlRow struct {
		verdict.Result
		ID, Title string
		Class     baseline.Class
		Evidence  string
		Links     []htmlLink
		Excerpt   *excerpt
		// Restates is true when the detail only says "expected …, saw …" of the row's
		// own Expected and Actual, which the page shows already.
		Restates bool
		// Counted, on the last row of a case, says how many of its rows are counted
		// and not listed; the row is no result of its own.
		Counted string
	}
	htmlLink struct {
		Name string
		Href string
	}
)

// marks are the one-character verdicts of the summary's cells.
var marks = map[verdict.Verdict]string{
	verdict.Pass: "✓", verdict.Fail: "✗", verdict.Inconclusive: "?", verdict.NotApplicable: "–",
	verdict.NotTested: "·", verdict.Error: "!",
}

// excerptedFindings is how many findings at the top of the page show the lines of their
// request; the later ones link their message only, so that a run with many findings
// keeps a page a browser opens.
const excerptedFindings = 200

// outcomeSays is what each outcome means, for the banner.
var outcomeSays = map[verdict.Outcome]string{
	verdict.OutcomeConformant:    "every requirement that applies passed",
	verdict.OutcomeNonConformant: "a requirement failed",
	verdict.OutcomeInconclusive:  "nothing failed, but what some requirement needs was not seen, or fewer requests arrived than the profile awaits",
	verdict.OutcomeError:         "the suite itself failed, so the run proves nothing either way",
}

// WriteHTML writes report.html: one self-contained page (inline CSS, no script, no
// external resource) that shows the failure first: the outcome banner, then every
// fail, error and inconclusive row with its own expected and actual and the lines of
// the request it is about (numbered, the offending line and bad bytes marked), then
// the baseline's classification, then one table per clause with the requirements that
// do not apply folded into one line (per client for a run of several clients), then
// the run's notes. Everything is escaped by html/template; secrets are redacted unless
// the run asked otherwise; a print stylesheet makes it a certification attachment.
func WriteHTML(w io.Writer, r Run) error { return writeHTML(w, viewOf(r)) }

func writeHTML(w io.Writer, v view) error {
	p, g, red := v.p, v.g, v.red
	page := htmlPage{
		Run:      p,
		Started:  htmlTime(p.Started),
		Finished: htmlTime(p.Finished),
		Outcome:  g.Outcome,
		Says:     outcomeSays[g.Outcome],
		Cases:    len(p.Cases),
	}
	if d := p.Finished.Sub(p.Started); d >= 0 && !p.Started.IsZero() && !p.Finished.IsZero() {
		page.Elapsed = d.Round(time.Millisecond).String()
	}
	for _, vd := range verdict.All {
		page.Counts = append(page.Counts, htmlCount{vd, v.total[vd]})
	}
	classOf := map[*verdict.Result]baseline.Class{} // with a baseline, every row's class
	if g.Classes != nil {
		i := 0
		for ci := range p.Cases {
			for ri := range p.Cases[ci].Results {
				classOf[&p.Cases[ci].Results[ri]] = g.Classes[i]
				i++
			}
		}
	}
	rowOf := func(c Case, res *verdict.Result, excerpt bool) htmlRow {
		row := htmlRowOf(v, c, *res, excerpt)
		row.Class = classOf[res]
		return row
	}
	findings := 0
	for _, vd := range []verdict.Verdict{verdict.Fail, verdict.Error, verdict.Inconclusive} {
		for ci := range p.Cases {
			for ri := range p.Cases[ci].Results {
				if res := &p.Cases[ci].Results[ri]; res.Verdict == vd {
					// past the first findings, the message's own file holds its lines
					row := rowOf(p.Cases[ci], res, findings < excerptedFindings)
					page.Attention = appendChunked(page.Attention, row)
					findings++
				}
			}
		}
	}
	if p.Baseline != nil {
		page.Baseline = &htmlBaseline{File: p.BaselineFile, Known: htmlEntries(red, g.Known),
			Fixed: htmlEntries(red, g.Fixed), Unmatched: htmlEntries(red, g.Unmatched),
			Regressions: g.Regressions, New: g.New}
	}
	// Past ListedRows rows the findings are listed once, at the top, and only counted
	// in the tables, so that the page grows with the findings and not twice as fast.
	findingsAbove := v.findingsOnly()
	countedText := " more rows, counted and not listed (verdicts.json holds every row)"
	if findingsAbove {
		countedText = " more rows, counted and not listed here (every fail, error and inconclusive row is listed at the top; verdicts.json holds every row)"
	}
	clients := clientsFirst(v.clients)
	if findingsAbove && len(clients) > 1 {
		page.Summary = summaryOf(v, clients)
		return htmlReport.Execute(w, page)
	}
	byClient := clientIndex(p.Cases)
	for _, client := range clients {
		sec := htmlSection{Client: client}
		if client != "" {
			sec.Title = "Client " + client
		} else if len(clients) > 1 {
			sec.Title = "Every client alike"
		}
		for _, gr := range byClause(p.Cases) {
			hc := htmlClause{Title: ClauseTitle(gr.Clause)}
			for ci := range gr.Cases {
				c := &gr.Cases[ci]
				t := v.counts[c.ID][client]
				if t == nil {
					continue
				}
				cs := htmlCase{Case: *c}
				listed := tally{}
				for _, ri := range byClient[c.ID][client] {
					if res := &c.Results[ri]; !(findingsAbove && finding(res.Verdict)) {
						cs.Rows = append(cs.Rows, rowOf(*c, res, false))
						listed[res.Verdict]++
					}
				}
				if more := unlisted(t, listed); len(more) > 0 {
					cs.Rows = append(cs.Rows, htmlRow{Result: verdict.Result{Verdict: worstIn(more)},
						Counted: countsText(more) + countedText})
				}
				cs.Verdict = worstIn(t)
				if cs.Verdict == verdict.NotApplicable {
					hc.Folded = append(hc.Folded, cs)
				} else {
					hc.Cases = append(hc.Cases, cs)
				}
			}
			if len(hc.Cases)+len(hc.Folded) > 0 {
				sec.Clauses = append(sec.Clauses, hc)
			}
		}
		page.Sections = append(page.Sections, sec)
	}
	return htmlReport.Execute(w, page)
}

// summaryOf is the summary of a run of several clients: each requirement with its
// rows counted, and each client's rows of each requirement as one cell.
func summaryOf(v view, clients []string) *htmlSummary {
	sum := &htmlSummary{}
	var ids []string
	for _, c := range v.p.Cases {
		t := tally{}
		for _, ct := range v.counts[c.ID] {
			for vd, n := range ct {
				t[vd] += n
			}
		}
		if len(t) == 0 {
			continue
		}
		ids = append(ids, c.ID)
		sum.Requirements = append(sum.Requirements, htmlRequirement{Case: c, Counts: countsText(t)})
	}
	sum.IDs = ids
	for _, client := range clients {
		row := htmlClientRow{Client: client, Cells: make([]htmlCell, len(ids))}
		for i, id := range ids {
			if t := v.counts[id][client]; t != nil {
				worst := worstIn(t)
				row.Cells[i] = htmlCell{Verdict: worst, Mark: marks[worst], N: t[worst]}
				if len(t) > 1 {
					row.Cells[i].Counts = countsText(t)
				}
			}
		}
		sum.Clients = appendChunked(sum.Clients, row)
	}
	return sum
}

// chunkRows is how many rows one chunk of a long list holds: the page puts each chunk
// in a box that a browser lays out only when it comes into view.
const chunkRows = 200

// appendChunked appends e to the last chunk, or to a new one when it is full.
func appendChunked[E any](chunks [][]E, e E) [][]E {
	if n := len(chunks); n == 0 || len(chunks[n-1]) == chunkRows {
		chunks = append(chunks, make([]E, 0, chunkRows))
	}
	chunks[len(chunks)-1] = append(chunks[len(chunks)-1], e)
	return chunks
}

// unlisted is what t counts beyond the rows listed.
func unlisted(t, listed tally) tally {
	more := tally{}
	for vd, n := range t {
		if n > listed[vd] {
			more[vd] = n - listed[vd]
		}
	}
	return more
}

// clientsFirst is the clients in order of their first row, with "" (the rows of no
// one client) first when there are any.
func clientsFirst(clients []string) []string {
	out := slices.Clone(clients)
	slices.SortStableFunc(out, func(a, b string) int {
		if (a == "") == (b == "") {
			return 0
		}
		if a == "" {
			return -1
		}
		return 1
	})
	return out
}

// htmlRowOf is a row as the page shows it; with excerpt, a fail or inconclusive row
// shows the lines of its request.
func htmlRowOf(v view, c Case, res verdict.Result, excerpt bool) htmlRow {
	row := htmlRow{Result: res, ID: c.ID, Title: c.Title, Evidence: evidenceText(res.Evidence),
		Restates: res.Expected != "" && res.Detail == "expected "+res.Expected+", saw "+res.Actual}
	for _, f := range v.links.files(res.Message) {
		row.Links = append(row.Links, htmlLink{Name: path.Base(f), Href: (&url.URL{Path: f}).String()})
	}
	if excerpt && (res.Verdict == verdict.Fail || res.Verdict == verdict.Inconclusive) && v.rawOf != nil {
		name, _, _ := strings.Cut(res.Message, separator)
		if b := v.rawOf(name); b != nil {
			row.Excerpt = excerptOf(name, []byte(v.red.str(string(b))), res.Evidence, res.Actual)
		}
	}
	return row
}

// separator joins the requests a run-wide row names.
const separator = ", "

func htmlEntries(red redactor, es []baseline.Entry) []htmlEntry {
	out := make([]htmlEntry, len(es))
	for i, e := range es {
		out[i] = htmlEntry{Text: red.str(entryText(e)), Reason: red.str(e.Reason), Unexplained: unexplained(e)}
		if !e.Until.IsZero() {
			out[i].Until = e.Until.Format(time.DateOnly)
		}
	}
	return out
}

// htmlTime shows t in UTC to the second, or "—" when unknown.
func htmlTime(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.UTC().Format("2006-01-02 15:04:05 UTC")
}
