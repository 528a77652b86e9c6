package sipmsg_test

import (
	"strconv"
	"testing"

	"github.com/mcptt-conformance/mcptt-conformance/wire/contact"
	"github.com/mcptt-conformance/mcptt-conformance/wire/multipart"
	"github.com/mcptt-conformance/mcptt-conformance/wire/sipmsg"
)

// plainRegister builds a typical plaintext MCPTT REGISTER: the two feature tags in
// Contact and a multipart/mixed body with the mcptt-info document and an
// application/mikey part.
func plainRegister() []byte {
	body := "--b1\r\n" +
		"Content-Type: application/vnd.3gpp.mcptt-info+xml\r\n\r\n" +
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n" +
		"<mcpttinfo xmlns=\"urn:3gpp:ns:mcpttInfo:1.0\">\r\n" +
		"  <mcptt-Params>\r\n" +
		"    <mcptt-access-token type=\"Normal\"><mcpttString>eyJhbGciOiJub25lIn0.eyJzdWIiOiJib2IifQ.</mcpttString></mcptt-access-token>\r\n" +
		"    <mcptt-client-id type=\"Normal\"><mcpttURI>urn:uuid:0b0e2f5c-3d4a-4e6f-8a7b-9c1d2e3f4a5b</mcpttURI></mcptt-client-id>\r\n" +
		"  </mcptt-Params>\r\n" +
		"</mcpttinfo>\r\n" +
		"--b1\r\n" +
		"Content-Type: application/mikey\r\n\r\n" +
		string(make([]byte, 559)) + "\r\n" +
		"--b1--\r\n"
	return []byte("REGISTER sip:ims.example.com SIP/2.0\r\n" +
		"Via: SIP/2.0/UDP 198.51.100.7:5070;branch=z9hG4bK-524287-1;rport\r\n" +
		"Max-Forwards: 70\r\n" +
		"From: <sip:alice@ims.example.com>;tag=a73kszlfl\r\n" +
		"To: <sip:alice@ims.example.com>\r\n" +
		"Call-ID: 1j9FpLxk3uxtm8tn@198.51.100.7\r\n" +
		"CSeq: 1 REGISTER\r\n" +
		"Contact: <sip:alice@198.51.100.7:5070;transport=udp>;+g.3gpp.mcptt;+g.3gpp.icsi-ref=\"urn%3Aurn-7%3A3gpp-service.ims.icsi.mcptt\";+sip.instance=\"<urn:gsma:imei:49015420-323751-0>\"\r\n" +
		"Expires: 600000\r\n" +
		"Supported: path, gruu\r\n" +
		"User-Agent: mcptt-example-client/1.0\r\n" +
		"Content-Type: multipart/mixed;boundary=b1\r\n" +
		"Content-Length: " + strconv.Itoa(len(body)) + "\r\n" +
		"\r\n" + body)
}

// BenchmarkRegister measures everything the wire-level checks do with one REGISTER.
func BenchmarkRegister(b *testing.B) {
	raw := plainRegister()
	b.SetBytes(int64(len(raw)))
	for b.Loop() {
		m, err := sipmsg.Parse(raw)
		if err != nil {
			b.Fatal(err)
		}
		if ps := sipmsg.CheckRequest(m, "REGISTER"); len(ps) != 0 {
			b.Fatal(ps)
		}
		if p := sipmsg.CheckContentLength(m); p != nil {
			b.Fatal(p)
		}
		cs, ps := contact.Parse(m.Get("contact"))
		if len(cs) != 1 || len(ps) != 0 {
			b.Fatal(cs, ps)
		}
		if _, ok := cs[0].Tag("g.3gpp.icsi-ref"); !ok {
			b.Fatal("no icsi-ref")
		}
		ct, _ := m.First("content-type")
		if body := multipart.Split(ct.Value, m.Body); len(body.Parts) != 2 || len(body.Problems) != 0 {
			b.Fatal(body.Problems)
		}
	}
}
