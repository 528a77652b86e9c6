package reports

import (
	"bytes"
	"strings"
	"testing"

	"golang.org/x/net/html"

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
		if href := attr(a, "href"); !strings.HasPrefix(href, "captures/") {
			t.Errorf("link to %q, want only links into captures/", href)
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
	if o := find(doc, func(n *html.Node) bool { return hasClass(n, "outcome") }); len(o) != 1 || !hasClass(o[0], "bad") {
		t.Error("want one outcome banner saying the run failed")
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
		{verdict.NotApplicable, "TS 24.379 7.2.1 SIP REGISTER request for service authorisation", 1, "the profile declares neither", nil},
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
	if a := find(doc, func(n *html.Node) bool { return n.Data == "a" }); len(a) > 0 {
		t.Errorf("link to %q without a capture folder", attr(a[0], "href"))
	}
	msgs := find(doc, func(n *html.Node) bool { return hasClass(n, "msg") })
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
		if len(got) != 1 || text(got[0]) != tt.want {
			var texts []string
			for _, n := range got {
				texts = append(texts, text(n))
			}
			t.Errorf(".%s shows %q, want only the fail row's %q", tt.class, texts, tt.want)
		}
	}
}
