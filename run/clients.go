package run

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/mcptt-conformance/mcptt-conformance/capture"
	"github.com/mcptt-conformance/mcptt-conformance/wire/ims"
	"github.com/mcptt-conformance/mcptt-conformance/wire/sipmsg"
)

// Group splits recorded traffic per client under test (a party that sent at least one
// REGISTER or PUBLISH), in order of each one's first message. A message names its
// client by its address of record; bytes that name none (unreadable, or damaged)
// belong to the client that sent readable requests from the same address, else from
// the same host, else to the only client there is. others are the messages of no
// client under test; damage of no client is dropped.
func Group(msgs []*capture.Message, damaged []Damage) (clients []*Client, others []*capture.Message) {
	byID := map[string]*Client{}
	ids := make([]string, len(msgs))
	for i, m := range msgs {
		ids[i] = identityOf(m)
		if (m.Method == "REGISTER" || m.Method == "PUBLISH") && ids[i] != "" && byID[ids[i]] == nil {
			c := &Client{ID: ids[i]}
			byID[ids[i]] = c
			clients = append(clients, c)
		}
	}
	byAddr, byHost := map[string]*Client{}, map[string]*Client{}
	for i, m := range msgs {
		c := byID[ids[i]]
		if c == nil || m.Peer == "" {
			continue
		}
		if byAddr[m.Peer] == nil {
			byAddr[m.Peer] = c
			c.Addrs = append(c.Addrs, m.Peer)
		}
		if h := host(m.Peer); byHost[h] == nil {
			byHost[h] = c
		} else if byHost[h] != c {
			byHost[h] = &Client{} // two clients on one host: the host names neither
		}
	}
	owner := func(id, peer string) *Client {
		if id != "" {
			return byID[id]
		}
		c := byAddr[peer]
		if c == nil {
			c = byHost[host(peer)]
		}
		if (c == nil || c.ID == "") && len(clients) == 1 {
			c = clients[0]
		}
		if c != nil && c.ID == "" {
			c = nil
		}
		return c
	}
	for i, m := range msgs {
		if c := owner(ids[i], m.Peer); c != nil {
			c.Messages = append(c.Messages, m)
		} else {
			others = append(others, m)
		}
	}
	for _, d := range damaged {
		if c := owner(identity(d.Raw), d.Peer); c != nil {
			c.Damaged = append(c.Damaged, d)
		}
	}
	return clients, others
}

// Select returns the client whose address of record (with or without its sip: scheme)
// or one of whose source addresses (host:port, or host alone) is sel.
func Select(clients []*Client, sel string) (*Client, error) {
	want := strings.ToLower(strings.TrimSpace(sel))
	var seen []string
	for _, c := range clients {
		if want == c.ID || "sip:"+want == c.ID || "sips:"+want == c.ID {
			return c, nil
		}
		for _, a := range c.Addrs {
			if want == strings.ToLower(a) || want == strings.ToLower(host(a)) {
				return c, nil
			}
		}
		seen = append(seen, c.ID+" ("+strings.Join(c.Addrs, " ")+")")
	}
	return nil, fmt.Errorf("client %q: expected the address of record or source address of a client in the capture, saw only: %s", sel, strings.Join(seen, ", "))
}

// identity is the address of record of the client a request comes from (ims.Client):
// the To URI of a REGISTER, of the client's REGISTER a third-party REGISTER carries,
// the P-Asserted-Identity of a request the IMS core routed, the From URI of another
// request; "" for bytes that are not a readable request.
func identity(raw []byte) string {
	m, err := sipmsg.Parse(raw)
	if err != nil {
		return ""
	}
	return ims.Client(m)
}

// identityOf is the address of record of the client m comes from: read from its bytes,
// or kept on it when its bytes are spooled.
func identityOf(m *capture.Message) string {
	if m.Raw == nil && m.Spooled.Len > 0 {
		return m.Identity
	}
	return identity(m.Raw)
}

// host is the host part of host:port.
func host(addr string) string {
	if ap, err := netip.ParseAddrPort(addr); err == nil {
		return ap.Addr().String()
	}
	return addr
}
