package multipart

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"mime/multipart"
	"os"
	"strings"
	"testing"

	"github.com/mcptt-conformance/mcptt-conformance/wire/sipmsg"
)

// mikey stands for a binary application/mikey part: every awkward byte sequence, and
// a line that starts like the delimiter but is not one.
var mikey = []byte("\x02\x1a\x00\r\n\r\x00\n\n\r\r\n\xff\xfe--\r\n--b\x80x\r\n--bnd-\x00\r\n\x00\r\n")

const info = "<?xml version=\"1.0\"?>\r\n<mcpttinfo xmlns=\"urn:3gpp:ns:mcpttInfo:1.0\"/>"

// conformant builds a two-part multipart/mixed body with boundary "bnd" and line end nl.
func conformant(nl string) []byte {
	return []byte("--bnd" + nl +
		"Content-Type: application/vnd.3gpp.mcptt-info+xml" + nl +
		"Content-ID: <info@example.com>" + nl +
		nl + info + nl +
		"--bnd" + nl +
		"Content-Type: application/mikey" + nl +
		nl + string(mikey) + nl +
		"--bnd--" + nl)
}

func checkParts(t *testing.T, b Body, body []byte, want ...[]byte) {
	t.Helper()
	if len(b.Parts) != len(want) {
		t.Fatalf("%d parts, want %d; problems %v", len(b.Parts), len(want), b.Problems)
	}
	for i, p := range b.Parts {
		if !bytes.Equal(p.Body, want[i]) {
			t.Errorf("part %d = %q, want %q", i, p.Body, want[i])
		}
		if !bytes.Equal(body[p.Offset:p.Offset+len(p.Body)], p.Body) {
			t.Errorf("part %d Offset %d does not point at its body", i, p.Offset)
		}
	}
}

func TestConformant(t *testing.T) {
	body := conformant("\r\n")
	b := Split("multipart/mixed;boundary=bnd", body)
	if len(b.Problems) != 0 || !b.Multipart || b.Boundary != "bnd" || b.MediaType != "multipart/mixed" {
		t.Fatalf("body %+v", b)
	}
	checkParts(t, b, body, []byte(info), mikey)
	p := b.Parts[0]
	if p.MediaType != "application/vnd.3gpp.mcptt-info+xml" || !p.HasType || p.ContentID != "info@example.com" || p.Encoding != "" {
		t.Errorf("part 0 %+v", p)
	}
	if got := b.Find("Application/MIKEY; x=1"); len(got) != 1 || !bytes.Equal(got[0].Body, mikey) {
		t.Errorf("Find(application/mikey) = %+v", got)
	}
	if got := b.Find("application/poc-settings+xml"); len(got) != 0 {
		t.Errorf("Find found %+v", got)
	}
}

// TestAgreesWithStandardLibrary cross-checks the split against mime/multipart on
// conformant input: both must give the same bytes.
func TestAgreesWithStandardLibrary(t *testing.T) {
	for _, nl := range []string{"\r\n", "\n"} {
		body := conformant(nl)
		r := multipart.NewReader(bytes.NewReader(body), "bnd")
		b := Split("multipart/mixed; boundary=bnd", body)
		for i := 0; ; i++ {
			p, err := r.NextRawPart()
			if err == io.EOF {
				if i != len(b.Parts) {
					t.Errorf("mime/multipart found %d parts, Split %d", i, len(b.Parts))
				}
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			got, _ := io.ReadAll(p)
			if i >= len(b.Parts) || !bytes.Equal(got, b.Parts[i].Body) {
				t.Errorf("line end %q, part %d: mime/multipart %q, Split differs", nl, i, got)
			}
		}
	}
}

func TestVariations(t *testing.T) {
	crlf := string(conformant("\r\n"))
	tests := []struct {
		name, contentType, body string
	}{
		{"quoted boundary", `multipart/mixed; boundary="bnd"`, crlf},
		{"upper-case type", `Multipart/Mixed; BOUNDARY=bnd`, crlf},
		{"preamble and epilogue", "multipart/mixed;boundary=bnd", "This is a preamble.\r\n--bnd-- is not here\r\n" + crlf + "epilogue\r\n--bnd\r\n"},
		{"LF line ends", "multipart/mixed;boundary=bnd", string(conformant("\n"))},
		{"transport padding", "multipart/mixed;boundary=bnd", strings.ReplaceAll(crlf, "--bnd\r\n", "--bnd \t\r\n")},
		{"no final line end", "multipart/mixed;boundary=bnd", strings.TrimSuffix(crlf, "\r\n")},
		{"boundary with space and punctuation", `multipart/mixed; boundary="b n'd()+_,-./:=?"`, strings.NewReplacer("--bnd\r\n", "--b n'd()+_,-./:=?\r\n", "--bnd--", "--b n'd()+_,-./:=?--").Replace(crlf)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := Split(tt.contentType, []byte(tt.body))
			if len(b.Problems) != 0 {
				t.Errorf("problems %v", b.Problems)
			}
			checkParts(t, b, []byte(tt.body), []byte(info), mikey)
		})
	}
}

func TestSingleBody(t *testing.T) {
	b := Split("Application/Vnd.3gpp.Mcptt-Info+xml; charset=UTF-8", []byte(info))
	if len(b.Problems) != 0 || b.Multipart || len(b.Parts) != 1 {
		t.Fatalf("body %+v", b)
	}
	if p := b.Parts[0]; p.MediaType != "application/vnd.3gpp.mcptt-info+xml" || p.Params["charset"] != "UTF-8" || !p.HasType || string(p.Body) != info {
		t.Errorf("part %+v", p)
	}
	if b := Split("", nil); len(b.Parts) != 0 || len(b.Problems) != 0 {
		t.Errorf("empty body %+v", b)
	}
}

// TestFaults breaks one framing rule at a time.
func TestFaults(t *testing.T) {
	crlf := string(conformant("\r\n"))
	tests := []struct {
		name, contentType, body string
		want                    string
		line                    int
		parts                   int
	}{
		{"no boundary", "multipart/mixed", crlf, "a boundary parameter", 1, 0},
		{"empty boundary", `multipart/mixed; boundary=""`, crlf, "a boundary parameter", 1, 0},
		{"unparsable type", "multipart/mixed; boundary=bnd; boundary=x", crlf, "valid parameters", 1, 0},
		{"related", "multipart/related;boundary=bnd", crlf, "multipart/mixed", 1, 2},
		{"long boundary", "multipart/mixed;boundary=" + strings.Repeat("b", 71), strings.ReplaceAll(crlf, "--bnd", "--"+strings.Repeat("b", 71)), "1 to 70 characters", 1, 2},
		{"no delimiter", "multipart/mixed;boundary=other", crlf, "a delimiter line --other", 1, 0},
		{"no closing delimiter", "multipart/mixed;boundary=bnd", strings.TrimSuffix(crlf, "--bnd--\r\n"), "a closing delimiter", 19, 2},
		{"body ends in delimiter", "multipart/mixed;boundary=bnd", strings.TrimSuffix(crlf, "--\r\n"), "a closing delimiter", 19, 2},
		{"part without Content-Type", "multipart/mixed;boundary=bnd", strings.Replace(crlf, "Content-Type: application/mikey\r\n", "", 1), "a Content-Type in every body part", 8, 2},
		{"bad part header", "multipart/mixed;boundary=bnd", strings.Replace(crlf, "Content-ID: <info@example.com>", "Content-ID <info@example.com>", 1), "Name: value", 2, 2},
		{"bad part Content-Type", "multipart/mixed;boundary=bnd", strings.Replace(crlf, "application/mikey", "application/mikey; =x", 1), "valid parameters", 8, 2},
		{"no part", "multipart/mixed;boundary=bnd", "--bnd--\r\n", "at least one body part", 1, 0},
		{"body without Content-Type", "", info, "a Content-Type for a non-empty body", 1, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := Split(tt.contentType, []byte(tt.body))
			if len(b.Problems) != 1 || !strings.Contains(b.Problems[0].Error(), tt.want) || b.Problems[0].Line != tt.line {
				t.Errorf("problems %+v, want one on line %d containing %q", b.Problems, tt.line, tt.want)
			}
			if len(b.Parts) != tt.parts {
				t.Errorf("%d parts, want %d", len(b.Parts), tt.parts)
			}
		})
	}
}

// TestBadPartHeaderKeepsWhatWasRead checks that a malformed header line costs only the
// lines from it on: the Content-Type before it still counts.
func TestBadPartHeaderKeepsWhatWasRead(t *testing.T) {
	body := strings.Replace(string(conformant("\r\n")), "Content-ID: <info@example.com>", "Content-ID <info@example.com>", 1)
	b := Split("multipart/mixed;boundary=bnd", []byte(body))
	if len(b.Parts) != 2 || b.Parts[0].MediaType != "application/vnd.3gpp.mcptt-info+xml" || string(b.Parts[0].Body) != info {
		t.Errorf("parts %+v", b.Parts)
	}
}

func TestPartWithoutContentTypeDefaultsToTextPlain(t *testing.T) {
	b := Split("multipart/mixed;boundary=x", []byte("--x\r\n\r\nhello\r\n--x--\r\n"))
	if len(b.Parts) != 1 || b.Parts[0].MediaType != "text/plain" || b.Parts[0].HasType || string(b.Parts[0].Body) != "hello" {
		t.Errorf("parts %+v", b.Parts)
	}
}

func TestLineOf(t *testing.T) {
	body := []byte("a\r\nb\nc")
	for _, tt := range []struct{ offset, want int }{{0, 20}, {3, 21}, {5, 22}, {99, 22}, {-1, 20}} {
		if got := LineOf(20, body, tt.offset); got != tt.want {
			t.Errorf("LineOf(20, body, %d) = %d, want %d", tt.offset, got, tt.want)
		}
	}
}

// TestExampleRegister splits the worked example's body and compares each part with the
// lengths and SHA-256 digests its walkthrough.json records.
func TestExampleRegister(t *testing.T) {
	raw, err := os.ReadFile("testdata/register-conf-integ.sip")
	if err != nil {
		t.Fatal(err)
	}
	m, err := sipmsg.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	ct, _ := m.First("content-type")
	b := Split(ct.Value, m.Body)
	want := []struct {
		mediaType string
		length    int
		sha256    string
	}{
		{"application/mikey", 559, "90696055ca89fba785cb7d31746a5b6078d074b80580d3d39bb51a46dedb8273"},
		{"application/vnd.3gpp.mcptt-info+xml", 1392, "89fe780b20d145c3eedac30997e84cb1d3717ab4a703e5289e6e649b24e373b5"},
		{"application/vnd.3gpp.mcptt-signed+xml", 847, "3a20a874ffaf35d06dba9abe4667b69c1619960ee01e4a677121ca9b78d74f4d"},
	}
	if len(b.Problems) != 0 || len(b.Parts) != len(want) {
		t.Fatalf("%d parts, problems %v", len(b.Parts), b.Problems)
	}
	for i, w := range want {
		p := b.Parts[i]
		sum := sha256.Sum256(p.Body)
		if p.MediaType != w.mediaType || len(p.Body) != w.length || hex.EncodeToString(sum[:]) != w.sha256 {
			t.Errorf("part %d: %s, %d bytes, sha256 %x; want %+v", i, p.MediaType, len(p.Body), sum, w)
		}
	}
	if got := LineOf(m.BodyLine, m.Body, b.Parts[1].Offset); !bytes.HasPrefix(bytes.Split(raw, []byte("\n"))[got-1], []byte("<?xml")) {
		t.Errorf("LineOf gives line %d, which is not the mcptt-info body's first line", got)
	}
}

// A multipart/mixed part inside the top-level multipart/mixed (RFC 2046 5.1.1 allows a
// body part of any type, multipart included) is entered: its parts stand in its place,
// named by their path, with offsets and problem lines of the whole body.
func TestNested(t *testing.T) {
	inner := "--in\r\nContent-Type: application/vnd.3gpp.mcptt-info+xml\r\n\r\n" + info + "\r\n" +
		"--in\r\nContent-Type: application/vnd.3gpp.mcdata-info+xml\r\n\r\n<mcdatainfo/>\r\n--in--\r\n"
	body := []byte("--out\r\nContent-Type: multipart/mixed; boundary=in\r\n\r\n" + inner + "\r\n" +
		"--out\r\nContent-Type: application/mikey\r\n\r\n" + string(mikey) + "\r\n--out--\r\n")
	b := Split("multipart/mixed;boundary=out", body)
	if len(b.Problems) != 0 {
		t.Fatalf("problems %v", b.Problems)
	}
	checkParts(t, b, body, []byte(info), []byte("<mcdatainfo/>"), mikey)
	for i, want := range []string{"part 1.1", "part 1.2", "part 2"} {
		if got := b.Parts[i].Name(); got != want {
			t.Errorf("part %d is named %q, want %q", i, got, want)
		}
	}
	// The inner multipart without its closing delimiter: the problem is on the body's
	// line of the inner part's end.
	broken := bytes.Replace(body, []byte("--in--\r\n"), nil, 1)
	b = Split("multipart/mixed;boundary=out", broken)
	if len(b.Problems) != 1 || !strings.Contains(b.Problems[0].Expected, "--in--") || b.Problems[0].Line != LineOf(1, broken, bytes.Index(broken, []byte("\r\n--out\r\nContent-Type: application/mikey"))) {
		t.Errorf("problems %+v, want one for the inner closing delimiter", b.Problems)
	}
}

// Multiparts nested deeper than MaxNesting are a problem, and Split stays bounded.
func TestNestingBound(t *testing.T) {
	body, ctype := info, "application/vnd.3gpp.mcptt-info+xml"
	for i := range MaxNesting + 2 {
		bnd := "b" + strings.Repeat("x", i)
		body = "--" + bnd + "\r\nContent-Type: " + ctype + "\r\n\r\n" + body + "\r\n--" + bnd + "--\r\n"
		ctype = "multipart/mixed;boundary=" + bnd
	}
	b := Split("multipart/mixed;boundary=b"+strings.Repeat("x", MaxNesting+1), []byte(body))
	if len(b.Problems) != 1 || !strings.Contains(b.Problems[0].Expected, "nested at most") {
		t.Errorf("problems %+v, want one for the nesting", b.Problems)
	}
}

// Content undoes the Content-Transfer-Encodings of RFC 2045 6.
func TestContent(t *testing.T) {
	tests := []struct {
		encoding, body, want, err string
	}{
		{"", info, info, ""},
		{"binary", info, info, ""},
		{"base64", "PG1jcHR0aW5mby\r\n8+", "<mcpttinfo/>", ""},
		{"quoted-printable", "<a x=3D\"1\">caf=C3=A9</a>=\r\n", "<a x=\"1\">café</a>", ""},
		{"base64", "!!!!", "", "does not decode"},
		{"x-gzip", "abc", "", "does not define"},
	}
	for _, tt := range tests {
		got, err := Part{Encoding: tt.encoding, Body: []byte(tt.body)}.Content()
		if string(got) != tt.want || (err == nil) != (tt.err == "") || err != nil && !strings.Contains(err.Error(), tt.err) {
			t.Errorf("%s %q: Content() = %q, %v; want %q, error containing %q", tt.encoding, tt.body, got, err, tt.want, tt.err)
		}
	}
}
