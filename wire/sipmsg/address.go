package sipmsg

import "strings"

// Param is one header parameter (";name=value") as written.
type Param struct {
	Name     string // as written
	Value    string // as written, without the surrounding quotes when Quoted
	HasValue bool   // written with "="
	Quoted   bool   // the value was a quoted string
	Raw      string // the parameter's text from its name to the end of its value
}

// Address is a To, From or Contact value: a name-addr ("Bob" <sip:bob@host>) or an
// addr-spec (sip:bob@host), then header parameters.
type Address struct {
	Display   string // display name as written (quotes kept), "" when none
	URI       string // the URI, without <>; URI parameters stay in it
	Bracketed bool   // written as a name-addr, in <>
	Params    []Param
}

// ParseAddress reads a name-addr or addr-spec followed by header parameters. For an
// addr-spec without <> every ";" parameter is a header parameter (RFC 3261 20.10). On a
// fault it returns what it could read together with a Problem (Line unset).
func ParseAddress(s string) (Address, error) {
	a, rest, err := addressURI(s)
	if err != nil {
		return a, err
	}
	a.Params, err = ParseParams(rest)
	return a, err
}

// AddressURI is the URI ParseAddress reads from s (what it could read of it on a
// fault), without reading the header parameters after it.
func AddressURI(s string) string {
	a, _, _ := addressURI(s)
	return a.URI
}

// addressURI reads the display name and URI of an address, and returns the header
// parameters' text after them unread.
func addressURI(s string) (a Address, rest string, err error) {
	s = strings.TrimSpace(s)
	lt := strings.IndexByte(s, '<')
	if strings.HasPrefix(s, `"`) {
		end, ok := quotedEnd(s, 0)
		if !ok {
			return a, "", Problem{Expected: "a display name closed by '\"'", Actual: quote(s)}
		}
		a.Display = s[:end]
		lt = end + strings.IndexByte(s[end:], '<')
		if lt < end || strings.TrimSpace(s[end:lt]) != "" {
			return a, "", Problem{Expected: "'<' after the quoted display name", Actual: quote(s)}
		}
	}
	if lt >= 0 && (a.Display != "" || !strings.ContainsAny(s[:lt], ";")) {
		gt := strings.IndexByte(s[lt:], '>')
		if gt < 0 {
			return a, "", Problem{Expected: "'>' closing the URI", Actual: quote(s)}
		}
		if a.Display == "" {
			a.Display = strings.TrimSpace(s[:lt])
		}
		a.URI, a.Bracketed, rest = strings.TrimSpace(s[lt+1:lt+gt]), true, s[lt+gt+1:]
	} else {
		uri, params, _ := strings.Cut(s, ";")
		a.URI, rest = strings.TrimSpace(uri), ";"+params
		if params == "" && !strings.HasSuffix(s, ";") {
			rest = ""
		}
		if strings.ContainsAny(a.URI, " \t") {
			return a, "", Problem{Expected: "a URI, in <> when a display name comes first", Actual: quote(s)}
		}
	}
	if !hasScheme(a.URI) {
		return a, "", Problem{Expected: "a URI with a scheme (sip:, sips:, tel:, urn:…)", Actual: quote(a.URI)}
	}
	return a, rest, nil
}

// hasScheme reports whether uri starts with an RFC 3986 scheme and a colon.
func hasScheme(uri string) bool {
	colon := strings.IndexByte(uri, ':')
	if colon < 1 {
		return false
	}
	for i := 0; i < colon; i++ {
		c := uri[i]
		letter := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
		if !letter && (i == 0 || !(c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.')) {
			return false
		}
	}
	return true
}

// Param returns the first parameter with that name, case-insensitively.
func (a Address) Param(name string) (Param, bool) {
	for _, p := range a.Params {
		if strings.EqualFold(p.Name, name) {
			return p, true
		}
	}
	return Param{}, false
}

// ParseParams reads a sequence of ";name[=value]" parameters with optional LWS around
// ";" and "=". Values are tokens, IPv6 references or quoted strings. A malformed
// parameter is skipped up to the next ";" and the first such fault is returned with every
// parameter that could be read.
func ParseParams(s string) ([]Param, error) {
	var params []Param
	var first error
	fail := func(expected, actual string) {
		if first == nil {
			first = Problem{Expected: expected, Actual: actual}
		}
	}
	i := skipLWS(s, 0)
	for i < len(s) {
		if s[i] != ';' {
			fail("';' before a parameter", quote(s[i:]))
			i = nextSemi(s, i)
			continue
		}
		i = skipLWS(s, i+1)
		start := i
		for i < len(s) && isTokenChar(s[i]) {
			i++
		}
		p := Param{Name: s[start:i]}
		if p.Name == "" {
			fail("a parameter name after ';'", quote(s[start:]))
			i = nextSemi(s, i)
			continue
		}
		end := i
		if j := skipLWS(s, i); j < len(s) && s[j] == '=' {
			p.HasValue = true
			j = skipLWS(s, j+1)
			switch {
			case j < len(s) && s[j] == '"':
				e, ok := quotedEnd(s, j)
				if !ok {
					fail("a quoted value closed by '\"' in parameter "+p.Name, quote(s[start:]))
					return params, first
				}
				p.Value, p.Quoted, end = s[j+1:e-1], true, e
			case j < len(s) && s[j] == '[':
				e := strings.IndexByte(s[j:], ']')
				if e < 0 {
					fail("an IPv6 reference closed by ']' in parameter "+p.Name, quote(s[start:]))
					return params, first
				}
				p.Value, end = s[j:j+e+1], j+e+1
			default:
				e := j
				for e < len(s) && (isTokenChar(s[e]) || s[e] == ':') {
					e++
				}
				if e == j {
					fail("a value after '=' in parameter "+p.Name, quote(s[start:]))
					i = nextSemi(s, j)
					continue
				}
				p.Value, end = s[j:e], e
			}
		}
		p.Raw = s[start:end]
		params = append(params, p)
		i = skipLWS(s, end)
	}
	return params, first
}

// quotedEnd returns the offset just after the quoted string that starts at s[i] == '"'.
func quotedEnd(s string, i int) (int, bool) {
	for j := i + 1; j < len(s); j++ {
		switch s[j] {
		case '\\':
			j++
		case '"':
			return j + 1, true
		}
	}
	return len(s), false
}

// nextSemi returns the offset of the next ';' outside quotes at or after i, or len(s).
func nextSemi(s string, i int) int {
	for ; i < len(s); i++ {
		switch s[i] {
		case ';':
			return i
		case '"':
			i, _ = quotedEnd(s, i)
			i--
		}
	}
	return len(s)
}

func skipLWS(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n') {
		i++
	}
	return i
}
