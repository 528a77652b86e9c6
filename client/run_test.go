package client

import (
	"bufio"
	"bytes"
	"context"
	"crypto/md5"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mcptt-conformance/mcptt-conformance/tlsca"
)

const (
	testUser     = "alice@mcptt.example.com"
	testPassword = "secret"
	testRealm    = "mcptt.example.com"
	testWarning  = `399 mcptt.example.com "101 service authorisation failed"`
)

// responder is a tiny SIP server on loopback: it challenges every request without an
// Authorization header with a 401 digest challenge, checks the digest response of the
// retry, and answers it with a final response.
type responder struct {
	t         *testing.T
	addr      string
	final     map[string]string // status line (and extra headers) by method; "" means no answer
	dropFirst bool              // udp: ignore the first datagram, so the client retransmits

	mu      sync.Mutex
	got     []parsed
	raw     [][]byte // udp only: each datagram
	arrived chan struct{}
	nonces  int
}

func newResponder(t *testing.T, transport string, final map[string]string, dropFirst bool) *responder {
	r := &responder{t: t, final: final, dropFirst: dropFirst, arrived: make(chan struct{}, 100)}
	if transport == "udp" {
		pc, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { pc.Close() })
		r.addr = pc.LocalAddr().String()
		go r.serveUDP(pc)
		return r
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	r.addr = l.Addr().String()
	if transport == "tls" {
		l = tls.NewListener(l, &tls.Config{Certificates: []tls.Certificate{testCert(t)}})
	}
	go r.serveTCP(l)
	return r
}

// testCA issued the certificate of every TLS responder, for 127.0.0.1.
var testCA = sync.OnceValues(func() (*tlsca.CA, error) { return tlsca.New("client test CA") })

func testCert(t *testing.T) tls.Certificate {
	t.Helper()
	ca, err := testCA()
	if err != nil {
		t.Fatal(err)
	}
	cert, err := ca.Issue("127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	return cert
}

func (r *responder) serveUDP(pc net.PacketConn) {
	buf := make([]byte, 65535)
	for first := true; ; first = false {
		n, from, err := pc.ReadFrom(buf)
		if err != nil {
			return
		}
		raw := append([]byte(nil), buf[:n]...)
		req, err := readRequest(bufio.NewReader(bytes.NewReader(raw)))
		if err != nil {
			r.t.Errorf("responder: %v", err)
			continue
		}
		r.record(req, raw)
		if first && r.dropFirst {
			continue
		}
		if resp := r.respond(req); resp != nil {
			pc.WriteTo(resp, from)
		}
	}
}

func (r *responder) serveTCP(l net.Listener) {
	c, err := l.Accept()
	if err != nil {
		return
	}
	defer c.Close()
	br := bufio.NewReader(c)
	for {
		req, err := readRequest(br)
		if err != nil {
			return // the client closed the connection
		}
		r.record(req, nil)
		if resp := r.respond(req); resp != nil {
			c.Write(resp)
		}
	}
}

func (r *responder) record(req parsed, raw []byte) {
	r.mu.Lock()
	r.got = append(r.got, req)
	r.raw = append(r.raw, raw)
	r.mu.Unlock()
	r.arrived <- struct{}{}
}

// requests waits for n requests (or 5 s) and returns those received.
func (r *responder) requests(n int) []parsed {
	timeout := time.After(5 * time.Second)
	for i := 0; i < n; i++ {
		select {
		case <-r.arrived:
		case <-timeout:
			i = n
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]parsed(nil), r.got...)
}

var digestParam = regexp.MustCompile(`(\w+)=(?:"([^"]*)"|([^,\s]+))`)

func md5Hex(s string) string { return fmt.Sprintf("%x", md5.Sum([]byte(s))) }

// checkDigest recomputes the digest response (RFC 2617, qop=auth) of an Authorization value.
func (r *responder) checkDigest(req parsed, auth string) error {
	p := map[string]string{}
	for _, m := range digestParam.FindAllStringSubmatch(strings.TrimPrefix(auth, "Digest "), -1) {
		p[m[1]] = m[2] + m[3]
	}
	if p["username"] != testUser || p["realm"] != testRealm || p["qop"] != "auth" || p["algorithm"] != "MD5" ||
		p["opaque"] != "op4que" || p["nc"] != "00000001" || p["cnonce"] == "" || p["uri"] != req.uri {
		return fmt.Errorf("Authorization %q: unexpected parameters", auth)
	}
	ha1 := md5Hex(testUser + ":" + testRealm + ":" + testPassword)
	ha2 := md5Hex(req.method + ":" + req.uri)
	want := md5Hex(ha1 + ":" + p["nonce"] + ":" + p["nc"] + ":" + p["cnonce"] + ":auth:" + ha2)
	if p["response"] != want {
		return fmt.Errorf("digest response %s, want %s", p["response"], want)
	}
	return nil
}

func (r *responder) respond(req parsed) []byte {
	if req.method == "ACK" {
		return nil
	}
	status := r.final[req.method]
	if status == "" {
		return nil
	}
	extra := ""
	switch auth := req.header.Get("Authorization"); {
	case auth == "":
		r.mu.Lock()
		r.nonces++
		nonce := fmt.Sprintf("nonce-%d", r.nonces)
		r.mu.Unlock()
		status = "401 Unauthorized"
		extra = `WWW-Authenticate: Digest realm="` + testRealm + `", nonce="` + nonce + `", opaque="op4que", algorithm=MD5, qop="auth"` + "\r\n"
	default:
		if err := r.checkDigest(req, auth); err != nil {
			r.t.Errorf("responder: %v", err)
			status = "403 Forbidden"
		}
	}
	if req.method == "PUBLISH" && strings.HasPrefix(status, "2") {
		cseq, _, _ := strings.Cut(req.header.Get("Cseq"), " ")
		extra += "SIP-ETag: etag-" + cseq + "\r\n" // RFC 3903 4.1
	}
	var b strings.Builder
	b.WriteString("SIP/2.0 " + status + "\r\n")
	for _, v := range req.header["Via"] {
		b.WriteString("Via: " + v + "\r\n")
	}
	to := req.header.Get("To")
	if !strings.Contains(to, ";tag=") {
		to += ";tag=srv1"
	}
	fmt.Fprintf(&b, "From: %s\r\nTo: %s\r\nCall-ID: %s\r\nCSeq: %s\r\n%sContent-Length: 0\r\n\r\n",
		req.header.Get("From"), to, req.header.Get("Call-Id"), req.header.Get("Cseq"), extra)
	return []byte(b.String())
}

func runConfig(mode Mode, transport, server string) Config {
	cfg := testConfig(mode)
	cfg.Server, cfg.Transport, cfg.Timeout = server, transport, 5*time.Second
	cfg.User, cfg.Password = testUser, testPassword
	if ca, _ := testCA(); transport == "tls" {
		cfg.CA = ca.Pool()
	}
	return cfg
}

// step is what a test expects of one request the responder received.
type step struct {
	method  string
	authz   bool   // has an Authorization header
	expires string // "" to skip
	tags    bool   // Contact has both MCPTT feature tags (REGISTER only)
}

// checkFlow compares the requests with the steps, and checks that a retry after a
// challenge keeps Call-ID and From tag, takes CSeq+1 and a new branch.
func checkFlow(t *testing.T, got []parsed, want []step) {
	t.Helper()
	if len(got) != len(want) {
		var methods []string
		for _, g := range got {
			methods = append(methods, g.method)
		}
		t.Fatalf("got %d requests %v, want %d", len(got), methods, len(want))
	}
	for i, w := range want {
		g := got[i]
		if g.method != w.method || (g.header.Get("Authorization") != "") != w.authz {
			t.Errorf("request %d: got %s with Authorization %q, want %s (authorization %v)", i, g.method, g.header.Get("Authorization"), w.method, w.authz)
		}
		if w.expires != "" && g.header.Get("Expires") != w.expires {
			t.Errorf("request %d: Expires %q, want %q", i, g.header.Get("Expires"), w.expires)
		}
		if g.method == "REGISTER" {
			c := strings.ToLower(g.header.Get("Contact"))
			if has := strings.Contains(c, ";+g.3gpp.mcptt") && strings.Contains(c, ";+g.3gpp.icsi-ref="); has != w.tags {
				t.Errorf("request %d: Contact %q, want feature tags %v", i, c, w.tags)
			}
		}
		if w.authz && i > 0 {
			prev := got[i-1]
			var n, pn int
			fmt.Sscan(g.header.Get("Cseq"), &n)
			fmt.Sscan(prev.header.Get("Cseq"), &pn)
			if g.header.Get("Call-Id") != prev.header.Get("Call-Id") || g.header.Get("From") != prev.header.Get("From") ||
				n != pn+1 || g.header.Get("Via") == prev.header.Get("Via") {
				t.Errorf("request %d: the retry after the challenge must keep Call-ID and From, take CSeq+1 and a new Via branch;\nbefore: %v\nafter: %v", i, prev.header, g.header)
			}
		}
	}
}

func TestRun(t *testing.T) {
	ok := map[string]string{"REGISTER": "200 OK", "PUBLISH": "200 OK", "INVITE": "405 Method Not Allowed"}
	rejected := map[string]string{"REGISTER": "200 OK", "PUBLISH": "403 Forbidden\r\nWarning: " + testWarning, "INVITE": "405 Method Not Allowed"}
	reg := func(expires string, tags bool) []step {
		return []step{{"REGISTER", false, expires, tags}, {"REGISTER", true, expires, tags}}
	}
	pub := []step{{"PUBLISH", false, "4294967295", false}, {"PUBLISH", true, "4294967295", false}}
	invite := []step{{"INVITE", false, "", false}, {"ACK", false, "", false}, {"INVITE", true, "", false}, {"ACK", false, "", false}}
	cases := []struct {
		name    string
		mode    Mode
		final   map[string]string
		edit    func(*Config)
		want    []step
		wantLog string
	}{
		{"register", ModeRegister, ok, nil, reg("600", true), "REGISTER: 200 OK"},
		{"register-logoff", ModeRegister, ok, func(c *Config) { c.Logoff = true },
			append(reg("600", true), reg("600", false)...), "log-off REGISTER: 200 OK"},
		{"register-logoff-break-7.2.1-02", ModeRegister, ok, func(c *Config) { c.Logoff, c.Break = true, "7.2.1-02" },
			reg("600", false), "--logoff ignored with --break 7.2.1-02"},
		{"migration", ModeMigration, ok, nil, reg("600", true), "REGISTER: 200 OK"},
		{"publish", ModePublish, ok, nil, append(reg("600", true), pub...), "service authorisation succeeded"},
		{"publish-rejected", ModePublish, rejected, nil,
			append(append(reg("600", true), pub...), reg("0", true)...), "service authorisation failed: PUBLISH answered 403 Forbidden (Warning: " + testWarning + ")"},
		{"publish-rejected-break-7.2.2-16", ModePublish, rejected, func(c *Config) { c.Break = "7.2.2-16" },
			append(append(reg("600", true), pub...), invite...), "INVITE answered 405 Method Not Allowed"},
	}
	for _, transport := range []string{"udp", "tcp", "tls"} {
		for _, c := range cases {
			t.Run(transport+"/"+c.name, func(t *testing.T) {
				r := newResponder(t, transport, c.final, false)
				cfg := runConfig(c.mode, transport, r.addr)
				if c.edit != nil {
					c.edit(&cfg)
				}
				var log bytes.Buffer
				cfg.Log = &log
				if err := Run(context.Background(), cfg); err != nil {
					t.Fatalf("Run: %v\nlog:\n%s", err, &log)
				}
				checkFlow(t, r.requests(len(c.want)), c.want)
				if !strings.Contains(log.String(), c.wantLog) {
					t.Errorf("log %q: want %q in it", &log, c.wantLog)
				}
			})
		}
	}
}

// TestRunPublishRefresh: with --variant publish-refresh the client refreshes the
// publication and then removes it, each PUBLISH naming the entity-tag of the last
// response (RFC 3903 4.3, 4.5), with no body.
func TestRunPublishRefresh(t *testing.T) {
	for _, transport := range []string{"udp", "tcp"} {
		t.Run(transport, func(t *testing.T) {
			r := newResponder(t, transport, map[string]string{"REGISTER": "200 OK", "PUBLISH": "200 OK"}, false)
			cfg := runConfig(ModePublish, transport, r.addr)
			cfg.Variants = []string{"publish-refresh"}
			if err := Run(context.Background(), cfg); err != nil {
				t.Fatalf("Run: %v", err)
			}
			got := r.requests(8)
			checkFlow(t, got, []step{{"REGISTER", false, "600", true}, {"REGISTER", true, "600", true},
				{"PUBLISH", false, publishTTL, false}, {"PUBLISH", true, publishTTL, false},
				{"PUBLISH", false, publishTTL, false}, {"PUBLISH", true, publishTTL, false},
				{"PUBLISH", false, "0", false}, {"PUBLISH", true, "0", false}})
			// The accepted PUBLISHes have CSeq 2, 4 and 6 in their dialog: each names
			// the tag the one before was answered with.
			for i, want := range []string{"", "", "etag-2", "etag-2", "etag-4", "etag-4"} {
				g := got[i+2]
				if g.header.Get("Sip-If-Match") != want || want != "" && len(g.body) != 0 {
					t.Errorf("PUBLISH %d: SIP-If-Match %q and a %d-byte body, want %q and no body after the first", i+1, g.header.Get("Sip-If-Match"), len(g.body), want)
				}
			}
		})
	}
}

// TestRunRetransmit drops the first REGISTER: the client must send it again, unchanged.
func TestRunRetransmit(t *testing.T) {
	r := newResponder(t, "udp", map[string]string{"REGISTER": "200 OK"}, true)
	if err := Run(context.Background(), runConfig(ModeRegister, "udp", r.addr)); err != nil {
		t.Fatal(err)
	}
	r.requests(3)
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.raw) != 3 || !bytes.Equal(r.raw[0], r.raw[1]) {
		t.Errorf("got %d datagrams, want 3 of which the first two are the same", len(r.raw))
	}
}

func TestRunFails(t *testing.T) {
	cases := []struct {
		name      string
		transport string
		final     map[string]string
		edit      func(*Config)
		wantErr   string
	}{
		{"timeout-udp", "udp", map[string]string{}, nil, "timeout: no final response to the REGISTER"},
		{"timeout-tcp", "tcp", map[string]string{}, nil, "timeout: no final response to the REGISTER"},
		{"register-rejected", "udp", map[string]string{"REGISTER": "500 Server Internal Error"}, nil,
			"REGISTER: expected a 2xx response, got 500 Server Internal Error"},
		{"no-credentials", "udp", map[string]string{"REGISTER": "200 OK"}, func(c *Config) { c.User, c.Password = "", "" },
			"REGISTER: expected a 2xx response, got 401 Unauthorized"},
		{"untrusted-certificate", "tls", map[string]string{"REGISTER": "200 OK"}, func(c *Config) { c.CA = x509.NewCertPool() },
			"connecting to 127.0.0.1:"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := newResponder(t, c.transport, c.final, false)
			cfg := runConfig(ModeRegister, c.transport, r.addr)
			cfg.Timeout = 300 * time.Millisecond
			if c.edit != nil {
				c.edit(&cfg)
			}
			err := Run(context.Background(), cfg)
			if err == nil || !strings.Contains(err.Error(), c.wantErr) {
				t.Errorf("Run: got error %v, want one containing %q", err, c.wantErr)
			}
		})
	}
}
