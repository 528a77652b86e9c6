package xmlprotect

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"github.com/mcptt-conformance/mcptt-conformance/wire/xmldoc"
)

// AES-128-GCM as XML Encryption 1.1 uses it: a 96-bit IV before the
// ciphertext and a 128-bit tag after it.
const (
	ivSize  = 12
	tagSize = 16
	keySize = 16
)

// Decryption is one decrypted element.
type Decryption struct {
	Value     string    // the value the plaintext carries
	Plaintext []byte    // the decrypted octets
	Readings  []Reading // non-preferred readings taken, in the order met
	Line      int       // line of the EncryptedData element
}

// carriers are the elements whose text is the value of a plaintext fragment:
// the Annex F.1 contentType choices and the profile index.
var carriers = map[string]bool{"mcpttString": true, "mcpttURI": true, "mcpttBoolean": true, "user-profile-index": true}

// Decrypt decrypts the xenc:EncryptedData child of el (e.g. an
// <mcptt-access-token type="Encrypted">): AES-128-GCM, CipherValue =
// base64(IV ‖ ciphertext ‖ tag) with white space ignored, no AAD, under the
// key derived from the CSK or, as the lenient ReadingRawCSK, the raw CSK. The
// KeyName, when present, must be base64 of the CSK-ID. The value is the text
// of the plaintext's mcpttString, mcpttURI, mcpttBoolean or
// user-profile-index element, or the bare plaintext text (ReadingBareValue).
// It returns ErrNotEncrypted when el has no EncryptedData child, and an
// *Error for every other defect.
func Decrypt(el *xmldoc.Element, k Keys) (Decryption, error) {
	ed := el.Child(xmldoc.NSXMLEnc, "EncryptedData")
	if ed == nil {
		return Decryption{}, ErrNotEncrypted
	}
	d, _, err := decryptData(ed, el.Space, k)
	return d, err
}

// decryptData decrypts ed, whose parent element is in the namespace
// context, and returns the local name of the plaintext's root element too
// (empty for bare text).
func decryptData(ed *xmldoc.Element, context string, k Keys) (Decryption, string, error) {
	d := Decryption{Line: ed.Line}
	fail := func(kind, expected, saw string) (Decryption, string, error) {
		return Decryption{}, "", &Error{Kind: kind, Expected: expected, Saw: saw, Line: ed.Line}
	}
	switch typ, ok := ed.Attr("", "Type"); {
	case !ok:
		d.Readings = append(d.Readings, ReadingTypeAbsent)
	case typ == TypeElement:
		d.Readings = append(d.Readings, ReadingTypeElement)
	case typ != TypeContent:
		return fail(KindFormat, "EncryptedData Type "+TypeContent+", "+TypeElement+" or none", fmt.Sprintf("Type %q", typ))
	}
	method := ed.Child(xmldoc.NSXMLEnc, "EncryptionMethod")
	if method == nil {
		return fail(KindFormat, "an xenc:EncryptionMethod in EncryptedData", "none")
	}
	if alg, _ := method.Attr("", "Algorithm"); alg != AES128GCM {
		return fail(KindAlgorithm, "EncryptionMethod Algorithm "+AES128GCM, fmt.Sprintf("%q", alg))
	}
	r, err := checkKeyName(ed, k)
	if err != nil {
		return Decryption{}, "", err
	}
	if r != nil {
		d.Readings = append(d.Readings, *r)
	}
	var cv *xmldoc.Element
	if data := ed.Child(xmldoc.NSXMLEnc, "CipherData"); data != nil {
		cv = data.Child(xmldoc.NSXMLEnc, "CipherValue")
	}
	if cv == nil {
		return fail(KindFormat, "xenc:CipherData with an xenc:CipherValue", "none")
	}
	sealed, err := decodeBase64(cv.Text)
	if err != nil {
		return fail(KindFormat, "a base64 CipherValue", err.Error())
	}
	if len(sealed) < ivSize+tagSize {
		return fail(KindFormat, fmt.Sprintf("a CipherValue of at least %d octets (IV %d, tag %d)", ivSize+tagSize, ivSize, tagSize),
			fmt.Sprintf("%d octets", len(sealed)))
	}
	d.Plaintext, err = open(k.Enc, sealed)
	if err != nil && len(k.CSK) == keySize {
		if d.Plaintext, err = open(k.CSK, sealed); err == nil {
			d.Readings = append(d.Readings, ReadingRawCSK)
		}
	}
	if err != nil {
		return fail(KindDecrypt, fmt.Sprintf("a CipherValue that AES-128-GCM authenticates under the key derived from the CSK of CSK-ID %s", k.CSKID),
			"an authentication failure with that key and with the raw CSK")
	}
	value, root, bare, err := plaintextValue(d.Plaintext, context)
	if err != nil {
		return fail(KindFormat, "a plaintext that is an XML fragment with an mcpttString, mcpttURI, mcpttBoolean or user-profile-index element, or the bare value", err.Error())
	}
	d.Value = value
	if bare {
		d.Readings = append(d.Readings, ReadingBareValue)
	}
	return d, root, nil
}

// checkKeyName checks the ds:KeyInfo/ds:KeyName of el: base64 of the CSK-ID,
// or absent (ReadingNoKeyName).
func checkKeyName(el *xmldoc.Element, k Keys) (*Reading, error) {
	var name *xmldoc.Element
	if info := el.Child(xmldoc.NSXMLDSig, "KeyInfo"); info != nil {
		name = info.Child(xmldoc.NSXMLDSig, "KeyName")
	}
	if name == nil {
		return &ReadingNoKeyName, nil
	}
	if name.Text == k.KeyName() {
		return nil, nil
	}
	saw := fmt.Sprintf("KeyName %q", name.Text)
	if id, err := base64.StdEncoding.DecodeString(name.Text); err == nil && len(id) == 4 {
		saw += fmt.Sprintf(" (key ID %x)", id)
	}
	return nil, &Error{Kind: KindKeyName, Expected: fmt.Sprintf("KeyName %s (base64 of CSK-ID %s) or none", k.KeyName(), k.CSKID), Saw: saw, Line: name.Line}
}

// decodeBase64 decodes s, ignoring XML white space.
func decodeBase64(s string) ([]byte, error) {
	s = strings.Map(func(r rune) rune {
		if r == ' ' || r == '\t' || r == '\r' || r == '\n' {
			return -1
		}
		return r
	}, s)
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("invalid base64 (%v)", err)
	}
	return b, nil
}

func newGCM(key []byte) (cipher.AEAD, error) {
	if len(key) != keySize {
		return nil, fmt.Errorf("a %d-octet key, not %d octets", keySize, len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// open decrypts IV ‖ ciphertext ‖ tag.
func open(key, sealed []byte) ([]byte, error) {
	aead, err := newGCM(key)
	if err != nil {
		return nil, err
	}
	pt, err := aead.Open(nil, sealed[:ivSize], sealed[ivSize:], nil)
	if err != nil {
		return nil, err
	}
	if pt == nil {
		pt = []byte{}
	}
	return pt, nil
}

// plaintextValue reads the value a plaintext carries, parsed as content of
// an element in the namespace context: the text of the first carrier
// element, or the bare text. root is the local name of the first element of
// the plaintext, if any.
func plaintextValue(pt []byte, context string) (value, root string, bare bool, err error) {
	var w bytes.Buffer
	w.WriteString(`<w xmlns="`)
	w.WriteString(escapeAttr(context))
	w.WriteString(`">`)
	w.Write(pt)
	w.WriteString("</w>")
	top, err := xmldoc.Parse(w.Bytes())
	if err != nil {
		return "", "", false, fmt.Errorf("a plaintext that is not XML content: %v", err)
	}
	if len(top.Children) == 0 {
		return top.Text, "", true, nil
	}
	if c := findCarrier(top); c != nil {
		return c.Text, top.Children[0].Local, false, nil
	}
	return "", "", false, errors.New("a fragment whose first element is <" + top.Children[0].Local + "> and which has none of them")
}

func findCarrier(e *xmldoc.Element) *xmldoc.Element {
	for _, c := range e.Children {
		if carriers[c.Local] {
			return c
		}
		if found := findCarrier(c); found != nil {
			return found
		}
	}
	return nil
}

// DecryptDocument decrypts every xenc:EncryptedData in body and returns the
// body with each replaced by its plaintext, so that the decrypted body can be
// judged against the mcptt-info schema, and each element's Decryption keyed
// by the local name of the element that held the EncryptedData (for Type
// #Element, of the plaintext's element; the first of a name is kept). On the
// first EncryptedData that does not decrypt it returns that error (an
// *Error), no body, and the decryptions made before it.
func DecryptDocument(body []byte, k Keys) ([]byte, map[string]Decryption, error) {
	root, err := xmldoc.Parse(body)
	if err != nil {
		return nil, nil, err
	}
	decs := map[string]Decryption{}
	var out []byte
	pos := 0
	var walk func(el *xmldoc.Element) error
	walk = func(el *xmldoc.Element) error {
		for _, c := range el.Children {
			if c.Space != xmldoc.NSXMLEnc || c.Local != "EncryptedData" {
				if err := walk(c); err != nil {
					return err
				}
				continue
			}
			d, plainRoot, err := decryptData(c, el.Space, k)
			if err != nil {
				return err
			}
			name := el.Local
			if typ, _ := c.Attr("", "Type"); typ == TypeElement && plainRoot != "" {
				name = plainRoot
			}
			if _, dup := decs[name]; !dup {
				decs[name] = d
			}
			i := bytes.Index(body[pos:], c.Raw)
			if i < 0 {
				return fmt.Errorf("xmlprotect: EncryptedData at line %d not found in the body", c.Line)
			}
			out = append(out, body[pos:pos+i]...)
			out = append(out, d.Plaintext...)
			pos += i + len(c.Raw)
		}
		return nil
	}
	if err := walk(root); err != nil {
		return nil, decs, err
	}
	return append(out, body[pos:]...), decs, nil
}
