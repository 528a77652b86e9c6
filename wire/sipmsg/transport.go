package sipmsg

import "strings"

// CheckTransport reports how a request's transport-dependent fields disagree with the
// transport it arrived over ("udp", "tcp" or "tls"; any other value, such as a
// recorded file's, checks only what holds whatever the transport):
//   - the topmost Via names the transport the request was sent over (RFC 3261 18.1.1,
//     RFC 3261 26.2 for TLS);
//   - a sips: Request-URI asks for TLS on every hop, so it arrives over TLS (RFC 3261
//     26.2.2, RFC 5630 3.1.1);
//   - with a sips: Request-URI the Contact is a sips: URI too (RFC 3261 8.1.1.8).
//
// A sip: URI over TLS is legal (RFC 5630 3.1.3: the scheme says what the whole path
// must secure, not what one hop uses), and so is a transport=tls URI parameter, which
// RFC 3261 26.2.2 deprecates without forbidding; neither is a problem here.
func CheckTransport(m *Message, transport string) []Problem {
	if !m.IsRequest {
		return nil
	}
	var c checker
	c.m = m
	want := strings.ToUpper(transport)
	known := want == "UDP" || want == "TCP" || want == "TLS"
	if via, ok := m.First("via"); ok && known {
		if got := viaTransport(via.Value); got != "" && !strings.EqualFold(got, want) {
			c.add(via.Line, "the topmost Via to name "+want+", the transport the request arrived over (RFC 3261 18.1.1)", quote("SIP/2.0/"+got))
		}
	}
	if !isSIPS(m.RequestURI) {
		return c.problems
	}
	if known && want != "TLS" {
		c.add(0, "a sips: Request-URI only over TLS (RFC 3261 26.2.2, RFC 5630 3.1.1)", quote(m.RequestURI)+" over "+want)
	}
	for _, h := range m.Get("contact") {
		for _, v := range SplitList(h.Value) {
			if a, err := ParseAddress(v); err == nil && a.URI != "*" && !isSIPS(a.URI) {
				c.add(h.Line, "a sips: Contact with a sips: Request-URI (RFC 3261 8.1.1.8)", quote(a.URI))
			}
		}
	}
	return c.problems
}

// ViaTransport is the transport the topmost Via names ("UDP", "TCP", "TLS" …, as
// written), or "" when there is no Via or it names none.
func (m *Message) ViaTransport() string {
	via, ok := m.First("via")
	if !ok {
		return ""
	}
	return viaTransport(via.Value)
}

// viaTransport is the transport of a Via value's first hop ("TLS" of "SIP/2.0/TLS
// host"), "" when the protocol cannot be read (CheckRequest reports that).
func viaTransport(v string) string {
	hops := SplitList(v)
	if len(hops) == 0 {
		return ""
	}
	head, _, _ := strings.Cut(hops[0], ";")
	if _, proto, _, ok := sentProtocol(head); ok && len(proto) == 3 {
		return proto[2]
	}
	return ""
}

func isSIPS(uri string) bool { return hasPrefixFold(uri, "sips:") }
