package recorded

import (
	"bytes"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/mcptt-conformance/mcptt-conformance/capture"
	"github.com/mcptt-conformance/mcptt-conformance/run"
	"github.com/mcptt-conformance/mcptt-conformance/wire/ims"
	"github.com/mcptt-conformance/mcptt-conformance/wire/sipmsg"
)

// assembler turns recorded payloads into the messages of a run: it numbers and names
// them, sets each request's status from the response that answered it (same Call-ID and
// CSeq), and marks retransmissions (same Via branch, sent-by and method) as the live
// server does.
type assembler struct {
	n       *notes
	msgs    []*capture.Message
	damaged []run.Damage
	// names and oldNames count the names given (uniqueName), oldNames being the
	// generation before names filled up.
	names, oldNames map[string]int
	awaiting        map[string][]*capture.Message // Call-ID and CSeq → requests without a final response
	firstOf         map[string]int                // transaction key → Seq of its first request
	// firsts are firstOf's keys in the order they were added, with the time of their
	// request, for forgetting transactions older than window; window 0 keeps all.
	firsts    []keyAt
	window    time.Duration
	responses int
	others    map[string]int // traffic that is not for the checks, by kind
	// spool, when not nil, takes the bytes of every REGISTER and PUBLISH as it is
	// completed (capture.Message.Spooled), in place of memory; err is its first error.
	spool *capture.Spool
	err   error
	// addrs holds one copy of each address and address of record seen (intern), so
	// that a million requests from a thousand clients hold a thousand of each.
	addrs map[string]string
}

// maxInterned bounds addrs: past it, strings are kept as they come.
const maxInterned = 1 << 16

// intern is the one copy of s the assembler keeps, which holds on to no larger string s
// is part of.
func (a *assembler) intern(s string) string {
	if v, ok := a.addrs[s]; ok {
		return v
	}
	s = strings.Clone(s)
	if a.addrs == nil {
		a.addrs = map[string]string{}
	}
	if len(a.addrs) < maxInterned {
		a.addrs[s] = s
	}
	return s
}

// keyAt is a transaction key and the time its first request was seen.
type keyAt struct {
	key string
	t   time.Time
}

// transactionWindow is how long a capture's transaction is remembered for finding its
// retransmissions: 64×T1, the life of a non-INVITE client transaction (RFC 3261
// 17.1.2.2, Timer F), after which the client retransmits no more.
const transactionWindow = 64 * 500 * time.Millisecond

// maxNames bounds a generation of the names given: a name is only given again within
// one frame, so two generations are plenty.
const maxNames = 1 << 16

func newAssembler(n *notes) *assembler {
	return &assembler{n: n, names: map[string]int{}, awaiting: map[string][]*capture.Message{}, firstOf: map[string]int{}, others: map[string]int{}}
}

// flow is one direction of a TCP connection.
type flow struct{ src, dst netip.AddrPort }

// packets assembles decoded frames one at a time: UDP datagrams and reassembled TCP
// streams to or from a SIP port (ports, from sipPorts and portsSeen). Only the streams'
// unframed and out-of-order bytes are held (a closed stream keeps none).
type packets struct {
	a       *assembler
	name    string
	ports   map[uint16]bool
	streams map[flow]*stream
	order   []flow
	last    packet
}

func (a *assembler) packets(name string, ports map[uint16]bool) *packets {
	return &packets{a: a, name: name, ports: ports, streams: map[flow]*stream{}}
}

// add takes the next frame.
func (ps *packets) add(p packet) {
	a, name := ps.a, ps.name
	ps.last = p
	toSIP, fromSIP := ps.ports[p.dst.Port()], ps.ports[p.src.Port()]
	if !toSIP && !fromSIP {
		if len(p.payload) > 0 {
			a.others[strings.ToUpper(p.transport)+" payload(s) on ports that carry no SIP"]++
		}
		return
	}
	if p.transport == "udp" {
		p.payload = bytes.Clone(p.payload) // the frame's buffer is the reader's
		a.datagram(name, p, toSIP)
		return
	}
	f := flow{p.src, p.dst}
	s := ps.streams[f]
	if s == nil {
		s = &stream{}
		s.emit = func(d delivery) {
			a.payload(name, d.frame, d.time, "tcp", f.src, f.dst, d.raw, toSIP, d.damage, false)
		}
		ps.streams[f] = s
		ps.order = append(ps.order, f)
	}
	if p.truncated {
		a.n.frame(name, p.frame, "TCP segment captured shorter than sent (snap length): its bytes are missing from the stream")
		return // the bytes are a hole in the stream
	}
	s.add(p)
}

// finish ends the streams still open at the end of the capture.
func (ps *packets) finish() {
	for _, f := range ps.order {
		s := ps.streams[f]
		s.finish(ps.last.frame, ps.last.time, false)
		if s.skipped > 0 {
			ps.a.n.add("%s: %d TCP byte(s) from %s to %s dropped until a SIP message started again", ps.name, s.skipped, f.src, f.dst)
		}
	}
	ps.streams, ps.order = nil, nil
}

// portsSeen adds to ports the ports SIP is seen on: the destination port of every
// datagram or segment that starts with a request line, and the source port of every one
// that starts with a status line.
func portsSeen(ports map[uint16]bool, p packet) {
	switch {
	case sipmsg.MethodOf(p.payload) != "":
		ports[p.dst.Port()] = true
	case isResponse(p.payload):
		ports[p.src.Port()] = true
	}
}

// sipPorts are the ports SIP is always taken to be on, before the capture adds those
// it is seen on (portsSeen).
func sipPorts() map[uint16]bool { return map[uint16]bool{5060: true, 5061: true} }

func (a *assembler) datagram(name string, p packet, toSIP bool) {
	damage, fault := "", false
	switch {
	case p.fragment != "":
		damage = p.fragment
		// RFC 3261 18.1.1: a request that large goes over a congestion-controlled transport.
		fault = sipmsg.MethodOf(p.payload) != ""
		if fault {
			damage += "; RFC 3261 18.1.1 asks a request larger than 1300 bytes to go over TCP"
		}
	case p.truncated:
		damage = "datagram captured shorter than sent (snap length)"
	}
	a.payload(name, p.frame, p.time, "udp", p.src, p.dst, p.payload, toSIP, damage, fault)
}

// payload takes one message's bytes from a frame.
func (a *assembler) payload(name string, frame int, t time.Time, transport string, src, dst netip.AddrPort, raw []byte, toSIP bool, damage string, fault bool) {
	fname := a.uniqueName(fmt.Sprintf("%s#frame-%d", name, frame))
	switch {
	case damage != "":
		a.n.add("%s: %s", fname, damage)
		if toSIP && sipmsg.MethodOf(raw) != "" {
			a.damaged = append(a.damaged, run.Damage{Name: fname, Time: t, Transport: transport, Peer: src.String(), Local: dst.String(), Raw: raw, Reason: damage, ClientFault: fault})
		}
	case isResponse(raw):
		a.response(raw)
	case toSIP || sipmsg.MethodOf(raw) != "":
		if sipmsg.MethodOf(raw) == "" {
			a.n.add("%s: %d byte(s) that are not SIP sent to SIP port %d", fname, len(raw), dst.Port())
		}
		a.add(&capture.Message{Name: fname, Time: t, Transport: transport, Peer: a.intern(src.String()), Local: a.intern(dst.String()), Raw: raw}, true)
	default:
		a.others[strings.ToUpper(transport)+" payload(s) from a SIP port that are not SIP"]++
	}
}

func (a *assembler) uniqueName(name string) string {
	if len(a.names) >= maxNames {
		a.oldNames, a.names = a.names, map[string]int{}
	}
	if k, ok := a.oldNames[name]; ok && a.names[name] == 0 {
		a.names[name] = k
	}
	a.names[name]++
	if k := a.names[name]; k > 1 {
		return name + "." + strconv.Itoa(k)
	}
	return name
}

// add numbers m and, when detect is set, marks it as a retransmission of an earlier
// request of the same transaction.
func (a *assembler) add(m *capture.Message, detect bool) {
	m.Seq = len(a.msgs) + 1
	m.Method = sipmsg.MethodOf(m.Raw)
	a.msgs = append(a.msgs, m)
	sm, err := sipmsg.Parse(m.Raw)
	a.spoolRaw(m, sm, err)
	if err != nil || !sm.IsRequest {
		return
	}
	if detect {
		a.forget(m.Time)
		if key := sm.TransactionKey(); key != "" {
			if first, ok := a.firstOf[key]; ok {
				m.RetransmissionOf = first
			} else {
				a.firstOf[key] = m.Seq
				if a.window > 0 {
					a.firsts = append(a.firsts, keyAt{key, m.Time})
				}
			}
		}
	}
	if key := dialogKey(sm); key != "" && m.Status == 0 {
		a.awaiting[key] = append(a.awaiting[key], m)
	}
}

// spoolRaw moves the bytes of a REGISTER or PUBLISH to the spool, keeping its address
// of record (sm, parsed from them, or perr) for grouping.
func (a *assembler) spoolRaw(m *capture.Message, sm *sipmsg.Message, perr error) {
	if a.spool == nil || a.err != nil || m.Method != "REGISTER" && m.Method != "PUBLISH" || len(m.Raw) == 0 {
		return
	}
	e, err := a.spool.Put(m.Raw)
	if err != nil {
		a.err = err
		return
	}
	if perr == nil {
		m.Identity = a.intern(ims.Client(sm))
	}
	m.Spooled, m.Raw = e, nil
}

// forget drops the transactions first seen longer than the window before t.
func (a *assembler) forget(t time.Time) {
	n := 0
	for n < len(a.firsts) && t.Sub(a.firsts[n].t) > a.window {
		delete(a.firstOf, a.firsts[n].key)
		n++
	}
	a.firsts = a.firsts[n:]
}

// response sets the status of the requests a final response answers.
func (a *assembler) response(raw []byte) {
	a.responses++
	sm, err := sipmsg.Parse(raw)
	if err != nil || sm.IsRequest || sm.StatusCode < 200 {
		return
	}
	key := dialogKey(sm)
	for _, m := range a.awaiting[key] {
		m.Status = sm.StatusCode
	}
	delete(a.awaiting, key)
}

// recording finishes the run.
func (a *assembler) recording(n *notes) *Recording {
	rec := &Recording{Messages: a.msgs, Damaged: a.damaged, Responses: a.responses, Spool: a.spool}
	for _, m := range a.msgs {
		if m.RetransmissionOf != 0 && m.Status == 0 {
			m.Status = a.msgs[m.RetransmissionOf-1].Status // answered again with the same response
		}
		if rec.Started.IsZero() || m.Time.Before(rec.Started) {
			rec.Started = m.Time
		}
		if m.Time.After(rec.Finished) {
			rec.Finished = m.Time
		}
	}
	kinds := make([]string, 0, len(a.others))
	for k := range a.others {
		kinds = append(kinds, k)
	}
	slices.Sort(kinds)
	for _, k := range kinds {
		n.add("other traffic, not judged: %d %s", a.others[k], k)
	}
	answered := false
	for _, m := range a.msgs {
		answered = answered || m.Status != 0
	}
	if !answered && len(a.msgs) > 0 {
		n.add("the recording holds no final response to any request: no REGISTER is known to be accepted, so a log-off re-REGISTER is judged as a registration (7.2.1-04), and no PUBLISH is known to be rejected (7.2.2-16)")
	}
	rec.Notes = n.list()
	return rec
}

func isResponse(raw []byte) bool {
	return len(raw) >= 12 && string(raw[:8]) == "SIP/2.0 "
}

// dialogKey is what a response shares with its request: Call-ID and CSeq.
func dialogKey(m *sipmsg.Message) string {
	id, ok1 := m.First("call-id")
	cseq, ok2 := m.First("cseq")
	if !ok1 || !ok2 {
		return ""
	}
	f := strings.Fields(cseq.Value)
	if len(f) != 2 {
		return ""
	}
	return strings.TrimSpace(id.Value) + "|" + f[0] + " " + strings.ToUpper(f[1])
}
