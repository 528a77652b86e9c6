package sipmsg

import (
	"strings"
	"testing"
)

const publish = "PUBLISH sip:mcptt-server@mcptt.example.com SIP/2.0\r\n" +
	"Via: SIP/2.0/TCP [2001:db8::7]:5070;branch=z9hG4bKp1\r\n" +
	"Max-Forwards: 70\r\n" +
	"From: <sip:alice@ims.example.com>;tag=p1\r\n" +
	"To: <sip:alice@ims.example.com>\r\n" +
	"Call-ID: pub-1\r\n" +
	"CSeq: 2147483647 PUBLISH\r\n" +
	"Event: poc-settings\r\n" +
	"Expires: 4294967295\r\n" +
	"Content-Length: 0\r\n" +
	"\r\n"

// TestCheckRequestFaults breaks one rule of a conformant request at a time.
func TestCheckRequestFaults(t *testing.T) {
	tests := []struct {
		name, base, from, to string
		want                 string // substring of the one expected Problem
		line                 int
	}{
		{"conformant REGISTER", register, "", "", "", 0},
		{"conformant PUBLISH", publish, "", "", "", 0},
		{"other method", register, "", "", "method PUBLISH", 1},
		{"double space", register, "REGISTER sip:ims.example.com SIP", "REGISTER  sip:ims.example.com SIP", "single spaces", 1},
		{"version", register, "com SIP/2.0\r\nVia", "com SIP/3.0\r\nVia", "SIP/2.0", 1},
		{"lower-case version", register, "com SIP/2.0\r\nVia", "com sip/2.0\r\nVia", "upper case", 1},
		{"tel Request-URI", register, "REGISTER sip:ims.example.com", "REGISTER tel:+123", "sip: or sips:", 1},
		{"no scheme", register, "REGISTER sip:ims.example.com", "REGISTER ims.example.com", "with a scheme", 1},
		{"user in REGISTER URI", register, "REGISTER sip:ims", "REGISTER sip:alice@ims", "without user part", 1},
		{"no To", register, "To: <sip:alice@ims.example.com>\r\n", "", "a To header", 1},
		{"two To", register, "To: <sip:alice@ims.example.com>\r\n", "To: <sip:alice@ims.example.com>\r\nt: <sip:b@c>\r\n", "exactly one To", 6},
		{"two addresses in To", register, "To: <sip:alice@ims.example.com>", "To: <sip:alice@ims.example.com>, <sip:b@c>", "one address in To", 5},
		{"To tag", register, "To: <sip:alice@ims.example.com>", "To: <sip:alice@ims.example.com>;tag=1", "no tag in To", 5},
		{"To unclosed", register, "To: <sip:alice@ims.example.com>", "To: <sip:alice@ims.example.com", "'>' closing", 5},
		{"no From tag", register, ";tag=a73kszlfl", "", "a tag parameter in From", 4},
		{"empty From tag", register, ";tag=a73kszlfl", ";tag=", "a value after '=' in parameter tag", 4},
		{"no Call-ID", register, "Call-ID: 1j9FpLxk3uxtm8tn@198.51.100.7\r\n", "", "a Call-ID header", 1},
		{"Call-ID with space", register, "1j9FpLxk3uxtm8tn@198", "1j9Fp Lxk3uxtm8tn@198", "word[@word]", 6},
		{"two Call-IDs", register, "CSeq:", "i: x\r\nCSeq:", "exactly one Call-ID", 7},
		{"CSeq method", register, "CSeq: 1 REGISTER", "CSeq: 1 INVITE", "CSeq method REGISTER", 7},
		{"CSeq number", register, "CSeq: 1 REGISTER", "CSeq: 2147483648 REGISTER", "below 2**31", 7},
		{"CSeq form", register, "CSeq: 1 REGISTER", "CSeq: REGISTER", "sequence-number method", 7},
		{"no CSeq", register, "CSeq: 1 REGISTER\r\n", "", "a CSeq header", 1},
		{"no Max-Forwards", register, "Max-Forwards: 70\r\n", "", "a Max-Forwards header", 1},
		{"Max-Forwards value", register, "Max-Forwards: 70", "Max-Forwards: seventy", "0 to 255", 3},
		{"two Max-Forwards", register, "Max-Forwards: 70\r\n", "Max-Forwards: 70\r\nMax-Forwards: 70\r\n", "exactly one Max-Forwards", 4},
		{"no Via", register, "Via: SIP/2.0/UDP 198.51.100.7:5070;branch=z9hG4bK-524287-1;rport\r\n", "", "a Via header", 1},
		{"old branch", register, "branch=z9hG4bK-524287-1", "branch=524287-1", "magic cookie", 2},
		{"bare cookie", register, "branch=z9hG4bK-524287-1", "branch=z9hG4bK", "magic cookie", 2},
		{"no branch", register, ";branch=z9hG4bK-524287-1", "", "a branch parameter", 2},
		{"Via protocol", register, "SIP/2.0/UDP", "SIP/1.0/UDP", "SIP/2.0/transport", 2},
		{"Via sent-by", register, "198.51.100.7:5070;branch", "198.51.100.7:port;branch", "host[:port]", 2},
		{"no Contact", register, "Contact: <sip:alice@198.51.100.7:5070;transport=udp>;+g.3gpp.mcptt;+g.3gpp.icsi-ref=\"urn%3Aurn-7%3A3gpp-service.ims.icsi.mcptt\";expires=600\r\n", "", "a Contact header", 1},
		{"no Event", publish, "Event: poc-settings\r\n", "", "an Event header", 1},
		{"two Events", publish, "Event: poc-settings\r\n", "Event: poc-settings\r\no: presence\r\n", "exactly one Event", 9},
		{"bad Event", publish, "Event: poc-settings", "Event: <poc>", "event package", 8},
		{"PUBLISH to tel", publish, "PUBLISH sip:mcptt-server", "PUBLISH tel:mcptt-server", "sip: or sips:", 1},
		{"garbage line", register, "Expires: 600\r\n", "Expires 600\r\n", "a header field line", 9},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !strings.Contains(tt.base, tt.from) {
				t.Fatalf("fixture lacks %q", tt.from)
			}
			m := mustParse(t, strings.Replace(tt.base, tt.from, tt.to, 1))
			method := m.Method
			if tt.name == "other method" {
				method = "PUBLISH"
			}
			ps := CheckRequest(m, method)
			if tt.want == "" {
				if len(ps) != 0 {
					t.Errorf("problems %v, want none", ps)
				}
				return
			}
			if len(ps) != 1 || !strings.Contains(ps[0].Error(), tt.want) || ps[0].Line != tt.line {
				t.Errorf("problems %+v, want one on line %d containing %q", ps, tt.line, tt.want)
			}
		})
	}
}

func TestCheckRequestOnResponse(t *testing.T) {
	m := mustParse(t, "SIP/2.0 200 OK\r\n\r\n")
	if ps := CheckRequest(m, "REGISTER"); len(ps) != 1 || !strings.Contains(ps[0].Error(), "a response") {
		t.Errorf("problems %v", ps)
	}
}

func TestFrameLength(t *testing.T) {
	msg := "MESSAGE sip:x SIP/2.0\r\nl: 3\r\n\r\nabc"
	tests := []struct {
		name     string
		stream   string
		n        int
		complete bool
		err      string
	}{
		{"one message", msg, len(msg), true, ""},
		{"two messages", msg + msg, len(msg), true, ""},
		{"keep-alive", "\r\n\r\n" + msg, 4, true, ""},
		{"bare LF keep-alive", "\n", 1, true, ""},
		{"partial body", msg[:len(msg)-1], 0, false, ""},
		{"partial header", msg[:10], 0, false, ""},
		{"partial first line", "REG", 0, false, ""},
		{"LF line ends", "MESSAGE sip:x SIP/2.0\nContent-Length: 1\n\nab", len("MESSAGE sip:x SIP/2.0\nContent-Length: 1\n\na"), true, ""},
		{"no Content-Length", "OPTIONS sip:x SIP/2.0\r\nTo: <sip:a@b>\r\n\r\nxyz", len("OPTIONS sip:x SIP/2.0\r\nTo: <sip:a@b>\r\n\r\n"), true, ""},
		{"garbage start line", "GET / HTTP/1.1\r\nHost: x\r\n", 0, false, "request line"},
		{"binary", "\x16\x03\x01\x02\x00\x01\x00", 0, false, "printable text"},
		{"bad length", "MESSAGE sip:x SIP/2.0\r\nContent-Length: x\r\n\r\n", 0, false, "decimal digits"},
		{"conflicting lengths", "MESSAGE sip:x SIP/2.0\r\nContent-Length: 1\r\nl: 2\r\n\r\n", 0, false, "one Content-Length value"},
		{"huge body", "MESSAGE sip:x SIP/2.0\r\nContent-Length: 999999999\r\n\r\n", 0, false, "at most"},
		{"huge header", "MESSAGE sip:x SIP/2.0\r\nX: " + strings.Repeat("a", MaxHeaderBytes), 0, false, "at most"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, complete, err := FrameLength([]byte(tt.stream))
			if n != tt.n || complete != tt.complete {
				t.Errorf("FrameLength = %d, %v, want %d, %v", n, complete, tt.n, tt.complete)
			}
			if tt.err == "" && err != nil || tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)) {
				t.Errorf("error %v, want %q", err, tt.err)
			}
		})
	}
}
