package server

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/ghettovoice/gosip/sip"
	"github.com/ghettovoice/gosip/sip/parser"

	"github.com/mcptt-conformance/mcptt-conformance/wire/sipmsg"
)

// refusals are the problems for which the server answers a request 400: those
// sipmsg.CheckRequest finds, the well-formedness check of 7.2.1-01, 7.2.2-15 and
// 7A.2.1-01, except a missing Max-Forwards. RFC 3261 8.1.1 makes Max-Forwards mandatory
// for the client, so the judge fails its absence; RFC 3261 16.3 item 3 has a receiver
// pass a request without it, so the server answers it and the run goes on to judge the
// rest. Content-Length is not among them: it is judged under MIME-03, and the server
// reads the body as framed. A bare LF line end (Message.BareLF) is a lenient reading
// the judge names, not a problem: the server answers it normally.
func refusals(msg *sipmsg.Message) []sipmsg.Problem {
	var kept []sipmsg.Problem
	for _, p := range sipmsg.CheckRequest(msg, "") {
		if !p.Missing("Max-Forwards") {
			kept = append(kept, p)
		}
	}
	return kept
}

// gosipRequest hands gosip the request sipmsg read, written out again in the form
// gosip's parser reads (which is stricter than RFC 3261 7.5 asks of a receiver): the start
// line and each header field as one line ending in CRLF, folding undone, then the bytes
// after the header section unchanged. So gosip sees the request the judge reads, with a
// bare LF already read as a line end.
func (s *Server) gosipRequest(msg *sipmsg.Message) (sip.Request, error) {
	var b bytes.Buffer
	b.WriteString(msg.StartLine + "\r\n")
	for _, h := range msg.Headers {
		b.WriteString(h.Name + ": " + h.Value + "\r\n")
	}
	b.WriteString("\r\n")
	b.Write(msg.Raw[msg.BodyOffset:])
	parsed, err := parser.ParseMessage(b.Bytes(), s.gosipLog)
	if err != nil {
		return nil, err
	}
	req, ok := parsed.(sip.Request)
	if !ok {
		return nil, fmt.Errorf("expected gosip to read a request, saw %T", parsed)
	}
	return req, nil
}

// refuse writes a response to a request the server does not hand to gosip: its Via,
// From, To, Call-ID and CSeq copied as sipmsg read them (those present), and a Warning
// saying why (RFC 3261 8.2.6.2, 20.43).
func (s *Server) refuse(msg *sipmsg.Message, code int, reason, why string) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "SIP/2.0 %d %s\r\n", code, reason)
	for _, name := range []string{"via", "from", "to", "call-id", "cseq"} {
		for _, h := range msg.Get(name) {
			fmt.Fprintf(&b, "%s: %s\r\n", canonicalName(name), h.Value)
		}
	}
	why = strings.NewReplacer("\r", " ", "\n", " ", `"`, `'`).Replace(why)
	if len(why) > 200 {
		why = why[:200]
	}
	fmt.Fprintf(&b, "Warning: 399 %s \"%s\"\r\n", s.opts.host, why)
	fmt.Fprintf(&b, "Server: %s\r\nContent-Length: 0\r\n\r\n", s.opts.serverName)
	return []byte(b.String())
}

func canonicalName(key string) string {
	switch key {
	case "call-id":
		return "Call-ID"
	case "cseq":
		return "CSeq"
	}
	return strings.ToUpper(key[:1]) + key[1:]
}
