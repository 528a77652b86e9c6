package xmldoc

// The XML namespaces and media types of the bodies service authorisation requests
// carry, each named once for the whole project: the readers, the judge, the reference
// client and the XML protection code all use these.
const (
	NSMCPTTInfo   = "urn:3gpp:ns:mcpttInfo:1.0"              // TS 24.379 Annex F.1
	NSPoCSettings = "urn:oma:params:xml:ns:poc:poc-settings" // RFC 4354 / OMA PoC
	NSMCSSettings = "urn:3gpp:mcsSettings:1.0"               // TS 24.379 7.2.2
	NSMCPTTSigned = "urn:3gpp:ns:mcpttSignedDoc:1.0"         // TS 24.379 Annex F.6
	NSXMLEnc      = "http://www.w3.org/2001/04/xmlenc#"      // W3C XML Encryption
	NSXMLDSig     = "http://www.w3.org/2000/09/xmldsig#"     // W3C XML Signature

	TypeMCPTTInfo   = "application/vnd.3gpp.mcptt-info+xml"
	TypePoCSettings = "application/poc-settings+xml"
	TypeMCPTTSigned = "application/vnd.3gpp.mcptt-signed+xml"
)
