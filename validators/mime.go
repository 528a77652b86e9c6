package validators

import (
	"fmt"
	"strings"

	"github.com/mcptt-conformance/mcptt-conformance/verdict"
	"github.com/mcptt-conformance/mcptt-conformance/wire/sipmsg"
	"github.com/mcptt-conformance/mcptt-conformance/wire/xmldoc"
)

// Cross-cutting requirements on the MIME framing and XML of every clause.
var clauseMIME = []Requirement{
	{ID: "MIME-01", Clause: "MIME", Title: "multipart/mixed framing",
		Text:  "A request with more than one body shall use multipart/mixed (RFC 2046, RFC 5621) with a boundary that delimits every part; each part has its own Content-Type.",
		Check: func(r *Run) []verdict.Result { return eachBodied(r, multipartFraming) }},
	{ID: "MIME-02", Clause: "MIME", Title: "XML bodies well-formed, UTF-8, right namespace",
		Text:  "Every XML body shall be well-formed XML in UTF-8, its root in the namespace of its content type.",
		Check: func(r *Run) []verdict.Result { return eachBodied(r, xmlWellFormed) }},
	{ID: "MIME-03", Clause: "MIME", Title: "Content-Length matches the body",
		Text:  "Every request's Content-Length shall equal the body's byte length.",
		Check: func(r *Run) []verdict.Result { return eachBodied(r, contentLength) }},
}

// eachBodied applies a check to every readable REGISTER and PUBLISH of the run.
func eachBodied(r *Run, check func(*judgement, *Run, *Request)) []verdict.Result {
	var j judgement
	for _, q := range r.Requests {
		if q.SIP != nil {
			check(&j, r, q)
		}
	}
	if len(j) == 0 {
		return noneArrived("readable REGISTER or PUBLISH")
	}
	return dropNotApplicable(j)
}

// dropNotApplicable keeps the rows that judged something; when none did, one row says so.
func dropNotApplicable(j judgement) []verdict.Result {
	var kept []verdict.Result
	for _, r := range j {
		if r.Verdict != verdict.NotApplicable {
			kept = append(kept, r)
		}
	}
	if len(kept) == 0 {
		var names []string
		for _, r := range j {
			names = append(names, r.Message)
		}
		return only(verdict.NotApplicable, strings.Join(names, ", "), j[0].Detail)
	}
	return kept
}

func multipartFraming(j *judgement, r *Run, q *Request) {
	b := q.Body
	switch {
	case len(b.Problems) > 0:
		j.fail(q, q.SIP.BodyLine, "%s", joinProblems(b.Problems))
	case !b.Multipart:
		j.add(verdict.NotApplicable, q.Name(), "does not apply: no request had more than one body", 0)
	default:
		j.pass(q, "multipart/mixed with boundary %q delimiting %d parts, each with its own Content-Type", b.Boundary, len(b.Parts))
	}
}

func xmlWellFormed(j *judgement, r *Run, q *Request) {
	seen := 0
	for _, part := range q.Body.Parts {
		kind, ok := xmldoc.KindOf(part.MediaType)
		if !ok {
			continue
		}
		seen++
		if probs := q.wellFormedness(kind, part); len(probs) > 0 {
			j.fail(q, partLine(q, part, probs[0].Line), "the %s body: %s", part.MediaType, joinProblems(probs))
			return
		}
	}
	if seen == 0 {
		j.add(verdict.NotApplicable, q.Name(), "does not apply: no request carried an XML body", 0)
		return
	}
	j.pass(q, "%d XML bodies, each well-formed UTF-8 with its root in the namespace of its content type", seen)
}

func contentLength(j *judgement, r *Run, q *Request) {
	if len(q.SIP.Get("content-length")) == 0 && q.Capture.Transport == "udp" {
		j.lenient(r, q, 0, readingNoContentLength, fmt.Sprintf("a body of %d bytes", len(q.SIP.Body)))
		return
	}
	if p := sipmsg.CheckContentLength(q.SIP); p != nil {
		j.fail(q, p.Line, "%s", p.Error())
		return
	}
	j.pass(q, "Content-Length equals the body's %d bytes", len(q.SIP.Body))
}
