// Package sipmsg reads SIP messages (RFC 3261) from the exact bytes a client sent, so that
// checks judge what was on the wire rather than what a SIP stack made of it. It accepts
// every legal spelling (compact header names, any case, folded values, LWS around
// separators, bare LF line ends) and reports what it cannot read instead of dropping it.
package sipmsg

import (
	"bytes"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Header is one header field line (with its continuation lines) of a message.
type Header struct {
	Name  string // as written
	Key   string // canonical lower-case long name, compact forms expanded ("m" → "contact")
	Value string // folding replaced by a single space, surrounding whitespace trimmed
	Line  int    // 1-based line number in the message of the header's first line
}

// Message is a SIP request or response as it was received.
type Message struct {
	Raw       []byte
	IsRequest bool
	StartLine string // the first line, without its line end

	Method, RequestURI, Version string // requests; Version for responses too
	StatusCode                  int    // responses
	Reason                      string // responses

	Headers []Header

	// Body holds the bytes Content-Length delimits (RFC 3261 18.3: bytes after them are
	// not body), or all bytes after the header section when Content-Length is absent, not
	// a number, or larger than what is there.
	Body       []byte
	BodyOffset int // byte offset of Body in Raw
	BodyLine   int // line number at which Body starts
	Trailing   int // bytes after Body that Content-Length excluded

	// ContentLength is the value of the first Content-Length header, -1 when there is
	// none or it is not a decimal number.
	ContentLength int

	// Faults are what Parse could not read: lines that are not header fields, a header
	// section without its closing empty line. CheckRequest reports them.
	Faults []Problem

	// BareLF is the number of the first line of the start line and header section
	// (with the empty line ending it) that ends in LF without CR, 0 when all end in CRLF.
	// RFC 3261 7 writes CRLF; Parse reads a bare LF as a line end all the same.
	BareLF int
}

// Problem is one rule a message breaks: what the rule expected and what was there.
type Problem struct {
	Expected, Actual string
	Line             int // 1-based line in the message, 0 when the fault has no one line
}

func (p Problem) Error() string { return "expected " + p.Expected + ", saw " + p.Actual }

// compact maps RFC 3261 7.3.3 and later compact header names to their long names.
var compact = map[string]string{
	"i": "call-id", "m": "contact", "e": "content-encoding", "l": "content-length",
	"c": "content-type", "f": "from", "s": "subject", "k": "supported", "t": "to",
	"v": "via", "o": "event", "u": "allow-events", "r": "refer-to", "b": "referred-by",
	"x": "session-expires", "a": "accept-contact", "j": "reject-contact",
	"d": "request-disposition", "y": "identity", "n": "identity-info",
}

// known maps the lower-case spelling of the header names requests carry most often,
// and of every compact form, to their key, so that Key finds those without allocating.
var known = func() map[string]string {
	k := map[string]string{}
	for _, name := range []string{
		"accept", "accept-contact", "allow", "authorization", "call-id", "contact",
		"content-disposition", "content-id", "content-length", "content-transfer-encoding",
		"content-type", "cseq", "event", "expires", "from", "max-forwards", "mime-version",
		"p-access-network-info", "p-asserted-identity", "p-preferred-identity",
		"p-preferred-service", "path", "proxy-require", "record-route", "require", "route",
		"security-client", "security-verify", "sip-etag", "sip-if-match", "supported", "to",
		"user-agent", "via", "warning", "www-authenticate",
	} {
		k[name] = name
	}
	for short, long := range compact {
		k[short], k[long] = long, long
	}
	return k
}()

// Key returns the canonical key of a header name: lower case, compact forms expanded.
func Key(name string) string {
	if isKey(name) {
		return name // as the callers' constant names are: no lookup
	}
	name = strings.TrimSpace(name)
	var buf [32]byte
	if len(name) <= len(buf) {
		lower := buf[:len(name)]
		for i := range len(name) {
			c := name[i]
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			lower[i] = c
		}
		if k, ok := known[string(lower)]; ok {
			return k
		}
	}
	k := strings.ToLower(name)
	if long, ok := compact[k]; ok {
		return long
	}
	return k
}

// isKey reports whether name is its own key: lower-case letters, digits and hyphens,
// longer than one letter (every compact form is one), as Key would return it
// (FuzzKey holds it to that).
func isKey(name string) bool {
	for i := 0; i < len(name); i++ {
		if c := name[i]; !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return len(name) > 1
}

// Parse reads raw as one SIP message. Leading CRLFs (keep-alives, RFC 3261 7.5) are
// skipped. The error is a Problem, returned only when the first line is neither a request
// line nor a status line; every other fault is kept in Message.Faults.
func Parse(raw []byte) (*Message, error) {
	m := &Message{Raw: raw, ContentLength: -1}
	pos, line := skipKeepAlives(raw)
	first, next := nextLine(raw, pos)
	// The start line and header section as one string, which every string the message
	// holds is a part of: one copy, not one a line.
	end := len(raw)
	if e := HeaderEnd(raw[pos:]); e >= 0 {
		end = pos + e
	}
	head := string(raw[:end])
	m.Headers = make([]Header, 0, min(strings.Count(head[next:], "\n"), 64)) // a line a header, in the usual message
	if p := m.parseStartLine(head[pos : pos+len(first)]); p != nil {
		p.Line = line
		return nil, *p
	}
	m.noteLineEnd(raw, next, line)
	pos, line = next, line+1
	m.BodyOffset, m.BodyLine = len(raw), line
	// Header lines inside a header section with no NUL that is all UTF-8 are each so:
	// screened once, not a line at a time.
	clean := pos <= end && bytes.IndexByte(raw[pos:end], 0) < 0 && utf8.Valid(raw[pos:end])
	for {
		if pos >= len(raw) {
			m.Faults = append(m.Faults, Problem{"an empty line ending the header section", "the end of the message", line})
			m.BodyLine = line
			break
		}
		text, next := nextLine(raw, pos)
		m.noteLineEnd(raw, next, line)
		if len(text) == 0 {
			m.BodyOffset, m.BodyLine = next, line+1
			break
		}
		if !clean || pos+len(text) > end {
			m.screenBytes(text, pos, line)
		}
		m.addLine(head[pos:pos+len(text)], line)
		pos, line = next, line+1
	}
	m.Body = raw[m.BodyOffset:]
	if h, ok := m.First("content-length"); ok {
		if n, ok := decimal(h.Value); ok {
			m.ContentLength = n
			if n <= len(m.Body) {
				m.Trailing = len(m.Body) - n
				m.Body = m.Body[:n]
			}
		}
	}
	return m, nil
}

// skipKeepAlives returns the offset and line number of the first byte after the CRLFs
// that may precede a message (keep-alives, RFC 3261 7.5).
func skipKeepAlives(raw []byte) (pos, line int) {
	pos, line = 0, 1
	for pos < len(raw) && (raw[pos] == '\r' || raw[pos] == '\n') {
		if raw[pos] == '\n' {
			line++
		}
		pos++
	}
	return pos, line
}

// MethodOf returns the method of a request's start line, read as Parse reads it (and
// at most its first 8 KiB), or "" when the bytes do not start like a SIP request.
func MethodOf(raw []byte) string {
	pos, _ := skipKeepAlives(raw)
	first, _ := nextLine(raw[:min(len(raw), pos+8<<10)], pos)
	var m Message
	if m.parseStartLine(string(first)) != nil || !m.IsRequest {
		return ""
	}
	return m.Method
}

// nextLine returns the line starting at pos without its CRLF or LF, and the offset of the
// following line.
func nextLine(raw []byte, pos int) (text []byte, next int) {
	i := bytes.IndexByte(raw[pos:], '\n')
	if i < 0 {
		text, next = raw[pos:], len(raw)
	} else {
		text, next = raw[pos:pos+i], pos+i+1
	}
	return bytes.TrimSuffix(text, []byte{'\r'}), next
}

// noteLineEnd records line as the first bare-LF line when the line ending just before
// next is an LF without CR.
func (m *Message) noteLineEnd(raw []byte, next, line int) {
	if m.BareLF == 0 && next > 0 && raw[next-1] == '\n' && (next < 2 || raw[next-2] != '\r') {
		m.BareLF = line
	}
}

func (m *Message) parseStartLine(s string) *Problem {
	f, n := startFields(s)
	switch {
	case n >= 2 && hasPrefixFold(f[0], "SIP/"):
		code, ok := decimal(f[1])
		if !ok || len(f[1]) != 3 {
			break
		}
		m.Version, m.StatusCode = f[0], code
		rest := strings.TrimLeft(strings.TrimLeft(s, " \t")[len(f[0]):], " \t")
		m.Reason = strings.TrimSpace(rest[len(f[1]):])
		m.StartLine = s
		return nil
	case n == 3 && hasPrefixFold(f[2], "SIP/") && isToken(f[0]):
		m.IsRequest = true
		m.Method, m.RequestURI, m.Version = f[0], f[1], f[2]
		m.StartLine = s
		return nil
	}
	return &Problem{Expected: "a request line (Method SP Request-URI SP SIP/2.0) or a status line", Actual: quote(s)}
}

// startFields splits s as strings.Fields does (at white space, unicode.IsSpace), but
// only as far as a start line needs and without allocating: f are its first three
// fields and n counts them, 4 standing for four or more.
func startFields(s string) (f [3]string, n int) {
	start := -1
	for i, r := range s {
		switch space := unicode.IsSpace(r); {
		case space && start >= 0:
			f[n], n, start = s[start:i], n+1, -1
		case !space && start < 0:
			if n == len(f) {
				return f, n + 1
			}
			start = i
		}
	}
	if start >= 0 {
		f[n], n = s[start:], n+1
	}
	return f, n
}

// screenBytes records a fault for the first byte of a header field line that RFC 3261
// 25.1 does not allow there: a NUL (no rule of the grammar has %x00), or bytes that are
// not UTF-8 (TEXT-UTF8char, quoted strings and comments are UTF-8). off is the line's
// byte offset in the message.
func (m *Message) screenBytes(text []byte, off, line int) {
	if i := bytes.IndexByte(text, 0); i >= 0 {
		m.Faults = append(m.Faults, Problem{"no NUL byte in a header field (RFC 3261 25.1)",
			fmt.Sprintf("a NUL byte at column %d of line %d (byte offset %d of the message)", i+1, line, off+i), line})
		return
	}
	if utf8.Valid(text) {
		return
	}
	i := 0
	for i < len(text) {
		r, n := utf8.DecodeRune(text[i:])
		if r == utf8.RuneError && n <= 1 {
			break
		}
		i += n
	}
	m.Faults = append(m.Faults, Problem{"header field text in UTF-8 (RFC 3261 25.1 TEXT-UTF8char)",
		fmt.Sprintf("byte 0x%02X, not UTF-8, at column %d of line %d (byte offset %d of the message)", text[i], i+1, line, off+i), line})
}

func (m *Message) addLine(text string, line int) {
	if text[0] == ' ' || text[0] == '\t' {
		if len(m.Headers) == 0 {
			m.Faults = append(m.Faults, Problem{"a header field line", "a continuation line before any header: " + quote(text), line})
			return
		}
		h := &m.Headers[len(m.Headers)-1]
		if more := strings.TrimSpace(text); more != "" {
			if h.Value != "" {
				h.Value += " "
			}
			h.Value += more
		}
		return
	}
	name, value, ok := strings.Cut(text, ":")
	name = strings.TrimRight(name, " \t")
	if !ok || !isToken(name) {
		m.Faults = append(m.Faults, Problem{"a header field line (name: value)", quote(text), line})
		return
	}
	m.Headers = append(m.Headers, Header{Name: name, Key: Key(name), Value: strings.TrimSpace(value), Line: line})
}

// Get returns every header with that name, case-insensitively and compact-form aware
// ("m" and "Contact" find the same headers), in message order.
func (m *Message) Get(name string) []Header {
	k := Key(name)
	var hs []Header
	for _, h := range m.Headers {
		if h.Key == k {
			hs = append(hs, h)
		}
	}
	return hs
}

// First returns the first header with that name.
func (m *Message) First(name string) (Header, bool) {
	k := Key(name)
	for _, h := range m.Headers {
		if h.Key == k {
			return h, true
		}
	}
	return Header{}, false
}

// SplitList splits a header value at the commas that separate list elements, leaving
// commas inside quoted strings and inside <> alone. Elements are trimmed; empty ones are
// dropped.
func SplitList(value string) []string {
	var out []string
	add := func(s string) {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	inQuote, inAngle, start := false, false, 0
	for i := 0; i < len(value); i++ {
		// Skip to the next byte that can change the state: no other byte does.
		special := `"<>,`
		if inQuote {
			special = `\"`
		}
		j := strings.IndexAny(value[i:], special)
		if j < 0 {
			break
		}
		i += j
		switch c := value[i]; {
		case inQuote:
			if c == '\\' {
				i++
			} else if c == '"' {
				inQuote = false
			}
		case c == '"':
			inQuote = true
		case c == '<':
			inAngle = true
		case c == '>':
			inAngle = false
		case c == ',' && !inAngle:
			add(value[start:i])
			start = i + 1
		}
	}
	add(value[start:])
	return out
}

// decimal reads 1 to 9 ASCII digits (no sign, no spaces).
func decimal(s string) (int, bool) {
	if len(s) == 0 || len(s) > 9 {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		n = n*10 + int(s[i]-'0')
	}
	return n, true
}

// isToken reports whether s is a non-empty RFC 3261 token.
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isTokenChar(s[i]) {
			return false
		}
	}
	return true
}

func isTokenChar(c byte) bool { return tokenChars[c] }

// tokenChars holds the bytes an RFC 3261 25.1 token is made of.
var tokenChars = func() (t [256]bool) {
	for c := range 256 {
		t[c] = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
			strings.IndexByte("-.!%*_+`'~", byte(c)) >= 0
	}
	return t
}()

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// quote shows s in a problem report, shortened to 100 bytes.
func quote(s string) string {
	if len(s) > 100 {
		return fmt.Sprintf("%q…", s[:100])
	}
	return fmt.Sprintf("%q", s)
}
