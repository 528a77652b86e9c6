// Package schemas holds the XML Schemas the suite uses, embedded in the
// binary: those of the MCPTT bodies (validators/xmldoc) and that of the
// JUnit report (junit.xsd, see reports). They were written for this project from
// the facts in shared/spec/facts.md; none is a copy of a 3GPP, IETF or W3C
// schema file.
//
// Every import carries a relative schemaLocation naming another file of this
// package, and none names a remote location, so the set compiles offline once
// the files are laid out side by side in one directory (see
// validators/xmldoc, which writes them to a private temporary directory and
// compiles them with libxml2).
package schemas

import "embed"

// FS holds the schema files, at the root of the file system.
//
//go:embed *.xsd
var FS embed.FS

// Root schemas, one per validated media type. The other files in FS are the
// imports they pull in.
const (
	MCPTTInfo   = "mcptt-info.xsd"   // application/vnd.3gpp.mcptt-info+xml
	PoCSettings = "poc-settings.xsd" // application/poc-settings+xml
	MCPTTSigned = "mcptt-signed.xsd" // application/vnd.3gpp.mcptt-signed+xml
)
