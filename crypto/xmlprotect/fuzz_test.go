package xmlprotect

import (
	"testing"

	"github.com/mcptt-conformance/mcptt-conformance/wire/xmldoc"
)

// Hostile signed bodies never panic or hang.
func FuzzVerifySignatures(f *testing.F) {
	for _, e := range examples {
		f.Add(findPart(f, e.parts(f), xmldoc.TypeMCPTTSigned))
	}
	f.Add([]byte(mustSign(f, testRefs(), SignOptions{Canonicalization: C14N10})))
	f.Fuzz(func(t *testing.T, signed []byte) {
		VerifySignatures(signed, testBodies, testKeys)
	})
}

// Hostile mcptt-info bodies never panic or hang.
func FuzzDecryptDocument(f *testing.F) {
	for _, e := range examples {
		f.Add(findPart(f, e.parts(f), xmldoc.TypeMCPTTInfo))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		DecryptDocument(body, examples[0].keys(t))
	})
}
