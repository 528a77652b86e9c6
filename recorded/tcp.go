package recorded

import (
	"bytes"
	"fmt"
	"sort"
	"time"

	"github.com/mcptt-conformance/mcptt-conformance/wire/sipmsg"
)

// Limits of one TCP direction, as the live server has them: bytes that cannot be framed
// into a message, and out-of-order bytes held while a segment is missing.
const (
	maxStream  = 1 << 20
	maxPending = 4 << 20
)

// delivery is one message framed out of a TCP stream, or bytes the capture did not
// hold whole (damage says why); raw may be the stream's buffer, which the next segment
// overwrites.
type delivery struct {
	raw    []byte
	frame  int // the frame whose bytes completed it
	time   time.Time
	damage string
}

type segment struct {
	seq   uint32
	data  []byte
	frame int
	time  time.Time
}

// stream reassembles one direction of a TCP connection, in sequence-number order
// whatever order the segments were captured in: retransmitted and overlapping bytes
// are taken once, and SIP messages are framed by Content-Length as the live server
// frames them (several in one segment, one across several).
type stream struct {
	emit    func(delivery)
	started bool
	next    uint32    // sequence number of the next byte expected
	pending []segment // segments beyond a hole, sorted by seq
	held    int       // bytes in pending
	buf     []byte    // bytes received and not yet framed
	resync  bool      // bytes were lost: skip to the next segment that starts a message
	closed  bool      // unframeable bytes were seen: the live server would have closed
	skipped int       // bytes dropped while resynchronising
}

// add takes one captured segment.
func (s *stream) add(p packet) {
	if s.closed {
		return
	}
	seq, data := p.seq, p.payload
	if p.syn {
		s.started, s.next, s.buf, s.pending, s.held = true, p.seq+1, nil, nil, 0
		seq++
	}
	if !s.started {
		// The capture began inside the connection: take its first bytes as they come.
		s.started, s.next, s.resync = true, seq, true
	}
	if len(data) > 0 {
		switch d := int32(seq - s.next); {
		case d <= 0:
			if int(-d) < len(data) {
				s.deliver(segment{s.next, data[-d:], p.frame, p.time})
			} // else a retransmission of bytes already taken
		default:
			s.hold(segment{seq, bytes.Clone(data), p.frame, p.time}) // (the frame's buffer is the reader's)
		}
		s.drain()
	}
	if p.fin || p.rst {
		s.finish(p.frame, p.time, true)
	}
}

// hold keeps a segment that arrived beyond a hole; when too much is held the hole is
// taken as lost.
func (s *stream) hold(g segment) {
	i := sort.Search(len(s.pending), func(i int) bool { return int32(s.pending[i].seq-g.seq) >= 0 })
	if i < len(s.pending) && s.pending[i].seq == g.seq && len(s.pending[i].data) >= len(g.data) {
		return // the same segment again
	}
	s.pending = append(s.pending, segment{})
	copy(s.pending[i+1:], s.pending[i:])
	s.pending[i] = g
	s.held += len(g.data)
	if s.held > maxPending {
		s.skipHole()
	}
}

// drain delivers the held segments that now continue the stream.
func (s *stream) drain() {
	for len(s.pending) > 0 {
		g := s.pending[0]
		d := int32(g.seq - s.next)
		if d > 0 {
			return
		}
		s.pending = s.pending[1:]
		s.held -= len(g.data)
		if int(-d) < len(g.data) {
			s.deliver(segment{s.next, g.data[-d:], g.frame, g.time})
		}
	}
}

// skipHole gives up on the bytes missing before the first held segment: what was
// framed so far cannot be completed, and the stream goes on after the hole.
func (s *stream) skipHole() {
	g := s.pending[0]
	s.lost(g.frame, g.time, fmt.Sprintf("%d byte(s) of the TCP stream before frame %d are missing from the capture", int32(g.seq-s.next), g.frame))
	s.next = g.seq
	s.drain()
}

// lost reports the unframed bytes as damaged and resynchronises.
func (s *stream) lost(frame int, t time.Time, why string) {
	if len(trimCRLF(s.buf)) > 0 {
		s.emit(delivery{raw: s.buf, frame: frame, time: t, damage: why})
	} else {
		s.emit(delivery{frame: frame, time: t, damage: why})
	}
	s.buf, s.resync = nil, true
}

// deliver appends in-order bytes and frames every complete message.
func (s *stream) deliver(g segment) {
	s.next = g.seq + uint32(len(g.data))
	data := g.data
	if s.resync {
		if !startsMessage(data) {
			s.skipped += len(data)
			return
		}
		s.resync = false
	}
	s.buf = append(s.buf, data...)
	rest := s.buf
	for len(rest) > 0 && !s.closed {
		n, complete, err := sipmsg.FrameLength(rest)
		switch {
		case err != nil || !complete && len(rest) > maxStream:
			// As the live server does: the bytes are kept as one unreadable message and
			// the connection is done.
			s.emit(delivery{raw: rest, frame: g.frame, time: g.time})
			s.buf, s.closed = nil, true
			return
		case !complete:
			s.keep(rest)
			return
		}
		msg := rest[:n]
		rest = rest[n:]
		if len(trimCRLF(msg)) > 0 {
			s.emit(delivery{raw: msg, frame: g.frame, time: g.time})
		}
	}
	s.keep(rest)
}

// keep moves the unframed rest of buf to its start, where the next segment's bytes
// follow it: the buffer is reused, not regrown.
func (s *stream) keep(rest []byte) {
	if len(rest) < len(s.buf) {
		s.buf = s.buf[:copy(s.buf, rest)]
	}
}

// finish ends the stream: at the connection's close (closed true), a message cut short
// is the client's, kept as the live server keeps it; at the end of the capture it is
// the capture's loss.
func (s *stream) finish(frame int, t time.Time, closed bool) {
	for len(s.pending) > 0 && !s.closed {
		s.skipHole()
	}
	if s.closed || len(trimCRLF(s.buf)) == 0 {
		s.buf = nil
		return
	}
	if closed {
		s.emit(delivery{raw: s.buf, frame: frame, time: t})
	} else {
		s.emit(delivery{raw: s.buf, frame: frame, time: t, damage: "the capture ends inside this message"})
	}
	s.buf = nil
}

func trimCRLF(b []byte) []byte { return bytes.TrimLeft(b, "\r\n") }

// startsMessage reports whether b starts with a SIP request or status line.
func startsMessage(b []byte) bool {
	return sipmsg.MethodOf(b) != "" || bytes.HasPrefix(b, []byte("SIP/2.0 "))
}
