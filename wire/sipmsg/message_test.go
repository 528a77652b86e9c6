package sipmsg

import (
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"
)

// register is a typical plaintext MCPTT REGISTER with CRLF line ends and a 4-byte body.
const register = "REGISTER sip:ims.example.com SIP/2.0\r\n" +
	"Via: SIP/2.0/UDP 198.51.100.7:5070;branch=z9hG4bK-524287-1;rport\r\n" +
	"Max-Forwards: 70\r\n" +
	"From: \"Alice\" <sip:alice@ims.example.com>;tag=a73kszlfl\r\n" +
	"To: <sip:alice@ims.example.com>\r\n" +
	"Call-ID: 1j9FpLxk3uxtm8tn@198.51.100.7\r\n" +
	"CSeq: 1 REGISTER\r\n" +
	"Contact: <sip:alice@198.51.100.7:5070;transport=udp>;+g.3gpp.mcptt;+g.3gpp.icsi-ref=\"urn%3Aurn-7%3A3gpp-service.ims.icsi.mcptt\";expires=600\r\n" +
	"Expires: 600\r\n" +
	"Content-Type: text/plain\r\n" +
	"Content-Length: 4\r\n" +
	"\r\n" +
	"body"

func mustParse(t testing.TB, raw string) *Message {
	t.Helper()
	m, err := Parse([]byte(raw))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return m
}

func TestParseRegister(t *testing.T) {
	m := mustParse(t, register)
	if !m.IsRequest || m.Method != "REGISTER" || m.RequestURI != "sip:ims.example.com" || m.Version != "SIP/2.0" {
		t.Errorf("start line = %v %q %q %q", m.IsRequest, m.Method, m.RequestURI, m.Version)
	}
	if len(m.Headers) != 10 {
		t.Errorf("%d headers, want 10", len(m.Headers))
	}
	if h, ok := m.First("cseq"); !ok || h.Value != "1 REGISTER" || h.Line != 7 || h.Name != "CSeq" {
		t.Errorf("CSeq = %+v", h)
	}
	if string(m.Body) != "body" || m.BodyOffset != len(register)-4 || m.BodyLine != 13 || m.Trailing != 0 || m.ContentLength != 4 {
		t.Errorf("body %q at %d line %d, trailing %d, length %d", m.Body, m.BodyOffset, m.BodyLine, m.Trailing, m.ContentLength)
	}
	if len(m.Faults) != 0 {
		t.Errorf("faults: %v", m.Faults)
	}
}

func TestParseResponse(t *testing.T) {
	m := mustParse(t, "SIP/2.0 401  Unauthorized here\r\nContent-Length: 0\r\n\r\n")
	if m.IsRequest || m.StatusCode != 401 || m.Reason != "Unauthorized here" || m.Version != "SIP/2.0" {
		t.Errorf("status line = %d %q %q", m.StatusCode, m.Reason, m.Version)
	}
}

// TestVariations checks that every legal spelling of the REGISTER reads as the same
// headers and body.
func TestVariations(t *testing.T) {
	want := mustParse(t, register)
	variations := []struct{ name, from, to string }{
		{"compact forms", "Via:|From:|To:|Call-ID:|Contact:|Content-Type:|Content-Length:", "v:|f:|t:|i:|m:|c:|l:"},
		{"lower-case names", "Max-Forwards:|CSeq:|Call-ID:", "max-forwards:|cseq:|call-id:"},
		{"upper-case names", "Max-Forwards:|Expires:", "MAX-FORWARDS:|EXPIRES:"},
		{"folded Contact", ";+g.3gpp.mcptt;", ";+g.3gpp.mcptt\r\n   ;"},
		{"folded with tab", "CSeq: 1 REGISTER", "CSeq: 1\r\n\tREGISTER"},
		{"space before colon", "Max-Forwards: 70|Call-ID: ", "Max-Forwards  : 70|Call-ID\t: "},
		{"no space after colon", "Expires: 600", "Expires:600"},
		{"trailing space", "Expires: 600\r\n", "Expires: 600  \r\n"},
		{"bare LF", "\r\n", "\n"},
		{"leading CRLF", "REGISTER ", "\r\n\r\nREGISTER "},
	}
	for _, v := range variations {
		t.Run(v.name, func(t *testing.T) {
			raw := register
			from, to := strings.Split(v.from, "|"), strings.Split(v.to, "|")
			for i := range from {
				if !strings.Contains(raw, from[i]) {
					t.Fatalf("fixture lacks %q", from[i])
				}
				raw = strings.ReplaceAll(raw, from[i], to[i])
			}
			m := mustParse(t, raw)
			for _, h := range want.Headers {
				got, ok := m.First(h.Name)
				if !ok || got.Value != h.Value && !(h.Key == "contact" && strings.ReplaceAll(got.Value, " ;", ";") == h.Value) {
					t.Errorf("%s = %q, want %q", h.Name, got.Value, h.Value)
				}
			}
			if string(m.Body) != "body" || m.Trailing != 0 {
				t.Errorf("body %q, trailing %d", m.Body, m.Trailing)
			}
			if p := CheckRequest(m, "REGISTER"); len(p) != 0 {
				t.Errorf("CheckRequest: %v", p)
			}
			if p := CheckContentLength(m); p != nil {
				t.Errorf("CheckContentLength: %v", p)
			}
		})
	}
}

func TestGetCompactAndLongAgree(t *testing.T) {
	m := mustParse(t, "REGISTER sip:x SIP/2.0\r\nm: <sip:a@b>\r\nContact: <sip:c@d>\r\nCONTACT: *\r\n\r\n")
	for _, name := range []string{"m", "M", "contact", "Contact"} {
		if got := m.Get(name); len(got) != 3 || got[0].Key != "contact" || got[0].Name != "m" || got[2].Line != 4 {
			t.Errorf("Get(%q) = %+v", name, got)
		}
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		raw  string
		line int
	}{
		{"", 1}, {"\r\n\r\n", 3}, {"hello world\r\n\r\n", 1}, {"\nREGISTER sip:x\r\n\r\n", 2},
		{"SIP/2.0 abc OK\r\n\r\n", 1}, {"\x00\x01\x02", 1},
	}
	for _, tt := range tests {
		m, err := Parse([]byte(tt.raw))
		var p Problem
		if !errors.As(err, &p) || p.Line != tt.line || !strings.Contains(p.Expected, "request line") {
			t.Errorf("Parse(%q) = %+v, %v; want a Problem on line %d", tt.raw, m, err, tt.line)
		}
	}
}

func TestParseFaults(t *testing.T) {
	tests := []struct{ name, raw, want string }{
		{"no empty line", "REGISTER sip:x SIP/2.0\r\nTo: <sip:a@b>\r\n", "an empty line ending the header section"},
		{"not a header", "REGISTER sip:x SIP/2.0\r\nTo <sip:a@b>\r\n\r\n", "a header field line (name: value)"},
		{"continuation first", "REGISTER sip:x SIP/2.0\r\n  To: <sip:a@b>\r\n\r\n", "continuation line before any header"},
		{"NUL in the To URI", "REGISTER sip:x SIP/2.0\r\nTo: <sip:a\x00@b>\r\n\r\n", "a NUL byte at column 11 of line 2 (byte offset 34 of the message)"},
		{"invalid UTF-8", "REGISTER sip:x SIP/2.0\r\nTo: \"Al\xc3\" <sip:a@b>\r\n\r\n", "byte 0xC3, not UTF-8, at column 8 of line 2"},
	}
	for _, tt := range tests {
		m := mustParse(t, tt.raw)
		if len(m.Faults) != 1 || !strings.Contains(m.Faults[0].Error(), tt.want) || m.Faults[0].Line != 2 && tt.name != "no empty line" {
			t.Errorf("%s: faults %+v, want one containing %q", tt.name, m.Faults, tt.want)
		}
	}
}

// UTF-8 text beyond ASCII is legal in a header value (RFC 3261 25.1 UTF8-NONASCII).
func TestParseUTF8DisplayName(t *testing.T) {
	if m := mustParse(t, "REGISTER sip:x SIP/2.0\r\nTo: \"Jürgen Æsir\" <sip:a@b>\r\n\r\n"); len(m.Faults) != 0 {
		t.Errorf("faults %+v, want none for UTF-8 in a display name", m.Faults)
	}
}

func TestBodyAndContentLength(t *testing.T) {
	head := "MESSAGE sip:x SIP/2.0\r\n"
	tests := []struct {
		name, raw string
		body      string
		trailing  int
		length    int
		problem   string // "" when CheckContentLength must pass
	}{
		{"exact", head + "Content-Length: 3\r\n\r\nabc", "abc", 0, 3, ""},
		{"zero", head + "l: 0\r\n\r\n", "", 0, 0, ""},
		{"padded value", head + "Content-Length:   3\r\n\r\nabc", "abc", 0, 3, ""},
		{"trailing bytes", head + "Content-Length: 3\r\n\r\nabc\r\n", "abc", 2, 3, "2 more bytes"},
		{"short body", head + "Content-Length: 5\r\n\r\nabc", "abc", 0, 5, "5 body bytes"},
		{"missing", head + "\r\nabc", "abc", 0, -1, "Content-Length header"},
		{"not a number", head + "Content-Length: 3a\r\n\r\nabc", "abc", 0, -1, "decimal digits"},
		{"negative", head + "Content-Length: -3\r\n\r\nabc", "abc", 0, -1, "decimal digits"},
		{"twice", head + "Content-Length: 3\r\nl: 3\r\n\r\nabc", "abc", 0, 3, "exactly one Content-Length"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := mustParse(t, tt.raw)
			if string(m.Body) != tt.body || m.Trailing != tt.trailing || m.ContentLength != tt.length {
				t.Errorf("body %q trailing %d length %d, want %q %d %d", m.Body, m.Trailing, m.ContentLength, tt.body, tt.trailing, tt.length)
			}
			if string(m.Raw[m.BodyOffset:m.BodyOffset+len(m.Body)]) != tt.body {
				t.Errorf("BodyOffset %d does not point at the body", m.BodyOffset)
			}
			p := CheckContentLength(m)
			switch {
			case tt.problem == "" && p != nil:
				t.Errorf("CheckContentLength = %v, want none", p)
			case tt.problem != "" && (p == nil || !strings.Contains(p.Error(), tt.problem)):
				t.Errorf("CheckContentLength = %v, want %q", p, tt.problem)
			}
		})
	}
}

func TestSplitList(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"a, b ,c", []string{"a", "b", "c"}},
		{`"Doe, John" <sip:j@x>, <sip:k@y;a=b,c>`, []string{`"Doe, John" <sip:j@x>`, "<sip:k@y;a=b,c>"}},
		{`<sip:a@b>;+sip.instance="<urn:uuid:1,2>";q=0.5, *`, []string{`<sip:a@b>;+sip.instance="<urn:uuid:1,2>";q=0.5`, "*"}},
		{`"a \" , b", c`, []string{`"a \" , b"`, "c"}},
		{", ,", nil},
	}
	for _, tt := range tests {
		if got := SplitList(tt.in); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("SplitList(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestParseAddress(t *testing.T) {
	tests := []struct {
		in      string
		display string
		uri     string
		params  []Param
		err     string
	}{
		{`<sip:a@b;transport=udp>;tag=x`, "", "sip:a@b;transport=udp", []Param{{Name: "tag", Value: "x", HasValue: true, Raw: "tag=x"}}, ""},
		{`"A, B" <sip:a@b>`, `"A, B"`, "sip:a@b", nil, ""},
		{`Alice Smith <sips:a@b> ; tag = 7 ; lr`, "Alice Smith", "sips:a@b", []Param{{Name: "tag", Value: "7", HasValue: true, Raw: "tag = 7"}, {Name: "lr", Raw: "lr"}}, ""},
		{`sip:a@b;tag=1`, "", "sip:a@b", []Param{{Name: "tag", Value: "1", HasValue: true, Raw: "tag=1"}}, ""},
		{`sip:a@b;+sip.instance="<urn:x>"`, "", "sip:a@b", []Param{{Name: "+sip.instance", Value: "<urn:x>", HasValue: true, Quoted: true, Raw: `+sip.instance="<urn:x>"`}}, ""},
		{`<sip:a@b>;received=[2001:db8::1]`, "", "sip:a@b", []Param{{Name: "received", Value: "[2001:db8::1]", HasValue: true, Raw: "received=[2001:db8::1]"}}, ""},
		{`<sip:a@b`, "", "", nil, "'>' closing the URI"},
		{`"Alice <sip:a@b>`, "", "", nil, `closed by '"'`},
		{`<alice>`, "", "alice", nil, "a URI with a scheme"},
		{`<sip:a@b>;x="open`, "", "sip:a@b", nil, "quoted value closed"},
		{`<sip:a@b>;=1;tag=2`, "", "sip:a@b", []Param{{Name: "tag", Value: "2", HasValue: true, Raw: "tag=2"}}, "a parameter name"},
		{`<sip:a@b> junk`, "", "sip:a@b", nil, "';' before a parameter"},
	}
	for _, tt := range tests {
		a, err := ParseAddress(tt.in)
		if tt.err == "" && err != nil || tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)) {
			t.Errorf("ParseAddress(%q) error %v, want %q", tt.in, err, tt.err)
		}
		if a.Display != tt.display || a.URI != tt.uri || !reflect.DeepEqual(a.Params, tt.params) {
			t.Errorf("ParseAddress(%q) = %+v", tt.in, a)
		}
	}
}

func TestExampleFiles(t *testing.T) {
	for file, method := range map[string]string{"register-conf-integ.sip": "REGISTER", "publish-conf-integ.sip": "PUBLISH"} {
		raw, err := os.ReadFile("testdata/" + file)
		if err != nil {
			t.Fatal(err)
		}
		m, err := Parse(raw)
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		if p := CheckRequest(m, method); len(p) != 0 {
			t.Errorf("%s: CheckRequest = %v", file, p)
		}
		if p := CheckContentLength(m); p != nil {
			t.Errorf("%s: CheckContentLength = %v", file, p)
		}
	}
}

// BareLF names the first line of the start line and header section that ends in LF
// without CR; a bare LF in the body is not a line end of the message.
func TestBareLF(t *testing.T) {
	lf := strings.ReplaceAll(register, "\r\n", "\n")
	for _, c := range []struct {
		name, raw string
		want      int
	}{
		{"CRLF", register, 0},
		{"every line", lf, 1},
		{"one header", strings.Replace(register, "Max-Forwards: 70\r\n", "Max-Forwards: 70\n", 1), 3},
		{"the empty line", strings.Replace(register, "\r\n\r\nbody", "\r\n\nbody", 1), 12},
		{"in the body only", strings.Replace(register, "body", "b\nd\n", 1), 0},
		{"keep-alive before the start line", "\n" + register, 0},
	} {
		if got := mustParse(t, c.raw).BareLF; got != c.want {
			t.Errorf("%s: BareLF = %d, want %d", c.name, got, c.want)
		}
	}
}

// TopVia, CSeq and TransactionKey read the topmost Via and the CSeq as written.
func TestTransactionReads(t *testing.T) {
	m := mustParse(t, strings.Replace(register, "Via: SIP/2.0/UDP 198.51.100.7:5070;branch=z9hG4bK-524287-1;rport",
		"v: SIP/2.0/UDP 198.51.100.7:5070 ;rport; BRANCH=z9hG4bK-a, SIP/2.0/UDP p;branch=z9hG4bK-b", 1))
	sentBy, branch := m.TopVia()
	n, method, ok := m.CSeq()
	if sentBy != "198.51.100.7:5070" || branch != "z9hG4bK-a" || n != "1" || method != "REGISTER" || !ok {
		t.Errorf("TopVia = %q %q, CSeq = %q %q %v", sentBy, branch, n, method, ok)
	}
	if got := m.TransactionKey(); got != "z9hG4bK-a|198.51.100.7:5070|REGISTER" {
		t.Errorf("TransactionKey = %q", got)
	}
}

// Key lower-cases a name and expands a compact form, whether or not it is one of the
// names it knows.
func TestKey(t *testing.T) {
	for _, c := range []struct{ name, want string }{
		{"Via", "via"},
		{" Call-ID ", "call-id"},
		{"CSeq", "cseq"},
		{"m", "contact"},
		{"M", "contact"},
		{"l", "content-length"},
		{"X-Unknown-Header", "x-unknown-header"},
		{"A-Header-Name-Longer-Than-Thirty-Two-Bytes", "a-header-name-longer-than-thirty-two-bytes"},
		{"\u212A", "supported"}, // KELVIN SIGN lower-cases to k, the compact form of Supported
		{"supported", "supported"},
		{"", ""},
	} {
		if got := Key(c.name); got != c.want {
			t.Errorf("Key(%q): expected %q, saw %q", c.name, c.want, got)
		}
	}
}
