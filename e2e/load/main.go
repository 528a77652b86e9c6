// Command load sends a registrar a burst of conformant REGISTERs, one client each (built
// by the reference client, client.Build), half over UDP from concurrent senders and half
// over TCP across many connections, and reports how long every one took to be answered,
// how many were answered, how many UDP retransmissions it needed (RFC 3261 17.1.2.2
// Timer E) and, given the registrar's process id, its peak resident memory.
//
//	go run ./e2e/load -target 127.0.0.1:5070 -n 10000 -udp-senders 100 -tcp-conns 1250 [-pid PID]
//
// e2e/load/run compares the suite's live run with Kamailio as a plain registrar.
package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mcptt-conformance/mcptt-conformance/client"
	"github.com/mcptt-conformance/mcptt-conformance/wire/sipmsg"
)

// t1 is RFC 3261's round-trip estimate: a UDP request unanswered after t1 is sent
// again, the interval doubling up to t2 (Timer E), until 64*t1 (Timer F).
const (
	t1 = 500 * time.Millisecond
	t2 = 4 * time.Second
)

type tally struct {
	answered, failed, retransmissions atomic.Int64
}

func main() {
	target := flag.String("target", "127.0.0.1:5070", "the registrar's host:port (UDP and TCP)")
	n := flag.Int("n", 10000, "REGISTERs to send, one client each; half over UDP, half over TCP")
	senders := flag.Int("udp-senders", 100, "concurrent UDP senders")
	conns := flag.Int("tcp-conns", 1250, "TCP connections")
	domain := flag.String("domain", "mcptt.example.com", "the domain of the clients' MCPTT IDs (sip:user<i>@domain)")
	clientID := flag.String("client-id", "urn:uuid:00000000-0000-4000-8000-000000000000", "the MCPTT client ID every client sends (the profile's identity.client_id)")
	pid := flag.Int("pid", 0, "the registrar's process id, for its peak resident memory (VmHWM)")
	flag.Parse()
	if err := run(*target, *domain, *clientID, *n, *senders, *conns, *pid); err != nil {
		fmt.Fprintln(os.Stderr, "load:", err)
		os.Exit(1)
	}
}

func run(target, domain, clientID string, n, senders, conns, pid int) error {
	if n < 2 || senders < 1 || conns < 1 {
		return errors.New("expected -n of at least 2, and at least one UDP sender and one TCP connection")
	}
	var t tally
	var wg sync.WaitGroup
	udpN, tcpN := n/2, n-n/2
	start := time.Now()
	for i := range senders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			first, last := share(udpN, senders, i)
			if err := sendUDP(target, domain, clientID, first, last, &t); err != nil {
				fmt.Fprintln(os.Stderr, "udp sender:", err)
			}
		}()
	}
	for i := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			first, last := share(tcpN, conns, i)
			if err := sendTCP(target, domain, clientID, udpN+first, udpN+last, &t); err != nil {
				fmt.Fprintln(os.Stderr, "tcp connection:", err)
			}
		}()
	}
	wg.Wait()
	took := time.Since(start)
	fmt.Printf("target %s: %d REGISTERs (%d UDP from %d senders, %d TCP over %d connections) in %s (%.0f/s): %d answered, %d unanswered, %d UDP retransmissions\n",
		target, n, udpN, senders, tcpN, conns, took.Round(time.Millisecond), float64(n)/took.Seconds(), t.answered.Load(), t.failed.Load(), t.retransmissions.Load())
	if pid != 0 {
		rss, err := peakRSS(pid)
		if err != nil {
			return err
		}
		fmt.Printf("process %d: peak RSS %s\n", pid, rss)
	}
	if t.failed.Load() > 0 {
		return fmt.Errorf("%d REGISTER(s) unanswered", t.failed.Load())
	}
	return nil
}

// share is the range [first, last) of n requests that worker i of workers sends.
func share(n, workers, i int) (first, last int) {
	return n * i / workers, n * (i + 1) / workers
}

// register is client i's REGISTER sent from local over transport.
func register(target, domain, clientID, transport, local string, i int) ([]byte, error) {
	host, _, _ := net.SplitHostPort(local)
	cfg := client.Config{
		Server: target, Transport: transport, Local: host, Mode: client.ModeRegister,
		MCPTTID: fmt.Sprintf("sip:user%d@%s", i, domain), ClientID: clientID,
		Token: "tok", ProfileIndex: -1, Timeout: 64 * t1,
	}
	leg := client.Leg{Local: local, CallID: fmt.Sprintf("load-%d", i), FromTag: fmt.Sprintf("f%d", i), CSeq: 1, Branch: fmt.Sprintf("z9hG4bK-load-%d", i)}
	return client.Build(&cfg, client.Register, leg)
}

// sendUDP sends clients [first, last) one after the other from one socket, each until
// its final response or Timer F.
func sendUDP(target, domain, clientID string, first, last int, t *tally) error {
	c, err := net.Dial("udp", target)
	if err != nil {
		return err
	}
	defer c.Close()
	buf := make([]byte, 65535)
	for i := first; i < last; i++ {
		req, err := register(target, domain, clientID, "udp", c.LocalAddr().String(), i)
		if err != nil {
			return err
		}
		if final(c, req, buf, t) {
			t.answered.Add(1)
		} else {
			t.failed.Add(1)
		}
	}
	return nil
}

// final sends req until a final response comes, retransmitting per Timer E.
func final(c net.Conn, req, buf []byte, t *tally) bool {
	interval, deadline := t1, time.Now().Add(64*t1)
	for sent := 0; time.Now().Before(deadline); sent++ {
		if sent > 0 {
			t.retransmissions.Add(1)
		}
		if _, err := c.Write(req); err != nil {
			return false
		}
		c.SetReadDeadline(time.Now().Add(interval))
		for {
			n, err := c.Read(buf)
			if err != nil {
				break // timer E fired: send again
			}
			if m, err := sipmsg.Parse(buf[:n]); err == nil && !m.IsRequest && !strings.HasPrefix(m.StartLine, "SIP/2.0 1") {
				return true
			}
		}
		interval = min(2*interval, t2)
	}
	return false
}

// sendTCP sends clients [first, last) one after the other over one connection, each
// answered before the next is sent.
func sendTCP(target, domain, clientID string, first, last int, t *tally) error {
	c, err := net.DialTimeout("tcp", target, 64*t1)
	if err != nil {
		t.failed.Add(int64(last - first))
		return err
	}
	defer c.Close()
	r := bufio.NewReader(c)
	for i := first; i < last; i++ {
		req, err := register(target, domain, clientID, "tcp", c.LocalAddr().String(), i)
		if err != nil {
			return err
		}
		c.SetDeadline(time.Now().Add(64 * t1))
		if _, err := c.Write(req); err != nil || !finalOnStream(r) {
			t.failed.Add(int64(last - i))
			return fmt.Errorf("client %d: no final response over TCP", i)
		}
		t.answered.Add(1)
	}
	return nil
}

// finalOnStream reads responses off r until a final one.
func finalOnStream(r *bufio.Reader) bool {
	for {
		status, err := r.ReadString('\n')
		if err != nil {
			return false
		}
		length := 0
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				return false
			}
			if strings.TrimSpace(line) == "" {
				break
			}
			name, value, _ := strings.Cut(line, ":")
			if n := strings.ToLower(strings.TrimSpace(name)); n == "content-length" || n == "l" {
				fmt.Sscan(value, &length)
			}
		}
		if _, err := r.Discard(length); err != nil {
			return false
		}
		if !strings.HasPrefix(status, "SIP/2.0 1") {
			return true
		}
	}
}

// peakRSS is VmHWM of process pid, from /proc.
func peakRSS(pid int) (string, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return "", fmt.Errorf("peak RSS of process %d: %w", pid, err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			return strings.TrimSpace(v), nil
		}
	}
	return "", fmt.Errorf("peak RSS of process %d: no VmHWM in /proc/%d/status", pid, pid)
}
