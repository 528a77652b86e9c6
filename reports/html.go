package reports

import (
	_ "embed"
	"html/template"
	"io"
	"net/url"
	"path"
	"time"

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
		Passed   bool
		Cases    int
		Counts   []htmlCount
		Clauses  []htmlClause
	}
	htmlCount struct {
		Verdict verdict.Verdict
		N       int
	}
	htmlClause struct {
		Title string
		Cases []htmlCase
	}
	htmlCase struct {
		Case
		Rows []htmlRow
	}
	htmlRow struct {
		verdict.Result
		Evidence string
		Links    []htmlLink
	}
	htmlLink struct {
		Name string
		Href string
	}
)

// WriteHTML writes report.html: one self-contained page (inline CSS, no script, no
// external resource) with the run's header, the summary counts as coloured badges, one
// table per clause (ID, requirement, verdict, detail, links to the captured requests)
// and the run's notes. Everything is escaped by html/template; secrets are redacted
// unless the run asked otherwise.
func WriteHTML(w io.Writer, r Run) error {
	p := prepare(r)
	rows := flatten(p.Cases)
	page := htmlPage{
		Run:      p,
		Started:  htmlTime(p.Started),
		Finished: htmlTime(p.Finished),
		Passed:   p.Passed(),
		Cases:    len(p.Cases),
	}
	if d := p.Finished.Sub(p.Started); d >= 0 && !p.Started.IsZero() && !p.Finished.IsZero() {
		page.Elapsed = d.Round(time.Millisecond).String()
	}
	sum := verdict.Summary(rows)
	for _, v := range verdict.All {
		page.Counts = append(page.Counts, htmlCount{v, sum[v]})
	}
	for _, g := range byClause(p.Cases) {
		hc := htmlClause{Title: ClauseTitle(g.Clause)}
		for _, c := range g.Cases {
			hc.Cases = append(hc.Cases, htmlCaseOf(p, c))
		}
		page.Clauses = append(page.Clauses, hc)
	}
	return htmlReport.Execute(w, page)
}

func htmlCaseOf(p Run, c Case) htmlCase {
	hc := htmlCase{Case: c}
	for _, res := range c.Results {
		row := htmlRow{Result: res, Evidence: evidenceText(res.Evidence)}
		for _, f := range p.captureFiles(res.Message) {
			row.Links = append(row.Links, htmlLink{Name: path.Base(f), Href: (&url.URL{Path: f}).String()})
		}
		hc.Rows = append(hc.Rows, row)
	}
	return hc
}

// htmlTime shows t in UTC to the second, or "—" when unknown.
func htmlTime(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.UTC().Format("2006-01-02 15:04:05 UTC")
}
