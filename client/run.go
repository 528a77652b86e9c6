package client

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// RFC 3261 timers for retransmission over UDP.
const (
	timerT1 = 500 * time.Millisecond
	timerT2 = 4 * time.Second
)

// Run runs cfg's flow against the server and returns nil when it ended as it should:
// for publish mode that includes a rejected PUBLISH, after which the client de-registers.
// It fails on timeout and on any other unexpected response.
func Run(ctx context.Context, cfg Config) error {
	if err := cfg.Validate(); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, cfg.Timeout)
	defer cancel()
	c, err := dial(ctx, &cfg)
	if err != nil {
		return err
	}
	defer c.Close()
	// Wake a blocked read when the run is over.
	defer context.AfterFunc(ctx, func() { c.SetReadDeadline(time.Now()) })()
	s := &session{cfg: &cfg, conn: c, acks: map[string][]byte{}}
	return s.run(ctx)
}

type session struct {
	cfg  *Config
	conn conn
	acks map[string][]byte // the ACK sent for each INVITE transaction, by branch
}

// dialog holds what the requests of one Call-ID share.
type dialog struct {
	callID, fromTag string
	cseq            uint32
	ifMatch         string // the entity-tag the next PUBLISH names in SIP-If-Match
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b) // never fails (crypto/rand)
	return hex.EncodeToString(b)
}

func (s *session) newDialog() *dialog {
	host := s.conn.local()
	if i := strings.LastIndex(host, ":"); i >= 0 {
		host = strings.Trim(host[:i], "[]")
	}
	return &dialog{callID: randomHex(12) + "@" + host, fromTag: randomHex(6)}
}

func (s *session) logf(format string, args ...any) {
	if s.cfg.Log != nil {
		fmt.Fprintf(s.cfg.Log, format+"\n", args...)
	}
}

func (s *session) trace(dir string, b []byte) {
	if s.cfg.Trace != nil {
		fmt.Fprintf(s.cfg.Trace, "%s %s %s (%d bytes)\n%s\n", dir, s.cfg.Transport, s.cfg.Server, len(b), b)
	}
}

func (s *session) run(ctx context.Context) error {
	reg := s.newDialog()
	if _, err := s.expect2xx(ctx, Register, reg); err != nil {
		return err
	}
	switch s.cfg.Mode {
	case ModeRegister:
		if s.cfg.Logoff && !s.cfg.logoff() {
			s.logf("--logoff ignored with --break %s: a log-off needs a registration with both feature tags", s.cfg.Break)
		}
		if s.cfg.logoff() {
			_, err := s.expect2xx(ctx, Logoff, reg)
			return err
		}
	case ModePublish:
		pub := s.newDialog()
		resp, err := s.transact(ctx, Publish, pub)
		if err != nil {
			return err
		}
		code, reason, _ := resp.status()
		if code < 300 {
			s.logf("service authorisation succeeded: PUBLISH answered %d %s", code, reason)
			if s.cfg.has("publish-refresh") {
				return s.refreshAndRemove(ctx, pub, resp)
			}
			return nil
		}
		s.logf("service authorisation failed: PUBLISH answered %d %s%s; the client is not authorised (TS 24.379 7.2.2)",
			code, reason, warnings(resp))
		if s.cfg.breaks("7.2.2-16") {
			resp, err := s.transact(ctx, Invite, s.newDialog())
			if err != nil {
				return err
			}
			code, reason, _ := resp.status()
			s.logf("INVITE answered %d %s (sent as if authorised: --break 7.2.2-16)", code, reason)
			return nil
		}
		_, err = s.expect2xx(ctx, Deregister, reg)
		return err
	}
	return nil
}

// refreshAndRemove refreshes the publication the response to the PUBLISH of d accepted,
// then removes it, each time naming the entity-tag the last response issued (RFC 3903
// 4.3, 4.5).
func (s *session) refreshAndRemove(ctx context.Context, d *dialog, resp *message) error {
	for _, kind := range []Kind{Refresh, Removal} {
		d.ifMatch = resp.value("sip-etag")
		if d.ifMatch == "" {
			return fmt.Errorf("%s: the response to the PUBLISH issued no SIP-ETag to name", kind)
		}
		var err error
		if resp, err = s.expect2xx(ctx, kind, d); err != nil {
			return err
		}
	}
	return nil
}

func warnings(m *message) string {
	var w []string
	for _, h := range m.Get("warning") {
		w = append(w, h.Value)
	}
	if len(w) > 0 {
		return " (Warning: " + strings.Join(w, ", ") + ")"
	}
	return ""
}

// expect2xx sends the request and fails unless the final response is 2xx.
func (s *session) expect2xx(ctx context.Context, kind Kind, d *dialog) (*message, error) {
	resp, err := s.transact(ctx, kind, d)
	if err != nil {
		return nil, err
	}
	code, reason, _ := resp.status()
	if code >= 300 {
		return nil, fmt.Errorf("%s: expected a 2xx response, got %d %s%s", kind, code, reason, warnings(resp))
	}
	s.logf("%s: %d %s", kind, code, reason)
	return resp, nil
}

// transact sends a request of dialog d and returns its final response. It answers one
// digest challenge (401 or 407) when credentials are configured, with CSeq+1 and a new
// branch.
func (s *session) transact(ctx context.Context, kind Kind, d *dialog) (*message, error) {
	var auth, proxyAuth string
	for challenged := false; ; challenged = true {
		d.cseq++
		leg := Leg{Local: s.conn.local(), CallID: d.callID, FromTag: d.fromTag, CSeq: d.cseq,
			Branch: "z9hG4bK" + randomHex(8), Authorization: auth, ProxyAuthorization: proxyAuth, IfMatch: d.ifMatch}
		resp, err := s.exchange(ctx, kind, leg)
		if err != nil {
			return nil, err
		}
		code, reason, _ := resp.status()
		if code != 401 && code != 407 || challenged || s.cfg.User == "" {
			if code == 401 || code == 407 {
				s.logf("%s: %d %s, and no further credentials to answer with", kind, code, reason)
			}
			return resp, nil
		}
		name := map[int]string{401: "www-authenticate", 407: "proxy-authenticate"}[code]
		ch, err := parseChallenge(resp.value(name))
		if err != nil {
			return nil, fmt.Errorf("%s: %d %s: %v", kind, code, reason, err)
		}
		uri := s.cfg.registrar()
		if kind.toPSI() {
			uri = s.cfg.PSI
		}
		v, err := ch.authorization(s.cfg.User, s.cfg.Password, kind.method(), uri, randomHex(8), 1)
		if err != nil {
			return nil, fmt.Errorf("%s: %d %s: %v", kind, code, reason, err)
		}
		if code == 401 {
			auth = v
		} else {
			proxyAuth = v
		}
		s.logf("%s: %d %s, answering the digest challenge", kind, code, reason)
	}
}

// exchange sends the request of leg and waits for its final response, retransmitting
// over UDP (RFC 3261 timers A and E) until the run's deadline. A final response to an
// INVITE is acknowledged.
func (s *session) exchange(ctx context.Context, kind Kind, leg Leg) (*message, error) {
	req, err := Build(s.cfg, kind, leg)
	if err != nil {
		return nil, err
	}
	if err := s.send(req); err != nil {
		return nil, err
	}
	deadline, _ := ctx.Deadline()
	retransmit := !s.conn.reliable()
	interval := timerT1
	next := time.Now().Add(interval)
	for {
		wake := deadline
		if retransmit && next.Before(wake) {
			wake = next
		}
		s.conn.SetReadDeadline(wake)
		b, err := s.conn.recv()
		expired := errors.Is(err, os.ErrDeadlineExceeded)
		if ctx.Err() != nil || expired && !time.Now().Before(deadline) {
			return nil, fmt.Errorf("timeout: no final response to the %s (CSeq %d) from %s %s within %v",
				kind, leg.CSeq, s.cfg.Transport, s.cfg.Server, s.cfg.Timeout)
		}
		if expired && retransmit {
			if err := s.send(req); err != nil {
				return nil, err
			}
			if interval *= 2; kind != Invite && interval > timerT2 {
				interval = timerT2
			}
			next = time.Now().Add(interval)
			continue
		}
		if err != nil {
			if err == io.EOF {
				return nil, fmt.Errorf("%s: the server closed the connection before a final response", kind)
			}
			return nil, fmt.Errorf("%s: receiving: %w", kind, err)
		}
		s.trace("<--", b)
		m, err := parseMessage(b)
		if err != nil {
			return nil, fmt.Errorf("%s: unparsable message from the server: %v", kind, err)
		}
		code, _, err := m.status()
		if err != nil {
			s.logf("ignoring a request from the server: %s", m.StartLine)
			continue
		}
		branch, method := m.transaction()
		if branch != leg.Branch || method != kind.method() {
			if ack, ok := s.acks[branch]; ok && code >= 200 {
				s.send(ack) // the server retransmits a final response: acknowledge again
			}
			continue
		}
		if code < 200 {
			if kind == Invite {
				retransmit = false // timer A stops on a provisional response
			} else {
				interval = timerT2 // timer E runs at T2 after a provisional response
			}
			continue
		}
		if kind == Invite {
			if err := s.ack(leg, m, code); err != nil {
				return nil, err
			}
		}
		return m, nil
	}
}

// ack acknowledges a final response to an INVITE: in the same transaction for a non-2xx
// response, in a new one for a 2xx. The ACK goes to the PSI even after a 2xx (RFC 3261
// would send it to the 2xx's Contact): the client leaves right after, and no BYE follows.
func (s *session) ack(invite Leg, resp *message, code int) error {
	leg := invite
	leg.Authorization, leg.ProxyAuthorization = "", ""
	leg.ToTag = resp.toTag()
	if code < 300 {
		leg.Branch = "z9hG4bK" + randomHex(8)
	}
	b, err := Build(s.cfg, Ack, leg)
	if err != nil {
		return err
	}
	s.acks[invite.Branch] = b
	return s.send(b)
}

func (s *session) send(b []byte) error {
	s.trace("-->", b)
	if err := s.conn.send(b); err != nil {
		return fmt.Errorf("sending to %s %s: %w", s.cfg.Transport, s.cfg.Server, err)
	}
	return nil
}
