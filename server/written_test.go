package server

import (
	"errors"
	"io"
	"strings"
	"testing"
	"time"
)

// brokenConn delivers one stream of bytes and refuses every write, as a connection
// the peer reset does.
type brokenConn struct{ r io.Reader }

func (c brokenConn) Read(p []byte) (int, error)     { return c.r.Read(p) }
func (brokenConn) Write([]byte) (int, error)        { return 0, errors.New("connection reset by peer") }
func (brokenConn) SetReadDeadline(time.Time) error  { return nil }
func (brokenConn) SetWriteDeadline(time.Time) error { return nil }

// An answer the server could not write is not recorded as sent: the capture keeps no
// status and the run's responses (its pcap) do not hold it.
func TestAnswerNotWrittenIsNotRecorded(t *testing.T) {
	s := newTestServer(t)
	req := request("REGISTER", "SIP/2.0/TCP 127.0.0.1:5071;branch=z9hG4bK-1", "REGISTER")
	if err := s.serveConn(brokenConn{strings.NewReader(req)}, origin{transport: "tcp", peer: "127.0.0.1:5071", local: "127.0.0.1:5060"}); err != nil {
		t.Fatal(err)
	}
	msgs := s.store.Messages()
	if len(msgs) != 1 || string(msgs[0].Raw) != req || msgs[0].Status != 0 || len(s.Responses()) != 0 {
		t.Fatalf("expected the REGISTER captured and no answer recorded, saw %d capture(s), status %d, %d response(s)", len(msgs), msgs[0].Status, len(s.Responses()))
	}
}
