package sipmsg

import (
	"strings"
	"testing"
)

// transportRequest is a REGISTER written from RFC 3261 10.2 and RFC 5630 examples, with
// the Request-URI, Via transport and Contact to vary.
func transportRequest(uri, via, contact string) []byte {
	return []byte("REGISTER " + uri + " SIP/2.0\r\n" +
		"Via: SIP/2.0/" + via + " client.biloxi.example.com:5061;branch=z9hG4bKnashds7\r\n" +
		"Max-Forwards: 70\r\nTo: Bob <sips:bob@biloxi.example.com>\r\n" +
		"From: Bob <sips:bob@biloxi.example.com>;tag=456248\r\nCall-ID: 843817637684230@998sdasdh09\r\n" +
		"CSeq: 1826 REGISTER\r\nContact: " + contact + "\r\nExpires: 7200\r\nContent-Length: 0\r\n\r\n")
}

func TestCheckTransport(t *testing.T) {
	for _, c := range []struct {
		name, uri, via, contact, transport string
		want                               string // a substring of the one problem, "" for none
	}{
		{"sips over tls", "sips:registrar.biloxi.example.com", "TLS", "<sips:bob@client.biloxi.example.com>", "tls", ""},
		{"sip over tls (RFC 5630 3.1.3)", "sip:registrar.biloxi.example.com", "TLS", "<sip:bob@client.biloxi.example.com>", "tls", ""},
		{"transport=tls, deprecated not forbidden", "sip:registrar.biloxi.example.com;transport=tls", "TLS", "<sip:bob@192.0.2.4:5061;transport=tls>", "tls", ""},
		{"via transport case-insensitive", "sip:registrar.biloxi.example.com", "tls", "<sip:bob@client.biloxi.example.com>", "tls", ""},
		{"udp", "sip:registrar.biloxi.example.com", "UDP", "<sip:bob@client.biloxi.example.com>", "udp", ""},
		{"recorded file: no transport to compare", "sip:registrar.biloxi.example.com", "TCP", "<sip:bob@client.biloxi.example.com>", "file", ""},
		{"wildcard contact", "sips:registrar.biloxi.example.com", "TLS", "*", "tls", ""},
		{"via TCP over tls", "sip:registrar.biloxi.example.com", "TCP", "<sip:bob@client.biloxi.example.com>", "tls", `the topmost Via to name TLS, the transport the request arrived over (RFC 3261 18.1.1), saw "SIP/2.0/TCP"`},
		{"via TLS over tcp", "sip:registrar.biloxi.example.com", "TLS", "<sip:bob@client.biloxi.example.com>", "tcp", "the topmost Via to name TCP"},
		{"sips Request-URI over tcp", "sips:registrar.biloxi.example.com", "TCP", "<sips:bob@client.biloxi.example.com>", "tcp", `a sips: Request-URI only over TLS (RFC 3261 26.2.2, RFC 5630 3.1.1), saw "sips:registrar.biloxi.example.com" over TCP`},
		{"sip Contact with a sips Request-URI", "sips:registrar.biloxi.example.com", "TLS", "<sip:bob@client.biloxi.example.com>", "tls", `a sips: Contact with a sips: Request-URI (RFC 3261 8.1.1.8), saw "sip:bob@client.biloxi.example.com"`},
		{"sip Contact with a sips Request-URI, recorded", "sips:registrar.biloxi.example.com", "TLS", "<sip:bob@client.biloxi.example.com>", "file", "a sips: Contact with a sips: Request-URI"},
	} {
		t.Run(c.name, func(t *testing.T) {
			m, err := Parse(transportRequest(c.uri, c.via, c.contact))
			if err != nil {
				t.Fatal(err)
			}
			if probs := CheckRequest(m, "REGISTER"); len(probs) > 0 {
				t.Fatalf("the fixture must be well-formed otherwise, saw %v", probs)
			}
			probs := CheckTransport(m, c.transport)
			switch {
			case c.want == "" && len(probs) > 0:
				t.Errorf("expected no problem, saw %v", probs)
			case c.want != "" && (len(probs) != 1 || !strings.Contains(probs[0].Error(), c.want)):
				t.Errorf("expected one problem containing %q, saw %v", c.want, probs)
			}
		})
	}
}
