package server

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"

	"github.com/ghettovoice/gosip/sip"
	"github.com/ghettovoice/gosip/sip/parser"

	"github.com/mcptt-conformance/mcptt-conformance/wire/ims"
	"github.com/mcptt-conformance/mcptt-conformance/wire/multipart"
	"github.com/mcptt-conformance/mcptt-conformance/wire/sipmsg"
)

// register answers REGISTER: a digest challenge when the profile gives credentials and
// the request carries no valid Authorization (unless it is a third-party REGISTER and
// the server sits behind an IMS core), then 200 OK with the registered Contacts. The
// error is a Contact the suite reads but gosip cannot.
func (s *Server) register(msg *sipmsg.Message) ([]byte, int, error) {
	if d := s.opts.digest; d != nil && !(s.opts.behindIMS && thirdParty(msg)) && !s.authorised(msg, d) {
		nonce := s.newNonce()
		return s.respond(msg, 401, "Unauthorized", fmt.Sprintf(
			`WWW-Authenticate: Digest realm="%s", nonce="%s", algorithm=MD5, qop="auth"`, d.realm, nonce)), 401, nil
	}
	expires := s.opts.registerExpires
	if h, ok := msg.First("expires"); ok {
		if v, err := strconv.Atoi(h.Value); err == nil && v < expires {
			expires = v
		}
	}
	var extra []string
	if expires > 0 {
		var err error
		if extra, err = contacts(msg, expires); err != nil {
			return nil, 0, err
		}
	}
	extra = append(extra, "Expires: "+strconv.Itoa(expires))
	return s.respond(msg, 200, "OK", extra...), 200, nil
}

// contacts are the Contact header fields of a 200 OK to REGISTER: each Contact of msg,
// read and written by gosip's header types, with its expires parameter set to expires.
func contacts(msg *sipmsg.Message, expires int) ([]string, error) {
	var out []string
	for _, h := range msg.Get("contact") {
		names, uris, params, err := parser.ParseAddressValues(h.Value)
		if err != nil {
			return nil, fmt.Errorf("gosip cannot read the Contact %q: %v", h.Value, err)
		}
		for i, uri := range uris {
			c := &sip.ContactHeader{DisplayName: names[i], Address: uri, Params: params[i]}
			if c.Params == nil {
				c.Params = sip.NewParams()
			}
			c.Params.Remove("expires").Add("expires", sip.String{Str: strconv.Itoa(expires)})
			out = append(out, c.String())
		}
	}
	return out, nil
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
