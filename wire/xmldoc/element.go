package xmldoc

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"strings"
)

// Element is one element of a parsed body, with namespace prefixes
// resolved.
type Element struct {
	Space, Local string     // namespace name ("" for none) and local name
	Attrs        []xml.Attr // attributes, namespace declarations left out; Name.Space is a namespace name
	Text         string     // the element's own character data (CDATA included, children's not), trimmed
	Chars        string     // the same character data as written, untrimmed: what Value reads
	Children     []*Element // child elements, in document order
	Line         int        // line of the start tag within the body (1-based)
	Raw          []byte     // the element's exact bytes in the body, start tag to end tag
}

// maxDepth bounds element nesting, as libxml2's default limit does.
const maxDepth = 256

const xmlNamespace = "http://www.w3.org/XML/1998/namespace"

// Parse reads body into an element tree. It applies the same safety rules as
// CheckWellFormed (no document type declaration, UTF-8 only) and refuses
// nesting deeper than 256 elements; comments and processing instructions are
// dropped. Errors are Problems. Parse is a reader, not the judge of
// well-formedness: that is CheckWellFormed.
func Parse(body []byte) (*Element, error) {
	if fatal, _ := screen(body); fatal != nil {
		return nil, fatal[0]
	}
	base := 0
	if bytes.HasPrefix(body, utf8BOM) {
		base = len(utf8BOM)
	}
	p := &treeParser{body: body, base: base}
	p.dec = xml.NewDecoder(bytes.NewReader(body[base:]))
	// screen has checked that body is UTF-8, whatever it declares; the
	// declaration is reported by CheckWellFormed.
	p.dec.CharsetReader = func(_ string, r io.Reader) (io.Reader, error) { return r, nil }
	return p.parse()
}

type treeParser struct {
	body  []byte
	base  int // offset in body where the decoder starts (after a BOM)
	dec   *xml.Decoder
	open  []*openElement
	scope []binding
	root  *Element
}

type openElement struct {
	el       *Element
	rawName  xml.Name // as written, to match the end tag
	start    int      // offset of the start tag in body
	text     strings.Builder
	bindings int // namespace bindings this element added to scope
}

type binding struct{ prefix, space string }

func (p *treeParser) parse() (*Element, error) {
	for {
		line, _ := p.dec.InputPos()
		start := p.base + int(p.dec.InputOffset())
		tok, err := p.dec.RawToken()
		if err == io.EOF {
			return p.finish(line)
		}
		if err != nil {
			return nil, syntaxProblem(err, line)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if err := p.startElement(t, start, line); err != nil {
				return nil, err
			}
		case xml.EndElement:
			if err := p.endElement(t, line); err != nil {
				return nil, err
			}
		case xml.CharData:
			if len(p.open) > 0 {
				p.open[len(p.open)-1].text.Write(t)
			} else if len(bytes.TrimLeft(t, " \t\r\n")) > 0 {
				return nil, Problem{Expected: "only white space, comments and processing instructions outside the root element", Actual: "character data", Line: line}
			}
		case xml.Directive:
			return nil, Problem{Expected: "no markup declaration", Actual: "<!" + firstWord(t) + "…>", Line: line}
		}
	}
}

func (p *treeParser) startElement(t xml.StartElement, start, line int) error {
	if len(p.open) == 0 && p.root != nil {
		return Problem{Expected: "a single root element", Actual: "a second one, <" + rawName(t.Name) + ">", Line: line}
	}
	if len(p.open) == maxDepth {
		return Problem{Expected: "elements nested at most 256 deep", Actual: "deeper nesting", Line: line}
	}
	o := &openElement{rawName: t.Name, start: start}
	for _, a := range t.Attr {
		switch {
		case a.Name.Space == "" && a.Name.Local == "xmlns":
			p.scope = append(p.scope, binding{"", a.Value})
			o.bindings++
		case a.Name.Space == "xmlns":
			p.scope = append(p.scope, binding{a.Name.Local, a.Value})
			o.bindings++
		}
	}
	space, err := p.resolve(t.Name.Space, true)
	if err != nil {
		return Problem{Expected: "a declared namespace prefix", Actual: err.Error() + " on <" + rawName(t.Name) + ">", Line: line}
	}
	o.el = &Element{Space: space, Local: t.Name.Local, Line: line}
	for _, a := range t.Attr {
		if a.Name.Space == "xmlns" || (a.Name.Space == "" && a.Name.Local == "xmlns") {
			continue
		}
		space, err := p.resolve(a.Name.Space, false)
		if err != nil {
			return Problem{Expected: "a declared namespace prefix", Actual: err.Error() + " on attribute " + rawName(a.Name), Line: line}
		}
		o.el.Attrs = append(o.el.Attrs, xml.Attr{Name: xml.Name{Space: space, Local: a.Name.Local}, Value: a.Value})
	}
	if len(p.open) > 0 {
		parent := p.open[len(p.open)-1].el
		parent.Children = append(parent.Children, o.el)
	} else {
		p.root = o.el
	}
	p.open = append(p.open, o)
	return nil
}

func (p *treeParser) endElement(t xml.EndElement, line int) error {
	if len(p.open) == 0 {
		return Problem{Expected: "no end tag outside the root element", Actual: "</" + rawName(t.Name) + ">", Line: line}
	}
	o := p.open[len(p.open)-1]
	if t.Name != o.rawName {
		return Problem{Expected: "</" + rawName(o.rawName) + ">", Actual: "</" + rawName(t.Name) + ">", Line: line}
	}
	o.el.Chars = o.text.String()
	o.el.Text = strings.TrimSpace(o.el.Chars)
	o.el.Raw = p.body[o.start : p.base+int(p.dec.InputOffset())]
	p.scope = p.scope[:len(p.scope)-o.bindings]
	p.open = p.open[:len(p.open)-1]
	return nil
}

func (p *treeParser) finish(line int) (*Element, error) {
	if len(p.open) > 0 {
		return nil, Problem{Expected: "</" + rawName(p.open[len(p.open)-1].rawName) + ">", Actual: "the end of the body", Line: line}
	}
	if p.root == nil {
		return nil, Problem{Expected: "a root element", Actual: "none", Line: line}
	}
	return p.root, nil
}

// resolve returns the namespace name bound to prefix. An unprefixed element
// takes the default namespace; an unprefixed attribute has none.
func (p *treeParser) resolve(prefix string, element bool) (string, error) {
	switch {
	case prefix == "" && !element:
		return "", nil
	case prefix == "xml":
		return xmlNamespace, nil
	}
	for i := len(p.scope) - 1; i >= 0; i-- {
		if p.scope[i].prefix == prefix {
			return p.scope[i].space, nil
		}
	}
	if prefix == "" {
		return "", nil
	}
	return "", errors.New("undeclared prefix " + prefix)
}

func syntaxProblem(err error, line int) Problem {
	var se *xml.SyntaxError
	if errors.As(err, &se) {
		return Problem{Expected: "well-formed XML", Actual: se.Msg, Line: se.Line}
	}
	return Problem{Expected: "well-formed XML", Actual: err.Error(), Line: line}
}

func rawName(n xml.Name) string {
	if n.Space == "" {
		return n.Local
	}
	return n.Space + ":" + n.Local
}

func firstWord(d xml.Directive) string {
	w, _, _ := strings.Cut(string(d), " ")
	return w
}

// Find returns e's descendants (e excluded) with the namespace name space and
// local name local, in document order.
func (e *Element) Find(space, local string) []*Element {
	var found []*Element
	for _, c := range e.Children {
		if c.Space == space && c.Local == local {
			found = append(found, c)
		}
		found = append(found, c.Find(space, local)...)
	}
	return found
}

// Child returns e's first child element with the namespace name space and
// local name local, or nil.
func (e *Element) Child(space, local string) *Element {
	for _, c := range e.Children {
		if c.Space == space && c.Local == local {
			return c
		}
	}
	return nil
}

// Attr returns the value of e's attribute with the namespace name space ("" for
// an unprefixed attribute) and local name local.
func (e *Element) Attr(space, local string) (string, bool) {
	for _, a := range e.Attrs {
		if a.Name.Space == space && a.Name.Local == local {
			return a.Value, true
		}
	}
	return "", false
}
