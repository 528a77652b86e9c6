package reports

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/mcptt-conformance/mcptt-conformance/baseline"
	"github.com/mcptt-conformance/mcptt-conformance/verdict"
)

func parseHTML(t *testing.T, out []byte) *html.Node {
	t.Helper()
	doc, err := html.Parse(bytes.NewReader(out))
	if err != nil {
		t.Fatalf("report.html: %v", err)
	}
	return doc
}

// find returns every element under n for which match is true, in document order.
func find(n *html.Node, match func(*html.Node) bool) []*html.Node {
	var found []*html.Node
	for d := range n.Descendants() {
		if d.Type == html.ElementNode && match(d) {
			found = append(found, d)
		}
	}
	return found
}

func attr(n *html.Node, name string) string {
	for _, a := range n.Attr {
		if a.Key == name {
			return a.Val
		}
	}
	return ""
}

func hasClass(n *html.Node, class string) bool {
	return strings.Contains(" "+attr(n, "class")+" ", " "+class+" ")
}

func text(n *html.Node) string {
	var b strings.Builder
	for d := range n.Descendants() {
		if d.Type == html.TextNode {
			b.WriteString(d.Data)
		}
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

// TestHTMLSelfContained checks that the page loads nothing from elsewhere: no script,
// no stylesheet link, no external font, and no link but to the captures.
func TestHTMLSelfContained(t *testing.T) {
	out := render(t, writers[2].write, sampleRun())
	doc := parseHTML(t, out)
	if s := find(doc, func(n *html.Node) bool {
		return n.Data == "script" || n.Data == "link" || n.Data == "img" || n.Data == "iframe"
	}); len(s) > 0 {
		t.Errorf("report.html has <%s>", s[0].Data)
	}
	if bytes.Contains(out, []byte("@import")) || bytes.Contains(out, []byte("@font-face")) || bytes.Contains(out, []byte("url(")) {
		t.Error("the stylesheet loads something from elsewhere")
	}
	for _, a := range find(doc, func(n *html.Node) bool { return attr(n, "href") != "" || attr(n, "src") != "" }) {
		if href := attr(a, "href"); !strings.HasPrefix(href, "captures/") && !strings.HasPrefix(href, "#r-") {
			t.Errorf("link to %q, want only links into captures/ and within the page", href)
		}
	}
	if len(find(doc, func(n *html.Node) bool { return n.Data == "style" })) != 1 {
		t.Error("want one inline <style>")
	}
}

func TestHTMLHeader(t *testing.T) {
	doc := parseHTML(t, render(t, writers[2].write, sampleRun()))
	meta := map[string]string{}
	for _, dt := range find(doc, func(n *html.Node) bool { return n.Data == "dt" }) {
		for dd := dt.NextSibling; dd != nil; dd = dd.NextSibling {
			if dd.Type == html.ElementNode {
				meta[text(dt)] = text(dd)
				break
			}
		}
	}
	for k, want := range map[string]string{
		"Suite":    "mcptt-conformance 0.1.0",
		"Profile":  "fixtures/profiles/plain-register.yaml",
		"Source":   "live udp:127.0.0.1:5060",
		"Started":  "2026-11-25 10:00:00 UTC",
		"Finished": "2026-11-25 10:00:03 UTC (3.25s)",
		"Strict":   "no: lenient readings pass and are named in the detail",
	} {
		if meta[k] != want {
			t.Errorf("%s = %q, want %q", k, meta[k], want)
		}
	}
	badges := map[string]string{}
	for _, b := range find(doc, func(n *html.Node) bool { return hasClass(n, "badge") }) {
		f := strings.Fields(text(b))
		badges[f[1]] = f[0]
		if !hasClass(b, "v-"+f[1]) {
			t.Errorf("badge %q is not coloured as %s", text(b), f[1])
		}
	}
	for v, want := range map[verdict.Verdict]string{verdict.Pass: "3", verdict.Fail: "1", verdict.Inconclusive: "1", verdict.NotApplicable: "1", verdict.NotTested: "1", verdict.Error: "1"} {
		if badges[string(v)] != want {
			t.Errorf("badge %s = %q, want %s", v, badges[string(v)], want)
		}
	}
	if o := find(doc, func(n *html.Node) bool { return hasClass(n, "outcome") }); len(o) != 1 || !hasClass(o[0], "error") ||
		!strings.HasPrefix(text(o[0]), "error: the suite itself failed") {
		t.Error("want one outcome banner saying the run is error (the sample has a suite error)")
	}
	notes := find(doc, func(n *html.Node) bool { return n.Data == "li" && n.Parent != nil && hasClass(n.Parent, "notes") })
	if len(notes) != 2 || text(notes[0]) != "2 unexpected OPTIONS requests answered 405" {
		t.Errorf("notes %d, want the run's 2", len(notes))
	}
}

// TestHTMLVerdicts checks each verdict's case: its rows in its clause's table, the
// verdict word coloured, detail and capture links.
func TestHTMLVerdicts(t *testing.T) {
	doc := parseHTML(t, render(t, writers[2].write, sampleRun()))
	tests := []struct {
		v      verdict.Verdict
		clause string
		rows   int
		detail string
		links  []string
	}{
		{verdict.Pass, "TS 24.379 7.2.1 SIP REGISTER request for service authorisation", 2, "Contact carries +g.3gpp.mcptt", []string{"captures/register-001.sip", "captures/register-002.sip"}},
		{verdict.Fail, "TS 24.379 7.2.1 SIP REGISTER request for service authorisation", 2, "mcptt-access-token is [redacted]x", []string{"captures/register-001.sip", "captures/register-002.sip"}},
		{verdict.Inconclusive, "TS 24.379 7.2.2 SIP PUBLISH request for service authorisation and MCPTT service settings", 1, "no request after the 403", []string{"captures/publish-003.sip", "captures/register-004.sip"}},
		{verdict.NotTested, "TS 24.379 7.2.1 SIP REGISTER request for service authorisation", 1, "TS 24.237 is a referenced spec", nil},
		{verdict.Error, "TS 24.379 MIME and XML bodies (every clause)", 1, "panic in the XML check: token [redacted]", nil},
	}
	for _, tt := range tests {
		t.Run(string(tt.v), func(t *testing.T) {
			id := byVerdict[tt.v]
			bodies := find(doc, func(n *html.Node) bool { return n.Data == "tbody" && attr(n, "id") == "r-"+id })
			if len(bodies) != 1 {
				t.Fatalf("%d table bodies for %s, want 1", len(bodies), id)
			}
			body := bodies[0]
			if !hasClass(body, string(tt.v)) {
				t.Errorf("case %s has class %q, want %s", id, attr(body, "class"), tt.v)
			}
			section := body.Parent.Parent
			if h := find(section, func(n *html.Node) bool { return n.Data == "h2" }); len(h) != 1 || text(h[0]) != tt.clause {
				t.Errorf("case %s is not under the heading %q", id, tt.clause)
			}
			rows := find(body, func(n *html.Node) bool { return n.Data == "tr" })
			if len(rows) != tt.rows {
				t.Fatalf("%d rows, want %d", len(rows), tt.rows)
			}
			if cell := find(rows[0], func(n *html.Node) bool { return n.Data == "td" })[0]; text(cell) != id || attr(cell, "rowspan") == "" {
				t.Errorf("first cell %q, want the ID %s spanning the rows", text(cell), id)
			}
			chips := find(body, func(n *html.Node) bool { return hasClass(n, "v") })
			last := chips[len(chips)-1]
			if text(last) != string(tt.v) || !hasClass(last, "v-"+string(tt.v)) {
				t.Errorf("verdict %q with class %q, want %s coloured as such", text(last), attr(last, "class"), tt.v)
			}
			if !strings.Contains(text(body), tt.detail) {
				t.Errorf("case text %q lacks %q", text(body), tt.detail)
			}
			var links []string
			for _, a := range find(body, func(n *html.Node) bool { return n.Data == "a" }) {
				links = append(links, attr(a, "href"))
			}
			if strings.Join(links, " ") != strings.Join(tt.links, " ") {
				t.Errorf("capture links %q, want %q", links, tt.links)
			}
		})
	}
}

// TestHTMLEscapes checks that text from a request cannot become markup.
func TestHTMLEscapes(t *testing.T) {
	r := Run{CaptureDir: "captures", Cases: []Case{{
		ID: "7.2.1-01", Clause: "7.2.1", Title: "<b>bold</b>",
		Results: []verdict.Result{{
			Verdict: verdict.Fail, Message: `x"><script>alert(1)</script>.sip`, Detail: "<script>alert(2)</script>",
			Evidence: map[string]any{"header": "Contact: <sip:a@b>"},
		}},
	}}}
	doc := parseHTML(t, render(t, writers[2].write, r))
	if s := find(doc, func(n *html.Node) bool { return n.Data == "script" || n.Data == "b" }); len(s) > 0 {
		t.Errorf("text from the run became a <%s> element", s[0].Data)
	}
	if !strings.Contains(text(doc), "<script>alert(2)</script>") {
		t.Error("the detail is not shown as text")
	}
	if !strings.Contains(text(doc), `evidence: {"header":"Contact: <sip:a@b>"}`) {
		t.Errorf("the evidence is not shown as written: %s", text(doc))
	}
}

// TestHTMLMessageWithoutCaptures checks that a result's message is shown as text when
// the run has no capture folder to link to.
func TestHTMLMessageWithoutCaptures(t *testing.T) {
	r := sampleRun()
	r.CaptureDir = ""
	doc := parseHTML(t, render(t, writers[2].write, r))
	if a := find(doc, func(n *html.Node) bool { return n.Data == "a" && !strings.HasPrefix(attr(n, "href"), "#") }); len(a) > 0 {
		t.Errorf("link to %q without a capture folder", attr(a[0], "href"))
	}
	msgs := find(doc, func(n *html.Node) bool { return hasClass(n, "msg") && n.Parent.Data == "td" })
	if len(msgs) == 0 || text(msgs[0]) != "register-001.sip" {
		t.Errorf("messages not shown: %d", len(msgs))
	}
}

// TestHTMLExpectedActual checks that a row's own expectation and what was seen are
// shown beside its detail, and that a row without them shows neither.
func TestHTMLExpectedActual(t *testing.T) {
	doc := parseHTML(t, render(t, writers[2].write, sampleRun()))
	for _, tt := range []struct{ class, want string }{
		{"expected", "expected <mcptt-access-token> set to the access token [redacted]"},
		{"actual", "actual [redacted]x"},
	} {
		got := find(doc, func(n *html.Node) bool { return hasClass(n, tt.class) })
		// Once where the failure is shown first, once in its clause's table.
		if len(got) != 2 || text(got[0]) != tt.want || text(got[1]) != tt.want {
			var texts []string
			for _, n := range got {
				texts = append(texts, text(n))
			}
			t.Errorf(".%s shows %q, want only the fail row's %q", tt.class, texts, tt.want)
		}
	}
}

// TestHTMLFailureFirst checks the page's order: the outcome, then every fail, error and
// inconclusive row (fails first) before any clause table, and the requirements that do
// not apply folded into one line of their clause.
func TestHTMLFailureFirst(t *testing.T) {
	doc := parseHTML(t, render(t, writers[2].write, sampleRun()))
	items := find(doc, func(n *html.Node) bool { return hasClass(n, "item") })
	var got []string
	for _, it := range items {
		got = append(got, attr(it, "class"))
	}
	if want := []string{"item fail", "item error", "item inconclusive"}; strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("items %q, want %q", got, want)
	}
	var order []string
	for d := range doc.Descendants() {
		if d.Type == html.ElementNode && (hasClass(d, "outcome") || hasClass(d, "attention") || d.Data == "table") {
			order = append(order, d.Data+"."+attr(d, "class"))
		}
	}
	if len(order) < 3 || !strings.Contains(order[0], "outcome") || !strings.Contains(order[1], "attention") {
		t.Errorf("page order %q, want the outcome, the failures, then the tables", order)
	}
	folded := find(doc, func(n *html.Node) bool { return n.Data == "details" && hasClass(n, "folded") })
	if len(folded) != 1 || !strings.HasPrefix(text(folded[0]), "Not applicable (1): 7.2.1-10") ||
		!strings.Contains(text(folded[0]), "the profile declares neither") {
		t.Errorf("want the not-applicable 7.2.1-10 folded with its reason, saw %d folded", len(folded))
	}
}

// TestHTMLExcerpt checks the lines shown under a failure: numbered, around the
// evidence's line, the offending line and what was seen marked, bad bytes shown as
// ⟨XX⟩ and marked, secrets redacted.
func TestHTMLExcerpt(t *testing.T) {
	r := sampleRun()
	raw := "REGISTER sip:x SIP/2.0\r\n"
	for i := 2; i < 14; i++ {
		raw += "X-Line: " + string(rune('a'+i)) + "\r\n"
	}
	raw += "    <mcptt-access-token>" + token + "x</mcptt-access-token>\x01\r\nlast\r\n"
	r.RawOf = func(name string) []byte {
		if name == "register-002.sip" {
			return []byte(raw)
		}
		return nil
	}
	doc := parseHTML(t, render(t, writers[2].write, r))
	pres := find(doc, func(n *html.Node) bool { return n.Data == "pre" && hasClass(n, "excerpt") })
	if len(pres) != 1 {
		t.Fatalf("%d excerpts, want the one of the fail", len(pres))
	}
	nums := find(pres[0], func(n *html.Node) bool { return hasClass(n, "ln") })
	var ns []string
	for _, n := range nums {
		ns = append(ns, text(n))
	}
	if strings.Join(ns, " ") != "12 13 14 15" {
		t.Errorf("line numbers %q, want 12 13 14 15 (two either side of line 14, the file's last)", ns)
	}
	off := find(pres[0], func(n *html.Node) bool { return hasClass(n, "off") })
	if len(off) != 1 || !strings.HasPrefix(text(off[0]), "14 ") {
		t.Fatalf("offending lines %d, want line 14", len(off))
	}
	var marks []string
	for _, m := range find(off[0], func(n *html.Node) bool { return n.Data == "mark" }) {
		marks = append(marks, text(m))
	}
	if want := []string{"[redacted]x", "⟨01⟩"}; strings.Join(marks, "|") != strings.Join(want, "|") {
		t.Errorf("marks %q, want %q", marks, want)
	}
	if strings.Contains(text(doc), token) {
		t.Error("the excerpt shows the secret")
	}
}

// TestHTMLClientsAndBaseline checks a run of two clients against a baseline: a section
// per client, the rows every client gives alike in one, and the classification shown.
func TestHTMLClientsAndBaseline(t *testing.T) {
	row := func(v verdict.Verdict, message, client string) verdict.Result {
		return verdict.Result{Requirement: "7.2.1-02", Clause: "7.2.1", Verdict: v, Message: message, Client: client, Detail: "d"}
	}
	r := Run{Cases: []Case{
		{ID: "7.2.1-02", Clause: "7.2.1", Results: []verdict.Result{row(verdict.Fail, "a.sip", "sip:alice@example.org"), row(verdict.Pass, "b.sip", "sip:bob@example.org")}},
		{ID: "7.2.1-10", Clause: "7.2.1", Results: []verdict.Result{{Verdict: verdict.NotApplicable, Message: "run", Detail: "no protection"}}},
	}, Baseline: &baseline.Baseline{Requirements: []string{"7.2.1-02", "7.2.1-10"},
		Known: []baseline.Entry{{Requirement: "7.2.1-02", Message: "a.sip", Client: "sip:alice@example.org", Reason: baseline.Placeholder}}},
		BaselineFile: "known.yaml"}
	doc := parseHTML(t, render(t, writers[2].write, r))
	var heads []string
	for _, h := range find(doc, func(n *html.Node) bool { return n.Data == "h2" && hasClass(n, "client") }) {
		heads = append(heads, text(h))
	}
	if want := []string{"Every client alike", "Client sip:alice@example.org", "Client sip:bob@example.org"}; strings.Join(heads, "|") != strings.Join(want, "|") {
		t.Errorf("client sections %q, want %q", heads, want)
	}
	if o := find(doc, func(n *html.Node) bool { return hasClass(n, "outcome") }); len(o) != 1 || !hasClass(o[0], "conformant") {
		t.Error("want the outcome conformant: the one fail is known")
	}
	b := find(doc, func(n *html.Node) bool { return n.Data == "section" && hasClass(n, "baseline") })
	if len(b) != 1 || !strings.Contains(text(b[0]), "7.2.1-02 a.sip (client sip:alice@example.org): reason not given") {
		t.Errorf("want the known failure listed with its reason not given")
	}
}

// TestHTMLDetailNotRestated checks that a failure shown first does not say its expected
// and actual twice: a detail that only restates them is left out there.
func TestHTMLDetailNotRestated(t *testing.T) {
	res := verdict.Result{Verdict: verdict.Fail, Message: "r.sip", Expected: "Event: poc-settings", Actual: "no Event header",
		Detail: "expected Event: poc-settings, saw no Event header"}
	r := Run{Cases: []Case{{ID: "7.2.2-01", Clause: "7.2.2", Results: []verdict.Result{res}}}}
	doc := parseHTML(t, render(t, writers[2].write, r))
	items := find(doc, func(n *html.Node) bool { return hasClass(n, "item") })
	if len(items) != 1 || len(find(items[0], func(n *html.Node) bool { return hasClass(n, "detail") })) != 0 {
		t.Error("want the one failure without a detail that restates its expected and actual")
	}
}

// TestHTMLSummary checks a run of several clients past ListedRows rows: one row per
// requirement with its counts, one compact row per client with a cell per requirement,
// and every fail and inconclusive row listed at the top.
func TestHTMLSummary(t *testing.T) {
	rows := syntheticRows(30, 20, syntheticIDs)
	dir := t.TempDir()
	streamRun(t, dir, Run{Suite: "mcptt-conformance", Cases: syntheticCases()}, rows)
	b, err := os.ReadFile(filepath.Join(dir, "report.html"))
	if err != nil {
		t.Fatal(err)
	}
	doc := parseHTML(t, b)
	for _, id := range syntheticIDs {
		if len(find(doc, func(n *html.Node) bool { return n.Data == "tr" && attr(n, "id") == "r-"+id })) != 1 {
			t.Errorf("want one summary row for %s", id)
		}
	}
	matrix := find(doc, func(n *html.Node) bool { return n.Data == "table" && hasClass(n, "matrix") })
	if len(matrix) != 1 {
		t.Fatalf("%d per-client tables, want 1", len(matrix))
	}
	clientRows := find(matrix[0], func(n *html.Node) bool { return n.Data == "tr" && n.Parent.Data == "tbody" })
	if len(clientRows) != 30 {
		t.Errorf("%d client rows, want 30", len(clientRows))
	}
	fails, findings := 0, 0
	for _, r := range rows {
		if r.Verdict == verdict.Fail {
			fails++
		}
		if finding(r.Verdict) {
			findings++
		}
	}
	if n := len(find(matrix[0], func(n *html.Node) bool { return hasClass(n, "m-fail") })); n == 0 || n > fails {
		t.Errorf("%d fail cells for %d fail rows", n, fails)
	}
	if n := len(find(doc, func(n *html.Node) bool { return hasClass(n, "item") })); n != findings {
		t.Errorf("%d findings listed at the top, want every one of the %d", n, findings)
	}
	if len(find(doc, func(n *html.Node) bool { return n.Data == "h2" && hasClass(n, "client") })) != 0 {
		t.Error("want no per-client sections past ListedRows rows")
	}
}
