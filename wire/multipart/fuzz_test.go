package multipart

import (
	"bytes"
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

func BenchmarkSplit(b *testing.B) {
	body := conformant("\r\n")
	for b.Loop() {
		if s := Split("multipart/mixed;boundary=bnd", body); len(s.Parts) != 2 || len(s.Problems) != 0 {
			b.Fatal(s)
		}
	}
}
