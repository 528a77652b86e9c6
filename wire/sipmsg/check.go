package sipmsg

import (
	"fmt"
	"strings"
)

// CheckRequest reports how m falls short of a well-formed request of the given method
// (RFC 3261 8.1.1; RFC 3903 for PUBLISH): the start line, the mandatory header fields
// To, From (with a tag), Call-ID, CSeq (matching the method), Max-Forwards and Via (with
// a branch starting z9hG4bK), each of the first five exactly once, a Contact in a
// REGISTER and one Event in a PUBLISH, and the faults Parse found. An empty method
// accepts the start line's. Content-Length is left to CheckContentLength.
func CheckRequest(m *Message, method string) []Problem {
	if !m.IsRequest {
		return []Problem{{Expected: "a " + orAny(method) + " request", Actual: "a response: " + quote(m.StartLine), Line: m.startLine()}}
	}
	c := checker{m: m}
	c.startLine(method)
	c.once("To", func(h Header) { c.address(h) })
	c.once("From", c.from)
	c.once("Call-ID", c.callID)
	c.once("CSeq", c.cseq)
	c.once("Max-Forwards", c.maxForwards)
	c.via()
	switch m.Method {
	case "REGISTER":
		if len(m.Get("contact")) == 0 {
			c.add(0, "a Contact header in a REGISTER (TS 24.229 5.1.1.2)", "none")
		}
	case "PUBLISH":
		c.once("Event", func(h Header) {
			if v, _, _ := strings.Cut(h.Value, ";"); !isToken(strings.TrimSpace(v)) {
				c.add(h.Line, "an event package name in Event (RFC 6665 8.2.1)", quote(h.Value))
			}
		})
	}
	return append(c.problems, m.Faults...)
}

type checker struct {
	m        *Message
	problems []Problem
}

func (c *checker) add(line int, expected, actual string) {
	if line == 0 {
		line = c.m.startLine()
	}
	c.problems = append(c.problems, Problem{Expected: expected, Actual: actual, Line: line})
}

// addErr adds a Problem that ParseAddress or ParseParams returned, naming the header.
func (c *checker) addErr(line int, prefix string, err error) {
	p := err.(Problem)
	c.add(line, prefix+p.Expected, p.Actual)
}

// startLine returns the line number of the start line (after any leading CRLFs).
func (m *Message) startLine() int {
	line := 1
	for _, b := range m.Raw {
		if b == '\n' {
			line++
		} else if b != '\r' {
			break
		}
	}
	return line
}

func (c *checker) startLine(method string) {
	m := c.m
	if method != "" && m.Method != method {
		c.add(0, "method "+method+" (methods are case-sensitive)", quote(m.Method))
	}
	if m.Method+" "+m.RequestURI+" "+m.Version != m.StartLine {
		c.add(0, "a request line of three elements separated by single spaces", quote(m.StartLine))
	}
	if m.Version != "SIP/2.0" {
		c.add(0, "SIP version SIP/2.0 (upper case)", quote(m.Version))
	}
	scheme, rest, _ := strings.Cut(m.RequestURI, ":")
	scheme = strings.ToLower(scheme)
	switch {
	case !hasScheme(m.RequestURI):
		c.add(0, "a Request-URI with a scheme", quote(m.RequestURI))
	case (m.Method == "REGISTER" || m.Method == "PUBLISH") && scheme != "sip" && scheme != "sips":
		c.add(0, "a sip: or sips: Request-URI in a "+m.Method, quote(m.RequestURI))
	case m.Method == "REGISTER" && strings.Contains(strings.SplitN(rest, ";", 2)[0], "@"):
		c.add(0, "a REGISTER Request-URI without user part, naming the registrar's domain (RFC 3261 10.2)", quote(m.RequestURI))
	}
}

// once checks that the named header occurs exactly once, as one value, and then runs
// check on it.
func (c *checker) once(name string, check func(Header)) {
	k := Key(name)
	var first, second Header
	n := 0
	for _, h := range c.m.Headers {
		if h.Key != k {
			continue
		}
		switch n {
		case 0:
			first = h
		case 1:
			second = h
		}
		n++
	}
	switch {
	case n == 0:
		c.add(0, missing(name), "none")
	case n > 1:
		c.add(second.Line, "exactly one "+name+" header", fmt.Sprintf("%d, first on line %d", n, first.Line))
	case (name == "To" || name == "From") && len(SplitList(first.Value)) > 1:
		c.add(first.Line, "one address in "+name, quote(first.Value))
	default:
		check(first)
	}
}

// missing is what a Problem expects of a mandatory header field that is absent.
func missing(name string) string {
	if strings.ContainsRune("AEIOU", rune(name[0])) {
		return "an " + name + " header"
	}
	return "a " + name + " header"
}

// Missing reports whether p is CheckRequest's problem that the mandatory header field
// name (as RFC 3261 writes it, e.g. "Max-Forwards") is absent.
func (p Problem) Missing(name string) bool { return p.Expected == missing(name) && p.Actual == "none" }

// address checks a To header, and returns the address for the From check.
func (c *checker) address(h Header) (Address, bool) {
	a, err := ParseAddress(h.Value)
	if err != nil {
		c.addErr(h.Line, h.Key+": ", err)
		return a, false
	}
	if _, ok := a.Param("tag"); ok && h.Key == "to" {
		c.add(h.Line, "no tag in To outside a dialog (RFC 3261 8.1.1.2)", quote(h.Value))
	}
	return a, true
}

func (c *checker) from(h Header) {
	if a, ok := c.address(h); ok {
		if p, ok := a.Param("tag"); !ok || p.Value == "" {
			c.add(h.Line, "a tag parameter in From (RFC 3261 8.1.1.3)", quote(h.Value))
		}
	}
}

func (c *checker) callID(h Header) {
	if h.Value == "" || strings.ContainsAny(h.Value, " \t") || strings.Count(h.Value, "@") > 1 {
		c.add(h.Line, "a Call-ID of the form word[@word]", quote(h.Value))
	}
}

func (c *checker) cseq(h Header) {
	n, method, ok := c.m.CSeq()
	if !ok {
		c.add(h.Line, "CSeq: sequence-number method", quote(h.Value))
		return
	}
	if !allDigits(n) || len(n) > 10 || len(n) == 10 && n >= "2147483648" {
		c.add(h.Line, "a CSeq number below 2**31", quote(n))
	}
	if method != c.m.Method {
		c.add(h.Line, "CSeq method "+c.m.Method+", as in the request line", quote(method))
	}
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

func (c *checker) maxForwards(h Header) {
	if n, ok := decimal(h.Value); !ok || n > 255 {
		c.add(h.Line, "a Max-Forwards of 0 to 255 (usually 70)", quote(h.Value))
	}
}

// via checks every Via value's form and the topmost one's branch.
func (c *checker) via() {
	hs := c.m.Get("via")
	if len(hs) == 0 {
		c.add(0, "a Via header", "none")
		return
	}
	for i, h := range hs {
		for j, v := range SplitList(h.Value) {
			c.viaValue(h.Line, v, i == 0 && j == 0)
		}
	}
}

func (c *checker) viaValue(line int, v string, top bool) {
	head, params, _ := strings.Cut(v, ";")
	words, proto, sentBy, ok := sentProtocol(head)
	if !ok {
		c.add(line, "Via: SIP/2.0/transport sent-by", quote(v))
		return
	}
	if len(proto) != 3 || !strings.EqualFold(proto[0], "SIP") || proto[1] != "2.0" || !isToken(proto[2]) {
		c.add(line, "Via protocol SIP/2.0/transport", quote(strings.Join(words, " ")))
	}
	host, port := splitHostPort(sentBy)
	if host == "" || port != "" && !allDigits(port) {
		c.add(line, "a Via sent-by of host[:port]", quote(sentBy))
	}
	if !top {
		return
	}
	ps, err := ParseParams(";" + params)
	if params == "" {
		ps, err = nil, nil
	}
	if err != nil {
		c.addErr(line, "Via: ", err)
	}
	for _, p := range ps {
		if strings.EqualFold(p.Name, "branch") {
			if !strings.HasPrefix(p.Value, "z9hG4bK") || len(p.Value) == len("z9hG4bK") {
				c.add(line, "a Via branch starting with the magic cookie z9hG4bK and a unique value (RFC 3261 8.1.1.7)", quote(p.Value))
			}
			return
		}
	}
	c.add(line, "a branch parameter in the topmost Via (RFC 3261 8.1.1.7)", quote(v))
}

// sentProtocol reads a Via value before its parameters: the words of the sent-protocol,
// them split at "/" (SIP, 2.0, transport when well-formed) and the sent-by.
func sentProtocol(head string) (words, proto []string, sentBy string, ok bool) {
	f := strings.Fields(head)
	if len(f) < 2 {
		return nil, nil, "", false
	}
	words = f[:len(f)-1]
	return words, strings.Split(strings.Join(words, ""), "/"), f[len(f)-1], true
}

// splitHostPort splits host[:port], where host may be an IPv6 reference in [].
func splitHostPort(s string) (host, port string) {
	if strings.HasPrefix(s, "[") {
		end := strings.IndexByte(s, ']')
		if end < 0 {
			return "", ""
		}
		host, rest := s[:end+1], s[end+1:]
		if rest == "" {
			return host, ""
		}
		if !strings.HasPrefix(rest, ":") {
			return "", ""
		}
		return host, nonEmpty(rest[1:])
	}
	host, port, found := strings.Cut(s, ":")
	if found {
		return host, nonEmpty(port)
	}
	return host, ""
}

// nonEmpty turns "" into a value that is not a port, so that "host:" fails.
func nonEmpty(port string) string {
	if port == "" {
		return "-"
	}
	return port
}

func orAny(method string) string {
	if method == "" {
		return "SIP"
	}
	return method
}

// CheckContentLength reports whether m's Content-Length is missing, repeated, not a
// number, or different from the number of body bytes that followed the header section.
//
// A missing Content-Length is always a Problem: RFC 3261 18.3 and 20.14 make it
// mandatory on TCP and TLS, and while UDP allows its absence (the body then runs to the
// end of the datagram), the Problem says so; a caller judging a message received over
// UDP may pass it when len(m.Get("content-length")) == 0, naming that reading. Bytes after the declared length (Trailing) are a Problem too: the
// receiver discards them, so the body the client meant to send is not the one it
// declared.
func CheckContentLength(m *Message) *Problem {
	hs := m.Get("content-length")
	after := len(m.Raw) - m.BodyOffset
	switch {
	case len(hs) == 0:
		return &Problem{
			Expected: "a Content-Length header (mandatory on TCP/TLS, RFC 3261 18.3; on UDP its absence means the body runs to the end of the datagram)",
			Actual:   fmt.Sprintf("none, with %d bytes after the header section", after),
			Line:     m.BodyLine - 1,
		}
	case len(hs) > 1:
		return &Problem{Expected: "exactly one Content-Length header", Actual: fmt.Sprintf("%d, first on line %d", len(hs), hs[0].Line), Line: hs[1].Line}
	case m.ContentLength < 0:
		return &Problem{Expected: "a Content-Length of decimal digits", Actual: quote(hs[0].Value), Line: hs[0].Line}
	case m.ContentLength > after:
		return &Problem{Expected: fmt.Sprintf("%d body bytes, as Content-Length declares", m.ContentLength), Actual: fmt.Sprintf("%d", after), Line: hs[0].Line}
	case m.Trailing > 0:
		return &Problem{Expected: fmt.Sprintf("the message to end after the %d body bytes Content-Length declares", m.ContentLength), Actual: fmt.Sprintf("%d more bytes after them", m.Trailing), Line: hs[0].Line}
	}
	return nil
}
