package recorded

import (
	"bytes"
	"cmp"
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
// server does. With a spool, each message is written to its source's chain as it is
// completed and only the sources (run.Source) and the transactions of the window stay
// in memory; without one, the messages are held (msgs).
type assembler struct {
	n        *notes
	msgs     []*capture.Message
	requests int
	damaged  []run.Damage
	// sources are the chains of a spooled recording, by source address and address of
	// record, in order (sourceOrder).
	sources     map[[2]string]*run.Source
	sourceOrder []*run.Source
	// started and finished are the times of the first and last message; answered is
	// set once a response answers a request.
	started, finished time.Time
	answered          bool
	// names and oldNames count the names given (uniqueName), oldNames being the
	// generation before names filled up.
	names, oldNames map[string]int
	awaiting        map[string]*awaited // Call-ID and CSeq → requests without a final response
	firstOf         map[string]int      // transaction key → Seq of its first request
	// swept is when awaiting was last rid of the requests unanswered for longer than
	// window: a sweep every window, of the unanswered only.
	swept time.Time
	// firsts are firstOf's keys in the order they were added, with the time of their
	// request, for forgetting transactions older than window; window 0 keeps all.
	firsts    []keyAt
	window    time.Duration
	responses int
	others    map[string]int // traffic that is not for the checks, by kind
	// spool, when not nil, takes every message as it is completed (capture.Spool.Append)
	// in place of memory; err is its first error.
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

// awaited are the requests of one Call-ID and CSeq that no final response answered yet,
// since t: held in memory (m) or spooled (at off).
type awaited struct {
	t  time.Time
	ps []pending
}

type pending struct {
	m   *capture.Message
	off int64
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
	return &assembler{n: n, names: map[string]int{}, awaiting: map[string]*awaited{}, firstOf: map[string]int{}, others: map[string]int{}}
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

// payload takes one message's bytes from a frame; raw is the reader's or the stream's
// buffer, copied where it is kept (the spool copies it itself).
func (a *assembler) payload(name string, frame int, t time.Time, transport string, src, dst netip.AddrPort, raw []byte, toSIP bool, damage string, fault bool) {
	fname := a.uniqueName(name + "#frame-" + strconv.Itoa(frame))
	switch {
	case damage != "":
		a.n.add("%s: %s", fname, damage)
		if toSIP && sipmsg.MethodOf(raw) != "" {
			a.damaged = append(a.damaged, run.Damage{Name: fname, Time: t, Transport: transport, Peer: src.String(), Local: dst.String(), Raw: bytes.Clone(raw), Reason: damage, ClientFault: fault})
		}
	case isResponse(raw):
		a.response(raw)
	case toSIP || sipmsg.MethodOf(raw) != "":
		if sipmsg.MethodOf(raw) == "" {
			a.n.add("%s: %d byte(s) that are not SIP sent to SIP port %d", fname, len(raw), dst.Port())
		}
		if a.spool == nil {
			raw = bytes.Clone(raw)
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
// request of the same transaction; with a spool, it writes m to its source's chain.
func (a *assembler) add(m *capture.Message, detect bool) {
	a.requests++
	m.Seq = a.requests
	m.Method = sipmsg.MethodOf(m.Raw)
	if a.started.IsZero() || m.Time.Before(a.started) {
		a.started = m.Time
	}
	if m.Time.After(a.finished) {
		a.finished = m.Time
	}
	sm, err := sipmsg.Parse(m.Raw)
	request := err == nil && sm.IsRequest
	if request && detect {
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
	p := pending{m: m}
	if a.spool == nil {
		a.msgs = append(a.msgs, m)
	} else {
		off, err := a.chain(m, sm, err)
		if err != nil {
			a.err = cmp.Or(a.err, err)
			return
		}
		p = pending{off: off}
	}
	if !request || m.Status != 0 {
		return
	}
	if key := dialogKey(sm); key != "" {
		a.await(key, p, m.Time)
	}
}

// chain writes m (parsed as sm, or perr) to the chain of its source, which it counts
// m in, and returns where its record is.
func (a *assembler) chain(m *capture.Message, sm *sipmsg.Message, perr error) (int64, error) {
	if perr == nil {
		m.Identity = a.intern(ims.Client(sm))
	}
	k := [2]string{m.Peer, m.Identity}
	src := a.sources[k]
	if src == nil {
		src = &run.Source{Peer: m.Peer, Identity: m.Identity, First: m.Seq, Chained: true, Last: capture.NoRecord}
		if a.sources == nil {
			a.sources = map[[2]string]*run.Source{}
		}
		a.sources[k] = src
		a.sourceOrder = append(a.sourceOrder, src)
	}
	off, err := a.spool.Append(m, src.Last)
	if err != nil {
		return 0, err
	}
	src.Last = off
	src.Add(m, m.RetransmissionOf == 0 && run.IsUnjudged(m, sm, perr))
	return off, nil
}

// await keeps p until a final response to key answers it, or the window passes.
func (a *assembler) await(key string, p pending, t time.Time) {
	if a.window > 0 && t.Sub(a.swept) > a.window {
		for k, w := range a.awaiting {
			if t.Sub(w.t) > a.window {
				delete(a.awaiting, k)
			}
		}
		a.swept = t
	}
	w := a.awaiting[key]
	if w == nil {
		w = &awaited{t: t}
		a.awaiting[key] = w
	}
	w.ps = append(w.ps, p)
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
	w := a.awaiting[key]
	if w == nil {
		return
	}
	a.answered = true
	for _, p := range w.ps {
		if p.m != nil {
			p.m.Status = sm.StatusCode
		} else if err := a.spool.SetStatus(p.off, sm.StatusCode); err != nil {
			a.err = cmp.Or(a.err, err)
		}
	}
	delete(a.awaiting, key)
}

// recording finishes the run.
func (a *assembler) recording(n *notes) *Recording {
	rec := &Recording{Messages: a.msgs, Sources: a.sourceOrder, Requests: a.requests, Damaged: a.damaged, Responses: a.responses,
		Spool: a.spool, Started: a.started, Finished: a.finished}
	if a.spool == nil {
		for _, m := range a.msgs {
			if m.RetransmissionOf != 0 && m.Status == 0 {
				m.Status = a.msgs[m.RetransmissionOf-1].Status // answered again with the same response (run.Run.Load for a spool)
			}
		}
		rec.Sources = run.Sources(a.msgs)
	}
	kinds := make([]string, 0, len(a.others))
	for k := range a.others {
		kinds = append(kinds, k)
	}
	slices.Sort(kinds)
	for _, k := range kinds {
		n.add("other traffic, not judged: %d %s", a.others[k], k)
	}
	answered := a.answered || slices.ContainsFunc(a.msgs, func(m *capture.Message) bool { return m.Status != 0 }) // (a folder's index gives statuses)
	if !answered && a.requests > 0 {
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
