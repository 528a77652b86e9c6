package server

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"

	"github.com/ghettovoice/gosip/sip"

	"github.com/mcptt-conformance/mcptt-conformance/wire/ims"
	"github.com/mcptt-conformance/mcptt-conformance/wire/multipart"
	"github.com/mcptt-conformance/mcptt-conformance/wire/sipmsg"
)

// register answers REGISTER: a digest challenge when the profile gives credentials and
// the request carries no valid Authorization (unless it is a third-party REGISTER and
// the server sits behind an IMS core), then 200 OK with the registered Contacts.
func (s *Server) register(msg *sipmsg.Message) ([]byte, int) {
	if d := s.opts.digest; d != nil && !(s.opts.behindIMS && thirdParty(msg)) && !s.authorised(msg, d) {
		nonce := s.newNonce()
		return s.respond(msg, 401, "Unauthorized", fmt.Sprintf(
			`WWW-Authenticate: Digest realm="%s", nonce="%s", algorithm=MD5, qop="auth"`, d.realm, nonce)), 401
	}
	expires := s.opts.registerExpires
	if h, ok := msg.First("expires"); ok {
		if v, err := strconv.Atoi(h.Value); err == nil && v < expires {
			expires = v
		}
	}
	var extra []string
	if expires > 0 {
		extra = contacts(msg, expires)
	}
	extra = append(extra, "Expires: "+strconv.Itoa(expires))
	return s.respond(msg, 200, "OK", extra...), 200
}

// contacts are the Contact header fields of a 200 OK to REGISTER: each Contact of msg
// as sipmsg reads it (RFC 3261 20.10), its expires parameter set to expires and its
// other parameters as written. A value that is not an address (a "*") is not echoed.
func contacts(msg *sipmsg.Message, expires int) []string {
	var out []string
	for _, h := range msg.Get("contact") {
		for _, v := range sipmsg.SplitList(h.Value) {
			a, err := sipmsg.ParseAddress(v)
			if err != nil {
				continue
			}
			c := "Contact: "
			if a.Display != "" {
				c += a.Display + " "
			}
			c += "<" + a.URI + ">"
			for _, p := range a.Params {
				if !strings.EqualFold(p.Name, "expires") {
					c += ";" + p.Raw
				}
			}
			out = append(out, c+";expires="+strconv.Itoa(expires))
		}
	}
	return out
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
func (s *Server) publish(msg *sipmsg.Message) ([]byte, int) {
	if r := s.opts.publishRejection; r != nil {
		var extra []string
		if r.warning != "" {
			extra = append(extra, "Warning: "+r.warning)
		}
		return s.respond(msg, r.status, r.reason, extra...), r.status
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
			return s.respond(msg, 412, "Conditional Request Failed"), 412
		}
		delete(s.etags, m.Value)
	}
	if !removal {
		s.etags[etag] = true
	}
	s.mu.Unlock()
	expires := "3600"
	if h, ok := msg.First("expires"); ok {
		expires = h.Value
	}
	return s.respond(msg, 200, "OK", "SIP-ETag: "+etag, "Expires: "+expires), 200
}
