package pcapng_test

import (
	"bytes"
	"crypto/tls"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mcptt-conformance/mcptt-conformance/pcapng"
	"github.com/mcptt-conformance/mcptt-conformance/tlsca"
)

// recorder keeps what went over one side of a connection, write by write, as packets.
type recorder struct {
	net.Conn
	from, to string
	mu       *sync.Mutex
	pkts     *[]pcapng.Packet
}

func (r recorder) Write(b []byte) (int, error) {
	r.mu.Lock()
	*r.pkts = append(*r.pkts, pcapng.Packet{Time: time.Now(), Transport: "tls", From: r.from, To: r.to, Payload: bytes.Clone(b)})
	r.mu.Unlock()
	return r.Conn.Write(b)
}

// certificate is one for mcptt.example.com from a test CA.
func certificate(t *testing.T) tls.Certificate {
	t.Helper()
	ca, err := tlsca.New("pcapng test CA")
	if err != nil {
		t.Fatal(err)
	}
	cert, err := ca.Issue("mcptt.example.com")
	if err != nil {
		t.Fatal(err)
	}
	return cert
}

// A REGISTER sent over a real TLS session, written with the session's key log as a
// Decryption Secrets Block, is dissected as SIP by tshark with no key file.
func TestTLSKeyLogDecryptsInTshark(t *testing.T) {
	tshark, err := exec.LookPath("tshark")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("tshark is missing; make deps installs it")
		}
		t.Skip("tshark is not installed; run make deps")
	}
	const client, server = "127.0.0.1:40123", "127.0.0.1:5061"
	var mu sync.Mutex
	var pkts []pcapng.Packet
	var keyLog bytes.Buffer
	c, s := net.Pipe()
	srv := tls.Server(recorder{s, server, client, &mu, &pkts}, &tls.Config{Certificates: []tls.Certificate{certificate(t)}})
	cli := tls.Client(recorder{c, client, server, &mu, &pkts}, &tls.Config{InsecureSkipVerify: true, KeyLogWriter: &keyLog, ServerName: "mcptt.example.com"})
	register := "REGISTER sips:mcptt.example.com SIP/2.0\r\nVia: SIP/2.0/TLS 127.0.0.1:40123;branch=z9hG4bK1\r\n" +
		"Max-Forwards: 70\r\nFrom: <sips:alice@mcptt.example.com>;tag=1\r\nTo: <sips:alice@mcptt.example.com>\r\n" +
		"Call-ID: tls-1\r\nCSeq: 1 REGISTER\r\nContact: <sips:alice@127.0.0.1:40123>\r\nContent-Length: 0\r\n\r\n"
	done := make(chan error, 1)
	go func() {
		buf := make([]byte, 4096)
		_, err := srv.Read(buf)
		done <- err
		srv.Close()
	}()
	if _, err := cli.Write([]byte(register)); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	cli.Close()

	path := filepath.Join(t.TempDir(), "tls.pcapng")
	mu.Lock()
	err = pcapng.WriteFile(path, pkts, pcapng.WithTLSKeyLog(keyLog.Bytes()))
	mu.Unlock()
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(tshark, "-r", path, "-Y", "sip", "-T", "fields", "-e", "sip.Method", "-e", "sip.Call-ID").Output()
	if err != nil {
		t.Fatalf("tshark: %v\n%s", err, out)
	}
	if got := strings.TrimSpace(string(out)); got != "REGISTER\ttls-1" {
		t.Fatalf("expected tshark to decrypt and dissect the REGISTER, saw %q", got)
	}
	without := filepath.Join(t.TempDir(), "nokeys.pcapng")
	mu.Lock()
	pcapng.WriteFile(without, pkts)
	mu.Unlock()
	if out, _ := exec.Command(tshark, "-r", without, "-Y", "sip").Output(); strings.Contains(string(out), "REGISTER") {
		t.Errorf("without the key log, expected no SIP visible, saw\n%s", out)
	}
}
