package xmlprotect

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/mcptt-conformance/mcptt-conformance/wire/xmldoc"
)

// Tamper is a change made to a CipherValue after encryption.
type Tamper int

// The changes.
const (
	TamperNone       Tamper = iota
	TamperCiphertext        // one bit of the first ciphertext octet flipped
	TamperTag               // one bit of the last tag octet flipped
)

// EncryptOptions choose how Encrypt writes an EncryptedData. The zero value
// gives the preferred form: Type #Content, the derived key, KeyName = base64
// CSK-ID, a random IV. The other fields make the readings of facts.md
// section 0 and the defects a test client needs.
type EncryptOptions struct {
	IV          []byte    // 12 octets; nil draws one from Random
	Random      io.Reader // nil means crypto/rand
	Key         []byte    // encrypt under this key instead (a key the server cannot know)
	RawCSK      bool      // encrypt under the raw CSK (ReadingRawCSK)
	Type        string    // "" means TypeContent
	OmitType    bool      // no Type attribute (ReadingTypeAbsent)
	KeyName     string    // "" means base64 of the CSK-ID
	OmitKeyName bool      // no KeyInfo (ReadingNoKeyName)
	Tamper      Tamper
}

// Fragment returns the preferred plaintext of an encrypted contentType
// element: <local xmlns="space">value</local>.
func Fragment(space, local, value string) []byte {
	return []byte("<" + local + ` xmlns="` + escapeAttr(space) + `">` + escapeAttr(value) + "</" + local + ">")
}

// Encrypt encrypts plaintext with AES-128-GCM and returns the
// <xenc:EncryptedData> markup that replaces the content of the element
// (Type #Content) or the element itself (Type #Element).
func Encrypt(k Keys, plaintext []byte, opts EncryptOptions) (string, error) {
	key := k.builderKey(k.Enc, opts.Key, opts.RawCSK)
	aead, err := newGCM(key)
	if err != nil {
		return "", fmt.Errorf("xmlprotect: encryption key: expected %v", err)
	}
	iv := opts.IV
	if iv == nil {
		random := opts.Random
		if random == nil {
			random = rand.Reader
		}
		iv = make([]byte, ivSize)
		if _, err := io.ReadFull(random, iv); err != nil {
			return "", fmt.Errorf("xmlprotect: drawing an IV: %w", err)
		}
	}
	if len(iv) != ivSize {
		return "", fmt.Errorf("xmlprotect: expected a %d-octet IV, got %d octets", ivSize, len(iv))
	}
	sealed := aead.Seal(append([]byte(nil), iv...), iv, plaintext, nil)
	switch opts.Tamper {
	case TamperCiphertext:
		if len(plaintext) == 0 {
			return "", errors.New("xmlprotect: an empty plaintext has no ciphertext to tamper with")
		}
		sealed[ivSize] ^= 0x01
	case TamperTag:
		sealed[len(sealed)-1] ^= 0x01
	}
	var b strings.Builder
	b.WriteString(`<xenc:EncryptedData xmlns:xenc="` + xmldoc.NSXMLEnc + `"`)
	if !opts.OmitType {
		typ := opts.Type
		if typ == "" {
			typ = TypeContent
		}
		b.WriteString(` Type="` + escapeAttr(typ) + `"`)
	}
	b.WriteString(`><xenc:EncryptionMethod Algorithm="` + AES128GCM + `"/>`)
	if !opts.OmitKeyName {
		name := opts.KeyName
		if name == "" {
			name = k.KeyName()
		}
		b.WriteString(`<ds:KeyInfo xmlns:ds="` + xmldoc.NSXMLDSig + `"><ds:KeyName>` + escapeAttr(name) + `</ds:KeyName></ds:KeyInfo>`)
	}
	b.WriteString(`<xenc:CipherData><xenc:CipherValue>` + base64.StdEncoding.EncodeToString(sealed) +
		`</xenc:CipherValue></xenc:CipherData></xenc:EncryptedData>`)
	return b.String(), nil
}

// escapeAttr escapes s for XML character data and attribute values alike.
func escapeAttr(s string) string {
	var b strings.Builder
	xml.EscapeText(&b, []byte(s)) // writing to a strings.Builder does not fail
	return b.String()
}
