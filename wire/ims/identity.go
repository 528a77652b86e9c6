package ims

import (
	"strings"

	"github.com/mcptt-conformance/mcptt-conformance/wire/multipart"
	"github.com/mcptt-conformance/mcptt-conformance/wire/sipmsg"
)

// Client is the address of record of the client a request comes from, in lower case
// and without URI parameters: for a third-party REGISTER, that of the client's
// REGISTER it carries, not the S-CSCF's; for a request the core routed with a
// P-Asserted-Identity (RFC 3325, in place of the client's P-Preferred-Identity), its
// first SIP URI; otherwise the request's own (sipmsg.Message.AddressOfRecord). ""
// for a response.
func Client(m *sipmsg.Message) string {
	if !m.IsRequest {
		return ""
	}
	if m.Method == "REGISTER" {
		ct, _ := m.First("content-type")
		if ct.Value == "" {
			return m.AddressOfRecord()
		}
		body := multipart.Split(ct.Value, m.Body)
		if !IsThirdParty(m, body) {
			return m.AddressOfRecord()
		}
		if c := Read(body); c.Request != nil {
			return c.Request.AddressOfRecord()
		}
		return m.AddressOfRecord()
	}
	if id := AssertedIdentity(m); id != "" {
		return id
	}
	return m.AddressOfRecord()
}

// AssertedIdentity is the first sip: or sips: URI of the request's
// P-Asserted-Identity header fields (RFC 3325 9.1), in lower case and without URI
// parameters; "" when there is none.
func AssertedIdentity(m *sipmsg.Message) string {
	for _, h := range m.Get("p-asserted-identity") {
		for _, v := range sipmsg.SplitList(h.Value) {
			a, err := sipmsg.ParseAddress(v)
			if err != nil {
				continue
			}
			uri, _, _ := strings.Cut(a.URI, ";")
			uri = strings.ToLower(strings.TrimSpace(uri))
			if strings.HasPrefix(uri, "sip:") || strings.HasPrefix(uri, "sips:") {
				return uri
			}
		}
	}
	return ""
}
