package server

import (
	"fmt"
	"strings"

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

// copied are the header fields a response copies from its request, in this order, with
// the names it writes them under (RFC 3261 8.2.6.2): the values as sipmsg read them.
var copied = []struct{ key, name string }{
	{"via", "Via"}, {"from", "From"}, {"to", "To"}, {"call-id", "Call-ID"}, {"cseq", "CSeq"},
}

// respond writes the response to a request the judge reads as well-formed: its Via,
// From, To, Call-ID and CSeq copied as read, the server's tag added to the To (RFC 3261
// 8.2.6.2; a To that has a tag already is refused, as the server holds no dialogs), then the extra header fields (each "Name: value"), Server and an
// empty body.
func (s *Server) respond(msg *sipmsg.Message, code int, reason string, extra ...string) []byte {
	return s.response(msg, code, reason, true, extra)
}

// refuse writes a response to a request the server does not answer as asked: the
// fields respond copies, the To as read (the request may be broken), and a Warning
// saying why (RFC 3261 8.2.6.2, 20.43).
func (s *Server) refuse(msg *sipmsg.Message, code int, reason, why string) []byte {
	why = strings.NewReplacer("\r", " ", "\n", " ", `"`, `'`).Replace(why)
	if len(why) > 200 {
		why = why[:200]
	}
	return s.response(msg, code, reason, false, []string{fmt.Sprintf("Warning: 399 %s \"%s\"", s.opts.host, why)})
}

func (s *Server) response(msg *sipmsg.Message, code int, reason string, tag bool, extra []string) []byte {
	b := make([]byte, 0, 512)
	b = fmt.Appendf(b, "SIP/2.0 %d %s\r\n", code, reason)
	for _, c := range copied {
		for _, h := range msg.Headers {
			if h.Key != c.key {
				continue
			}
			b = append(append(append(append(b, c.name...), ": "...), h.Value...), "\r\n"...)
			if c.key == "to" && tag {
				b = append(append(b[:len(b)-2], ";tag="...), s.opts.toTag+"\r\n"...)
			}
		}
	}
	for _, h := range extra {
		b = append(append(b, h...), "\r\n"...)
	}
	return append(append(append(b, "Server: "...), s.opts.serverName...), "\r\nContent-Length: 0\r\n\r\n"...)
}
