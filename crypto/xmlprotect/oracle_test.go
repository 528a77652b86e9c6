package xmlprotect

import (
	"bytes"
	"strings"
	"testing"

	"github.com/mcptt-conformance/mcptt-conformance/crypto/xmlprotect/xmlsec1test"
	"github.com/mcptt-conformance/mcptt-conformance/wire/xmldoc"
)

// xmlsec1 decrypts what Encrypt writes, with the derived key, and refuses
// it with the signing key.
func TestOracleDecryptsEncrypt(t *testing.T) {
	k := testKeys
	body := []byte(`<?xml version="1.0"?>` + "\n" + `<mcpttinfo xmlns="` + xmldoc.NSMCPTTInfo + `"><mcptt-Params><mcptt-access-token type="Encrypted">` +
		mustEncrypt(t, Fragment(xmldoc.NSMCPTTInfo, "mcpttString", "tok&en"), EncryptOptions{}) +
		`</mcptt-access-token><mcptt-client-id type="Encrypted">` +
		mustEncrypt(t, Fragment(xmldoc.NSMCPTTInfo, "mcpttString", "urn:uuid:1"), EncryptOptions{}) +
		`</mcptt-client-id></mcptt-Params></mcpttinfo>`)
	for i, want := range []string{"tok&amp;en", "urn:uuid:1"} {
		out, err := xmlsec1test.Decrypt(t, k.Enc, k.KeyName(), body, i+1)
		if err != nil {
			t.Fatal(err)
		}
		if frag := `<mcpttString xmlns="` + xmldoc.NSMCPTTInfo + `">` + want + `</mcpttString>`; !bytes.Contains(out, []byte(frag)) {
			t.Errorf("xmlsec1 decrypted to\n%s\nwant it to hold %s", out, frag)
		}
	}
	if _, err := xmlsec1test.Decrypt(t, k.Sig, k.KeyName(), body, 1); err == nil {
		t.Error("xmlsec1 decrypted with the signing key")
	}
}

// xmlsec1 verifies what Sign writes, with every canonicalisation method,
// and refuses it with the encryption key or another body.
func TestOracleVerifiesSign(t *testing.T) {
	k := testKeys
	for _, method := range []string{ExcC14N, C14N10, C14N11, ExcC14NComments} {
		signed := mustSign(t, testRefs(), SignOptions{Canonicalization: method})
		for i := range testRefs() {
			if err := xmlsec1test.Verify(t, k.Sig, k.KeyName(), []byte(signed), testBodies, i+1); err != nil {
				t.Errorf("%s, signature %d: %v", method, i+1, err)
			}
		}
	}
	signed := []byte(mustSign(t, testRefs(), SignOptions{}))
	if err := xmlsec1test.Verify(t, k.Enc, k.KeyName(), signed, testBodies, 1); err == nil {
		t.Error("xmlsec1 verified with the encryption key")
	}
	swapped := map[string][]byte{"info@alice.example.com": testBodies["poc@alice.example.com"], "poc@alice.example.com": testBodies["info@alice.example.com"]}
	if err := xmlsec1test.Verify(t, k.Sig, k.KeyName(), signed, swapped, 1); err == nil {
		t.Error("xmlsec1 verified a signature over another body")
	}
}

// Decrypt reads what xmlsec1 encrypts: the content of <mcptt-access-token>
// (Type #Content), the CipherValue wrapped over several lines.
func TestDecryptsOracle(t *testing.T) {
	k := testKeys
	doc := []byte(`<?xml version="1.0"?>` + "\n" + `<mcpttinfo xmlns="` + xmldoc.NSMCPTTInfo + `"><mcptt-Params><mcptt-access-token type="Encrypted">` +
		`<mcpttString>` + strings.Repeat("t", 100) + `</mcpttString></mcptt-access-token></mcptt-Params></mcpttinfo>`)
	template := []byte(`<xenc:EncryptedData xmlns:xenc="` + xmldoc.NSXMLEnc + `" Type="` + TypeContent + `">` +
		`<xenc:EncryptionMethod Algorithm="` + AES128GCM + `"/><ds:KeyInfo xmlns:ds="` + xmldoc.NSXMLDSig + `"><ds:KeyName>` + k.KeyName() + `</ds:KeyName></ds:KeyInfo>` +
		`<xenc:CipherData><xenc:CipherValue/></xenc:CipherData></xenc:EncryptedData>`)
	out, err := xmlsec1test.EncryptContent(t, k.Enc, k.KeyName(), doc, template, xmldoc.NSMCPTTInfo, "mcptt-access-token")
	if err != nil {
		t.Fatal(err)
	}
	root, err := xmldoc.Parse(out)
	if err != nil {
		t.Fatal(err)
	}
	el := root.Child(xmldoc.NSMCPTTInfo, "mcptt-Params").Child(xmldoc.NSMCPTTInfo, "mcptt-access-token")
	d, err := Decrypt(el, k)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if d.Value != strings.Repeat("t", 100) || len(d.Readings) != 0 {
		t.Errorf("value %q readings %v", d.Value, d.Readings)
	}
}

// VerifySignatures reads what xmlsec1 signs, with SignedInfo as xmlsec1
// writes it (not in canonical form), exclusive and inclusive c14n.
func TestVerifiesOracle(t *testing.T) {
	k := testKeys
	for _, method := range []string{ExcC14N, C14N10} {
		template := []byte(`<?xml version="1.0"?>` + "\n" + `<signatures xmlns="` + xmldoc.NSMCPTTSigned + `" xmlns:unused="urn:unused">` + "\n" +
			`<ds:Signature xmlns:ds="` + xmldoc.NSXMLDSig + `">` + "\n  <ds:SignedInfo>\n    " +
			`<ds:CanonicalizationMethod Algorithm="` + method + `"/>` +
			`<ds:SignatureMethod Algorithm="` + HMACSHA256 + `"/>` +
			`<ds:Reference URI="cid:info@alice.example.com"><ds:DigestMethod Algorithm="` + SHA256 + `"/><ds:DigestValue/></ds:Reference>` +
			"\n  </ds:SignedInfo>\n  <ds:SignatureValue/>" +
			`<ds:KeyInfo><ds:KeyName>` + k.KeyName() + `</ds:KeyName></ds:KeyInfo></ds:Signature>` + "\n</signatures>\n")
		signed, err := xmlsec1test.Sign(t, k.Sig, k.KeyName(), template, testBodies)
		if err != nil {
			t.Fatal(err)
		}
		results, err := VerifySignatures(signed, testBodies, k)
		if err != nil {
			t.Fatal(err)
		}
		if len(results) != 1 || results[0].Err != nil || len(results[0].Readings) != 0 {
			t.Errorf("%s: %+v\n%s", method, results, signed)
		}
		tampered := map[string][]byte{"info@alice.example.com": append([]byte(" "), testBodies["info@alice.example.com"]...)}
		if results, _ := VerifySignatures(signed, tampered, k); results[0].Err == nil {
			t.Errorf("%s: a modified body verified", method)
		}
	}
}

// xmlsec1 decrypts and verifies the shared example with the keys derived
// here (what its README does by hand).
func TestOracleSharedExample(t *testing.T) {
	for _, e := range examples {
		k := e.keys(t)
		parts := e.parts(t)
		info := findPart(t, parts, xmldoc.TypeMCPTTInfo)
		for i := 1; i <= 2; i++ {
			if _, err := xmlsec1test.Decrypt(t, k.Enc, k.KeyName(), info, i); err != nil {
				t.Errorf("%s: EncryptedData %d: %v", e.file, i, err)
			}
		}
		for i := range e.signed {
			if err := xmlsec1test.Verify(t, k.Sig, k.KeyName(), findPart(t, parts, xmldoc.TypeMCPTTSigned), bodiesByID(parts), i+1); err != nil {
				t.Errorf("%s: signature %d: %v", e.file, i+1, err)
			}
		}
	}
}
