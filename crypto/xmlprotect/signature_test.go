package xmlprotect

import (
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/mcptt-conformance/mcptt-conformance/wire/xmldoc"
)

// Two bodies with CRLF line ends, as the client sends them.
var testBodies = map[string][]byte{
	"info@alice.example.com": []byte(`<?xml version="1.0" encoding="UTF-8"?>` + "\r\n" + `<mcpttinfo xmlns="` + xmldoc.NSMCPTTInfo + `">` + "\r\n" + `<mcptt-Params/>` + "\r\n</mcpttinfo>"),
	"poc@alice.example.com":  []byte(`<?xml version="1.0"?>` + "\r\n" + `<poc-settings xmlns="urn:oma:params:xml:ns:poc:poc-settings"  ><entity id="a"/></poc-settings>`),
}

func testRefs() []Ref {
	return []Ref{{"info@alice.example.com", testBodies["info@alice.example.com"]}, {"poc@alice.example.com", testBodies["poc@alice.example.com"]}}
}

func mustSign(t testing.TB, refs []Ref, opts SignOptions) string {
	t.Helper()
	b, err := Sign(testKeys, refs, opts)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// canonicalBody returns the exclusive canonical form of body.
func canonicalBody(t testing.TB, body []byte) []byte {
	t.Helper()
	doc, err := parseC14N(body)
	if err != nil {
		t.Fatal(err)
	}
	defer doc.free()
	c, err := doc.canonical(nil, c14nMethods[ExcC14N], nil)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestVerifySignatures(t *testing.T) {
	good := mustSign(t, testRefs(), SignOptions{})
	infoRef := testRefs()[:1]
	canonicalRef := []Ref{{"info@alice.example.com", canonicalBody(t, testBodies["info@alice.example.com"])}}
	tests := []struct {
		name     string
		signed   string
		readings []Reading // of the first signature
		kind     string    // of the first signature's error; "" for none
	}{
		{"preferred", good, nil, ""},
		{"inclusive c14n", mustSign(t, testRefs(), SignOptions{Canonicalization: C14N10}), nil, ""},
		{"c14n 1.1 with comments", mustSign(t, testRefs(), SignOptions{Canonicalization: C14N11Comments}), nil, ""},
		{"exclusive c14n with comments", mustSign(t, testRefs(), SignOptions{Canonicalization: ExcC14NComments}), nil, ""},
		{"raw CSK", mustSign(t, infoRef, SignOptions{RawCSK: true}), []Reading{ReadingRawCSK}, ""},
		{"no KeyName", mustSign(t, infoRef, SignOptions{OmitKeyName: true}), []Reading{ReadingNoKeyName}, ""},
		{"bare Content-ID", mustSign(t, infoRef, SignOptions{BareContentID: true}), []Reading{ReadingBareContentID}, ""},
		{"percent-encoded cid", mustSign(t, []Ref{{"info%40alice.example.com", testBodies["info@alice.example.com"]}}, SignOptions{}), nil, ""},
		{"canonical digest", mustSign(t, canonicalRef, SignOptions{}), []Reading{ReadingCanonicalDigest}, ""},
		{"KeyName of another key", mustSign(t, infoRef, SignOptions{KeyName: "IAAAAQ=="}), nil, KindKeyName},
		{"another key", mustSign(t, infoRef, SignOptions{Key: make([]byte, 16)}), nil, KindSignature},
		{"body modified after signing", mustSign(t, []Ref{{"info@alice.example.com", []byte("<mcpttinfo/>")}}, SignOptions{}), nil, KindDigest},
		{"unknown Content-ID", mustSign(t, []Ref{{"other@x", testBodies["info@alice.example.com"]}}, SignOptions{}), nil, KindReference},
		{"SignedInfo changed after signing", strings.Replace(good, `<ds:SignatureMethod`, `<ds:SignatureMethod Id="x"`, 1), nil, KindSignature},
		{"RSA", strings.Replace(good, HMACSHA256, "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256", 1), nil, KindAlgorithm},
		{"SHA-1 digest", strings.Replace(good, SHA256, "http://www.w3.org/2000/09/xmldsig#sha1", 1), nil, KindAlgorithm},
		{"unknown c14n", strings.Replace(good, ExcC14N, "urn:x", 1), nil, KindAlgorithm},
		{"two references", strings.Replace(good, "</ds:Reference>", "</ds:Reference><ds:Reference URI=\"cid:poc@alice.example.com\"/>", 1), nil, KindFormat},
		{"no SignedInfo", strings.Replace(strings.Replace(good, "<ds:SignedInfo ", "<ds:X ", 1), "</ds:SignedInfo>", "</ds:X>", 1), nil, KindFormat},
		{"no SignatureValue", strings.Replace(strings.Replace(good, "<ds:SignatureValue>", "<ds:V>", 1), "</ds:SignatureValue>", "</ds:V>", 1), nil, KindFormat},
		{"bad digest base64", strings.Replace(good, "<ds:DigestValue>", "<ds:DigestValue>*", 1), nil, KindFormat},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			results, err := VerifySignatures([]byte(tt.signed), testBodies, testKeys)
			if err != nil {
				t.Fatal(err)
			}
			r := results[0]
			if tt.kind != "" {
				var e *Error
				if !errors.As(r.Err, &e) || e.Kind != tt.kind || e.Line != 3 {
					t.Fatalf("first signature: %+v, want an *Error of kind %s on line 3", r, tt.kind)
				}
			} else if r.Err != nil || !sameReadings(r.Readings, tt.readings) || r.Line != 3 {
				t.Fatalf("first signature: %+v, want no error, readings %v, line 3", r, tt.readings)
			}
			for i, r := range results[1:] {
				if r.Err != nil {
					t.Errorf("signature %d: %v", i+2, r.Err)
				}
			}
		})
	}
}

func TestVerifySignaturesDigestError(t *testing.T) {
	signed := mustSign(t, []Ref{{"info@alice.example.com", []byte("<mcpttinfo/>")}}, SignOptions{})
	results, err := VerifySignatures([]byte(signed), testBodies, testKeys)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(testBodies["info@alice.example.com"])
	want := fmt.Sprintf("expected DigestValue %s, the SHA-256 of body <info@alice.example.com> as received (%d octets)",
		base64.StdEncoding.EncodeToString(sum[:]), len(testBodies["info@alice.example.com"]))
	if results[0].Err == nil || !strings.Contains(results[0].Err.Error(), want) || results[0].ContentID != "info@alice.example.com" {
		t.Errorf("%+v, want an error containing %q", results[0], want)
	}
}

func TestVerifySignaturesUnusable(t *testing.T) {
	good := mustSign(t, testRefs(), SignOptions{})
	for _, signed := range []string{
		"",
		"not xml",
		`<!DOCTYPE signatures [<!ENTITY x "y">]><signatures xmlns="` + xmldoc.NSMCPTTSigned + `"/>`,
		strings.Replace(good, xmldoc.NSMCPTTSigned, "urn:other", 1),
		`<signatures xmlns="` + xmldoc.NSMCPTTSigned + `"><other/></signatures>`,
	} {
		if _, err := VerifySignatures([]byte(signed), testBodies, testKeys); err == nil {
			t.Errorf("%.60q: no error", signed)
		}
	}
}

func TestSignErrors(t *testing.T) {
	if _, err := Sign(testKeys, nil, SignOptions{}); err == nil {
		t.Error("nothing signed without an error")
	}
	if _, err := Sign(testKeys, testRefs(), SignOptions{Canonicalization: "urn:x"}); err == nil {
		t.Error("an unknown canonicalisation method was accepted")
	}
}
