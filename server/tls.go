package server

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"

	"github.com/mcptt-conformance/mcptt-conformance/capture"
)

// HandshakeTimeout bounds a TLS handshake when WithTLS is not given another: a client
// that connects and never finishes its handshake is dropped after it.
const HandshakeTimeout = 5 * time.Second

// maxNotedBytes is how much of what a refused TLS connection sent is quoted in its note.
const maxNotedBytes = 256

// Segment is one read or write on a TLS connection, the TLS records as they went over
// TCP, for the run's pcap.
type Segment struct {
	Time     time.Time
	From, To string // host:port of sender and receiver
	Payload  []byte
}

// tlsState is what the server keeps of its TLS connections.
type tlsState struct {
	config   *tls.Config
	timeout  time.Duration
	keyLog   bytes.Buffer // NSS key log of every session (crypto/tls KeyLogWriter)
	segments []Segment
	notes    []string
}

// WithTLS gives the TLS listener its configuration (certificate, client authentication)
// and the handshake timeout (0 means HandshakeTimeout). The server adds its own key log
// writer and refuses versions below TLS 1.2.
func WithTLS(config *tls.Config, handshakeTimeout time.Duration) Option {
	return func(o *options) {
		o.tls = config
		o.handshakeTimeout = handshakeTimeout
	}
}

// ListenTLS starts serving SIP over TLS (RFC 3261 26.2) on addr, with the configuration
// WithTLS gave. Port 0 picks a free port; Addr("tls") tells which.
func (s *Server) ListenTLS(addr string) error {
	if s.opts.tls == nil {
		return errors.New("listen tls: the server has no TLS configuration (WithTLS)")
	}
	cfg := s.opts.tls.Clone()
	cfg.KeyLogWriter = keyLogWriter{s}
	cfg.MinVersion = max(cfg.MinVersion, tls.VersionTLS12)
	s.mu.Lock()
	s.tls.config = cfg
	s.tls.timeout = s.opts.handshakeTimeout
	if s.tls.timeout <= 0 {
		s.tls.timeout = HandshakeTimeout
	}
	s.mu.Unlock()
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen tls %s: %w", addr, err)
	}
	s.track("tls", l, l.Addr())
	s.wg.Add(1)
	go s.accept(l, "tls", s.serveTLS)
	return nil
}

type keyLogWriter struct{ s *Server }

func (w keyLogWriter) Write(b []byte) (int, error) {
	w.s.mu.Lock()
	defer w.s.mu.Unlock()
	return w.s.tls.keyLog.Write(b)
}

// TLSKeyLog returns the key log of every TLS session so far (NSS key log format), for
// the run's pcap to decrypt them.
func (s *Server) TLSKeyLog() []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return bytes.Clone(s.tls.keyLog.Bytes())
}

// TLSSegments returns the TLS records read and written on every TLS connection, in order.
func (s *Server) TLSSegments() []Segment {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Segment(nil), s.tls.segments...)
}

// Notes lists the TLS connections that failed (a handshake refused or not finished, a
// session that ended on an error), one line each, for the report.
func (s *Server) Notes() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.tls.notes...)
}

func (s *Server) note(format string, args ...any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tls.notes = append(s.tls.notes, fmt.Sprintf(format, args...))
}

// recorder is the TCP connection under a TLS session: it keeps each read and write as
// a Segment, and the first bytes the peer sent, for a note.
type recorder struct {
	net.Conn
	s           *Server
	peer, local string
	mu          sync.Mutex
	first       []byte
	received    int
}

func (r *recorder) Read(b []byte) (int, error) {
	n, err := r.Conn.Read(b)
	if n > 0 {
		r.mu.Lock()
		r.received += n
		if len(r.first) < maxNotedBytes {
			r.first = append(r.first, b[:min(n, maxNotedBytes-len(r.first))]...)
		}
		r.mu.Unlock()
		r.keep(r.peer, r.local, b[:n])
	}
	return n, err
}

func (r *recorder) Write(b []byte) (int, error) {
	r.keep(r.local, r.peer, b)
	return r.Conn.Write(b)
}

func (r *recorder) keep(from, to string, b []byte) {
	r.s.mu.Lock()
	defer r.s.mu.Unlock()
	r.s.tls.segments = append(r.s.tls.segments, Segment{Time: time.Now().UTC(), From: from, To: to, Payload: bytes.Clone(b)})
}

// seen describes what the peer sent: its size and its first bytes, quoted.
func (r *recorder) seen() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.received == 0 {
		return "no bytes received"
	}
	more := ""
	if r.received > len(r.first) {
		more = "…"
	}
	return fmt.Sprintf("%d byte(s) received: %q%s", r.received, r.first, more)
}

// serveTLS runs the handshake within the timeout, then serves the decrypted stream as
// TCP is served. A handshake that fails or times out is noted, with what the peer sent.
func (s *Server) serveTLS(c net.Conn) {
	peer, local := c.RemoteAddr().String(), c.LocalAddr().String()
	rec := &recorder{Conn: c, s: s, peer: peer, local: local}
	s.mu.Lock()
	cfg, timeout := s.tls.config, s.tls.timeout
	s.mu.Unlock()
	tc := tls.Server(rec, cfg)
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	err := tc.HandshakeContext(ctx)
	cancel()
	if err != nil {
		if s.isClosed() {
			return
		}
		why := err.Error()
		if errors.Is(err, context.DeadlineExceeded) {
			why = fmt.Sprintf("the handshake did not finish within %s", timeout)
		}
		var rh tls.RecordHeaderError
		if errors.As(err, &rh) {
			why = "the first bytes are not a TLS record (plaintext on the TLS port?)"
		}
		s.note("TLS connection from %s to %s refused: %s; %s", peer, local, why, rec.seen())
		return
	}
	st := tc.ConnectionState()
	info := &capture.TLS{Version: tls.VersionName(st.Version), CipherSuite: tls.CipherSuiteName(st.CipherSuite), SNI: st.ServerName}
	if len(st.PeerCertificates) > 0 {
		info.ClientSubject = st.PeerCertificates[0].Subject.String()
	}
	if err := s.serveConn(tc, origin{transport: "tls", peer: peer, local: local, tls: info}); err != nil {
		s.note("TLS connection from %s to %s ended on an error: %v", peer, local, err)
	}
	tc.Close()
}
