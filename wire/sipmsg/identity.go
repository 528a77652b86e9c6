package sipmsg

import "strings"

// AddressOfRecord is the address of record a request names (RFC 3261 10.2): the To URI
// of a REGISTER, the From URI of any other request, in lower case and without URI
// parameters; "" for a response or a request without the header field.
func (m *Message) AddressOfRecord() string {
	if !m.IsRequest {
		return ""
	}
	name := "from"
	if m.Method == "REGISTER" {
		name = "to"
	}
	h, ok := m.First(name)
	if !ok {
		return ""
	}
	a, _ := ParseAddress(h.Value)
	uri, _, _ := strings.Cut(a.URI, ";")
	return strings.ToLower(strings.TrimSpace(uri))
}

// TransactionKey identifies a request's server transaction (RFC 3261 17.2.3): the top
// Via's branch and sent-by, and the method (ACK counting as INVITE). A retransmission
// has the same key; "" when the top Via has no branch to match on.
func (m *Message) TransactionKey() string {
	sentBy, branch := m.TopVia()
	if branch == "" {
		return ""
	}
	method := m.Method
	if method == "ACK" {
		method = "INVITE"
	}
	return branch + "|" + sentBy + "|" + method
}

// TopVia returns the sent-by and the branch parameter of the topmost Via value, "" for
// what is not there.
func (m *Message) TopVia() (sentBy, branch string) {
	via, ok := m.First("via")
	if !ok {
		return "", ""
	}
	hops := SplitList(via.Value)
	if len(hops) == 0 {
		return "", ""
	}
	_, rest, ok := strings.Cut(strings.TrimSpace(hops[0]), " ")
	if !ok {
		return "", ""
	}
	sentBy, params, _ := strings.Cut(rest, ";")
	ps, _ := ParseParams(";" + params)
	for _, p := range ps {
		if strings.EqualFold(p.Name, "branch") {
			branch = p.Value
		}
	}
	return strings.TrimSpace(sentBy), branch
}

// CSeq returns the sequence number and method of the first CSeq header as written; ok
// is false when there is none or it is not two words.
func (m *Message) CSeq() (number, method string, ok bool) {
	h, found := m.First("cseq")
	f := strings.Fields(h.Value)
	if !found || len(f) != 2 {
		return "", "", false
	}
	return f[0], f[1], true
}
