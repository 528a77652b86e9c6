package xmlprotect

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"io"
	"mime"
	"mime/multipart"
	"net/textproto"
	"os"
	"strings"
	"testing"

	"github.com/mcptt-conformance/mcptt-conformance/crypto/mcx"
	"github.com/mcptt-conformance/mcptt-conformance/wire/xmldoc"
)

// example is one request of shared/examples/protected with its keys and
// values (README.md and walkthrough.json there).
type example struct {
	file     string
	csk      string
	cskID    mcx.KeyID
	enc, sig string   // derived keys, base64
	signed   []string // Content-IDs of the signed bodies, in signature order
}

const (
	exampleMCPTTID  = "sip:bob@mcptt.example.com"
	exampleToken    = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJib2IifQ."
	exampleClientID = "urn:uuid:0b0e2f5c-3d4a-4e6f-8a7b-9c1d2e3f4a5b"
)

var examples = []example{
	{file: "testdata/register-conf-integ.sip", csk: "7e51d42539ebdf29650b21d1b738f1a7", cskID: 0x23a80709,
		enc: "X14njM9wmxbpbP1zsvqn8g==", sig: "ef71Gv0hu6B994IC6bjhDw==", signed: []string{"info-register@bob.example.com"}},
	{file: "testdata/publish-conf-integ.sip", csk: "991afe1771074285819f161f8abc5502", cskID: 0x22295a21,
		enc: "rQ+5vbDWf+C56vqtvV/7LQ==", sig: "jlIGkCl+3rDnbVTb7H6sIw==",
		signed: []string{"info-publish@bob.example.com", "poc-publish@bob.example.com"}},
}

func (e example) keys(t testing.TB) Keys {
	t.Helper()
	csk, err := hex.DecodeString(e.csk)
	if err != nil {
		t.Fatal(err)
	}
	return NewKeys(csk, e.cskID, exampleMCPTTID)
}

// part is one MIME body of a request, its bytes exactly as sent.
type part struct {
	ctype, contentID string
	body             []byte
}

// parts splits the request's multipart body with mime/multipart.
func (e example) parts(t testing.TB) []part {
	t.Helper()
	raw, err := os.ReadFile(e.file)
	if err != nil {
		t.Fatal(err)
	}
	return splitRequest(t, raw)
}

// splitRequest splits a SIP request with a multipart/mixed body.
func splitRequest(t testing.TB, raw []byte) []part {
	t.Helper()
	r := textproto.NewReader(bufio.NewReader(bytes.NewReader(raw)))
	if _, err := r.ReadLine(); err != nil {
		t.Fatal(err)
	}
	h, err := r.ReadMIMEHeader()
	if err != nil {
		t.Fatal(err)
	}
	_, params, err := mime.ParseMediaType(h.Get("Content-Type"))
	if err != nil {
		t.Fatal(err)
	}
	mr := multipart.NewReader(r.R, params["boundary"])
	var parts []part
	for {
		p, err := mr.NextRawPart()
		if err == io.EOF {
			return parts
		}
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(p)
		if err != nil {
			t.Fatal(err)
		}
		parts = append(parts, part{p.Header.Get("Content-Type"), strings.Trim(p.Header.Get("Content-ID"), "<>"), b})
	}
}

func findPart(t testing.TB, parts []part, ctype string) []byte {
	t.Helper()
	for _, p := range parts {
		if p.ctype == ctype {
			return p.body
		}
	}
	t.Fatalf("no %s part", ctype)
	return nil
}

func bodiesByID(parts []part) map[string][]byte {
	m := map[string][]byte{}
	for _, p := range parts {
		if p.contentID != "" {
			m[p.contentID] = p.body
		}
	}
	return m
}

func TestNewKeysSharedExample(t *testing.T) {
	for _, e := range examples {
		k := e.keys(t)
		if got := base64.StdEncoding.EncodeToString(k.Enc); got != e.enc {
			t.Errorf("%s: encryption key %s, want %s", e.file, got, e.enc)
		}
		if got := base64.StdEncoding.EncodeToString(k.Sig); got != e.sig {
			t.Errorf("%s: signing key %s, want %s", e.file, got, e.sig)
		}
	}
}

// Every encrypted element of the shared example decrypts, with no reading
// beyond the preferred ones, and every signature verifies.
func TestSharedExample(t *testing.T) {
	for _, e := range examples {
		t.Run(e.file, func(t *testing.T) {
			k := e.keys(t)
			parts := e.parts(t)
			info := findPart(t, parts, xmldoc.TypeMCPTTInfo)
			root, err := xmldoc.Parse(info)
			if err != nil {
				t.Fatal(err)
			}
			want := map[string]string{"mcptt-access-token": exampleToken, "mcptt-client-id": exampleClientID}
			lines := map[string]int{"mcptt-access-token": 4, "mcptt-client-id": 5}
			params := root.Child(xmldoc.NSMCPTTInfo, "mcptt-Params")
			for name, value := range want {
				d, err := Decrypt(params.Child(xmldoc.NSMCPTTInfo, name), k)
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				if d.Value != value || len(d.Readings) != 0 || d.Line != lines[name] {
					t.Errorf("%s: value %q readings %v line %d, want %q, none, line %d", name, d.Value, d.Readings, d.Line, value, lines[name])
				}
			}
			plain, decs, err := DecryptDocument(info, k)
			if err != nil {
				t.Fatal(err)
			}
			for name, value := range want {
				if decs[name].Value != value {
					t.Errorf("DecryptDocument %s = %q, want %q", name, decs[name].Value, value)
				}
				frag := `<mcpttString xmlns="` + xmldoc.NSMCPTTInfo + `">` + value + `</mcpttString>`
				if !bytes.Contains(plain, []byte(`type="Encrypted">`+frag+"</"+name+">")) {
					t.Errorf("decrypted body lacks %s with %s:\n%s", name, frag, plain)
				}
			}
			if bytes.Contains(plain, []byte("EncryptedData")) {
				t.Errorf("decrypted body still holds EncryptedData:\n%s", plain)
			}
			results, err := VerifySignatures(findPart(t, parts, xmldoc.TypeMCPTTSigned), bodiesByID(parts), k)
			if err != nil {
				t.Fatal(err)
			}
			if len(results) != len(e.signed) {
				t.Fatalf("%d signatures, want %d", len(results), len(e.signed))
			}
			for i, r := range results {
				if r.Err != nil || r.ContentID != e.signed[i] || len(r.Readings) != 0 {
					t.Errorf("signature %d: %+v, want a verified signature over %s without readings", i+1, r, e.signed[i])
				}
			}
		})
	}
}

// Encrypt and Sign reproduce the shared example's PUBLISH byte for byte from
// its plaintexts and IVs (walkthrough.json requests[1]).
func TestBuildersReproduceSharedExample(t *testing.T) {
	e := examples[1]
	k := e.keys(t)
	parts := e.parts(t)
	info := findPart(t, parts, xmldoc.TypeMCPTTInfo)
	for _, tt := range []struct{ value, iv string }{
		{exampleToken, "d718a815562aa85664322aef"},
		{exampleClientID, "a3816a8e2ab716e9c68f17b2"},
	} {
		iv, _ := hex.DecodeString(tt.iv)
		got, err := Encrypt(k, Fragment(xmldoc.NSMCPTTInfo, "mcpttString", tt.value), EncryptOptions{IV: iv})
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(info, []byte(got)) {
			t.Errorf("Encrypt(%q) wrote markup the example does not hold:\n%s", tt.value, got)
		}
	}
	bodies := bodiesByID(parts)
	var refs []Ref
	for _, id := range e.signed {
		refs = append(refs, Ref{id, bodies[id]})
	}
	got, err := Sign(k, refs, SignOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if want := findPart(t, parts, xmldoc.TypeMCPTTSigned); !bytes.Equal(got, want) {
		t.Errorf("Sign wrote\n%s\nwant\n%s", got, want)
	}
}
