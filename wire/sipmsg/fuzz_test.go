package sipmsg

import (
	"bytes"
	"os"
	"strings"
	"testing"
)

func FuzzParse(f *testing.F) {
	f.Add([]byte(register))
	f.Add([]byte(publish))
	f.Add([]byte("SIP/2.0 200 OK\nl: 1\n\nxy"))
	f.Add([]byte("\r\nREGISTER sip:x SIP/2.0\r\n  folded\r\nTo: \"a\\\"b\" <sip:a>;x=\"\r\n\r\n"))
	if raw, err := os.ReadFile("testdata/register-conf-integ.sip"); err == nil {
		f.Add(raw)
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		if n, complete, err := FrameLength(raw); n < 0 || n > len(raw) || err != nil && complete {
			t.Fatalf("FrameLength = %d, %v, %v for %d bytes", n, complete, err, len(raw))
		}
		m, err := Parse(raw)
		if err != nil {
			return
		}
		if m.BodyOffset+len(m.Body)+m.Trailing != len(raw) || !bytes.Equal(raw[m.BodyOffset:m.BodyOffset+len(m.Body)], m.Body) {
			t.Fatalf("body at %d (%d bytes, %d trailing) does not fit %d bytes", m.BodyOffset, len(m.Body), m.Trailing, len(raw))
		}
		CheckRequest(m, "REGISTER")
		CheckTransport(m, "tls")
		CheckContentLength(m)
		for _, h := range m.Headers {
			if len(m.Get(h.Name)) == 0 {
				t.Fatalf("Get(%q) finds nothing", h.Name)
			}
			for _, v := range SplitList(h.Value) {
				if a, _ := ParseAddress(v); AddressURI(v) != a.URI {
					t.Fatalf("AddressURI(%q) = %q, ParseAddress reads the URI %q", v, AddressURI(v), a.URI)
				}
			}
		}
	})
}

// FuzzKey holds Key's fast path for names that are their own key to the general
// reading: trimmed, lower-cased, compact forms expanded.
func FuzzKey(f *testing.F) {
	for _, name := range []string{"via", "Via", "m", "content-length", " to ", "x-9", "-", "a"} {
		f.Add(name)
	}
	f.Fuzz(func(t *testing.T, name string) {
		want := strings.ToLower(strings.TrimSpace(name))
		if long, ok := compact[want]; ok {
			want = long
		}
		if got := Key(name); got != want {
			t.Fatalf("Key(%q) = %q, expected %q", name, got, want)
		}
	})
}

func BenchmarkParseCheck(b *testing.B) {
	raw := []byte(register)
	b.SetBytes(int64(len(raw)))
	for b.Loop() {
		m, err := Parse(raw)
		if err != nil {
			b.Fatal(err)
		}
		if ps := CheckRequest(m, "REGISTER"); len(ps) != 0 {
			b.Fatal(ps)
		}
		if p := CheckContentLength(m); p != nil {
			b.Fatal(p)
		}
	}
}

func BenchmarkFrameLength(b *testing.B) {
	raw := []byte(register + register)
	for b.Loop() {
		if _, complete, err := FrameLength(raw); !complete || err != nil {
			b.Fatal(complete, err)
		}
	}
}

// startFields gives the first three fields of strings.Fields and their count (4 for
// four or more) on any text: ASCII and Unicode white space, bytes that are not UTF-8.
func FuzzStartFields(f *testing.F) {
	for _, s := range []string{"", " ", "REGISTER sip:x SIP/2.0", "\tSIP/2.0  200 OK ", "a b c d e", "a\u00a0b\u2003c", "a\x85b \xff\xfe c", "x\u0085y\v\fz\r"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want := strings.Fields(s)
		got, n := startFields(s)
		if wantN := min(len(want), 4); n != wantN {
			t.Fatalf("startFields(%q): expected %d field(s), saw %d", s, wantN, n)
		}
		for i := range min(n, 3) {
			if got[i] != want[i] {
				t.Fatalf("startFields(%q): expected field %d %q, saw %q", s, i, want[i], got[i])
			}
		}
	})
}
