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
// in memory; without one, the messages are held (msgs). The window is kept per source
// (origin), at most windowPerSource transactions and as many unanswered requests each,
// so that it is bounded by the number of sources, not by the capture's size or rate.
type assembler struct {
	n        *notes
	msgs     []*capture.Message
	requests int
	damaged  []run.Damage
	// origins are the sources, by source address and address of record; sourceOrder
	// are the chains of a spooled recording, in order.
	origins     map[[2]string]*origin
	sourceOrder []*run.Source
	// started and finished are the times of the first and last message; answered is
	// set once a response answers a request.
	started, finished time.Time
	answered          bool
	// names and oldNames count the names given (uniqueName), oldNames being the
	// generation before names filled up.
	names, oldNames map[string]int
	// awaitedBy leads from a Call-ID and CSeq to the origins holding requests of it
	// without a final response: one entry per such request (origin.awaiting), so it
	// holds no more than the origins do.
	awaitedBy map[string][]*origin
	// window is how long a transaction or an unanswered request is remembered, in
	// capture time; 0 keeps them for as long as windowPerSource lets.
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

// origin is one source of requests (source address and address of record) and its part
// of the window: its last transactions and its requests without a final response, each
// at most windowPerSource, oldest first.
type origin struct {
	src          *run.Source // its chain, for a spooled recording
	transactions []transaction
	awaiting     []awaiting
}

// transaction is a transaction's key (sipmsg.Message.TransactionKey), the Seq of its
// first request and when that was seen (Unix nanoseconds).
type transaction struct {
	key string
	seq int
	t   int64
}

// awaiting is a request without a final response: its Call-ID and CSeq (dialogKey),
// when it was seen (Unix nanoseconds), and where it is: in memory (m) or spooled (at
// off).
type awaiting struct {
	key string
	t   int64
	m   *capture.Message
	off int64
}

// windowPerSource is how many transactions, and how many requests without a final
// response, the window holds per source: a UA sends no new REGISTER before the
// previous one has its final response or has timed out (RFC 3261 10.2), and a client
// has few non-INVITE transactions in flight, so a retransmission comes within its
// source's last few transactions and a final response answers one of its last few
// requests. Past it the oldest is forgotten: a retransmission of it is judged as a new
// request, and a response to it leaves it unanswered (docs/readings.md).
const windowPerSource = 32

// transactionWindow is how long a capture's transaction is remembered for finding its
// retransmissions: 64×T1, the life of a non-INVITE client transaction (RFC 3261
// 17.1.2.2, Timer F), after which the client retransmits no more.
const transactionWindow = 64 * 500 * time.Millisecond

// maxNames bounds a generation of the names given: a name is only given again within
// one frame, so two generations are plenty.
const maxNames = 1 << 16

func newAssembler(n *notes) *assembler {
	return &assembler{n: n, names: map[string]int{}, origins: map[[2]string]*origin{}, awaitedBy: map[string][]*origin{}, others: map[string]int{}}
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
		a.response(raw, t)
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
// request of the same transaction from the same source; with a spool, it writes m to
// its source's chain.
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
	id := ""
	if err == nil {
		id = a.intern(ims.Client(sm))
	}
	o := a.origin(m.Peer, id)
	request := err == nil && sm.IsRequest
	t := m.Time.UnixNano()
	if request && detect {
		if key := sm.TransactionKey(); key != "" {
			if first := o.firstOf(key, t, a.window); first != 0 {
				m.RetransmissionOf = first
			} else {
				n := stale(len(o.transactions), func(i int) int64 { return o.transactions[i].t }, t, a.window)
				o.transactions = append(slices.Delete(o.transactions, 0, n), transaction{key, m.Seq, t})
			}
		}
	}
	w := awaiting{m: m, t: t}
	if a.spool == nil {
		a.msgs = append(a.msgs, m)
	} else {
		m.Identity = id
		off, err := a.chain(o, m, sm, err)
		if err != nil {
			a.err = cmp.Or(a.err, err)
			return
		}
		w = awaiting{off: off, t: t}
	}
	if !request || m.Status != 0 {
		return
	}
	if w.key = dialogKey(sm); w.key != "" {
		a.await(o, w)
	}
}

// origin is the source of requests from peer whose address of record is id.
func (a *assembler) origin(peer, id string) *origin {
	k := [2]string{peer, id}
	o := a.origins[k]
	if o == nil {
		o = &origin{}
		a.origins[k] = o
	}
	return o
}

// firstOf is the Seq of the first request of transaction key if o remembers it within
// window of t (0: for as long as o remembers it), 0 if not.
func (o *origin) firstOf(key string, t int64, window time.Duration) int {
	for i := len(o.transactions) - 1; i >= 0; i-- {
		if tx := o.transactions[i]; tx.key == key && (window == 0 || t-tx.t <= int64(window)) {
			return tx.seq
		}
	}
	return 0
}

// stale is how many of the oldest of n entries, the ith seen at at(i), to forget before
// one more at t: those older than window, and enough to leave room under
// windowPerSource.
func stale(n int, at func(i int) int64, t int64, window time.Duration) int {
	k := 0
	for k < n && (n-k >= windowPerSource || window > 0 && t-at(k) > int64(window)) {
		k++
	}
	return k
}

// chain writes m (parsed as sm, or perr) to the chain of its source o, which it counts
// m in, and returns where its record is.
func (a *assembler) chain(o *origin, m *capture.Message, sm *sipmsg.Message, perr error) (int64, error) {
	if o.src == nil {
		o.src = &run.Source{Peer: m.Peer, Identity: m.Identity, First: m.Seq, Chained: true, Last: capture.NoRecord}
		a.sourceOrder = append(a.sourceOrder, o.src)
	}
	off, err := a.spool.Append(m, o.src.Last)
	if err != nil {
		return 0, err
	}
	o.src.Last = off
	o.src.Add(m, m.RetransmissionOf == 0 && run.IsUnjudged(m, sm, perr))
	return off, nil
}

// await keeps w among o's requests until a final response answers it, or the window
// passes, or o's windowPerSource later requests are awaiting too.
func (a *assembler) await(o *origin, w awaiting) {
	n := stale(len(o.awaiting), func(i int) int64 { return o.awaiting[i].t }, w.t, a.window)
	for _, old := range o.awaiting[:n] {
		a.unindex(old.key, o)
	}
	o.awaiting = append(slices.Delete(o.awaiting, 0, n), w)
	a.awaitedBy[w.key] = append(a.awaitedBy[w.key], o)
}

// unindex takes one request of o out of those awaitedBy key leads to.
func (a *assembler) unindex(key string, o *origin) {
	os := a.awaitedBy[key]
	if i := slices.Index(os, o); i >= 0 {
		os = slices.Delete(os, i, i+1)
	}
	if len(os) == 0 {
		delete(a.awaitedBy, key)
	} else {
		a.awaitedBy[key] = os
	}
}

// response sets the status of the requests a final response seen at t answers: those
// of its Call-ID and CSeq still awaiting, seen within the window before t.
func (a *assembler) response(raw []byte, t time.Time) {
	a.responses++
	sm, err := sipmsg.Parse(raw)
	if err != nil || sm.IsRequest || sm.StatusCode < 200 {
		return
	}
	key := dialogKey(sm)
	os, now := a.awaitedBy[key], t.UnixNano()
	delete(a.awaitedBy, key)
	for _, o := range os {
		o.awaiting = slices.DeleteFunc(o.awaiting, func(w awaiting) bool {
			if w.key != key {
				return false
			}
			if a.window == 0 || now-w.t <= int64(a.window) {
				a.answer(w, sm.StatusCode)
			}
			return true
		})
	}
}

// answer sets the status of w.
func (a *assembler) answer(w awaiting, status int) {
	a.answered = true
	if w.m != nil {
		w.m.Status = status
	} else if err := a.spool.SetStatus(w.off, status); err != nil {
		a.err = cmp.Or(a.err, err)
	}
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
