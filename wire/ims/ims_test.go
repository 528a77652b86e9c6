package ims_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/mcptt-conformance/mcptt-conformance/wire/ims"
	"github.com/mcptt-conformance/mcptt-conformance/wire/multipart"
	"github.com/mcptt-conformance/mcptt-conformance/wire/sipmsg"
)

func crlf(s string) string { return strings.ReplaceAll(s, "\n", "\r\n") }

// A client REGISTER and its 200 OK, as an S-CSCF carries them (TS 24.229 5.4.1.7).
var (
	clientRegister = crlf("REGISTER sip:ims.example.net SIP/2.0\nVia: SIP/2.0/TCP [2001:db8::9]:5060;branch=z9hG4bK-9\nMax-Forwards: 69\n" +
		"From: <sip:Carol@IMS.example.net>;tag=9\nTo: <sip:Carol@IMS.example.net>\nCall-ID: r9\nCSeq: 7 REGISTER\n" +
		"Contact: <sip:carol@[2001:db8::9]:5060;transport=tcp>;+g.3gpp.mcptt\nContent-Length: 0\n\n")
	clientOK = crlf("SIP/2.0 200 OK\nVia: SIP/2.0/TCP [2001:db8::9]:5060;branch=z9hG4bK-9\nFrom: <sip:Carol@IMS.example.net>;tag=9\n" +
		"To: <sip:Carol@IMS.example.net>;tag=s\nCall-ID: r9\nCSeq: 7 REGISTER\nContent-Length: 0\n\n")
)

func request(head, ctype, body string) *sipmsg.Message {
	raw := crlf(head)
	if ctype != "" {
		raw += "Content-Type: " + ctype + "\r\n"
	}
	raw += "Content-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n" + body
	m, err := sipmsg.Parse([]byte(raw))
	if err != nil {
		panic(err)
	}
	return m
}

const thirdPartyHead = "REGISTER sip:as.ims.example.net SIP/2.0\nVia: SIP/2.0/UDP scscf.ims.example.net;branch=z9hG4bK-3\nMax-Forwards: 70\n" +
	"From: <sip:scscf.ims.example.net>;tag=3\nTo: <sip:carol@ims.example.net>\nCall-ID: tp3\nCSeq: 1 REGISTER\nContact: <sip:scscf.ims.example.net>\n"

// The client of a request: the carried REGISTER's AoR for a third-party REGISTER, the
// P-Asserted-Identity's SIP URI for a routed request, the AoR otherwise.
func TestClient(t *testing.T) {
	multi := "--b\r\nContent-Type: message/sip\r\n\r\n" + clientRegister + "\r\n--b\r\nContent-Type: message/sip\r\n\r\n" + clientOK + "\r\n--b--\r\n"
	cases := []struct {
		name string
		m    *sipmsg.Message
		want string
	}{
		{"third-party, message/sip", request(strings.Replace(thirdPartyHead, "carol@", "someone-else@", 1), "message/sip", clientRegister), "sip:carol@ims.example.net"},
		{"third-party, multipart", request(thirdPartyHead, "multipart/mixed;boundary=b", multi), "sip:carol@ims.example.net"},
		{"third-party, garbage carried", request(thirdPartyHead, "message/sip", "garbage"), "sip:carol@ims.example.net"},
		{"direct REGISTER", request("REGISTER sip:x SIP/2.0\nTo: <sip:dave@example.net;user=phone>\n", "", ""), "sip:dave@example.net"},
		{"routed PUBLISH", request("PUBLISH sip:psi@x SIP/2.0\nFrom: <sip:anonymous@anonymous.invalid>;tag=1\nP-Asserted-Identity: <tel:+15551234>, \"Carol\" <sip:Carol@ims.example.net;user=phone>\n", "", ""), "sip:carol@ims.example.net"},
		{"direct PUBLISH", request("PUBLISH sip:psi@x SIP/2.0\nFrom: <sip:erin@example.net>;tag=1\n", "", ""), "sip:erin@example.net"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := ims.Client(c.m); got != c.want {
				t.Errorf("expected client %q, saw %q", c.want, got)
			}
		})
	}
}

// The registration's status: the carried response's, else 200 (the S-CSCF sends a
// third-party REGISTER upon a successful registration).
func TestCarriedStatus(t *testing.T) {
	for _, c := range []struct {
		body multipart.Body
		want int
	}{
		{multipart.Split("message/sip", []byte(clientRegister)), 200},
		{multipart.Split("multipart/mixed;boundary=b", []byte("--b\r\nContent-Type: message/sip\r\n\r\n"+clientRegister+"\r\n--b\r\nContent-Type: message/sip\r\n\r\n"+
			strings.Replace(clientOK, "200 OK", "403 Forbidden", 1)+"\r\n--b--\r\n")), 403},
	} {
		got := ims.Read(c.body)
		if got.Problem != nil || got.Request == nil || got.Status() != c.want {
			t.Errorf("expected the carried REGISTER with status %d, saw problem %v, status %d", c.want, got.Problem, got.Status())
		}
	}
}
