package server_test

import (
	"bufio"
	"bytes"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mcptt-conformance/mcptt-conformance/capture"
	"github.com/mcptt-conformance/mcptt-conformance/server"
	"github.com/mcptt-conformance/mcptt-conformance/wire/sipmsg"
)

// withBody is a REGISTER over TCP whose Content-Length announces announced bytes.
func withBody(branch string, announced int) string {
	return strings.Replace(request("REGISTER", branch, 1, "Content-Type: application/octet-stream\r\n"),
		"Content-Length: 0", fmt.Sprintf("Content-Length: %d", announced), 1)
}

func dialTCP(t *testing.T, s *server.Server) *net.TCPConn {
	t.Helper()
	c, err := net.Dial("tcp", s.Addr("tcp").String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c.(*net.TCPConn)
}

func firstLine(t *testing.T, c net.Conn) string {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		t.Fatalf("expected a response, saw %v", err)
	}
	return strings.TrimSpace(line)
}

// waitFor waits until store holds n messages, and returns them.
func waitFor(t *testing.T, store *capture.Store, n int) []*capture.Message {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if msgs := store.Messages(); len(msgs) >= n {
			return msgs
		}
	}
	t.Fatalf("expected %d captures, saw %d", n, len(store.Messages()))
	return nil
}

// A 10 MB request over TCP (within the 16 MiB of body the server reads) is captured
// whole and answered, not cut at 1 MiB.
func TestLargeTCPRequestIsReadWhole(t *testing.T) {
	s, store := start(t)
	c := dialTCP(t, s)
	const size = 10 << 20
	msg := withBody("z9hG4bK-big", size) + strings.Repeat("x", size)
	go c.Write([]byte(msg))
	if got := firstLine(t, c); got != "SIP/2.0 200 OK" {
		t.Fatalf("expected 200 OK, saw %q", got)
	}
	s.Close() // waits for the serving goroutines, which record the answer once written
	msgs := store.Messages()
	if len(msgs) != 1 || len(msgs[0].Raw) != len(msg) || msgs[0].Damage != nil || msgs[0].Status != 200 {
		t.Fatalf("expected one capture of %d bytes answered 200, saw %d capture(s), the first of %d bytes", len(msg), len(msgs), len(msgs[0].Raw))
	}
}

// A request whose Content-Length is over what the server reads is answered 513 (RFC
// 3261 21.5.14), kept up to its announced end (under the 64 MiB cap) and marked damaged
// with its size.
func TestOverSizeRequestIsAnswered513AndKept(t *testing.T) {
	s, store := start(t)
	c := dialTCP(t, s)
	announced := sipmsg.MaxBodyBytes + 1
	head := withBody("z9hG4bK-over", announced)
	msg := head + strings.Repeat("x", announced)
	go c.Write([]byte(msg))
	if got := firstLine(t, c); got != "SIP/2.0 513 Message Too Large" {
		t.Fatalf("expected 513 Message Too Large, saw %q", got)
	}
	s.Close()
	m := store.Messages()[0]
	if !bytes.Equal(m.Raw, []byte(msg)) || m.Damage == nil || m.Damage.ClientFault || m.Status != 513 {
		t.Fatalf("expected the whole request kept, marked damaged and answered 513, saw %d of %d bytes, damage %+v, status %d", len(m.Raw), len(msg), m.Damage, m.Status)
	}
	if want := fmt.Sprintf("a message of %d bytes", len(msg)); !strings.Contains(m.Damage.Reason, want) {
		t.Errorf("expected the damage to give the size (%q), saw %q", want, m.Damage.Reason)
	}
	if rs := s.Responses(); len(rs) != 1 || rs[0].To != m {
		t.Errorf("expected the 513 recorded as sent, saw %d response(s)", len(rs))
	}
}

// A connection that ends in the middle of a request keeps the bytes as a damaged
// capture and records no answer: none was written. The client closing it is the
// client's fault; the run ending while it is held open is not.
func TestRequestCutShortIsKeptUnanswered(t *testing.T) {
	part := withBody("z9hG4bK-cut", 100) + "only part of the body"
	t.Run("client half-closes", func(t *testing.T) {
		s, store := start(t)
		c := dialTCP(t, s)
		c.Write([]byte(part))
		c.CloseWrite()
		waitFor(t, store, 1)
		s.Close()
		m := store.Messages()[0]
		if string(m.Raw) != part || m.Damage == nil || !m.Damage.ClientFault || m.Status != 0 || len(s.Responses()) != 0 {
			t.Fatalf("expected the bytes kept, damaged by the client, unanswered; saw damage %+v, status %d, %d response(s)", m.Damage, m.Status, len(s.Responses()))
		}
	})
	t.Run("held open until the run ends", func(t *testing.T) {
		s, store := start(t)
		c := dialTCP(t, s)
		c.Write([]byte(part))
		time.Sleep(100 * time.Millisecond)
		s.Close()
		m := waitFor(t, store, 1)[0]
		if string(m.Raw) != part || m.Damage == nil || m.Damage.ClientFault || !strings.Contains(m.Damage.Reason, "the run ended") || m.Status != 0 || len(s.Responses()) != 0 {
			t.Fatalf("expected the bytes kept, damaged by the run's end, unanswered; saw damage %+v, status %d, %d response(s)", m.Damage, m.Status, len(s.Responses()))
		}
	})
}

// A burst of UDP REGISTERs from many senders at once is captured and answered whole,
// each sender's requests in the order it sent them.
func TestUDPBurstIsCapturedAndAnsweredInOrder(t *testing.T) {
	s, store := start(t)
	const senders, each = 20, 50
	var wg sync.WaitGroup
	for i := range senders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := net.Dial("udp", s.Addr("udp").String())
			if err != nil {
				t.Error(err)
				return
			}
			defer c.Close()
			for j := range each {
				c.Write([]byte(request("REGISTER", fmt.Sprintf("z9hG4bK-%d-%d", i, j), j+1, "")))
			}
			c.SetReadDeadline(time.Now().Add(10 * time.Second))
			buf := make([]byte, 65535)
			for j := range each {
				if _, err := c.Read(buf); err != nil {
					t.Errorf("sender %d: answer %d: %v", i, j+1, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	s.Close()
	msgs := store.Messages()
	if len(msgs) != senders*each {
		t.Fatalf("expected %d captures, saw %d", senders*each, len(msgs))
	}
	last := map[string]int{}
	for _, m := range msgs {
		cseq, _ := sipmsg.Parse(m.Raw)
		h, _ := cseq.First("cseq")
		var n int
		fmt.Sscan(h.Value, &n)
		if n != last[m.Peer]+1 || m.Status != 200 {
			t.Fatalf("expected %s's requests captured in order and answered 200, saw CSeq %d after %d, status %d", m.Peer, n, last[m.Peer], m.Status)
		}
		last[m.Peer] = n
	}
	if n := store.Count("REGISTER"); n != senders*each {
		t.Errorf("expected %d REGISTERs counted, saw %d", senders*each, n)
	}
}
