// Package contact reads the Contact header fields of a SIP message from their raw text
// and exposes their media feature tags (RFC 3840) exactly as written: with or without
// the leading '+', quoted or not, percent-encoded or not. Unlike a SIP stack, it keeps a
// Contact whose feature tag holds a bad percent escape, and reports the escape.
package contact

import (
	"strings"

	"github.com/mcptt-conformance/mcptt-conformance/wire/sipmsg"
)

// Param is one header parameter of a Contact, as written.
type Param = sipmsg.Param

// Contact is one contact address.
type Contact struct {
	URI     string // without <>; URI parameters stay in it
	Star    bool   // the "*" of a REGISTER that removes every binding
	Display string // display name as written, "" when none
	Params  []Param
	Line    int    // line of the Contact header the address came from
	Raw     string // the address with its parameters, as written
}

// Parse reads every contact in the given headers (normally m.Get("contact")), several
// per header when comma-separated. A contact that is partly unreadable is still returned
// with what could be read, and each fault becomes a Problem: an unreadable address or
// parameter, an empty Contact header, "*" beside other contacts (RFC 3261 10.2.2), a bad
// percent escape in a feature tag.
func Parse(headers []sipmsg.Header) ([]Contact, []sipmsg.Problem) {
	var cs []Contact
	var ps []sipmsg.Problem
	add := func(line int, expected, actual string) {
		ps = append(ps, sipmsg.Problem{Expected: expected, Actual: actual, Line: line})
	}
	for _, h := range headers {
		values := sipmsg.SplitList(h.Value)
		if len(values) == 0 {
			add(h.Line, "a contact address in "+h.Name, "an empty header")
		}
		for _, v := range values {
			c := Contact{Line: h.Line, Raw: v}
			if v == "*" {
				c.Star = true
				cs = append(cs, c)
				continue
			}
			a, err := sipmsg.ParseAddress(v)
			if err != nil {
				p := err.(sipmsg.Problem)
				add(h.Line, "Contact: "+p.Expected, p.Actual)
			}
			c.URI, c.Display, c.Params = a.URI, a.Display, a.Params
			for _, p := range c.Params {
				if !isFeature(p.Name) {
					continue
				}
				if t := newTag(p); t.BadEscape != "" {
					add(h.Line, "percent escapes of two hex digits (%XX) in feature tag "+p.Name, t.BadEscape+" in "+p.Raw)
				}
			}
			cs = append(cs, c)
		}
	}
	if len(cs) > 1 {
		for _, c := range cs {
			if c.Star {
				add(c.Line, "'*' as the only Contact (RFC 3261 10.2.2)", "it beside other contacts")
				break
			}
		}
	}
	return cs, ps
}

// isFeature reports whether a Contact parameter is a feature tag whose value Parse
// checks: written with '+', or a g.* tag written without it.
func isFeature(name string) bool {
	return strings.HasPrefix(name, "+") || len(name) > 2 && strings.EqualFold(name[:2], "g.")
}

// Tag is a media feature tag of a Contact.
type Tag struct {
	Name     string   // lower-case, without the '+'
	Plus     bool     // written with the leading '+'
	Bool     bool     // a flag (no value) or a boolean value ("TRUE"/"FALSE", any case)
	HasValue bool     // written with "="
	Quoted   bool     // the value was quoted, as RFC 3840 requires of every value
	Values   []string // the tag-value-list split at commas, unquoted and percent-decoded; a <string-value> is one element, <> kept
	// Encoded reports that every character outside RFC 3840 tag-value syntax was
	// percent-encoded (":" as %3A or %3a); false e.g. for "urn:urn-7:…" written literally.
	// True for a flag and for a <string-value>.
	Encoded bool
	// BadEscape is the first '%' not followed by two hex digits (e.g. "%ZZ"), "" when
	// every escape decodes; that element of Values is then left undecoded.
	BadEscape string
	Raw       string // the parameter as written
}

// Tag returns the feature tag of that name (case-insensitive, with or without '+'). It
// finds "+g.3gpp.mcptt" and also ";g.3gpp.mcptt" (Plus false), so that the caller can
// name a missing '+'; when both are present the '+' form wins.
func (c Contact) Tag(name string) (Tag, bool) {
	want := strings.TrimPrefix(name, "+")
	var found *Param
	for i, p := range c.Params {
		if strings.EqualFold(strings.TrimPrefix(p.Name, "+"), want) {
			if strings.HasPrefix(p.Name, "+") {
				return newTag(p), true
			}
			if found == nil {
				found = &c.Params[i]
			}
		}
	}
	if found == nil {
		return Tag{}, false
	}
	return newTag(*found), true
}

func newTag(p Param) Tag {
	t := Tag{
		Name:     strings.ToLower(strings.TrimPrefix(p.Name, "+")),
		Plus:     strings.HasPrefix(p.Name, "+"),
		HasValue: p.HasValue,
		Quoted:   p.Quoted,
		Encoded:  true,
		Raw:      p.Raw,
	}
	if !p.HasValue {
		t.Bool = true
		return t
	}
	if p.Quoted && strings.HasPrefix(p.Value, "<") {
		t.Values = []string{p.Value}
		return t
	}
	t.Bool = true
	t.Values = make([]string, 0, strings.Count(p.Value, ",")+1)
	for rest, more := p.Value, true; more; {
		var v string
		v, rest, more = strings.Cut(rest, ",")
		v = strings.TrimSpace(v)
		if !plainTagValue(v) {
			t.Encoded = false
		}
		decoded, bad := percentDecode(v)
		if bad != "" && t.BadEscape == "" {
			t.BadEscape = bad
		}
		t.Values = append(t.Values, decoded)
		if b := strings.TrimPrefix(decoded, "!"); !strings.EqualFold(b, "TRUE") && !strings.EqualFold(b, "FALSE") {
			t.Bool = false
		}
	}
	return t
}

// plainTagValue reports whether v is an RFC 3840 tag-value: ["!"] followed by a
// token-nobang, a boolean, or a numeric ("#" relation number).
func plainTagValue(v string) bool {
	v = strings.TrimPrefix(v, "!")
	if v == "" {
		return false
	}
	allowed := "-.%*_+`'~"
	if v[0] == '#' {
		v, allowed = v[1:], "-.+<>=:"
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte(allowed, c) >= 0) {
			return false
		}
	}
	return v != ""
}

// percentDecode decodes %XX escapes (either case of hex digit). On a malformed escape it
// returns s unchanged and the escape.
func percentDecode(s string) (decoded, bad string) {
	if !strings.Contains(s, "%") {
		return s, ""
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		if s[i] != '%' {
			b.WriteByte(s[i])
			continue
		}
		if i+2 >= len(s) || !isHex(s[i+1]) || !isHex(s[i+2]) {
			return s, s[i:min(i+3, len(s))]
		}
		b.WriteByte(unhex(s[i+1])<<4 | unhex(s[i+2]))
		i += 2
	}
	return b.String(), ""
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c >= 'a':
		return c - 'a' + 10
	case c >= 'A':
		return c - 'A' + 10
	}
	return c - '0'
}
