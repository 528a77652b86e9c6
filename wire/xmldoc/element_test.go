package xmldoc

import (
	"strings"
	"testing"
)

func TestParseTree(t *testing.T) {
	body := strings.ReplaceAll(`<?xml version="1.0" encoding="UTF-8"?>
<!-- a comment before the root -->
<mi:mcpttinfo xmlns:mi="urn:3gpp:ns:mcpttInfo:1.0" xmlns:x="urn:example:ext">
  <mi:mcptt-Params x:a="1">
    <mi:mcptt-access-token type="Normal"><mi:mcpttString> ey<!-- split -->J<![CDATA[<&>]]> </mi:mcpttString></mi:mcptt-access-token>
    <mi:mcptt-client-id type="Encrypted"><EncryptedData xmlns="http://www.w3.org/2001/04/xmlenc#"><CipherData/></EncryptedData></mi:mcptt-client-id>
    <mi:anyExt><selected-user-profile-index xmlns="urn:3gpp:ns:mcpttInfo:1.0"><user-profile-index>3</user-profile-index></selected-user-profile-index></mi:anyExt>
  </mi:mcptt-Params>
</mi:mcpttinfo>
`, "\n", "\r\n")
	root, err := Parse([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	if root.Space != nsInfo || root.Local != "mcpttinfo" || root.Line != 3 {
		t.Errorf("root = {%q %q line %d}", root.Space, root.Local, root.Line)
	}
	params := root.Child(nsInfo, "mcptt-Params")
	if params == nil {
		t.Fatal("no mcptt-Params child")
	}
	if v, ok := params.Attr("urn:example:ext", "a"); !ok || v != "1" {
		t.Errorf("x:a = %q, %v", v, ok)
	}
	if len(root.Attrs) != 0 {
		t.Errorf("namespace declarations kept as attributes: %v", root.Attrs)
	}
	tok := params.Child(nsInfo, "mcptt-access-token")
	if typ, _ := tok.Attr("", "type"); typ != "Normal" {
		t.Errorf("type = %q", typ)
	}
	if s := tok.Child(nsInfo, "mcpttString"); s == nil || s.Text != "eyJ<&>" || s.Line != 5 {
		t.Errorf("mcpttString = %+v", s)
	}
	wantRaw := `<mi:mcptt-access-token type="Normal"><mi:mcpttString> ey<!-- split -->J<![CDATA[<&>]]> </mi:mcpttString></mi:mcptt-access-token>`
	if string(tok.Raw) != wantRaw {
		t.Errorf("Raw = %q, want %q", tok.Raw, wantRaw)
	}
	if !strings.HasPrefix(string(root.Raw), "<mi:mcpttinfo ") || !strings.HasSuffix(string(root.Raw), "</mi:mcpttinfo>") {
		t.Errorf("root Raw = %q", root.Raw)
	}
	enc := root.Find("http://www.w3.org/2001/04/xmlenc#", "EncryptedData")
	if len(enc) != 1 || enc[0].Line != 6 || len(enc[0].Children) != 1 {
		t.Errorf("EncryptedData = %+v", enc)
	}
	idx := root.Find(nsInfo, "user-profile-index")
	if len(idx) != 1 || idx[0].Text != "3" {
		t.Errorf("user-profile-index = %+v", idx)
	}
	var order []string
	for _, e := range root.Find(nsInfo, "mcpttString") {
		order = append(order, e.Text)
	}
	if params.Child(nsInfo, "mcpttString") != nil || len(order) != 1 {
		t.Errorf("Child must look at children only, Find at all descendants: %v", order)
	}
	if root.Child(nsInfo, "nothing") != nil || root.Find(nsInfo, "nothing") != nil {
		t.Error("found an element that is not there")
	}
}

func TestParseFindOrder(t *testing.T) {
	root, err := Parse([]byte(`<r xmlns="urn:r"><a n="1"><a n="2"/></a><b><a n="3"/></b><a n="4"/></r>`))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range root.Find("urn:r", "a") {
		n, _ := e.Attr("", "n")
		got = append(got, n)
	}
	if strings.Join(got, ",") != "1,2,3,4" {
		t.Errorf("document order %v, want 1,2,3,4", got)
	}
}

func TestParseBOMOffsets(t *testing.T) {
	body := "\xEF\xBB\xBF<r xmlns=\"urn:r\"><c>v</c></r>"
	root, err := Parse([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	if c := root.Child("urn:r", "c"); c == nil || string(c.Raw) != "<c>v</c>" {
		t.Errorf("child Raw after a BOM: %+v", c)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, body string
		line       int
		want       string
	}{
		{"DOCTYPE", "<!DOCTYPE r [<!ENTITY e \"x\">]>\n<r>&e;</r>", 1, "saw a document type declaration"},
		{"empty", "", 0, "saw an empty body"},
		{"invalid UTF-8", "<r>\n\xFF</r>", 2, "not valid UTF-8"},
		{"undeclared element prefix", "<r>\n<x:a/></r>", 2, "undeclared prefix x on <x:a>"},
		{"undeclared attribute prefix", "<r>\n<a x:b=\"1\"/></r>", 2, "undeclared prefix x on attribute x:b"},
		{"prefix out of scope", "<r><a xmlns:x=\"urn:x\"/>\n<x:b/></r>", 2, "undeclared prefix x"},
		{"mismatched end tag", "<r>\n<a></b></r>", 2, "expected </a>, saw </b>"},
		{"unclosed", "<r>\n<a>", 2, "expected </a>, saw the end of the body"},
		{"two roots", "<r/>\n<s/>", 2, "expected a single root element"},
		{"text outside the root", "<r/>\ntext", 1, "saw character data"},
		{"only a comment", "<!-- c -->", 1, "expected a root element"},
		{"undefined entity", "<r>\n&e;</r>", 2, "invalid character entity &e;"},
		{"hyphens in a comment", "<r>\n<!-- a -- b --></r>", 2, `invalid sequence "--" not allowed in comments`},
		{"too deep", strings.Repeat("<a>", maxDepth+1), 1, "expected elements nested at most 256 deep"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root, err := Parse([]byte(tt.body))
			if err == nil {
				t.Fatalf("no error; root %+v", root)
			}
			p, ok := err.(Problem)
			if !ok {
				t.Fatalf("error %T %v is not a Problem", err, err)
			}
			if !strings.Contains(p.Error(), tt.want) || p.Line != tt.line {
				t.Errorf("got %q on line %d, want %q on line %d", p.Error(), p.Line, tt.want, tt.line)
			}
		})
	}
}
