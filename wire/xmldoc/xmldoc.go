// Package xmldoc checks the XML bodies of MCPTT REGISTER and PUBLISH
// requests: well-formedness and encoding (CheckWellFormed), validity against
// the suite's schemas with every error and its line (Validate), and a small
// namespace-aware element tree for reading values (Parse).
//
// Safety: no function here reads anything but the body it is given. A
// document type declaration is refused before any parser sees it, so
// external entities and entity expansion never happen; libxml2 runs without
// network access, DTD loading, entity substitution or XInclude, and with its
// default depth and size limits.
//
// Line numbers count from the first line of the body (1-based). A caller
// that cut the body out of a SIP message adds the body's own offset.
package xmldoc

import (
	"fmt"
	"mime"
	"strings"
)

// Kind names a type of XML body.
type Kind int

// The XML bodies of service authorisation requests.
const (
	MCPTTInfo   Kind = iota + 1 // application/vnd.3gpp.mcptt-info+xml
	PoCSettings                 // application/poc-settings+xml
	MCPTTSigned                 // application/vnd.3gpp.mcptt-signed+xml
)

type kindInfo struct {
	mediaType string
	namespace string // of the root element
	schema    string // root schema file, in the file system a Validator is made from
}

var kinds = map[Kind]kindInfo{
	MCPTTInfo:   {TypeMCPTTInfo, NSMCPTTInfo, "mcptt-info.xsd"},
	PoCSettings: {TypePoCSettings, NSPoCSettings, "poc-settings.xsd"},
	MCPTTSigned: {TypeMCPTTSigned, NSMCPTTSigned, "mcptt-signed.xsd"},
}

// KindOf returns the Kind of a Content-Type value. The comparison ignores
// case and parameters.
func KindOf(mediaType string) (Kind, bool) {
	mt, _, err := mime.ParseMediaType(mediaType)
	if err != nil {
		// A malformed parameter must not hide the type itself.
		mt, _, _ = strings.Cut(mediaType, ";")
		mt = strings.ToLower(strings.TrimSpace(mt))
	}
	for k, info := range kinds {
		if mt == info.mediaType {
			return k, true
		}
	}
	return 0, false
}

// MediaType returns the media type of k.
func (k Kind) MediaType() string { return kinds[k].mediaType }

// Namespace returns the namespace name of k's root element.
func (k Kind) Namespace() string { return kinds[k].namespace }

func (k Kind) String() string {
	if info, ok := kinds[k]; ok {
		return info.mediaType
	}
	return fmt.Sprintf("xmldoc.Kind(%d)", int(k))
}

// Problem is one fault in an XML body.
type Problem struct {
	Expected, Actual string
	Line             int // line within the body (1-based), or 0 when not tied to a line
}

// Error returns "expected …, saw …"; the line is left to the caller, which
// knows where the body sits in the message.
func (p Problem) Error() string {
	return "expected " + p.Expected + ", saw " + p.Actual
}

// unknownKind is the Problem for a Kind that names no body type.
func unknownKind(k Kind) []Problem {
	return []Problem{{Expected: "one of the XML body kinds MCPTTInfo, PoCSettings, MCPTTSigned", Actual: k.String()}}
}
