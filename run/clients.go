package run

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/mcptt-conformance/mcptt-conformance/capture"
	"github.com/mcptt-conformance/mcptt-conformance/wire/ims"
	"github.com/mcptt-conformance/mcptt-conformance/wire/sipmsg"
)

// Source is what one source address (Peer) sent under one address of record
// (Identity, "" for bytes that name none) in a recording, in order: held in memory
// (Messages), or chained in the run's spool (Chained, Last), with the counts the
// notes need either way. A recording's requests are grouped per client by their
// sources, so that a million requests from a thousand clients hold a thousand
// sources, not a million messages, until each client is judged (Run.Load).
type Source struct {
	Peer, Identity string
	// First is the Seq of its first message; Claim that of its first REGISTER or
	// PUBLISH, 0 for none.
	First, Claim int
	Messages     []*capture.Message
	// Chained is set when the messages are in the spool, the last at offset Last
	// (capture.Spool.Chain).
	Chained bool
	Last    int64
	Counts
}

// Counts are what a person is told of a party's messages.
type Counts struct {
	Messages int
	// Fresh counts the messages by method, retransmissions left out; Unjudged those
	// of them the checks leave aside (IsUnjudged); Methods every message by method, ""
	// for unreadable bytes.
	Fresh, Unjudged, Methods map[string]int
	Retransmissions          int
}

// Count counts m, unjudged telling whether the checks leave it aside (IsUnjudged).
func (c *Counts) Count(m *capture.Message, unjudged bool) {
	if c.Methods == nil {
		c.Fresh, c.Unjudged, c.Methods = map[string]int{}, map[string]int{}, map[string]int{}
	}
	c.Messages++
	c.Methods[m.Method]++
	switch {
	case m.RetransmissionOf != 0:
		c.Retransmissions++
	case unjudged:
		c.Unjudged[m.Method]++
		c.Fresh[m.Method]++
	default:
		c.Fresh[m.Method]++
	}
}

func (c *Counts) add(o Counts) {
	for _, m := range []struct {
		to   *map[string]int
		from map[string]int
	}{{&c.Fresh, o.Fresh}, {&c.Unjudged, o.Unjudged}, {&c.Methods, o.Methods}} {
		if *m.to == nil {
			*m.to = map[string]int{}
		}
		for k, n := range m.from {
			(*m.to)[k] += n
		}
	}
	c.Messages += o.Messages
	c.Retransmissions += o.Retransmissions
}

// IsUnjudged reports whether the checks leave m aside, as validators.NewRun sorts
// messages: readable SIP (sm, parsed from its bytes with error err) that is not a
// REGISTER or PUBLISH request; a retransmission is counted apart.
func IsUnjudged(m *capture.Message, sm *sipmsg.Message, err error) bool {
	if m.Method == "REGISTER" || m.Method == "PUBLISH" {
		return false // (a REGISTER or PUBLISH request line: judged, or unreadable)
	}
	return err == nil && (!sm.IsRequest || sm.Method != "REGISTER" && sm.Method != "PUBLISH")
}

// Sources groups messages held in memory by source address and address of record, in
// order of each one's first message.
func Sources(msgs []*capture.Message) []*Source {
	var out []*Source
	bySource := map[[2]string]*Source{}
	for _, m := range msgs {
		sm, err := sipmsg.Parse(m.Raw)
		id := ""
		if err == nil {
			id = ims.Client(sm)
		}
		k := [2]string{m.Peer, id}
		src := bySource[k]
		if src == nil {
			src = &Source{Peer: m.Peer, Identity: id, First: m.Seq}
			bySource[k] = src
			out = append(out, src)
		}
		src.Messages = append(src.Messages, m)
		src.Add(m, m.RetransmissionOf == 0 && IsUnjudged(m, sm, err))
	}
	return out
}

// Add counts m, the source's latest message (unjudged as Counts.Count takes it).
func (s *Source) Add(m *capture.Message, unjudged bool) {
	if s.Claim == 0 && (m.Method == "REGISTER" || m.Method == "PUBLISH") {
		s.Claim = m.Seq
	}
	s.Count(m, unjudged)
}

// Group splits messages held in memory per client as GroupSources does, others being
// the messages of no client under test.
func Group(msgs []*capture.Message, damaged []Damage) (clients []*Client, others []*capture.Message) {
	clients, rest := GroupSources(Sources(msgs), damaged)
	return clients, inMemory(rest)
}

// GroupSources splits recorded traffic per client under test (a party that sent at
// least one REGISTER or PUBLISH), in order of each one's first REGISTER or PUBLISH. A
// source names its client by its address of record; bytes that name none (unreadable,
// or damaged) belong to the client that sent readable requests from the same address
// first, else from the same host when only one client did, else to the only client
// there is. others are the sources of no client under test; damage of no client is
// dropped. A client's messages are its sources' in memory, in order; a client with
// chained sources has none until Run.Load.
func GroupSources(sources []*Source, damaged []Damage) (clients []*Client, others []*Source) {
	claims := slices.Clone(sources)
	slices.SortStableFunc(claims, func(a, b *Source) int { return a.Claim - b.Claim })
	byID := map[string]*Client{}
	for _, s := range claims {
		if s.Claim != 0 && s.Identity != "" && byID[s.Identity] == nil {
			c := &Client{ID: s.Identity}
			byID[s.Identity] = c
			clients = append(clients, c)
		}
	}
	firsts := slices.Clone(sources)
	slices.SortStableFunc(firsts, func(a, b *Source) int { return a.First - b.First })
	byAddr, byHost := map[string]*Client{}, map[string]*Client{}
	for _, s := range firsts {
		c := byID[s.Identity]
		if c == nil || s.Peer == "" {
			continue
		}
		if byAddr[s.Peer] == nil {
			byAddr[s.Peer] = c
			c.Addrs = append(c.Addrs, s.Peer)
		}
		if h := host(s.Peer); byHost[h] == nil {
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
	for _, s := range sources {
		if c := owner(s.Identity, s.Peer); c != nil {
			c.Sources = append(c.Sources, s)
		} else {
			others = append(others, s)
		}
	}
	for _, c := range clients {
		c.Messages = inMemory(c.Sources)
	}
	for _, d := range damaged {
		if c := owner(identity(d.Raw), d.Peer); c != nil {
			c.Damaged = append(c.Damaged, d)
		}
	}
	return clients, others
}

// inMemory are the messages the sources hold in memory, in order.
func inMemory(sources []*Source) []*capture.Message {
	var msgs []*capture.Message
	for _, s := range sources {
		msgs = append(msgs, s.Messages...)
	}
	slices.SortFunc(msgs, func(a, b *capture.Message) int { return a.Seq - b.Seq })
	return msgs
}

// Total adds up the counts of sources.
func Total(sources []*Source) Counts {
	var c Counts
	for _, s := range sources {
		c.add(s.Counts)
	}
	return c
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

// host is the host part of host:port.
func host(addr string) string {
	if ap, err := netip.ParseAddrPort(addr); err == nil {
		return ap.Addr().String()
	}
	return addr
}
