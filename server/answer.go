package server

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/ghettovoice/gosip/sip"
	"github.com/sirupsen/logrus"

	gslog "github.com/ghettovoice/gosip/log"

	"github.com/mcptt-conformance/mcptt-conformance/capture"
	"github.com/mcptt-conformance/mcptt-conformance/wire/sipmsg"
)

// newGosipLogger gives gosip's parser a logger that writes nowhere: what gosip would
// warn about (a header it skips), the validators report from the raw bytes.
func newGosipLogger() gslog.Logger {
	l := logrus.New()
	l.Out = io.Discard
	l.SetLevel(logrus.ErrorLevel)
	return gslog.NewLogrusLogger(l, "fake-mcptt", nil)
}

func (s *Server) respond(req sip.Request, code int, reason string) sip.Response {
	res := sip.NewResponseFromRequest("", req, sip.StatusCode(code), reason, "")
	if to, ok := res.To(); ok && code != 100 {
		if to.Params == nil {
			to.Params = sip.NewParams()
		}
		if !to.Params.Has("tag") {
			to.Params.Add("tag", sip.String{Str: s.opts.toTag})
		}
	}
	res.AppendHeader(&sip.GenericHeader{HeaderName: "Server", Contents: s.opts.serverName})
	return res
}

// register answers REGISTER: a digest challenge when the profile gives credentials and
// the request carries no valid Authorization, then 200 OK with the registered Contacts.
func (s *Server) register(req sip.Request) sip.Response {
	if d := s.opts.digest; d != nil && !s.authorised(req, d) {
		nonce := s.newNonce()
		res := s.respond(req, 401, "Unauthorized")
		res.AppendHeader(&sip.GenericHeader{HeaderName: "WWW-Authenticate", Contents: fmt.Sprintf(
			`Digest realm="%s", nonce="%s", algorithm=MD5, qop="auth"`, d.realm, nonce)})
		return res
	}
	res := s.respond(req, 200, "OK")
	expires := s.opts.registerExpires
	if h := req.GetHeaders("Expires"); len(h) > 0 {
		if v, err := strconv.Atoi(strings.TrimSpace(h[0].Value())); err == nil && v < expires {
			expires = v
		}
	}
	if expires > 0 {
		for _, h := range req.GetHeaders("Contact") {
			c, ok := h.(*sip.ContactHeader)
			if !ok {
				continue
			}
			c = c.Clone().(*sip.ContactHeader)
			if c.Params == nil {
				c.Params = sip.NewParams()
			}
			c.Params.Remove("expires").Add("expires", sip.String{Str: strconv.Itoa(expires)})
			res.AppendHeader(c)
		}
	}
	res.AppendHeader(&sip.GenericHeader{HeaderName: "Expires", Contents: strconv.Itoa(expires)})
	return res
}

func (s *Server) authorised(req sip.Request, d *digest) bool {
	for _, h := range req.GetHeaders("Authorization") {
		a := sip.AuthFromValue(h.Value())
		s.mu.Lock()
		known := s.nonces[a.Nonce()]
		s.mu.Unlock()
		if !known || a.Username() != d.username || a.Realm() != d.realm {
			continue
		}
		got := a.Response()
		a.SetPassword(d.password).SetMethod(string(req.Method()))
		if a.CalcResponse() == got {
			return true
		}
	}
	return false
}

func (s *Server) newNonce() string {
	b := make([]byte, 16)
	rand.Read(b)
	n := hex.EncodeToString(b)
	s.mu.Lock()
	s.nonces[n] = true
	s.mu.Unlock()
	return n
}

// publish answers PUBLISH with 200 OK, SIP-ETag and Expires, or with the profile's
// rejection (7.2.2-16).
func (s *Server) publish(req sip.Request) sip.Response {
	if r := s.opts.publishRejection; r != nil {
		res := s.respond(req, r.status, r.reason)
		if r.warning != "" {
			res.AppendHeader(&sip.GenericHeader{HeaderName: "Warning", Contents: r.warning})
		}
		return res
	}
	res := s.respond(req, 200, "OK")
	etag := s.newNonce()[:12]
	res.AppendHeader(&sip.GenericHeader{HeaderName: "SIP-ETag", Contents: etag})
	expires := "3600"
	if h := req.GetHeaders("Expires"); len(h) > 0 {
		expires = strings.TrimSpace(h[0].Value())
	}
	res.AppendHeader(&sip.GenericHeader{HeaderName: "Expires", Contents: expires})
	return res
}

// badRequest answers bytes gosip could not parse with 400 when enough of a request can
// be read to address a response (Via, From, To, Call-ID, CSeq); otherwise nothing.
func (s *Server) badRequest(m *capture.Message, cause error) ([]byte, int) {
	msg, err := sipmsg.Parse(m.Raw)
	if err != nil || !msg.IsRequest || msg.Method == "ACK" {
		return nil, 0
	}
	var b strings.Builder
	fmt.Fprintf(&b, "SIP/2.0 400 Bad Request\r\n")
	for _, name := range []string{"via", "from", "to", "call-id", "cseq"} {
		hs := msg.Get(name)
		if len(hs) == 0 {
			return nil, 0
		}
		for _, h := range hs {
			fmt.Fprintf(&b, "%s: %s\r\n", canonicalName(name), h.Value)
		}
	}
	reason := strings.NewReplacer("\r", " ", "\n", " ").Replace(cause.Error())
	if len(reason) > 200 {
		reason = reason[:200]
	}
	fmt.Fprintf(&b, "Warning: 399 %s \"%s\"\r\n", s.opts.host, strings.ReplaceAll(reason, `"`, `'`))
	fmt.Fprintf(&b, "Server: %s\r\nContent-Length: 0\r\n\r\n", s.opts.serverName)
	return []byte(b.String()), 400
}

func canonicalName(key string) string {
	switch key {
	case "call-id":
		return "Call-ID"
	case "cseq":
		return "CSeq"
	}
	return strings.ToUpper(key[:1]) + key[1:]
}
