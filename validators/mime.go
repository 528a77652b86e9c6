package validators

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/mcptt-conformance/mcptt-conformance/wire/sipmsg"
	"github.com/mcptt-conformance/mcptt-conformance/wire/xmldoc"
)

// Cross-cutting requirements on the MIME framing and XML of every clause.
var clauseMIME = []Requirement{
	{ID: "MIME-01", Clause: "MIME", Title: "multipart/mixed framing",
		Text: "A request with more than one body shall use multipart/mixed (RFC 2046, RFC 5621) with a boundary that delimits every part; each part has its own Content-Type.",
		Over: EachBodied, Check: multipartFraming},
	{ID: "MIME-02", Clause: "MIME", Title: "XML bodies well-formed, UTF-8, right namespace",
		Text: "Every XML body shall be well-formed XML in UTF-8, its root in the namespace of its content type.",
		Over: EachBodied, Check: xmlWellFormed},
	{ID: "MIME-03", Clause: "MIME", Title: "Content-Length matches the body",
		Text: "Every request's Content-Length shall equal the body's byte length.",
		Over: EachBodied, Check: contentLength},
}

func multipartFraming(j *judgement, r *Run, q *Request) {
	b := q.Body
	switch {
	case len(b.Problems) > 0:
		first := problem(b.Problems[0])
		first.Line = q.SIP.BodyLine
		j.failWith(q, first, joinProblems(b.Problems))
	case !b.Multipart:
		j.notApplicable(q, "does not apply: no request had more than one body")
	default:
		j.passf(q, "multipart/mixed with boundary %q delimiting %d parts, each with its own Content-Type", b.Boundary, len(b.Parts))
	}
}

func xmlWellFormed(j *judgement, r *Run, q *Request) {
	seen := 0
	var encoded []string
	for _, part := range q.Body.Parts {
		kind, ok := xmldoc.KindOf(part.MediaType)
		if !ok {
			continue
		}
		seen++
		if probs := q.wellFormedness(kind, part); len(probs) > 0 {
			first := problem(probs[0])
			first.Line = partLine(q, part, first.Line)
			j.failWith(q, first, fmt.Sprintf("the %s body (%s): %s", part.MediaType, part.Name(), joinProblems(probs)))
			j.inParts(part)
			return
		}
		if part.Encoded() {
			encoded = append(encoded, fmt.Sprintf("%s (%s) in Content-Transfer-Encoding %s", part.MediaType, part.Name(), part.Encoding))
		}
	}
	if seen == 0 {
		j.notApplicable(q, "does not apply: no request carried an XML body")
		return
	}
	if len(encoded) > 0 {
		j.lenient(r, q, q.SIP.BodyLine, readingXMLEncoded, strings.Join(encoded, ", ")+" decodes to well-formed UTF-8 XML with its root in the namespace of its content type")
		return
	}
	j.pass(q, strconv.Itoa(seen)+" XML bodies, each well-formed UTF-8 with its root in the namespace of its content type")
}

func contentLength(j *judgement, r *Run, q *Request) {
	if len(q.SIP.Get("content-length")) == 0 && q.Capture.Transport == "udp" {
		j.lenient(r, q, 0, readingNoContentLength, fmt.Sprintf("a body of %d bytes", len(q.SIP.Body)))
		return
	}
	if p := sipmsg.CheckContentLength(q.SIP); p != nil {
		j.failWith(q, problem(*p), p.Error())
		return
	}
	j.pass(q, "Content-Length equals the body's "+strconv.Itoa(len(q.SIP.Body))+" bytes")
}
