package server_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/mcptt-conformance/mcptt-conformance/server"
)

// TestResponseCopiesTheRequestsFields holds the responses the server writes itself
// against RFC 3261 8.2.6.2: Via (every value, in order), From, Call-ID and CSeq copied
// as read (compact names and folding read as sipmsg reads them), To copied with the
// server's tag, and a 200 to REGISTER echoing every Contact with its expiry, a folded
// one too (LWS before ";" is legal, RFC 3261 25.1 SEMI; gosip's address parser refuses
// it).
func TestResponseCopiesTheRequestsFields(t *testing.T) {
	s, _ := start(t, server.WithRegisterExpires(600))
	head := "REGISTER sip:mcptt.example.com SIP/2.0\r\n" +
		"v: SIP/2.0/UDP 127.0.0.1:5071;branch=z9hG4bK-c%d;rport\r\n" +
		"Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK-c0\r\n" +
		"Max-Forwards: 70\r\n" +
		"f: \"Alice, A\" <sip:alice@mcptt.example.com>;tag=a1\r\n" +
		"i: load-1\r\n" +
		"CSeq: 7\r\n REGISTER\r\n"
	tail := "m: <sip:alice@127.0.0.1:5071>\r\n ;+g.3gpp.mcptt, \"Two, B\" <sip:alice@127.0.0.1:5072>;expires=30\r\n" +
		"Content-Length: 0\r\n\r\n"
	for i, tc := range []struct {
		to, wantTo string
	}{
		{"<sip:alice@mcptt.example.com>", "To: <sip:alice@mcptt.example.com>;tag="},
		{"sip:alice@mcptt.example.com", "To: sip:alice@mcptt.example.com;tag="},
	} {
		res := udp(t, s, fmt.Sprintf(head, i)+"t: "+tc.to+"\r\n"+tail)
		for _, want := range []string{
			"SIP/2.0 200 OK\r\n" +
				fmt.Sprintf("Via: SIP/2.0/UDP 127.0.0.1:5071;branch=z9hG4bK-c%d;rport\r\n", i) +
				"Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK-c0\r\n" +
				"From: \"Alice, A\" <sip:alice@mcptt.example.com>;tag=a1\r\n" + tc.wantTo,
			"\r\nCall-ID: load-1\r\nCSeq: 7 REGISTER\r\n",
			"\r\nContact: <sip:alice@127.0.0.1:5071>;+g.3gpp.mcptt;expires=600\r\n",
			"\r\nContact: \"Two, B\" <sip:alice@127.0.0.1:5072>;expires=600\r\n",
			"\r\nExpires: 600\r\n",
			"\r\nContent-Length: 0\r\n\r\n",
		} {
			if !strings.Contains(res, want) {
				t.Errorf("To %s: expected the response to hold %q, saw\n%s", tc.to, want, res)
			}
		}
		if strings.Count(res, ";tag=") != 2 {
			t.Errorf("To %s: expected one tag added to the To, saw\n%s", tc.to, res)
		}
	}
}
