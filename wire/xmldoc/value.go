package xmldoc

import "strings"

// whiteSpace is the whiteSpace facet of an element's schema type (XML Schema Part 2,
// 4.3.6): what a value of the type is after white space is normalised.
type whiteSpace int

const (
	preserve whiteSpace = iota // xs:string and types restricting it: every character counts
	collapse                   // xs:anyURI, xs:boolean, the integers, xs:token: runs become one space, ends trimmed
)

type elementName struct{ space, local string }

// collapsing lists the simple-typed elements of the suite's schemas whose type
// collapses white space; every other element keeps its character data as written
// (xs:string, the string enumerations such as RFC 4354 answerModeType, mixed content).
var collapsing = map[elementName]bool{
	{NSMCPTTInfo, "mcpttURI"}:             true, // xs:anyURI (Annex F.1)
	{NSMCPTTInfo, "mcpttBoolean"}:         true, // xs:boolean
	{NSMCPTTInfo, "user-profile-index"}:   true, // xs:nonNegativeInteger
	{NSMCSSettings, "user-profile-index"}: true, // xs:nonNegativeInteger (7.4.1.2.2)
	{NSMCSSettings, "multiplex-support"}:  true, // xs:boolean
}

// Value is the element's character data as its schema type reads it: collapsed for the
// types whose whiteSpace facet is collapse, exactly as written (CDATA included) for the
// rest.
func (e *Element) Value() string {
	if !collapsing[elementName{e.Space, e.Local}] {
		return e.Chars
	}
	if v := strings.Trim(e.Chars, " \t\r\n"); collapsed(v) {
		return v
	}
	return strings.Join(strings.FieldsFunc(e.Chars, isXMLSpace), " ")
}

// collapsed reports whether v has no XML white space but single spaces between words.
func collapsed(v string) bool {
	for i := 0; i < len(v); i++ {
		if c := v[i]; c == '\t' || c == '\r' || c == '\n' || c == ' ' && (i == 0 || v[i-1] == ' ') {
			return false
		}
	}
	return true
}

// isXMLSpace is XML's white space (XML 1.0 production S), which collapse normalises;
// other Unicode spaces are data.
func isXMLSpace(r rune) bool { return r == ' ' || r == '\t' || r == '\r' || r == '\n' }
