package server

import (
	"crypto/tls"
	"io"
	"time"
)

// Option configures a Server.
type Option func(*options)

type options struct {
	host             string
	serverName       string
	toTag            string
	registerExpires  int
	digest           *digest
	publishRejection *rejection
	behindIMS        bool
	log              io.Writer
	tls              *tls.Config
	handshakeTimeout time.Duration
}

type digest struct{ realm, username, password string }

type rejection struct {
	status          int
	reason, warning string
}

func defaultOptions() options {
	return options{
		host:            "mcptt.example.com",
		serverName:      "mcptt-conformance fake MCPTT server",
		toTag:           "mcptt-suite",
		registerExpires: 600,
	}
}

// WithHost is the server's host name used in Warning headers.
func WithHost(h string) Option { return func(o *options) { o.host = h } }

// WithDigest makes REGISTER require HTTP digest authentication (MD5, qop=auth).
func WithDigest(realm, username, password string) Option {
	return func(o *options) { o.digest = &digest{realm, username, password} }
}

// WithRegisterExpires sets the longest registration the server grants, in seconds.
func WithRegisterExpires(seconds int) Option {
	return func(o *options) { o.registerExpires = seconds }
}

// WithPublishRejection makes every PUBLISH fail with status, reason and an optional
// Warning header value, e.g. `399 mcptt.example.com "101 service authorisation failed"`.
func WithPublishRejection(status int, reason, warning string) Option {
	return func(o *options) { o.publishRejection = &rejection{status, reason, warning} }
}

// WithBehindIMS makes the server an application server behind an IMS core: a
// third-party REGISTER from the S-CSCF (TS 24.229 5.4.1.7) is answered 200 OK and
// never challenged, since the client authenticated to the core. A REGISTER that
// arrives directly is answered as without this option.
func WithBehindIMS() Option { return func(o *options) { o.behindIMS = true } }

// WithLog sends the server's own diagnostics (socket errors) to w.
func WithLog(w io.Writer) Option { return func(o *options) { o.log = w } }
