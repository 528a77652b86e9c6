// Package xmlprotect decrypts, verifies, encrypts and signs the XML protection
// of MCPTT SIP bodies (TS 24.379 6.6.2.3 and 6.6.3.3, TS 33.180 F.1.4):
// elements of the mcptt-info body encrypted with XML Encryption 1.1
// AES-128-GCM, and the application/vnd.3gpp.mcptt-signed+xml body whose
// XML-DSig HMAC-SHA-256 signatures cover other MIME bodies by Content-ID.
//
// The keys come from the CSK the client uploads in its MIKEY-SAKKE
// I_MESSAGE. Where shared/spec/facts.md section 0 leaves a question open, the
// readers accept every listed reading and name each non-preferred one they
// saw as a Reading; the lenient ones (Reading.Lenient) fail a strict run.
//
// Safety: every document is read with xmldoc.Parse first, which refuses a
// document type declaration, so neither the Go reader nor the libxml2
// canonicaliser ever expands an entity or reads anything outside the body.
package xmlprotect

import (
	"encoding/base64"
	"errors"
	"fmt"

	"github.com/mcptt-conformance/mcptt-conformance/crypto/mcx"
)

// Namespaces and algorithm URIs.
const (
	AES128GCM  = "http://www.w3.org/2009/xmlenc11#aes128-gcm"
	HMACSHA256 = "http://www.w3.org/2001/04/xmldsig-more#hmac-sha256"
	SHA256     = "http://www.w3.org/2001/04/xmlenc#sha256"

	TypeContent = "http://www.w3.org/2001/04/xmlenc#Content"
	TypeElement = "http://www.w3.org/2001/04/xmlenc#Element"
)

// Keys are the keys of one request: the CSK from its I_MESSAGE and the two
// keys derived from it.
type Keys struct {
	CSK     []byte
	CSKID   mcx.KeyID
	MCPTTID string
	Enc     []byte // FC 0x51 key (XML encryption)
	Sig     []byte // FC 0x52 key (XML signatures)
}

// NewKeys derives the encryption and signing keys from the CSK with the
// TS 33.180 F.1.4 KDF (P0 = the MCPTT ID, P1 = the CSK-ID, last 16 octets).
// An MCPTT ID longer than the KDF allows (65535 octets) leaves Enc and Sig
// nil, and every operation with them fails.
func NewKeys(csk []byte, cskID mcx.KeyID, mcpttID string) Keys {
	k := Keys{CSK: csk, CSKID: cskID, MCPTTID: mcpttID}
	k.Enc, _ = mcx.XMLKey(csk, mcx.FCConfidentiality, mcpttID, cskID)
	k.Sig, _ = mcx.XMLKey(csk, mcx.FCIntegrity, mcpttID, cskID)
	return k
}

// KeyName is the preferred KeyName: base64 of the 4-octet CSK-ID.
func (k Keys) KeyName() string { return base64.StdEncoding.EncodeToString(k.CSKID.Bytes()) }

// builderKey is the key a builder uses: an explicit key (a mutant's other key), the raw
// CSK (the lenient reading), or the derived key.
func (k Keys) builderKey(derived, explicit []byte, rawCSK bool) []byte {
	switch {
	case explicit != nil:
		return explicit
	case rawCSK:
		return k.CSK
	}
	return derived
}

// Reading is one reading of facts.md section 0 that the readers accept. A
// result lists the non-preferred readings it took; a strict run fails the
// lenient ones.
type Reading struct {
	Name    string
	Text    string
	Lenient bool
}

func (r Reading) String() string { return r.Text }

// The readings of facts.md section 0 the readers accept, beyond the preferred
// one. Changing a reading's status is a one-line change here.
var (
	// ReadingRawCSK: the raw CSK was the key, not the one derived from it.
	ReadingRawCSK = Reading{"raw-csk", "the raw CSK used as the key instead of the key derived from it (TS 33.180 F.1.4)", true}
	// ReadingNoKeyName: no KeyInfo/KeyName naming the CSK-ID.
	ReadingNoKeyName = Reading{"no-key-name", "no KeyName (base64 of the CSK-ID) in KeyInfo", false}
	// ReadingTypeElement: EncryptedData Type #Element, the whole element encrypted.
	ReadingTypeElement = Reading{"type-element", "EncryptedData Type " + TypeElement + " (the whole element encrypted)", false}
	// ReadingTypeAbsent: EncryptedData without a Type attribute.
	ReadingTypeAbsent = Reading{"type-absent", "EncryptedData without a Type attribute", false}
	// ReadingBareValue: the plaintext is the bare value, not an XML fragment.
	ReadingBareValue = Reading{"bare-value", "the plaintext is the bare value, not an XML fragment such as <mcpttString>", false}
	// ReadingBareContentID: Reference URI is the bare Content-ID.
	ReadingBareContentID = Reading{"bare-content-id", `Reference URI is the bare Content-ID, without "cid:"`, false}
	// ReadingCanonicalDigest: the digest is over the body's canonical form.
	ReadingCanonicalDigest = Reading{"canonical-digest", "DigestValue over the canonical form of the referenced body, not its bytes as sent", false}
)

// Readings lists every named reading.
var Readings = []Reading{ReadingRawCSK, ReadingNoKeyName, ReadingTypeElement, ReadingTypeAbsent,
	ReadingBareValue, ReadingBareContentID, ReadingCanonicalDigest}

// Kinds of Error.
const (
	KindFormat    = "format"    // markup or base64 not as XML Encryption / XML-DSig define it
	KindAlgorithm = "algorithm" // an algorithm other than the one required
	KindKeyName   = "key-name"  // KeyName names another key
	KindDecrypt   = "decrypt"   // AES-GCM authentication failed with every accepted key
	KindReference = "reference" // Reference URI names no body of the request
	KindDigest    = "digest"    // DigestValue does not match the referenced body
	KindSignature = "signature" // SignatureValue does not match SignedInfo
)

// Error is a defect in a protected element or signature.
type Error struct {
	Kind          string
	Expected, Saw string
	Line          int // in the body the element came from (1-based); 0 when unknown
}

func (e *Error) Error() string {
	s := "expected " + e.Expected + ", saw " + e.Saw
	if e.Line > 0 {
		s = fmt.Sprintf("line %d: %s", e.Line, s)
	}
	return s
}

// ErrNotEncrypted means the element has no xenc:EncryptedData child.
var ErrNotEncrypted = errors.New("xmlprotect: the element has no xenc:EncryptedData child")
