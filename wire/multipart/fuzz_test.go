package multipart

import (
	"bytes"
	"maps"
	"mime"
	"slices"
	"testing"
)

func FuzzSplit(f *testing.F) {
	f.Add("multipart/mixed;boundary=bnd", conformant("\r\n"))
	f.Add(`multipart/mixed; boundary="bnd"`, conformant("\n"))
	f.Add("application/mikey", mikey)
	f.Add("multipart/mixed;boundary=x", []byte("pre\r\n--x\r\nContent-Type: a/b\r\n--x\n\n--x--"))
	f.Fuzz(func(t *testing.T, contentType string, body []byte) {
		b := Split(contentType, body)
		for i, p := range b.Parts {
			if p.Offset < 0 || p.Offset+len(p.Body) > len(body) || !bytes.Equal(body[p.Offset:p.Offset+len(p.Body)], p.Body) {
				t.Fatalf("part %d at %d (%d bytes) is not a slice of the %d-byte body", i, p.Offset, len(p.Body), len(body))
			}
		}
		for _, p := range b.Problems {
			if p.Line < 1 {
				t.Fatalf("problem without a line: %v", p)
			}
		}
	})
}

// FuzzPlainHeader holds plainHeader to what net/textproto reads from the same lines.
func FuzzPlainHeader(f *testing.F) {
	f.Add([]byte("Content-Type: message/sip\r\n"))
	f.Add([]byte("content-id:  <a@b> \nContent-ID:x\n"))
	f.Add([]byte("X-Odd:\tv\t\r\nContent-Transfer-Encoding: binary\r\n"))
	f.Add([]byte("Content-Type: a/b\r\n folded\r\n"))
	f.Fuzz(func(t *testing.T, lines []byte) {
		fast, ok := plainHeader(lines)
		if !ok {
			return
		}
		slow, err := mimeHeader(lines)
		if err != nil || !maps.EqualFunc(fast, slow, slices.Equal) {
			t.Fatalf("%q: plainHeader read %q, textproto %q (%v)", lines, fast, slow, err)
		}
	})
}

// FuzzPlainType holds plainType to what mime.ParseMediaType reads from the same value.
func FuzzPlainType(f *testing.F) {
	f.Add("message/sip")
	f.Add(" Application/VND.3gpp.mcptt-info+xml\t")
	f.Add("text/plain;charset=UTF-8")
	f.Add("a/b/c")
	f.Fuzz(func(t *testing.T, contentType string) {
		fast, ok := plainType(contentType)
		if !ok {
			return
		}
		slow, params, err := mime.ParseMediaType(contentType)
		if err != nil || fast != slow || len(params) != 0 {
			t.Fatalf("%q: plainType read %q, mime %q %v (%v)", contentType, fast, slow, params, err)
		}
	})
}

// FuzzOneParamType holds oneParamType to what mime.ParseMediaType reads from the same
// value.
func FuzzOneParamType(f *testing.F) {
	f.Add("multipart/mixed;boundary=scscf-b1")
	f.Add(`Multipart/Mixed; Boundary="a b:c"`)
	f.Add("text/plain ;charset=UTF-8")
	f.Add("a/b;c*=d")
	f.Add(`a/b;c="d\"e"`)
	f.Add("a/b;c=d;e=f")
	f.Fuzz(func(t *testing.T, contentType string) {
		fast, name, value, ok := oneParamType(contentType)
		if !ok {
			return
		}
		slow, params, err := mime.ParseMediaType(contentType)
		if err != nil || fast != slow || len(params) != 1 || params[name] != value {
			t.Fatalf("%q: oneParamType read %q %s=%q, mime %q %v (%v)", contentType, fast, name, value, slow, params, err)
		}
	})
}

// FuzzNextDelimiter holds nextDelimiter to a scan of every offset for dash at the
// start of the body or of a line.
func FuzzNextDelimiter(f *testing.F) {
	f.Add([]byte("--b\r\nx\r\n--bb\n--b--\r\n"), 0, "b")
	f.Add([]byte("\n--b \t\r"), 1, "b")
	f.Add([]byte("--b--"), 0, "b")
	f.Fuzz(func(t *testing.T, body []byte, from int, boundary string) {
		if from < 0 || from > len(body) || boundary == "" {
			return
		}
		dash := []byte("--" + boundary)
		at, next, isClose := nextDelimiter(body, from, append([]byte("\n"), dash...))
		wantAt, wantNext, wantClose := -1, -1, false
		for i := from; i+len(dash) <= len(body); i++ {
			if (i == 0 || body[i-1] == '\n') && bytes.HasPrefix(body[i:], dash) {
				if n, c, ok := delimiterEnd(body, i, dash); ok {
					wantAt, wantNext, wantClose = i, n, c
					break
				}
			}
		}
		if at != wantAt || next != wantNext || isClose != wantClose {
			t.Fatalf("%q from %d: nextDelimiter %d %d %v, a scan %d %d %v", body, from, at, next, isClose, wantAt, wantNext, wantClose)
		}
	})
}

func BenchmarkSplit(b *testing.B) {
	body := conformant("\r\n")
	for b.Loop() {
		if s := Split("multipart/mixed;boundary=bnd", body); len(s.Parts) != 2 || len(s.Problems) != 0 {
			b.Fatal(s)
		}
	}
}
