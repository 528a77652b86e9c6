// Package ims reads what an IMS core makes of a client's requests on their way to an
// application server such as the MCPTT server: the third-party REGISTER an S-CSCF
// sends after a registration (TS 24.229 5.4.1.7), whose body carries the client's
// REGISTER and, optionally, the S-CSCF's 200 OK to it as message/sip bodies (the
// initial filter criteria's IncludeRegisterRequest and IncludeRegisterResponse, TS
// 29.228), and the identity the core asserts on a routed request.
package ims

import (
	"fmt"
	"strings"
	"unicode"

	"github.com/mcptt-conformance/mcptt-conformance/wire/multipart"
	"github.com/mcptt-conformance/mcptt-conformance/wire/sipmsg"
)

// MessageSIP is the media type of a body holding a whole SIP message (RFC 3261 27.5).
const MessageSIP = "message/sip"

// IsThirdParty reports whether a REGISTER is a third-party REGISTER: its body is
// message/sip, or a multipart holding a message/sip part (with or without an
// application/3gpp-ims+xml service-info part). body is the request's body split.
func IsThirdParty(m *sipmsg.Message, body multipart.Body) bool {
	return m.IsRequest && m.Method == "REGISTER" && len(body.Find(MessageSIP)) > 0
}

// Carried is what one third-party REGISTER carries.
type Carried struct {
	// Raw holds the bytes of the message/sip part that carries the client's REGISTER,
	// exactly as received; Offset is where they start in the third-party REGISTER's
	// body.
	Raw    []byte
	Offset int
	// Request is the client's REGISTER as the S-CSCF received it, and Body its body
	// split; nil when Problem says why it cannot be judged as one.
	Request *sipmsg.Message
	Body    multipart.Body
	// Problem is why the carried message cannot be judged as the client's REGISTER:
	// bytes that are not SIP, a message other than a REGISTER request, a REGISTER cut
	// short, or message/sip nested inside it.
	Problem *sipmsg.Problem
	// Response is the S-CSCF's response to the client's REGISTER
	// (IncludeRegisterResponse), nil when the body carries none.
	Response *sipmsg.Message
	// Faults are the S-CSCF's own: a second carried request, a carried response that
	// cannot be read or answers another request.
	Faults []sipmsg.Problem
}

// Status is the status of the client's registration as the third-party REGISTER
// tells it: the carried 200 OK's status code when the S-CSCF included its response,
// otherwise 200, since the S-CSCF sends a third-party REGISTER only upon a successful
// registration (TS 24.229 5.4.1.7).
func (c Carried) Status() int {
	if c.Response != nil {
		return c.Response.StatusCode
	}
	return 200
}

// Read reads the message/sip parts of a third-party REGISTER's body: the first that
// holds a request is the client's REGISTER, one that holds a response the S-CSCF's
// answer to it. A third-party REGISTER without a message/sip part carrying a request
// gives a Carried whose Problem says so.
func Read(body multipart.Body) Carried {
	var c Carried
	found := false
	for _, part := range body.Find(MessageSIP) {
		m, err := sipmsg.Parse(part.Body)
		switch {
		case err == nil && !m.IsRequest && c.Response == nil:
			c.Response = m
		case err == nil && !m.IsRequest:
			c.Faults = append(c.Faults, sipmsg.Problem{Expected: "at most one carried response (IncludeRegisterResponse)", Actual: "a second: " + m.StartLine})
		case found:
			c.Faults = append(c.Faults, sipmsg.Problem{Expected: "one carried request, the client's REGISTER (IncludeRegisterRequest)", Actual: "a second message/sip part holding a request"})
		default:
			found = true
			c.Raw, c.Offset = part.Body, part.Offset
			c.Request, c.Body, c.Problem = carriedRegister(m, err)
		}
	}
	if !found {
		c.Problem = &sipmsg.Problem{Expected: "a message/sip body carrying the client's SIP REGISTER request (TS 24.229 5.4.1.7)", Actual: "none: " + describe(body)}
	}
	if c.Request != nil && c.Response != nil {
		c.Faults = append(c.Faults, answers(c.Response, c.Request)...)
	}
	return c
}

// carriedRegister judges whether the parsed carried message can be judged as the
// client's REGISTER, and splits its body.
func carriedRegister(m *sipmsg.Message, err error) (*sipmsg.Message, multipart.Body, *sipmsg.Problem) {
	const want = "the client's SIP REGISTER request in the message/sip body (TS 24.229 5.4.1.7)"
	if err != nil {
		return nil, multipart.Body{}, &sipmsg.Problem{Expected: want, Actual: fmt.Sprint("bytes that cannot be read as SIP: ", err), Line: 1}
	}
	if m.Method != "REGISTER" {
		return nil, multipart.Body{}, &sipmsg.Problem{Expected: want, Actual: "a SIP " + m.Method + " request", Line: 1}
	}
	if after := len(m.Raw) - m.BodyOffset; m.ContentLength > after {
		return nil, multipart.Body{}, &sipmsg.Problem{
			Expected: fmt.Sprintf("the carried REGISTER whole: the %d body bytes its Content-Length declares inside the message/sip body", m.ContentLength),
			Actual:   fmt.Sprintf("%d, the REGISTER cut short by the end of the message/sip body", after),
			Line:     contentLengthLine(m)}
	}
	var body multipart.Body
	ct, _ := m.First("content-type")
	if len(m.Body) > 0 || ct.Value != "" {
		body = multipart.Split(ct.Value, m.Body)
	}
	if len(body.Find(MessageSIP)) > 0 {
		return nil, multipart.Body{}, &sipmsg.Problem{Expected: "the client's REGISTER with its own bodies (a client sends no message/sip)",
			Actual: "message/sip nested inside the carried message/sip", Line: m.BodyLine}
	}
	return m, body, nil
}

func contentLengthLine(m *sipmsg.Message) int {
	h, _ := m.First("content-length")
	return h.Line
}

// answers checks that the carried response answers the carried request: same Call-ID
// and CSeq (a header the request lacks is the request's own fault, not compared).
func answers(res, req *sipmsg.Message) []sipmsg.Problem {
	var probs []sipmsg.Problem
	for _, name := range []string{"call-id", "cseq"} {
		a, ok := req.First(name)
		b, _ := res.First(name)
		if ok && !sameWords(a.Value, b.Value) {
			probs = append(probs, sipmsg.Problem{Expected: fmt.Sprintf("the carried response to answer the carried REGISTER (%s %q)", name, a.Value), Actual: fmt.Sprintf("%q", b.Value)})
		}
	}
	return probs
}

// sameWords reports whether a and b hold the same words, white space aside, without
// regard to case: as the two compared with their white space runs made single spaces.
func sameWords(a, b string) bool {
	if a == b {
		return true // the S-CSCF copies them as they are
	}
	for {
		var x, y string
		x, a = nextWord(a)
		y, b = nextWord(b)
		if x == "" || y == "" {
			return x == y
		}
		if !strings.EqualFold(x, y) {
			return false
		}
	}
}

// nextWord splits off the first word of s (strings.Fields' first field) and returns
// it and what follows it.
func nextWord(s string) (word, rest string) {
	s = strings.TrimLeftFunc(s, unicode.IsSpace)
	if i := strings.IndexFunc(s, unicode.IsSpace); i >= 0 {
		return s[:i], s[i:]
	}
	return s, ""
}

func describe(body multipart.Body) string {
	var types []string
	for _, p := range body.Parts {
		types = append(types, p.MediaType)
	}
	if len(types) == 0 {
		return "no body"
	}
	return "bodies of type " + strings.Join(types, ", ")
}
