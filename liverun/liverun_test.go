package liverun_test

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mcptt-conformance/mcptt-conformance/liverun"
	"github.com/mcptt-conformance/mcptt-conformance/profile"
	"github.com/mcptt-conformance/mcptt-conformance/run"
)

// syncBuffer collects progress lines written from the run's goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// In manual mode the run prints where to point the client, waits for the awaited
// REGISTER and ends once it arrived and the line settled.
func TestManualModeEndsWhenTheAwaitedRequestArrived(t *testing.T) {
	p, err := profile.Parse([]byte(`
authz: register
identity: {mcptt_id: "sip:alice@mcptt.example.com", client_id: "urn:uuid:1", access_token: tok}
server: {listen: "127.0.0.1:0"}
client: {start: manual, timeout: 20s, settle: 100ms}
`))
	if err != nil {
		t.Fatal(err)
	}
	var progress syncBuffer
	done := make(chan *run.Run)
	go func() {
		res, err := liverun.Run(context.Background(), liverun.Config{Profile: p, CaptureDir: t.TempDir(), Progress: &progress})
		if err != nil {
			t.Error(err)
		}
		done <- res
	}()
	var addr string
	for deadline := time.Now().Add(5 * time.Second); addr == "" && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if _, rest, ok := strings.Cut(progress.String(), "point the client under test at sip:"); ok {
			addr, _, _ = strings.Cut(rest, " ")
		}
	}
	if addr == "" {
		t.Fatalf("expected the address to point the client at, saw %q", progress.String())
	}
	c, err := net.Dial("udp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	fmt.Fprintf(c, "REGISTER sip:mcptt.example.com SIP/2.0\r\nVia: SIP/2.0/UDP %s;branch=z9hG4bK-1\r\nMax-Forwards: 70\r\nFrom: <sip:alice@mcptt.example.com>;tag=1\r\nTo: <sip:alice@mcptt.example.com>\r\nCall-ID: c\r\nCSeq: 1 REGISTER\r\nContact: <sip:alice@%s>\r\nContent-Length: 0\r\n\r\n", c.LocalAddr(), c.LocalAddr())
	select {
	case res := <-done:
		if len(res.Clients) != 1 || len(res.Clients[0].Messages) != 1 || res.Clients[0].Messages[0].Status != 200 {
			t.Fatalf("expected one client with the REGISTER captured and answered 200, saw %+v", res.Clients)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the run did not end after the awaited REGISTER arrived")
	}
}
