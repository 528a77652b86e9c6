package server_test

import (
	"fmt"
	"testing"

	"github.com/mcptt-conformance/mcptt-conformance/server"
)

// Behind an IMS core, a third-party REGISTER from the S-CSCF (TS 24.229 5.4.1.7) is
// answered 200 OK without a challenge, whatever its body's shape; a REGISTER that
// arrives directly is still challenged, and without the option so is a third-party
// REGISTER.
func TestBehindIMSAnswersThirdPartyRegister(t *testing.T) {
	carried := request("REGISTER", "z9hG4bK-ue", 2, "")
	multi := "--b\r\nContent-Type: application/3gpp-ims+xml\r\n\r\n<ims-3gpp version=\"1\"/>\r\n--b\r\nContent-Type: message/sip\r\n\r\n" + carried + "\r\n--b--\r\n"
	thirdParty := func(branch, ctype, body string) string {
		return fmt.Sprintf("REGISTER sip:127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5080;branch=%s\r\nMax-Forwards: 70\r\n"+
			"From: <sip:scscf.mcptt.example.com:5080>;tag=s\r\nTo: <sip:alice@mcptt.example.com>\r\nCall-ID: tp-%s\r\nCSeq: 1 REGISTER\r\n"+
			"Contact: <sip:scscf.mcptt.example.com:5080>\r\nExpires: 600\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n%s", branch, branch, ctype, len(body), body)
	}
	digest := server.WithDigest("mcptt.example.com", "alice", "secret")
	cases := []struct {
		name string
		opts []server.Option
		msg  string
		want string
	}{
		{"message/sip", []server.Option{digest, server.WithBehindIMS()}, thirdParty("z9hG4bK-a", "message/sip", carried), "SIP/2.0 200 OK"},
		{"multipart", []server.Option{digest, server.WithBehindIMS()}, thirdParty("z9hG4bK-b", "multipart/mixed;boundary=b", multi), "SIP/2.0 200 OK"},
		{"direct REGISTER", []server.Option{digest, server.WithBehindIMS()}, request("REGISTER", "z9hG4bK-c", 1, ""), "SIP/2.0 401 Unauthorized"},
		{"not behind IMS", []server.Option{digest}, thirdParty("z9hG4bK-d", "message/sip", carried), "SIP/2.0 401 Unauthorized"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, _ := start(t, c.opts...)
			if got := status(udp(t, s, c.msg)); got != c.want {
				t.Errorf("expected %q, saw %q", c.want, got)
			}
		})
	}
}
