package server_test

import (
	"bufio"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"net"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/mcptt-conformance/mcptt-conformance/capture"
	"github.com/mcptt-conformance/mcptt-conformance/server"
)

func start(t *testing.T, opts ...server.Option) (*server.Server, *capture.Store) {
	t.Helper()
	store, err := capture.NewStore(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	s := server.New(store, opts...)
	if err := s.Listen("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, store
}

func request(method, branch string, cseq int, extra string) string {
	body := ""
	return fmt.Sprintf("%s sip:mcptt.example.com SIP/2.0\r\n"+
		"Via: SIP/2.0/UDP 127.0.0.1:5071;branch=%s\r\n"+
		"Max-Forwards: 70\r\n"+
		"From: <sip:alice@mcptt.example.com>;tag=1\r\n"+
		"To: <sip:alice@mcptt.example.com>\r\n"+
		"Call-ID: call-1\r\n"+
		"CSeq: %d %s\r\n"+
		"Contact: <sip:alice@127.0.0.1:5071>;+g.3gpp.mcptt\r\n"+
		"%s"+
		"Content-Length: %d\r\n\r\n%s", method, branch, cseq, method, extra, len(body), body)
}

// udp sends one datagram and returns the response, or "" when none came in time.
func udp(t *testing.T, s *server.Server, msg string) string { return udpWait(t, s, msg, 2*time.Second) }

func udpWait(t *testing.T, s *server.Server, msg string, wait time.Duration) string {
	t.Helper()
	c, err := net.Dial("udp", s.Addr("udp").String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Write([]byte(msg)); err != nil {
		t.Fatal(err)
	}
	c.SetReadDeadline(time.Now().Add(wait))
	buf := make([]byte, 65535)
	n, err := c.Read(buf)
	if err != nil {
		return ""
	}
	return string(buf[:n])
}

func status(res string) string {
	line, _, _ := strings.Cut(res, "\r\n")
	return line
}

func TestRegisterDigestChallengeThenOK(t *testing.T) {
	s, store := start(t, server.WithDigest("mcptt.example.com", "alice", "secret"))
	res := udp(t, s, request("REGISTER", "z9hG4bK-1", 1, ""))
	if status(res) != "SIP/2.0 401 Unauthorized" {
		t.Fatalf("expected 401, saw %q", status(res))
	}
	nonce := regexp.MustCompile(`nonce="([^"]+)"`).FindStringSubmatch(res)
	if nonce == nil || !strings.Contains(res, `qop="auth"`) || !strings.Contains(res, "algorithm=MD5") {
		t.Fatalf("expected an MD5 qop=auth challenge with a nonce, saw\n%s", res)
	}
	h := func(s string) string { sum := md5.Sum([]byte(s)); return hex.EncodeToString(sum[:]) }
	ha1, ha2 := h("alice:mcptt.example.com:secret"), h("REGISTER:sip:mcptt.example.com")
	auth := func(resp string) string {
		return fmt.Sprintf(`Authorization: Digest username="alice", realm="mcptt.example.com", nonce="%s", uri="sip:mcptt.example.com", response="%s", algorithm=MD5, qop=auth, nc=00000001, cnonce="abc"`+"\r\n", nonce[1], resp)
	}
	good := h(ha1 + ":" + nonce[1] + ":00000001:abc:auth:" + ha2)
	if got := status(udp(t, s, request("REGISTER", "z9hG4bK-2", 2, auth(strings.Repeat("0", 32))))); got != "SIP/2.0 401 Unauthorized" {
		t.Errorf("expected a wrong digest response to be challenged again, saw %q", got)
	}
	res = udp(t, s, request("REGISTER", "z9hG4bK-3", 3, auth(good)))
	if status(res) != "SIP/2.0 200 OK" || !strings.Contains(res, "+g.3gpp.mcptt") || !strings.Contains(res, "expires=600") {
		t.Fatalf("expected 200 OK echoing the Contact with its expiry, saw\n%s", res)
	}
	var codes []int
	for _, m := range store.Messages() {
		codes = append(codes, m.Status)
	}
	if fmt.Sprint(codes) != "[401 401 200]" {
		t.Errorf("expected the captures to record 401 401 200, saw %v", codes)
	}
}

func TestRetransmissionGetsTheSameResponse(t *testing.T) {
	s, store := start(t)
	msg := request("REGISTER", "z9hG4bK-r", 1, "")
	first, again := udp(t, s, msg), udp(t, s, msg)
	if first == "" || first != again {
		t.Fatalf("expected the retransmission answered with the same response, saw\n%s\n---\n%s", first, again)
	}
	msgs := store.Messages()
	if len(msgs) != 2 || msgs[0].RetransmissionOf != 0 || msgs[1].RetransmissionOf != 1 {
		t.Fatalf("expected two captures, the second marked a retransmission of the first, saw %+v", msgs)
	}
}

func TestPublishAcceptedAndRejected(t *testing.T) {
	s, _ := start(t)
	res := udp(t, s, request("PUBLISH", "z9hG4bK-p", 1, "Event: poc-settings\r\nExpires: 4294967295\r\n"))
	if status(res) != "SIP/2.0 200 OK" || !strings.Contains(res, "SIP-ETag:") || !strings.Contains(res, "Expires: 4294967295") {
		t.Fatalf("expected 200 OK with SIP-ETag and Expires, saw\n%s", res)
	}
	warning := `399 mcptt.example.com "101 service authorisation failed"`
	r, _ := start(t, server.WithPublishRejection(403, "Forbidden", warning))
	res = udp(t, r, request("PUBLISH", "z9hG4bK-p", 1, "Event: poc-settings\r\n"))
	if status(res) != "SIP/2.0 403 Forbidden" || !strings.Contains(res, "Warning: "+warning) {
		t.Fatalf("expected 403 with the Warning, saw\n%s", res)
	}
}

// A refresh names the entity-tag the server issued and gets a fresh one; a tag the
// server never issued, or one already replaced, gets 412 (RFC 3903 6); a removal
// leaves no tag to refresh.
func TestPublishRefreshAndRemoval(t *testing.T) {
	s, _ := start(t)
	etag := func(res string) string {
		for _, l := range strings.Split(res, "\r\n") {
			if v, ok := strings.CutPrefix(l, "SIP-ETag: "); ok {
				return v
			}
		}
		return ""
	}
	first := udp(t, s, request("PUBLISH", "z9hG4bK-p1", 1, "Event: poc-settings\r\nExpires: 3600\r\n"))
	tag := etag(first)
	refresh := udp(t, s, request("PUBLISH", "z9hG4bK-p2", 2, "Event: poc-settings\r\nSIP-If-Match: "+tag+"\r\nExpires: 3600\r\n"))
	fresh := etag(refresh)
	if status(refresh) != "SIP/2.0 200 OK" || fresh == "" || fresh == tag {
		t.Fatalf("refresh of %q: expected 200 OK with a fresh SIP-ETag, saw\n%s", tag, refresh)
	}
	for i, stale := range []string{"never-issued", tag} {
		res := udp(t, s, request("PUBLISH", fmt.Sprintf("z9hG4bK-s%d", i), 3+i, "Event: poc-settings\r\nSIP-If-Match: "+stale+"\r\nExpires: 3600\r\n"))
		if status(res) != "SIP/2.0 412 Conditional Request Failed" {
			t.Errorf("refresh of %q: expected 412, saw\n%s", stale, res)
		}
	}
	removal := udp(t, s, request("PUBLISH", "z9hG4bK-p5", 5, "Event: poc-settings\r\nSIP-If-Match: "+fresh+"\r\nExpires: 0\r\n"))
	if status(removal) != "SIP/2.0 200 OK" || !strings.Contains(removal, "Expires: 0") {
		t.Fatalf("removal of %q: expected 200 OK with Expires 0, saw\n%s", fresh, removal)
	}
	if res := udp(t, s, request("PUBLISH", "z9hG4bK-p6", 6, "Event: poc-settings\r\nSIP-If-Match: "+etag(removal)+"\r\nExpires: 3600\r\n")); status(res) != "SIP/2.0 412 Conditional Request Failed" {
		t.Errorf("refresh after the removal: expected 412, saw\n%s", res)
	}
}

func TestUnexpectedTrafficPolicy(t *testing.T) {
	s, store := start(t)
	if got := status(udp(t, s, request("OPTIONS", "z9hG4bK-o", 1, ""))); got != "SIP/2.0 200 OK" {
		t.Errorf("OPTIONS: expected 200 OK, saw %q", got)
	}
	res := udp(t, s, request("INVITE", "z9hG4bK-i", 1, ""))
	if status(res) != "SIP/2.0 405 Method Not Allowed" || !strings.Contains(res, "Allow:") {
		t.Errorf("INVITE: expected 405 with Allow, saw\n%s", res)
	}
	if n := len(store.Messages()); n != 2 {
		t.Errorf("expected both requests captured, saw %d", n)
	}
}

// Garbage is captured byte for byte and the server keeps serving, on both transports.
func TestGarbageIsKeptAndServingGoesOn(t *testing.T) {
	s, store := start(t)
	garbage := "\x00\xff not SIP \r\n\r\n"
	if res := udpWait(t, s, garbage, 300*time.Millisecond); res != "" {
		t.Errorf("expected no answer to garbage, saw %q", res)
	}
	c, err := net.Dial("tcp", s.Addr("tcp").String())
	if err != nil {
		t.Fatal(err)
	}
	c.Write([]byte(garbage))
	c.SetReadDeadline(time.Now().Add(2 * time.Second))
	if _, err := c.Read(make([]byte, 10)); err == nil {
		t.Errorf("expected the server to close a TCP connection that sends garbage")
	}
	c.Close()
	if got := status(udp(t, s, request("REGISTER", "z9hG4bK-g", 1, ""))); got != "SIP/2.0 200 OK" {
		t.Fatalf("expected the server to go on serving, saw %q", got)
	}
	msgs := store.Messages()
	if len(msgs) != 3 || string(msgs[0].Raw) != garbage || string(msgs[1].Raw) != garbage || msgs[1].Transport != "tcp" {
		t.Fatalf("expected both garbage messages kept byte for byte, saw %d captures", len(msgs))
	}
}

// A TCP stream is framed by Content-Length: two requests in one write, and one request
// split over several writes, each become one capture and one response.
func TestTCPFraming(t *testing.T) {
	s, store := start(t)
	c, err := net.Dial("tcp", s.Addr("tcp").String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	a, b := request("REGISTER", "z9hG4bK-a", 1, ""), request("REGISTER", "z9hG4bK-b", 2, "")
	c.Write([]byte("\r\n\r\n" + a + b))
	third := request("REGISTER", "z9hG4bK-c", 3, "")
	for i := 0; i < len(third); i += 7 {
		c.Write([]byte(third[i:min(i+7, len(third))]))
		time.Sleep(time.Millisecond)
	}
	r := bufio.NewReader(c)
	c.SetReadDeadline(time.Now().Add(3 * time.Second))
	for i := 0; i < 3; i++ {
		line, err := r.ReadString('\n')
		if err != nil {
			t.Fatalf("response %d: %v", i+1, err)
		}
		if line != "SIP/2.0 200 OK\r\n" {
			t.Fatalf("response %d: expected 200 OK, saw %q", i+1, line)
		}
		for line != "\r\n" {
			line, _ = r.ReadString('\n')
		}
	}
	msgs := store.Messages()
	if len(msgs) != 3 || string(msgs[2].Raw) != third {
		t.Fatalf("expected three captures, the last one reassembled, saw %d", len(msgs))
	}
}

// A REGISTER with bare LF line ends is a lenient reading (RFC 3261 7.5 robustness), not
// a broken request: the server answers it as it answers the same REGISTER with CRLFs.
func TestBareLFRegisterIsAnswered(t *testing.T) {
	lf := strings.ReplaceAll(request("REGISTER", "z9hG4bK-lf", 1, ""), "\r\n", "\n")
	for _, c := range []struct {
		name string
		opts []server.Option
		want string
	}{
		{"no credentials", nil, "SIP/2.0 200 OK"},
		{"digest", []server.Option{server.WithDigest("mcptt.example.com", "alice", "secret")}, "SIP/2.0 401 Unauthorized"},
	} {
		s, store := start(t, c.opts...)
		if got := status(udp(t, s, lf)); got != c.want {
			t.Errorf("%s: expected %q, saw %q", c.name, c.want, got)
		}
		if msgs := store.Messages(); len(msgs) != 1 || string(msgs[0].Raw) != lf {
			t.Errorf("%s: expected the bare-LF REGISTER captured byte for byte", c.name)
		}
	}
}
