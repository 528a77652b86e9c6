package validators

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/mcptt-conformance/mcptt-conformance/wire/contact"
	"github.com/mcptt-conformance/mcptt-conformance/wire/ims"
	"github.com/mcptt-conformance/mcptt-conformance/wire/sipmsg"
)

// readingThirdPartyTo is the lenient reading of a third-party REGISTER whose To is not
// the public user identity the carried REGISTER registered: TS 24.229 5.4.1.7 lets the
// S-CSCF put any non-barred public user identity of the served user there (one of the
// implicit registration set), which the suite cannot see.
const readingThirdPartyTo = "the third-party REGISTER's To is another public user identity than the one the client registered (TS 24.229 5.4.1.7 allows any non-barred one of the served user's; the suite cannot see the implicit registration set)"

// EmbeddedSuffix ends the name of the client's REGISTER a third-party REGISTER
// carries: the "message" of its rows is the third-party REGISTER's capture name and
// this suffix.
const EmbeddedSuffix = "#embedded"

// embed reads what a third-party REGISTER (TS 24.229 5.4.1.7) carries and returns the
// client's REGISTER as a request of its own, judged exactly as if it had arrived
// directly, with the registration's status the third-party REGISTER gives
// (ims.Carried.Status); nil when q is not a third-party REGISTER. When the carried
// message cannot be judged as the client's REGISTER, the request returned holds no
// SIP and its ParseErr says why: it is judged under the well-formedness requirement
// only.
func (q *Request) embed() *Request {
	if q.SIP == nil || !ims.IsThirdParty(q.SIP, q.Body) {
		return nil
	}
	c := ims.Read(q.Body)
	m := *q.Capture
	m.Name += EmbeddedSuffix
	m.Raw, m.Method, m.Status = c.Raw, "REGISTER", c.Status()
	e := &Request{Capture: &m, Carrier: q}
	q.Embedded, q.carried = e, &c
	if c.Problem != nil {
		e.ParseErr = *c.Problem
		return e
	}
	e.SIP, e.Body = c.Request, c.Body
	e.Contacts, e.ContactProblems = contact.Parse(e.SIP.Get("contact"))
	return e
}

// carriedFault fails the well-formedness of a carried message that cannot be judged
// as the client's REGISTER; false for any other request.
func carriedFault(j *judgement, q *Request) bool {
	p, ok := q.ParseErr.(sipmsg.Problem)
	if q.Carrier == nil || !ok {
		return false
	}
	j.failWith(q, problem(p), "the message/sip body of the third-party REGISTER "+q.Carrier.Name()+": "+p.Error())
	return true
}

// thirdPartyWellFormed judges a third-party REGISTER as TS 24.229 5.4.1.7 builds it:
// a well-formed REGISTER (RFC 3261) with its own Content-Length and framing right,
// From and Contact the S-CSCF's URI, To the public user identity the client
// registered, and, when the S-CSCF included its response, one that answers the
// client's REGISTER. The client's REGISTER it carries is judged on its own rows.
func thirdPartyWellFormed(j *judgement, r *Run, q *Request) {
	m := q.SIP
	probs := sipmsg.CheckRequest(m, "REGISTER")
	if len(m.Get("content-length")) > 0 || q.Capture.Transport != "udp" {
		if p := sipmsg.CheckContentLength(m); p != nil {
			probs = append(probs, *p)
		}
	}
	for _, p := range q.Body.Problems {
		p.Line = multipartLine(q, p.Line)
		probs = append(probs, p)
	}
	probs = append(probs, q.carried.Faults...)
	from, _ := uriOf(m, "from")
	probs = append(probs, scscfAddresses(q, from)...)
	if len(probs) > 0 {
		j.failWith(q, problem(probs[0]), "the third-party REGISTER (TS 24.229 5.4.1.7): "+joinProblems(probs))
		return
	}
	to, toLine := uriOf(m, "to")
	if e := q.Embedded; e.SIP != nil {
		if user, _ := uriOf(e.SIP, "to"); !sameURI(to, user) {
			j.lenient(r, q, toLine, readingThirdPartyTo, fmt.Sprintf("To %s, the carried REGISTER registers %s", to, user))
			return
		}
	}
	with := "the client's REGISTER"
	if res := q.carried.Response; res != nil {
		with += " and the S-CSCF's " + strconv.Itoa(res.StatusCode) + " " + res.Reason + " to it"
	}
	j.pass(q, "a well-formed third-party REGISTER (TS 24.229 5.4.1.7): From and Contact the S-CSCF's "+from+
		", To the public user identity "+to+"; it carries "+with+" (the REGISTER judged as "+q.Embedded.Name()+")")
}

// multipartLine converts a line of the body into a line of the message.
func multipartLine(q *Request, line int) int {
	if line <= 0 {
		return q.SIP.BodyLine
	}
	return q.SIP.BodyLine + line - 1
}

// scscfAddresses checks the Contact TS 24.229 5.4.1.7 gives a third-party REGISTER:
// the S-CSCF's URI, as From (from) is. (Its To is judged by thirdPartyWellFormed.)
func scscfAddresses(q *Request, from string) []sipmsg.Problem {
	var probs []sipmsg.Problem
	switch cs := q.SIP.Get("contact"); {
	case len(cs) == 0:
		probs = append(probs, sipmsg.Problem{Expected: "a Contact header field with the S-CSCF's URI", Actual: "none"})
	case len(q.Contacts) != 1 || !sameURI(q.Contacts[0].URI, from):
		probs = append(probs, sipmsg.Problem{Expected: fmt.Sprintf("one Contact, the S-CSCF's URI as in From (%s)", from), Actual: "Contact: " + cs[0].Value, Line: cs[0].Line})
	}
	return probs
}

// uriOf is the URI of a To, From or Contact header field, and its line.
func uriOf(m *sipmsg.Message, name string) (string, int) {
	h, ok := m.First(name)
	if !ok {
		return "", 0
	}
	return sipmsg.AddressURI(h.Value), h.Line
}

// sameURI compares two SIP URIs without their parameters, the scheme and host
// without regard to case (RFC 3261 19.1.4, enough for telling one party from
// another).
func sameURI(a, b string) bool {
	a, _, _ = strings.Cut(a, ";")
	b, _, _ = strings.Cut(b, ";")
	return a != "" && strings.EqualFold(strings.TrimSpace(a), strings.TrimSpace(b))
}
