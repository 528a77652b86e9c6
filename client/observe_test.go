package client

import (
	"bufio"
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/textproto"
	"net/url"
	"strings"
	"testing"

	"github.com/mcptt-conformance/mcptt-conformance/wire/xmldoc"
)

// This file reads requests back with the standard library's parsers, independently of
// the client's own code, and reduces each to facts: what a checker of the suite would
// look at. Two requests that differ only in legal form have the same facts.

// compactNames maps the canonical forms of compact header names to full names.
var compactNames = map[string]string{
	"I": "Call-Id", "M": "Contact", "F": "From", "T": "To", "V": "Via",
	"L": "Content-Length", "C": "Content-Type", "O": "Event", "A": "Accept-Contact",
}

// parsed is a request split by net/textproto.
type parsed struct {
	method, uri string
	header      textproto.MIMEHeader // compact names expanded
	body        []byte               // Content-Length bytes
	trailing    []byte               // bytes after them
}

func parseRequest(t *testing.T, raw []byte) parsed {
	t.Helper()
	r := bufio.NewReader(bytes.NewReader(raw))
	p, err := readRequest(r)
	if err != nil {
		t.Fatalf("%v\n%s", err, raw)
	}
	p.trailing, _ = io.ReadAll(r)
	return p
}

// readRequest reads one request, its body framed by Content-Length; what follows is left
// in r.
func readRequest(r *bufio.Reader) (parsed, error) {
	tr := textproto.NewReader(r)
	line, err := tr.ReadLine()
	if err != nil {
		return parsed{}, fmt.Errorf("request line: %w", err)
	}
	f := strings.Split(line, " ")
	if len(f) != 3 || f[2] != "SIP/2.0" {
		return parsed{}, fmt.Errorf("request line %q: expected METHOD URI SIP/2.0", line)
	}
	h, err := tr.ReadMIMEHeader()
	if err != nil {
		return parsed{}, fmt.Errorf("header: %w", err)
	}
	for c, full := range compactNames {
		if v, ok := h[c]; ok {
			h[full] = append(h[full], v...)
			delete(h, c)
		}
	}
	var n int
	if _, err := fmt.Sscanf(h.Get("Content-Length"), "%d", &n); err != nil || n < 0 {
		return parsed{}, fmt.Errorf("Content-Length %q: expected a number", h.Get("Content-Length"))
	}
	p := parsed{method: f[0], uri: f[1], header: h, body: make([]byte, n)}
	if _, err := io.ReadFull(r, p.body); err != nil {
		return parsed{}, fmt.Errorf("%d-byte body: %w", n, err)
	}
	return p, nil
}

// params splits `value;a=1;b` into the part before the first ';' outside <> and the
// parameters, by lower-case name, with percent escapes decoded and quotes removed.
func params(t *testing.T, v string) (string, map[string]string) {
	t.Helper()
	head, tail := v, ""
	if i := strings.Index(v, ">"); i >= 0 {
		head, tail = v[:i+1], v[i+1:]
	} else if i := strings.Index(v, ";"); i >= 0 {
		head, tail = v[:i], v[i:]
	}
	m := map[string]string{}
	for _, p := range strings.Split(tail, ";")[1:] {
		k, val, ok := strings.Cut(strings.TrimSpace(p), "=")
		if !ok {
			val = "(flag)"
		}
		d, err := url.PathUnescape(strings.Trim(val, `"`))
		if err != nil {
			t.Fatalf("parameter %s=%s: %v", k, val, err)
		}
		m[strings.ToLower(k)] = d
	}
	return strings.TrimSpace(head), m
}

// nsAbbrev names the namespaces a checker knows; any other is foreign and skipped.
var nsAbbrev = map[string]string{xmldoc.NSMCPTTInfo: "mi", xmldoc.NSPoCSettings: "ps", xmldoc.NSMCSSettings: "ms"}

// xmlFacts adds one fact per attribute and text leaf (keyed by the path from the root),
// one per element listing its known children in order, and the declared encoding.
func xmlFacts(t *testing.T, body []byte, facts map[string]string) {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(body))
	d.CharsetReader = func(label string, r io.Reader) (io.Reader, error) { return r, nil } // bodies are ASCII
	type open struct {
		path     string
		text     strings.Builder
		children []string
	}
	var stack []*open
	encoding, root := "", ""
	foreign := 0 // depth inside a foreign element
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("XML body: %v\n%s", err, body)
		}
		switch tok := tok.(type) {
		case xml.ProcInst:
			if tok.Target == "xml" {
				_, after, _ := strings.Cut(string(tok.Inst), `encoding="`)
				encoding, _, _ = strings.Cut(after, `"`)
			}
		case xml.StartElement:
			ns, ok := nsAbbrev[tok.Name.Space]
			if foreign > 0 || !ok {
				foreign++
				continue
			}
			name := ns + ":" + tok.Name.Local
			o := &open{path: name}
			if len(stack) > 0 {
				parent := stack[len(stack)-1]
				parent.children = append(parent.children, name)
				o.path = parent.path + "/" + name
			} else {
				root = name
			}
			for _, a := range tok.Attr {
				if a.Name.Space == "" && a.Name.Local != "xmlns" { // namespace declarations are form, not facts
					facts[o.path+"@"+a.Name.Local] = a.Value
				}
			}
			stack = append(stack, o)
		case xml.CharData:
			if foreign == 0 && len(stack) > 0 {
				stack[len(stack)-1].text.Write(tok)
			}
		case xml.EndElement:
			if foreign > 0 {
				foreign--
				continue
			}
			o := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if txt := strings.TrimSpace(o.text.String()); txt != "" && len(o.children) == 0 {
				facts[o.path] = txt
			}
			facts[o.path+"#children"] = strings.Join(o.children, ",")
		}
	}
	facts[root+"?encoding"] = encoding
}

// observe reduces a request to its facts. It also fails the test on what no request of
// the client may ever do: bare LF line ends, or a malformed Via, From or CSeq.
func observe(t *testing.T, raw []byte) map[string]string {
	t.Helper()
	if bytes.Count(raw, []byte("\n")) != bytes.Count(raw, []byte("\r\n")) {
		t.Fatalf("a line ends in a bare LF:\n%s", raw)
	}
	p := parseRequest(t, raw)
	f := map[string]string{"request": p.method + " " + p.uri, "length-ok": fmt.Sprint(len(p.trailing) == 0)}
	for _, name := range []string{"Max-Forwards", "To", "Expires", "Event", "User-Agent", "P-Preferred-Service", "Authorization"} {
		if v, ok := p.header[textproto.CanonicalMIMEHeaderKey(name)]; ok {
			f[strings.ToLower(name)] = strings.Join(v, " | ")
		}
	}
	if v := p.header.Get("Accept-Contact"); v != "" {
		head, ps := params(t, v)
		f["accept-contact"] = head
		for k, val := range ps {
			f["accept-contact."+k] = val
		}
	}

	via, vp := params(t, p.header.Get("Via"))
	f["via"] = strings.Join(strings.Fields(via), " ")
	if !strings.HasPrefix(vp["branch"], "z9hG4bK") || vp["rport"] != "(flag)" {
		t.Errorf("Via %q: expected a z9hG4bK branch and rport", p.header.Get("Via"))
	}
	from, fp := params(t, p.header.Get("From"))
	if fp["tag"] == "" {
		t.Errorf("From %q: expected a tag", from)
	}
	f["from"] = from
	if p.header.Get("Call-Id") == "" {
		t.Error("expected a Call-ID")
	}
	if cseq := strings.Fields(p.header.Get("Cseq")); len(cseq) != 2 || cseq[1] != p.method {
		t.Errorf("CSeq %q: expected a number and %s", p.header.Get("Cseq"), p.method)
	}
	if v := p.header.Get("Contact"); v != "" {
		// The facts are the last contact's, the MCPTT one when there is one per MC
		// service; "contacts" counts them.
		all := strings.Split(v, ", <")
		if len(all) > 1 {
			f["contacts"] = fmt.Sprint(len(all))
			v = "<" + all[len(all)-1]
		}
		uri, cp := params(t, v)
		f["contact"] = uri
		for k, val := range cp {
			f["contact."+k] = val
		}
	}

	ct := p.header.Get("Content-Type")
	if ct == "" {
		if len(p.body) != 0 {
			t.Errorf("a %d-byte body without Content-Type", len(p.body))
		}
		return f
	}
	mt, mp, err := mime.ParseMediaType(ct)
	if err != nil {
		t.Fatalf("Content-Type %q: %v", ct, err)
	}
	f["content-type"] = mt
	if mp["type"] != "" {
		f["content-type.type"] = mp["type"]
	}
	if !strings.HasPrefix(mt, "multipart/") {
		xmlFacts(t, p.body, f)
		return f
	}
	f["parts"] = strings.Join(multipartFacts(t, mp["boundary"], p.body, f), ",")
	return f
}

// multipartFacts reads the facts of a multipart body's parts into f, entering the
// multiparts nested in it, and returns the parts' types in order, a nested multipart's
// own in brackets after it.
func multipartFacts(t *testing.T, boundary string, body []byte, f map[string]string) []string {
	t.Helper()
	mr := multipart.NewReader(bytes.NewReader(body), boundary)
	var types []string
	for {
		part, err := mr.NextRawPart()
		if err == io.EOF {
			return types
		}
		if err != nil {
			t.Fatalf("multipart body: %v\n%s", err, body)
		}
		pt, pp, err := mime.ParseMediaType(part.Header.Get("Content-Type"))
		if err != nil {
			t.Fatalf("part Content-Type %q: %v", part.Header.Get("Content-Type"), err)
		}
		b, err := io.ReadAll(part)
		if err != nil {
			t.Fatalf("multipart part: %v", err)
		}
		if strings.HasPrefix(pt, "multipart/") {
			types = append(types, pt+"["+strings.Join(multipartFacts(t, pp["boundary"], b, f), ",")+"]")
			continue
		}
		types = append(types, pt)
		xmlFacts(t, b, f)
	}
}

// absent stands for a fact a request lacks.
const absent = "(absent)"

// diff returns the facts of b that differ from a's, with absent for those b lacks.
func diff(a, b map[string]string) map[string]string {
	d := map[string]string{}
	for k, v := range b {
		if av, ok := a[k]; !ok || av != v {
			d[k] = v
		}
	}
	for k := range a {
		if _, ok := b[k]; !ok {
			d[k] = absent
		}
	}
	return d
}
