package xmlprotect

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/mcptt-conformance/mcptt-conformance/crypto/mcx"
	"github.com/mcptt-conformance/mcptt-conformance/wire/xmldoc"
)

var testKeys = NewKeys([]byte("0123456789abcdef"), 0x2abcdef0, "sip:alice@mcptt.example.com")

// accessToken returns an <mcptt-access-token> element holding markup.
func accessToken(t testing.TB, markup string) *xmldoc.Element {
	t.Helper()
	el, err := xmldoc.Parse([]byte(`<mcptt-access-token xmlns="` + xmldoc.NSMCPTTInfo + `" type="Encrypted">` + markup + `</mcptt-access-token>`))
	if err != nil {
		t.Fatal(err)
	}
	return el
}

func mustEncrypt(t testing.TB, plaintext []byte, opts EncryptOptions) string {
	t.Helper()
	s, err := Encrypt(testKeys, plaintext, opts)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestDecrypt(t *testing.T) {
	frag := Fragment(xmldoc.NSMCPTTInfo, "mcpttString", "token&<x>")
	good := mustEncrypt(t, frag, EncryptOptions{})
	otherKey := NewKeys([]byte("fedcba9876543210"), 0x2abcdef0, "sip:alice@mcptt.example.com")
	otherKeyData, _ := Encrypt(otherKey, frag, EncryptOptions{})
	tests := []struct {
		name     string
		markup   string
		value    string
		readings []Reading
		kind     string // error kind; "" for none
	}{
		{"preferred", good, "token&<x>", nil, ""},
		{"line-wrapped base64", strings.Replace(good, "<xenc:CipherValue>", "<xenc:CipherValue>\r\n  ", 1), "token&<x>", nil, ""},
		{"raw CSK", mustEncrypt(t, frag, EncryptOptions{RawCSK: true}), "token&<x>", []Reading{ReadingRawCSK}, ""},
		{"no KeyName", mustEncrypt(t, frag, EncryptOptions{OmitKeyName: true}), "token&<x>", []Reading{ReadingNoKeyName}, ""},
		{"Type absent", mustEncrypt(t, frag, EncryptOptions{OmitType: true}), "token&<x>", []Reading{ReadingTypeAbsent}, ""},
		{"Type element", mustEncrypt(t, []byte(`<mcptt-access-token xmlns="`+xmldoc.NSMCPTTInfo+`"><mcpttString>v</mcpttString></mcptt-access-token>`),
			EncryptOptions{Type: TypeElement}), "v", []Reading{ReadingTypeElement}, ""},
		{"bare value", mustEncrypt(t, []byte("a&amp;b"), EncryptOptions{}), "a&b", []Reading{ReadingBareValue}, ""},
		{"fragment without namespace", mustEncrypt(t, []byte("<mcpttURI>sip:x@y</mcpttURI>"), EncryptOptions{}), "sip:x@y", nil, ""},
		{"profile index", mustEncrypt(t, Fragment(xmldoc.NSMCPTTInfo, "user-profile-index", "3"), EncryptOptions{}), "3", nil, ""},
		{"Type other", mustEncrypt(t, frag, EncryptOptions{Type: "urn:x"}), "", nil, KindFormat},
		{"no EncryptionMethod", strings.Replace(good, `<xenc:EncryptionMethod Algorithm="`+AES128GCM+`"/>`, "", 1), "", nil, KindFormat},
		{"AES-CBC", strings.Replace(good, AES128GCM, "http://www.w3.org/2001/04/xmlenc#aes128-cbc", 1), "", nil, KindAlgorithm},
		{"KeyName of another key", mustEncrypt(t, frag, EncryptOptions{KeyName: "IAAAAQ=="}), "", nil, KindKeyName},
		{"no CipherValue", strings.Replace(good, "CipherValue", "CipherReference", 2), "", nil, KindFormat},
		{"bad base64", strings.Replace(good, "<xenc:CipherValue>", "<xenc:CipherValue>*", 1), "", nil, KindFormat},
		{"short", strings.Replace(good, good[strings.Index(good, "<xenc:CipherValue>")+18:strings.Index(good, "</xenc:CipherValue>")], "AAAA", 1), "", nil, KindFormat},
		{"another key", otherKeyData, "", nil, KindDecrypt},
		{"tampered ciphertext", mustEncrypt(t, frag, EncryptOptions{Tamper: TamperCiphertext}), "", nil, KindDecrypt},
		{"tampered tag", mustEncrypt(t, frag, EncryptOptions{Tamper: TamperTag}), "", nil, KindDecrypt},
		{"plaintext not XML", mustEncrypt(t, []byte("<a>"), EncryptOptions{}), "", nil, KindFormat},
		{"fragment without a carrier", mustEncrypt(t, []byte("<other>v</other>"), EncryptOptions{}), "", nil, KindFormat},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := Decrypt(accessToken(t, tt.markup), testKeys)
			if tt.kind != "" {
				var e *Error
				if !errors.As(err, &e) || e.Kind != tt.kind || e.Line != 1 {
					t.Fatalf("error %v, want an *Error of kind %s on line 1", err, tt.kind)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if d.Value != tt.value || !sameReadings(d.Readings, tt.readings) {
				t.Errorf("value %q readings %v, want %q %v", d.Value, d.Readings, tt.value, tt.readings)
			}
		})
	}
}

func sameReadings(a, b []Reading) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestDecryptNotEncrypted(t *testing.T) {
	_, err := Decrypt(accessToken(t, "<mcpttString>clear</mcpttString>"), testKeys)
	if !errors.Is(err, ErrNotEncrypted) {
		t.Fatalf("error %v, want ErrNotEncrypted", err)
	}
}

func TestErrorMessage(t *testing.T) {
	_, err := Decrypt(accessToken(t, mustEncrypt(t, []byte("v"), EncryptOptions{KeyName: "IAAAAQ=="})), testKeys)
	want := `line 1: expected KeyName Krze8A== (base64 of CSK-ID 2abcdef0) or none, saw KeyName "IAAAAQ==" (key ID 20000001)`
	if err == nil || err.Error() != want {
		t.Errorf("error %q, want %q", err, want)
	}
}

// A migration body: the token, the request URI and the profile index
// encrypted, the latter in anyExt; DecryptDocument returns a body with the
// plaintexts in place, keyed by element.
func TestDecryptDocument(t *testing.T) {
	enc := func(local, value string, opts EncryptOptions) string {
		return mustEncrypt(t, Fragment(xmldoc.NSMCPTTInfo, local, value), opts)
	}
	body := `<?xml version="1.0" encoding="UTF-8"?>` + "\r\n" + `<mcpttinfo xmlns="` + xmldoc.NSMCPTTInfo + `"><mcptt-Params>` +
		`<mcptt-access-token type="Encrypted">` + enc("mcpttString", "tok", EncryptOptions{}) + `</mcptt-access-token>` + "\r\n" +
		`<mcptt-request-uri type="Encrypted">` + enc("mcpttURI", "sip:p@q", EncryptOptions{OmitKeyName: true}) + `</mcptt-request-uri>` +
		`<anyExt><selected-user-profile-index>` + enc("user-profile-index", "2", EncryptOptions{}) + `</selected-user-profile-index></anyExt>` +
		`</mcptt-Params></mcpttinfo>`
	plain, decs, err := DecryptDocument([]byte(body), testKeys)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"mcptt-access-token": "tok", "mcptt-request-uri": "sip:p@q", "selected-user-profile-index": "2"}
	if len(decs) != len(want) {
		t.Errorf("decryptions %v, want %v", decs, want)
	}
	for name, value := range want {
		if decs[name].Value != value {
			t.Errorf("%s = %q, want %q", name, decs[name].Value, value)
		}
	}
	if decs["mcptt-request-uri"].Line != 3 || !sameReadings(decs["mcptt-request-uri"].Readings, []Reading{ReadingNoKeyName}) {
		t.Errorf("mcptt-request-uri: %+v, want line 3 and the no-KeyName reading", decs["mcptt-request-uri"])
	}
	wantPlain := `<selected-user-profile-index><user-profile-index xmlns="` + xmldoc.NSMCPTTInfo + `">2</user-profile-index></selected-user-profile-index>`
	if !bytes.Contains(plain, []byte(wantPlain)) || bytes.Contains(plain, []byte("EncryptedData")) {
		t.Errorf("decrypted body:\n%s", plain)
	}
}

func TestDecryptDocumentErrors(t *testing.T) {
	good := mustEncrypt(t, Fragment(xmldoc.NSMCPTTInfo, "mcpttString", "tok"), EncryptOptions{})
	bad := mustEncrypt(t, Fragment(xmldoc.NSMCPTTInfo, "mcpttString", "tok"), EncryptOptions{Tamper: TamperTag})
	body := `<mcpttinfo xmlns="` + xmldoc.NSMCPTTInfo + `"><mcptt-Params>` + "\n" +
		`<mcptt-access-token type="Encrypted">` + good + `</mcptt-access-token>` + "\n" +
		`<mcptt-client-id type="Encrypted">` + bad + `</mcptt-client-id></mcptt-Params></mcpttinfo>`
	plain, decs, err := DecryptDocument([]byte(body), testKeys)
	var e *Error
	if !errors.As(err, &e) || e.Kind != KindDecrypt || e.Line != 3 || plain != nil {
		t.Fatalf("error %v body %q, want a decrypt *Error on line 3 and no body", err, plain)
	}
	if decs["mcptt-access-token"].Value != "tok" {
		t.Errorf("decryptions before the failure: %v", decs)
	}
	if _, _, err := DecryptDocument([]byte("<!DOCTYPE x><x/>"), testKeys); err == nil {
		t.Error("a document type declaration was accepted")
	}
}

func TestNewKeysLongID(t *testing.T) {
	k := NewKeys(make([]byte, 16), mcx.KeyID(0x20000000), strings.Repeat("x", 70000))
	if k.Enc != nil || k.Sig != nil {
		t.Fatal("keys derived from an over-long MCPTT ID")
	}
	if _, err := Encrypt(k, []byte("v"), EncryptOptions{}); err == nil {
		t.Error("Encrypt without a key succeeded")
	}
	if _, err := Sign(k, []Ref{{"a", []byte("<a/>")}}, SignOptions{}); err == nil {
		t.Error("Sign without a key succeeded")
	}
}
