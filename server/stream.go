package server

import (
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"time"

	"github.com/mcptt-conformance/mcptt-conformance/capture"
	"github.com/mcptt-conformance/mcptt-conformance/wire/sipmsg"
)

// Limits on a stream connection (TCP, or the decrypted bytes of TLS).
const (
	// maxMessage is the largest message the server reads: what sipmsg.FrameLength
	// frames, a header section of sipmsg.MaxHeaderBytes and a body of
	// sipmsg.MaxBodyBytes. A request over it is answered 513 Message Too Large (RFC 3261
	// 21.5.14) and the connection closed.
	maxMessage = sipmsg.MaxHeaderBytes + sipmsg.MaxBodyBytes
	// maxKept is how many bytes of an over-size message are kept, per connection, for
	// the evidence: the message up to its announced end or this cap, whichever is first.
	maxKept = 64 << 20
	// idleBetween is how long a connection may stay silent between messages: longer
	// than the longest registration the server grants by default (600 s), so that a
	// client's refresh comes over the connection it registered on.
	idleBetween = 10 * time.Minute
	// idleWithin is how long the server waits for the rest of a message it has begun to
	// read: 64*T1, the time a client transaction waits for its answer (RFC 3261
	// 17.1.2.2 Timer F).
	idleWithin = 64 * 500 * time.Millisecond
	// readBuffer is what each connection reads into at a time: a REGISTER or PUBLISH
	// fits, and a larger message gathers over several reads. At 64 KiB the buffers of
	// the load figure's 1,250 connections alone held 80 MB.
	readBuffer = 8 << 10
)

// streamConn is a connection whose messages are framed by Content-Length.
type streamConn interface {
	io.ReadWriter
	SetReadDeadline(time.Time) error
	SetWriteDeadline(time.Time) error
}

// serveConn frames a stream into messages by Content-Length. Bytes that cannot be framed
// are kept as one unparsed capture, and the connection is closed; so is a connection
// silent for idleBetween, or for idleWithin in the middle of a message. A message over
// maxMessage is answered 513 and kept up to maxKept; a message the connection ends in
// the middle of is kept as it is; both are marked damaged (capture.Damage). It returns
// the error that ended the stream, nil for a close or a timeout.
func (s *Server) serveConn(c streamConn, o origin) error {
	var pending []byte
	buf := make([]byte, readBuffer)
	for {
		idle := idleBetween
		if len(trimCRLF(pending)) > 0 {
			idle = idleWithin
		}
		c.SetReadDeadline(time.Now().Add(idle))
		n, err := c.Read(buf)
		pending = append(pending, buf[:n]...)
		for len(pending) > 0 {
			size, complete, ferr := sipmsg.FrameLength(pending)
			if ferr != nil {
				s.unframed(c, o, pending)
				return nil
			}
			if !complete {
				break
			}
			msg := pending[:size]
			pending = pending[size:]
			if len(trimCRLF(msg)) == 0 {
				continue // CRLF keep-alives
			}
			s.answerStream(c, o, append([]byte(nil), msg...))
		}
		if err != nil {
			if len(trimCRLF(pending)) > 0 {
				s.capture(o, pending, s.cutShort(len(pending), err))
			}
			var ne net.Error
			if errors.Is(err, io.EOF) || s.isClosed() || (errors.As(err, &ne) && ne.Timeout()) {
				return nil
			}
			return err
		}
	}
}

// answerStream captures one framed message and answers it on c.
func (s *Server) answerStream(c streamConn, o origin, raw []byte) {
	m, reply, status := s.receive(o, raw)
	s.write(c, o, m, reply, status)
}

// write sends reply on c; an answer that cannot be written is not recorded as sent.
func (s *Server) write(c streamConn, o origin, m *capture.Message, reply []byte, status int) {
	if reply == nil {
		return
	}
	s.sent(o, m, reply, status)
	c.SetWriteDeadline(time.Now().Add(idleWithin))
	if _, err := c.Write(reply); err != nil {
		fmt.Fprintf(s.log, "%s write to %s: %v\n", o.transport, o.peer, err)
		s.unsent(m)
	}
}

// cutShort says why a connection ended with n bytes of a message unread.
func (s *Server) cutShort(n int, err error) *capture.Damage {
	var ne net.Error
	switch {
	case s.isClosed():
		return &capture.Damage{Reason: fmt.Sprintf("the run ended with %d bytes of a message received and the rest not yet", n)}
	case errors.As(err, &ne) && ne.Timeout():
		return &capture.Damage{Reason: fmt.Sprintf("no byte came for %s after %d bytes of a message, and the server closed the connection", idleWithin, n)}
	case errors.Is(err, io.EOF):
		return &capture.Damage{Reason: fmt.Sprintf("the client closed the connection after %d bytes of a message whose Content-Length announces more (RFC 3261 18.3)", n), ClientFault: true}
	}
	return &capture.Damage{Reason: fmt.Sprintf("the connection failed after %d bytes of a message: %v", n, err)}
}

// unframed keeps bytes sipmsg.FrameLength refuses. A request over maxMessage is read on
// up to maxKept bytes, kept marked damaged with its size, and answered 513 Message Too
// Large; anything else is kept as it is, unanswered.
func (s *Server) unframed(c streamConn, o origin, pending []byte) {
	msg, err := sipmsg.Parse(pending)
	announced, over := overSize(msg, err, len(pending))
	if !over {
		s.capture(o, pending, nil)
		return
	}
	kept := pending
	buf := make([]byte, readBuffer)
	for len(kept) < min(announced, maxKept) {
		c.SetReadDeadline(time.Now().Add(idleWithin))
		n, rerr := c.Read(buf[:min(len(buf), min(announced, maxKept)-len(kept))])
		kept = append(kept, buf[:n]...)
		if rerr != nil {
			break
		}
	}
	what := fmt.Sprintf("a message of %d bytes", announced)
	if announced <= len(pending) {
		what = fmt.Sprintf("a header section of more than %d bytes", sipmsg.MaxHeaderBytes)
	}
	why := fmt.Sprintf("%s, over the %d bytes the server reads of one message (answered 513 Message Too Large); %d bytes are kept", what, maxMessage, len(kept))
	m := s.capture(o, kept, &capture.Damage{Reason: why})
	if msg != nil && msg.IsRequest && msg.Method != "ACK" {
		s.write(c, o, m, s.refuse(msg, 513, "Message Too Large", why), 513)
	}
}

// overSize tells, from the parse of the first bytes of a stream that
// sipmsg.FrameLength refused, whether the refusal is one of size, and how many bytes
// the message announces: its header section and Content-Length, or, when no empty line
// ends the header section within sipmsg.MaxHeaderBytes, the bytes seen.
func overSize(msg *sipmsg.Message, err error, seen int) (announced int, over bool) {
	if err != nil {
		return 0, false
	}
	if seen > sipmsg.MaxHeaderBytes && msg.BodyOffset >= seen {
		return seen, true
	}
	h, ok := msg.First("content-length")
	if !ok {
		return 0, false
	}
	n, cerr := strconv.Atoi(h.Value)
	if cerr != nil || n <= sipmsg.MaxBodyBytes {
		return 0, false
	}
	return msg.BodyOffset + n, true
}

func trimCRLF(b []byte) []byte {
	for len(b) > 0 && (b[0] == '\r' || b[0] == '\n') {
		b = b[1:]
	}
	return b
}
