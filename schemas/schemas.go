// Package schemas holds the XML Schemas the suite uses, embedded in the
// binary: those of the MCPTT bodies (wire/xmldoc) and that of the
// JUnit report (junit.xsd, see reports). They were written for this project from
// the facts in shared/spec/facts.md; none is a copy of a 3GPP, IETF or W3C
// schema file.
//
// Every import carries a relative schemaLocation naming another file of this
// package, and none names a remote location, so the set compiles offline once
// the files are laid out side by side in one directory (xmldoc.NewValidator
// writes them to a private temporary directory and compiles them with libxml2).
package schemas

import "embed"

// FS holds the schema files, at the root of the file system.
//
//go:embed *.xsd
var FS embed.FS
