package server

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"

	"github.com/ghettovoice/gosip/sip"

	gslog "github.com/ghettovoice/gosip/log"

	"github.com/mcptt-conformance/mcptt-conformance/wire/ims"
	"github.com/mcptt-conformance/mcptt-conformance/wire/multipart"
	"github.com/mcptt-conformance/mcptt-conformance/wire/sipmsg"
)

// discardLog is the logger gosip's parser is given: it writes nowhere and costs
// nothing, where a logger at a high level still builds every entry's fields. What gosip
// would warn about (a header it skips), the validators report from the raw bytes.
type discardLog struct{}

func (discardLog) Print(...any)                             {}
func (discardLog) Printf(string, ...any)                    {}
func (discardLog) Trace(...any)                             {}
func (discardLog) Tracef(string, ...any)                    {}
func (discardLog) Debug(...any)                             {}
func (discardLog) Debugf(string, ...any)                    {}
func (discardLog) Info(...any)                              {}
func (discardLog) Infof(string, ...any)                     {}
func (discardLog) Warn(...any)                              {}
func (discardLog) Warnf(string, ...any)                     {}
func (discardLog) Error(...any)                             {}
func (discardLog) Errorf(string, ...any)                    {}
func (discardLog) Fatal(...any)                             {}
func (discardLog) Fatalf(string, ...any)                    {}
func (discardLog) Panic(...any)                             {}
func (discardLog) Panicf(string, ...any)                    {}
func (d discardLog) WithPrefix(string) gslog.Logger         { return d }
func (discardLog) Prefix() string                           { return "" }
func (d discardLog) WithFields(map[string]any) gslog.Logger { return d }
func (discardLog) Fields() gslog.Fields                     { return nil }
func (discardLog) SetLevel(uint32)                          {}

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
// the request carries no valid Authorization (unless it is a third-party REGISTER and
// the server sits behind an IMS core), then 200 OK with the registered Contacts.
func (s *Server) register(msg *sipmsg.Message, req sip.Request) sip.Response {
	if d := s.opts.digest; d != nil && !(s.opts.behindIMS && thirdParty(msg)) && !s.authorised(msg, d) {
		nonce := s.newNonce()
		res := s.respond(req, 401, "Unauthorized")
		res.AppendHeader(&sip.GenericHeader{HeaderName: "WWW-Authenticate", Contents: fmt.Sprintf(
			`Digest realm="%s", nonce="%s", algorithm=MD5, qop="auth"`, d.realm, nonce)})
		return res
	}
	res := s.respond(req, 200, "OK")
	expires := s.opts.registerExpires
	if h, ok := msg.First("expires"); ok {
		if v, err := strconv.Atoi(h.Value); err == nil && v < expires {
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

// thirdParty tells a third-party REGISTER from the S-CSCF (ims.IsThirdParty).
func thirdParty(msg *sipmsg.Message) bool {
	ct, ok := msg.First("content-type")
	return ok && ims.IsThirdParty(msg, multipart.Split(ct.Value, msg.Body))
}

func (s *Server) authorised(msg *sipmsg.Message, d *digest) bool {
	for _, h := range msg.Get("authorization") {
		a := sip.AuthFromValue(h.Value)
		s.mu.Lock()
		known := s.nonces[a.Nonce()]
		s.mu.Unlock()
		if !known || a.Username() != d.username || a.Realm() != d.realm {
			continue
		}
		got := a.Response()
		a.SetPassword(d.password).SetMethod(msg.Method)
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

// publish answers PUBLISH with 200 OK, a fresh SIP-ETag and Expires, or with the
// profile's rejection (7.2.2-16). A refresh, modification or removal (SIP-If-Match,
// RFC 3903 4.3 to 4.5) naming an entity-tag the server did not issue, or one already
// replaced, is answered 412 Conditional Request Failed (RFC 3903 6); the tag it names
// is replaced by the fresh one, and a removal (Expires 0) leaves none.
func (s *Server) publish(msg *sipmsg.Message, req sip.Request) sip.Response {
	if r := s.opts.publishRejection; r != nil {
		res := s.respond(req, r.status, r.reason)
		if r.warning != "" {
			res.AppendHeader(&sip.GenericHeader{HeaderName: "Warning", Contents: r.warning})
		}
		return res
	}
	exp, _ := msg.First("expires")
	removal := strings.TrimSpace(exp.Value) == "0"
	b := make([]byte, 6)
	rand.Read(b)
	etag := hex.EncodeToString(b)
	s.mu.Lock()
	if s.etags == nil {
		s.etags = map[string]bool{}
	}
	if m, ok := msg.First("sip-if-match"); ok {
		if !s.etags[m.Value] {
			s.mu.Unlock()
			return s.respond(req, 412, "Conditional Request Failed")
		}
		delete(s.etags, m.Value)
	}
	if !removal {
		s.etags[etag] = true
	}
	s.mu.Unlock()
	res := s.respond(req, 200, "OK")
	res.AppendHeader(&sip.GenericHeader{HeaderName: "SIP-ETag", Contents: etag})
	expires := "3600"
	if h, ok := msg.First("expires"); ok {
		expires = h.Value
	}
	res.AppendHeader(&sip.GenericHeader{HeaderName: "Expires", Contents: expires})
	return res
}
