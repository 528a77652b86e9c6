package server_test

import (
	"bufio"
	"crypto/tls"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/mcptt-conformance/mcptt-conformance/capture"
	"github.com/mcptt-conformance/mcptt-conformance/server"
	"github.com/mcptt-conformance/mcptt-conformance/tlsca"
)

// tlsServer starts a server with a TLS listener whose certificate the returned CA
// issued for 127.0.0.1.
func tlsServer(t *testing.T, auth tls.ClientAuthType, timeout time.Duration) (*server.Server, *capture.Store, *tlsca.CA) {
	t.Helper()
	ca, err := tlsca.New("test CA")
	if err != nil {
		t.Fatal(err)
	}
	cert, err := ca.Issue("127.0.0.1", "mcptt.example.com")
	if err != nil {
		t.Fatal(err)
	}
	s, store := start(t, server.WithTLS(&tls.Config{Certificates: []tls.Certificate{cert}, ClientAuth: auth, ClientCAs: ca.Pool()}, timeout))
	if err := s.ListenTLS("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	return s, store, ca
}

// overTLS sends msg in a TLS session and returns the response's status line.
func overTLS(t *testing.T, s *server.Server, cfg *tls.Config, msg string) (string, error) {
	t.Helper()
	c, err := tls.Dial("tcp", s.Addr("tls").String(), cfg)
	if err != nil {
		return "", err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(2 * time.Second))
	if _, err := c.Write([]byte(msg)); err != nil {
		return "", err
	}
	r := bufio.NewReader(c)
	line, err := r.ReadString('\n')
	if !strings.HasPrefix(line, "SIP/2.0 200") {
		rest, _ := r.Peek(r.Buffered())
		line += string(rest)
	}
	return strings.TrimSpace(line), err
}

func register(branch string) string {
	return strings.Replace(request("REGISTER", branch, 1, ""), "SIP/2.0/UDP", "SIP/2.0/TLS", 1)
}

func TestTLSRegisterIsCapturedDecryptedWithItsSession(t *testing.T) {
	s, store, ca := tlsServer(t, tls.NoClientCert, 0)
	for _, v := range []uint16{tls.VersionTLS12, tls.VersionTLS13} {
		line, err := overTLS(t, s, &tls.Config{RootCAs: ca.Pool(), ServerName: "mcptt.example.com", MinVersion: v, MaxVersion: v}, register(fmt.Sprintf("z9hG4bK-%x", v)))
		if err != nil || line != "SIP/2.0 200 OK" {
			t.Fatalf("%s: expected 200 OK, saw %q (%v)", tls.VersionName(v), line, err)
		}
	}
	msgs := store.Messages()
	if len(msgs) != 2 {
		t.Fatalf("expected 2 captures, saw %d", len(msgs))
	}
	for i, want := range []string{"TLS 1.2", "TLS 1.3"} {
		m := msgs[i]
		if m.Transport != "tls" || m.TLS == nil || m.TLS.Version != want || m.TLS.SNI != "mcptt.example.com" || m.TLS.CipherSuite == "" {
			t.Errorf("capture %d: expected transport tls, %s, SNI mcptt.example.com and a cipher suite, saw %s %+v", i+1, want, m.Transport, m.TLS)
		}
		if !strings.HasPrefix(string(m.Raw), "REGISTER sip:mcptt.example.com SIP/2.0\r\n") || !strings.Contains(m.Name, "-tls-") {
			t.Errorf("capture %d: expected the decrypted REGISTER named -tls-, saw %s %q", i+1, m.Name, m.Raw)
		}
	}
	if segs := s.TLSSegments(); len(segs) < 4 || segs[0].Payload[0] != 0x16 {
		t.Errorf("expected the TLS records of both connections, starting with a handshake record, saw %d segment(s)", len(segs))
	}
	if kl := string(s.TLSKeyLog()); !strings.Contains(kl, "CLIENT_RANDOM ") || !strings.Contains(kl, "CLIENT_TRAFFIC_SECRET_0 ") {
		t.Errorf("expected a TLS 1.2 and a TLS 1.3 key log, saw %q", kl)
	}
	if n := s.Notes(); len(n) != 0 {
		t.Errorf("expected no notes, saw %q", n)
	}
}

// Each bad input is noted, and a good TLS client served right after it.
func TestTLSBadInputIsNotedAndTheServerGoesOn(t *testing.T) {
	for _, tc := range []struct {
		name string
		send func(t *testing.T, addr string)
		note string
	}{
		{"plaintext SIP", func(t *testing.T, addr string) {
			c := dialRaw(t, addr)
			c.Write([]byte(register("z9hG4bK-plain")))
			readUntilClosed(c)
		}, `plaintext on the TLS port?); 2`}, // the byte count, then the quoted REGISTER
		{"truncated ClientHello", func(t *testing.T, addr string) {
			c := dialRaw(t, addr)
			c.Write(clientHello(t)[:40])
			c.(*net.TCPConn).CloseWrite()
			readUntilClosed(c)
		}, "40 byte(s) received"},
		{"handshake never finished", func(t *testing.T, addr string) {
			c := dialRaw(t, addr)
			c.Write(clientHello(t)[:40])
			readUntilClosed(c) // the server closes after its handshake timeout
		}, "the handshake did not finish within 300ms; 40 byte(s) received"},
		{"alert mid-message", func(t *testing.T, addr string) {
			raw := dialRaw(t, addr)
			c := tls.Client(raw, &tls.Config{InsecureSkipVerify: true})
			if _, err := c.Write([]byte(register("z9hG4bK-cut")[:60])); err != nil {
				t.Fatal(err)
			}
			raw.Write([]byte{0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28}) // fatal handshake_failure, outside the session's protection
			readUntilClosed(raw)
		}, "ended on an error"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s, store, ca := tlsServer(t, tls.NoClientCert, 300*time.Millisecond)
			tc.send(t, s.Addr("tls").String())
			notes := waitNotes(s)
			if len(notes) != 1 || !strings.Contains(notes[0], tc.note) {
				t.Fatalf("expected one note containing %q, saw %q", tc.note, notes)
			}
			if tc.name == "plaintext SIP" && !strings.Contains(notes[0], `"REGISTER sip:mcptt.example.com SIP/2.0\r\n`) {
				t.Errorf("expected the note to quote the plaintext received, saw %q", notes[0])
			}
			before := len(store.Messages())
			line, err := overTLS(t, s, &tls.Config{RootCAs: ca.Pool(), ServerName: "127.0.0.1"}, register("z9hG4bK-good"))
			if err != nil || line != "SIP/2.0 200 OK" {
				t.Fatalf("after the bad input, expected a good client served 200 OK, saw %q (%v)", line, err)
			}
			if got := len(store.Messages()); got != before+1 {
				t.Errorf("expected one more capture for the good client, saw %d then %d", before, got)
			}
			if got := status(udp(t, s, request("OPTIONS", "z9hG4bK-udp", 1, ""))); got != "SIP/2.0 200 OK" {
				t.Errorf("expected UDP undisturbed, saw %q", got)
			}
		})
	}
}

func TestMutualTLS(t *testing.T) {
	s, store, ca := tlsServer(t, tls.RequireAndVerifyClientCert, time.Second)
	good, err := ca.Issue("alice.client.example.com")
	if err != nil {
		t.Fatal(err)
	}
	other, _ := tlsca.New("someone else's CA")
	bad, err := other.Issue("mallory.example.com")
	if err != nil {
		t.Fatal(err)
	}
	cfg := func(c tls.Certificate) *tls.Config {
		return &tls.Config{RootCAs: ca.Pool(), ServerName: "127.0.0.1", Certificates: []tls.Certificate{c}}
	}
	if line, err := overTLS(t, s, cfg(bad), register("z9hG4bK-bad")); err == nil {
		t.Fatalf("expected a client certificate of another CA refused, saw %q", line)
	}
	if notes := waitNotes(s); len(notes) != 1 || !strings.Contains(notes[0], "certificate") {
		t.Fatalf("expected one note about the client certificate, saw %q", notes)
	}
	if line, err := overTLS(t, s, cfg(good), register("z9hG4bK-good")); err != nil || line != "SIP/2.0 200 OK" {
		t.Fatalf("expected the CA's client served 200 OK, saw %q (%v)", line, err)
	}
	msgs := store.Messages()
	if len(msgs) != 1 || msgs[0].TLS == nil || msgs[0].TLS.ClientSubject != "CN=alice.client.example.com" {
		t.Fatalf("expected one capture recording the client's subject, saw %d %+v", len(msgs), msgs)
	}
}

// waitNotes returns the server's notes once there is one, or after a second.
func waitNotes(s *server.Server) []string {
	for end := time.Now().Add(time.Second); time.Now().Before(end); time.Sleep(5 * time.Millisecond) {
		if n := s.Notes(); len(n) > 0 {
			return n
		}
	}
	return s.Notes()
}

func dialRaw(t *testing.T, addr string) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// readUntilClosed waits (bounded) for the server to close c.
func readUntilClosed(c net.Conn) {
	c.SetReadDeadline(time.Now().Add(3 * time.Second))
	buf := make([]byte, 4096)
	for {
		if _, err := c.Read(buf); err != nil {
			return
		}
	}
}

// clientHello returns the first flight of a Go TLS client.
func clientHello(t *testing.T) []byte {
	t.Helper()
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	go tls.Client(a, &tls.Config{InsecureSkipVerify: true}).Handshake()
	buf := make([]byte, 4096)
	n, err := b.Read(buf)
	if err != nil || n < 100 {
		t.Fatalf("expected a ClientHello, saw %d bytes (%v)", n, err)
	}
	return buf[:n]
}
