// Package server is the fake MCPTT server: it listens on UDP, TCP and TLS, keeps the exact
// bytes of everything it receives (capture.Store) before anything else looks at them,
// and answers REGISTER, PUBLISH and other requests the way a profile asks.
package server

import (
	"errors"
	"fmt"
	"io"
	"net"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/mcptt-conformance/mcptt-conformance/capture"
	"github.com/mcptt-conformance/mcptt-conformance/wire/sipmsg"
)

// Server answers as an MCPTT server. Build it with New and options, then Listen.
type Server struct {
	store *capture.Store
	opts  options
	log   io.Writer

	mu        sync.Mutex
	answered  map[string]answered // transaction key → the response sent, for retransmissions
	nonces    map[string]bool
	etags     map[string]bool // the entity-tags of the live publications (RFC 3903)
	changed   chan struct{}
	closers   []io.Closer
	conns     map[net.Conn]bool
	wg        sync.WaitGroup
	addrs     map[string]net.Addr
	closed    bool
	responses []Response
	tls       tlsState
}

// Response is a message the server sent, kept for the run's pcap and report.
type Response struct {
	To        *capture.Message // the request it answers
	Raw       []byte
	Time      time.Time
	Transport string
	From      string
	Peer      string
}

// New returns a server that records into store.
func New(store *capture.Store, opts ...Option) *Server {
	s := &Server{
		store:    store,
		answered: map[string]answered{},
		nonces:   map[string]bool{},
		changed:  make(chan struct{}),
		conns:    map[net.Conn]bool{},
		addrs:    map[string]net.Addr{},
		log:      io.Discard,
	}
	s.opts = defaultOptions()
	for _, o := range opts {
		o(&s.opts)
	}
	if s.opts.log != nil {
		s.log = s.opts.log
	}
	return s
}

// Listen starts serving UDP and TCP on the same address. Port 0 picks a port free for
// both; Addr tells which. ListenTLS adds the TLS listener.
func (s *Server) Listen(addr string) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("listen: expected host:port, saw %q", addr)
	}
	for try := 0; ; try++ {
		pc, err := net.ListenPacket("udp", net.JoinHostPort(host, port))
		if err != nil {
			return fmt.Errorf("listen udp %s: %w", addr, err)
		}
		// The receive buffer is set before Listen returns: a burst sent at once must
		// not meet the default buffer before the reader starts.
		if err := setReceiveBuffer(pc, udpReceiveBuffer); err != nil {
			fmt.Fprintf(s.log, "udp receive buffer: %v\n", err)
		}
		bound := strconv.Itoa(pc.LocalAddr().(*net.UDPAddr).Port)
		l, err := net.Listen("tcp", net.JoinHostPort(host, bound))
		if err != nil {
			pc.Close()
			if port == "0" && try < 20 {
				continue // the port UDP got is taken for TCP: try another
			}
			return fmt.Errorf("listen tcp %s: %w", net.JoinHostPort(host, bound), err)
		}
		s.track("udp", pc, pc.LocalAddr())
		s.track("tcp", l, l.Addr())
		s.wg.Add(2)
		go s.serveUDP(pc)
		go s.accept(l, "tcp", func(c net.Conn) {
			s.serveConn(c, origin{transport: "tcp", peer: c.RemoteAddr().String(), local: c.LocalAddr().String()})
		})
		return nil
	}
}

func (s *Server) track(network string, c io.Closer, a net.Addr) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closers = append(s.closers, c)
	s.addrs[network] = a
}

// Addr is the address the server listens on for network, nil if it does not.
func (s *Server) Addr(network string) net.Addr {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addrs[network]
}

// Close stops every listener and connection and waits for the serving goroutines.
func (s *Server) Close() error {
	s.mu.Lock()
	s.closed = true
	for _, c := range s.closers {
		c.Close()
	}
	for c := range s.conns {
		c.Close()
	}
	s.mu.Unlock()
	s.wg.Wait()
	return nil
}

// Changed returns a channel that is closed when the next message arrives.
func (s *Server) Changed() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.changed
}

// Responses returns what the server sent, in order.
func (s *Server) Responses() []Response {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Response(nil), s.responses...)
}

// accept hands each connection l accepts to serve, in a goroutine of its own, and
// closes the connection when serve returns.
func (s *Server) accept(l net.Listener, network string, serve func(net.Conn)) {
	defer s.wg.Done()
	for {
		c, err := l.Accept()
		if err != nil {
			if s.isClosed() {
				return
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				continue
			}
			fmt.Fprintf(s.log, "%s accept: %v\n", network, err)
			return
		}
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			c.Close()
			return
		}
		s.conns[c] = true
		s.mu.Unlock()
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			defer func() {
				s.mu.Lock()
				delete(s.conns, c)
				s.mu.Unlock()
				c.Close()
			}()
			serve(c)
		}()
	}
}

// origin is where a message came from: the transport, the sender, the address it was
// received on and, over TLS, the session.
type origin struct {
	transport, peer, local string
	tls                    *capture.TLS
	at                     time.Time // when it was read off the socket; zero: when captured
}

func (s *Server) isClosed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closed
}

// receive captures raw, then decides its answer: the message as captured, the bytes to
// send back (nil for none) and their status code. Nothing is recorded as sent until the
// caller has written the bytes and calls sent.
func (s *Server) receive(o origin, raw []byte) (*capture.Message, []byte, int) {
	m := s.capture(o, raw, nil)
	reply, status := s.answer(m)
	return m, reply, status
}

// capture stores raw (with why the server did not read it whole, nil when it did) and
// tells the waiters that a message arrived.
func (s *Server) capture(o origin, raw []byte, damage *capture.Damage) *capture.Message {
	at := o.at
	if at.IsZero() {
		at = time.Now().UTC()
	}
	m, err := s.store.Add(&capture.Message{
		Time: at, Transport: o.transport, Peer: o.peer, Local: o.local, Raw: raw, TLS: o.tls, Damage: damage,
	})
	if err != nil {
		fmt.Fprintf(s.log, "capture: %v\n", err)
	}
	s.mu.Lock()
	close(s.changed)
	s.changed = make(chan struct{})
	s.mu.Unlock()
	return m
}

// sent records reply, about to be written to the peer of o, as the answer to m with
// status; unsent takes it back should the write fail, so that only answers actually
// written stay recorded as sent.
func (s *Server) sent(o origin, m *capture.Message, reply []byte, status int) {
	s.mu.Lock()
	s.responses = append(s.responses, Response{To: m, Raw: reply, Time: time.Now().UTC(), Transport: o.transport, From: o.local, Peer: o.peer})
	s.mu.Unlock()
	s.store.SetStatus(m, status)
}

func (s *Server) unsent(m *capture.Message) {
	s.mu.Lock()
	for i := len(s.responses) - 1; i >= 0; i-- {
		if s.responses[i].To == m {
			s.responses = slices.Delete(s.responses, i, i+1)
			break
		}
	}
	s.mu.Unlock()
	s.store.SetStatus(m, 0)
}

// answer decides the response to one captured message, read by wire/sipmsg as the judge
// reads it. Unreadable bytes, responses and ACKs get none; a request the judge finds
// broken gets 400 (see refusals); any other request is handed to gosip to answer.
func (s *Server) answer(m *capture.Message) ([]byte, int) {
	msg, err := sipmsg.Parse(m.Raw)
	if err != nil || !msg.IsRequest {
		return nil, 0 // no request line to answer, or a response: recorded, never answered
	}
	key := msg.TransactionKey()
	s.mu.Lock()
	prev, seen := s.answered[key]
	s.mu.Unlock()
	if seen {
		s.store.MarkRetransmission(m, prev.seq)
		return prev.raw, prev.status
	}
	if msg.Method == "ACK" {
		return nil, 0
	}
	out, status := s.respondTo(msg)
	if key != "" {
		s.mu.Lock()
		s.answered[key] = answered{raw: out, seq: m.Seq, status: status}
		s.mu.Unlock()
	}
	return out, status
}

// respondTo builds the response to a request that is not an ACK, and its status.
func (s *Server) respondTo(msg *sipmsg.Message) ([]byte, int) {
	if probs := refusals(msg); len(probs) > 0 {
		return s.refuse(msg, 400, "Bad Request", probs[0].Error()), 400
	}
	switch msg.Method {
	case "REGISTER":
		return s.register(msg)
	case "PUBLISH":
		return s.publish(msg)
	case "OPTIONS":
		return s.respond(msg, 200, "OK"), 200
	default:
		return s.respond(msg, 405, "Method Not Allowed", "Allow: REGISTER, PUBLISH, OPTIONS, ACK"), 405
	}
}

type answered struct {
	raw    []byte
	seq    int
	status int
}
