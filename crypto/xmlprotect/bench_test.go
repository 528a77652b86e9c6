package xmlprotect

import (
	"testing"

	"github.com/mcptt-conformance/mcptt-conformance/wire/xmldoc"
)

// BenchmarkSharedPublish decrypts both elements of the shared example's
// PUBLISH (DecryptDocument) and verifies its two signatures.
func BenchmarkSharedPublish(b *testing.B) {
	e := examples[1]
	k := e.keys(b)
	parts := e.parts(b)
	info, signed, bodies := findPart(b, parts, xmldoc.TypeMCPTTInfo), findPart(b, parts, xmldoc.TypeMCPTTSigned), bodiesByID(parts)
	for b.Loop() {
		if _, _, err := DecryptDocument(info, k); err != nil {
			b.Fatal(err)
		}
		results, err := VerifySignatures(signed, bodies, k)
		if err != nil || results[0].Err != nil || results[1].Err != nil {
			b.Fatal(err, results)
		}
	}
}

// BenchmarkDecrypt decrypts one element of the shared example's PUBLISH.
func BenchmarkDecrypt(b *testing.B) {
	e := examples[1]
	k := e.keys(b)
	root, err := xmldoc.Parse(findPart(b, e.parts(b), xmldoc.TypeMCPTTInfo))
	if err != nil {
		b.Fatal(err)
	}
	el := root.Child(xmldoc.NSMCPTTInfo, "mcptt-Params").Child(xmldoc.NSMCPTTInfo, "mcptt-access-token")
	for b.Loop() {
		if _, err := Decrypt(el, k); err != nil {
			b.Fatal(err)
		}
	}
}
