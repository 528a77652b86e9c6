package liverun_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
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

// startManual starts a manual-mode run and returns the address the progress lines name
// after marker, and where the run arrives when it ends.
func startManual(t *testing.T, p *profile.Profile, captureDir, marker string) (string, <-chan *run.Run) {
	t.Helper()
	var progress syncBuffer
	done := make(chan *run.Run)
	go func() {
		res, err := liverun.Run(context.Background(), liverun.Config{Profile: p, CaptureDir: captureDir, Progress: &progress})
		if err != nil {
			t.Error(err)
		}
		done <- res
	}()
	var addr string
	for deadline := time.Now().Add(5 * time.Second); addr == "" && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if _, rest, ok := strings.Cut(progress.String(), marker); ok {
			addr, _, _ = strings.Cut(rest, " ")
		}
	}
	if addr == "" {
		t.Fatalf("expected the address to point the client at after %q, saw %q", marker, progress.String())
	}
	return addr, done
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
	addr, done := startManual(t, p, t.TempDir(), "point the client under test at sip:")
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

// A REGISTER over TLS is captured decrypted, the plaintext sent to the TLS port before
// it is noted with its bytes, and run.pcapng holds the TLS records with the key log:
// tshark shows the SIP inside with no key file of its own. (The listener is on 5061,
// where Wireshark looks for SIP over TLS, on an address of its own among the loopback
// addresses, so that parallel tests do not share the port.)
func TestTLSRunWritesAPcapTsharkDecrypts(t *testing.T) {
	tshark, err := exec.LookPath("tshark")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("tshark is missing; make deps installs it")
		}
		t.Skip("tshark is not installed; run make deps")
	}
	p, err := profile.Parse([]byte(`
authz: register
identity: {mcptt_id: "sip:alice@mcptt.example.com", client_id: "urn:uuid:1", access_token: tok}
server: {listen: "127.0.0.5:0", tls: {port: 5061}}
client: {start: manual, timeout: 20s, settle: 100ms, transport: tls}
`))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	addr, done := startManual(t, p, filepath.Join(dir, "captures"), " or sips:")
	plain, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprint(plain, "OPTIONS sip:mcptt.example.com SIP/2.0\r\n\r\n")
	plain.SetReadDeadline(time.Now().Add(2 * time.Second))
	plain.Read(make([]byte, 10))
	plain.Close()

	pem, err := os.ReadFile(filepath.Join(dir, "keys", liverun.CAFile))
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(pem)
	c, err := tls.Dial("tcp", addr, &tls.Config{RootCAs: roots, ServerName: "mcptt.example.com"})
	if err != nil {
		t.Fatalf("expected the listener's certificate verified by %s for mcptt.example.com: %v", liverun.CAFile, err)
	}
	defer c.Close()
	fmt.Fprintf(c, "REGISTER sips:mcptt.example.com SIP/2.0\r\nVia: SIP/2.0/TLS %s;branch=z9hG4bK-1\r\nMax-Forwards: 70\r\nFrom: <sips:alice@mcptt.example.com>;tag=1\r\nTo: <sips:alice@mcptt.example.com>\r\nCall-ID: tls-run\r\nCSeq: 1 REGISTER\r\nContact: <sips:alice@%s>\r\nContent-Length: 0\r\n\r\n", c.LocalAddr(), c.LocalAddr())
	var res *run.Run
	select {
	case res = <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the run did not end after the awaited REGISTER arrived")
	}
	msgs := res.Clients[0].Messages
	if len(msgs) != 1 || msgs[0].Transport != "tls" || msgs[0].Status != 200 || msgs[0].TLS == nil || msgs[0].TLS.SNI != "mcptt.example.com" {
		t.Fatalf("expected the REGISTER captured over tls with its session and answered 200, saw %+v", msgs)
	}
	if !strings.Contains(strings.Join(res.Notes, "\n"), `plaintext on the TLS port?); 41 byte(s) received: "OPTIONS sip:`) {
		t.Errorf("expected a note quoting the plaintext sent to the TLS port, saw %q", res.Notes)
	}
	if !strings.HasPrefix(res.Source, "live udp+tcp 127.0.0.5:") || !strings.HasSuffix(res.Source, ", tls 127.0.0.5:5061") {
		t.Errorf("expected the source to name the TLS listener, saw %q", res.Source)
	}
	out, err := exec.Command(tshark, "-r", filepath.Join(dir, liverun.PcapFile), "-Y", "sip", "-T", "fields", "-e", "sip.Method", "-e", "sip.Status-Code", "-e", "sip.Call-ID").Output()
	if err != nil {
		t.Fatalf("tshark: %v\n%s", err, out)
	}
	// The plaintext OPTIONS went over the wire to 5061 as it is: Wireshark shows it too.
	if got := strings.TrimSpace(string(out)); got != "OPTIONS\t\t\nREGISTER\t\ttls-run\n\t200\ttls-run" {
		t.Fatalf("expected tshark to show the plaintext OPTIONS, then the REGISTER and its 200 inside TLS, saw %q", got)
	}
}

// A manual wait that ends at client.timeout short of client.await says so in the run's
// notes, so that the report tells why the run is inconclusive.
func TestManualWaitEndingShortIsNoted(t *testing.T) {
	p, err := profile.Parse([]byte(`
authz: register
identity: {mcptt_id: "sip:alice@mcptt.example.com", client_id: "urn:uuid:1", access_token: tok}
server: {listen: "127.0.0.1:0"}
client: {start: manual, timeout: 300ms, settle: 50ms, await: {register: 2}}
`))
	if err != nil {
		t.Fatal(err)
	}
	_, done := startManual(t, p, t.TempDir(), "point the client under test at sip:")
	res := <-done
	want := "the manual wait ended after client.timeout (300ms) with 0 of the 2 REGISTER and 0 of the 0 PUBLISH awaited (client.await): the run is inconclusive"
	if !slices.Contains(res.Notes, want) {
		t.Fatalf("expected the note %q, saw %q", want, res.Notes)
	}
}

// Clients registering at once (a device farm) are judged each on its own: the run
// holds one client per address of record, and a note names them.
func TestManyClientsAreSplitPerClient(t *testing.T) {
	p, err := profile.Parse([]byte(`
authz: register
identity: {mcptt_id: "sip:alice@mcptt.example.com", client_id: "urn:uuid:1", access_token: tok}
server: {listen: "127.0.0.1:0"}
client: {start: manual, timeout: 20s, settle: 100ms, await: {register: 2}}
`))
	if err != nil {
		t.Fatal(err)
	}
	addr, done := startManual(t, p, t.TempDir(), "point the client under test at sip:")
	for _, user := range []string{"alice", "bob"} {
		c, err := net.Dial("udp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		fmt.Fprintf(c, "REGISTER sip:mcptt.example.com SIP/2.0\r\nVia: SIP/2.0/UDP %s;branch=z9hG4bK-%s\r\nMax-Forwards: 70\r\nFrom: <sip:%s@mcptt.example.com>;tag=1\r\nTo: <sip:%s@mcptt.example.com>\r\nCall-ID: %s\r\nCSeq: 1 REGISTER\r\nContact: <sip:%s@%s>\r\nContent-Length: 0\r\n\r\n", c.LocalAddr(), user, user, user, user, user, c.LocalAddr())
	}
	select {
	case res := <-done:
		var ids []string
		for _, c := range res.Clients {
			ids = append(ids, c.ID)
		}
		slices.Sort(ids)
		if !slices.Equal(ids, []string{"sip:alice@mcptt.example.com", "sip:bob@mcptt.example.com"}) {
			t.Fatalf("expected alice and bob as two clients, saw %q", ids)
		}
		if !strings.Contains(strings.Join(res.Notes, "\n"), "2 clients registered or published, each judged as a run of its own") {
			t.Errorf("expected a note naming the clients, saw %q", res.Notes)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the run did not end after the awaited REGISTERs arrived")
	}
}
