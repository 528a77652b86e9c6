// Package profile reads the client's implementation conformance statement and test
// values (a YAML file): which options the client declares, the values the suite
// expects to see, how the fake server answers and how the client is started.
package profile

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Profile is one YAML file; docs/profile.md documents every field.
type Profile struct {
	// Path is where the profile was read from (not a YAML field).
	Path string `yaml:"-"`

	Name string `yaml:"name"`
	// Authz is how the client performs service authorisation.
	Authz           Authorisation `yaml:"authz"`
	Confidentiality bool          `yaml:"confidentiality"`
	Integrity       bool          `yaml:"integrity"`
	Migration       bool          `yaml:"migration"`
	Continuity      bool          `yaml:"continuity"`
	// Strict turns every lenient reading of facts.md section 0 into a fail.
	Strict bool `yaml:"strict"`
	// Logoff declares that the client logs off from MCPTT during the run while staying
	// registered (7.2.1 NOTE 1), so that 7.2.1-04 is judged.
	Logoff bool `yaml:"logoff"`

	Identity Identity `yaml:"identity"`
	Settings Settings `yaml:"settings"`
	Server   Server   `yaml:"server"`
	Client   Client   `yaml:"client"`
}

// Authorisation is how a client performs service authorisation, as the profile's authz
// field writes it.
type Authorisation string

// The ways of service authorisation.
const (
	// ByRegister: the REGISTER carries the mcptt-info body (7.2.1, and 7A.2.1 for
	// migration).
	ByRegister Authorisation = "register"
	// ByPublish: the client registers, then authorises by PUBLISH (7.2.2).
	ByPublish Authorisation = "publish"
)

// Method is the SIP method that carries the authorisation: REGISTER or PUBLISH.
func (a Authorisation) Method() string {
	switch a {
	case ByRegister:
		return "REGISTER"
	case ByPublish:
		return "PUBLISH"
	}
	return strings.ToUpper(string(a))
}

// Identity holds the values the client's requests must carry.
type Identity struct {
	MCPTTID     string `yaml:"mcptt_id"`
	ClientID    string `yaml:"client_id"`
	AccessToken string `yaml:"access_token"`
	// Migration (7A.2.1): the token from the partner IdM server and the user's MCPTT ID
	// in the primary MCPTT system.
	PartnerToken   string `yaml:"partner_token"`
	PrimaryMCPTTID string `yaml:"primary_mcptt_id"`
}

// Settings are the service settings a PUBLISH (7.2.2) or a migration REGISTER reports.
type Settings struct {
	// AnswerMode is "auto-answer" or "manual-answer" (24.379 wording).
	AnswerMode string `yaml:"answer_mode"`
	// UserProfileIndex is the user-profile-index of the selected user profile.
	UserProfileIndex *int  `yaml:"user_profile_index"`
	MultiplexSupport *bool `yaml:"multiplex_support"`
}

// Server configures the fake MCPTT server.
type Server struct {
	// Listen is the address for UDP and TCP (default 127.0.0.1:5070).
	Listen string `yaml:"listen"`
	// PSI is the server's public service identity, the PUBLISH Request-URI.
	PSI string `yaml:"psi"`
	// MDSI is the server's MCX-Server-Domain-Security-Identifier (protected modes).
	MDSI string `yaml:"mdsi"`
	// Keys is a key file (shared/contract/mikey-keys.md) from the vendor's KMS for the
	// MDSI. Without it, a protected live run creates a test KMS at start-up.
	Keys string `yaml:"keys"`
	// KMSURI is the URI of the test KMS created at start-up (default kms.example.com).
	KMSURI string  `yaml:"kms_uri"`
	Digest *Digest `yaml:"digest"`
	// RegisterExpires is the registration lifetime granted, in seconds (default 600).
	RegisterExpires int `yaml:"register_expires"`
	// PublishResponse makes the server reject the PUBLISH (7.2.2-16).
	PublishResponse *Rejection `yaml:"publish_response"`
	// TLS configures the TLS listener the server runs beside UDP and TCP.
	TLS TLS `yaml:"tls"`
	// BehindIMS says the suite sits behind an IMS core as an application server: the
	// client registers to the S-CSCF, which sends the suite third-party REGISTERs
	// (answered 200 OK, never challenged; Digest then holds the credentials the
	// client uses with the core) and routes the client's PUBLISH to it. A REGISTER
	// that arrives directly is noted as unexpected topology and judged all the same.
	BehindIMS bool `yaml:"behind_ims"`
}

// TLS configures the server's TLS listener (SIP over TLS, RFC 3261 26.2).
type TLS struct {
	// Port is the TLS listener's port on the host of listen. Without it: 5061 when
	// listen names a fixed port, a free port when listen's port is 0.
	Port *int `yaml:"port"`
	// Cert and Key are the vendor's certificate chain and private key (PEM files).
	// Without them the suite's test CA issues a certificate at start-up, and the CA
	// certificate is written to the reports' keys/ca.pem ({ca_file}).
	Cert string `yaml:"cert"`
	Key  string `yaml:"key"`
	// ClientAuth is "none" (default), "request" (ask for a client certificate, record
	// its subject, verify nothing) or "require" (mutual TLS: a certificate that
	// ClientCA verifies, or the handshake is refused).
	ClientAuth string `yaml:"client_auth"`
	// ClientCA is a PEM file of the CAs a client certificate must chain to under
	// client_auth: require (default: the test CA).
	ClientCA string `yaml:"client_ca"`
	// HandshakeTimeout bounds a TLS handshake (default 5s).
	HandshakeTimeout Duration `yaml:"handshake_timeout"`
}

// Digest makes the server challenge REGISTER with HTTP digest (MD5, qop=auth).
type Digest struct {
	Realm    string `yaml:"realm"`
	Username string `yaml:"username"`
	Password string `yaml:"password"`
}

// Rejection is a failure response the server sends instead of 200 OK.
type Rejection struct {
	Status  int    `yaml:"status"`
	Reason  string `yaml:"reason"`
	Warning string `yaml:"warning"`
}

// Client says how the client under test is started and what the suite waits for.
type Client struct {
	// Start is "exec" (the suite runs Exec) or "manual" (the suite prints its address
	// and waits for a person to start the client).
	Start string `yaml:"start"`
	// Exec is a command line with placeholders: {host} {port} {transport} {ca_file}
	// {client_keys} and every
	// identity and settings value ({mcptt_id} {client_id} {access_token}
	// {partner_token} {primary_mcptt_id} {answer_mode} {user_profile_index}
	// {multiplex_support} {psi} {username} {password} {realm}).
	Exec string `yaml:"exec"`
	// Transport the client is expected to use with exec: udp, tcp or tls. With tls,
	// {port} is the TLS listener's port.
	Transport string `yaml:"transport"`
	// Timeout bounds the whole wait: the client's run in exec mode, the countdown in
	// manual mode (default 10s).
	Timeout Duration `yaml:"timeout"`
	// Settle is how long the suite goes on listening after what it waited for arrived
	// (default 200ms for exec, 2s for manual).
	Settle Duration `yaml:"settle"`
	// Await lists what must arrive before the run ends early in manual mode, and what
	// counts as missing (inconclusive) otherwise. Defaults follow authz.
	Await Await `yaml:"await"`
}

// Await counts requests the suite waits for.
type Await struct {
	Register int `yaml:"register"`
	Publish  int `yaml:"publish"`
}

// Duration is a time.Duration written as "5s" in YAML.
type Duration struct{ time.Duration }

// UnmarshalYAML reads "5s", "200ms" or a number of seconds.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	if s, err := strconv.ParseFloat(n.Value, 64); err == nil {
		d.Duration = time.Duration(s * float64(time.Second))
		return nil
	}
	v, err := time.ParseDuration(n.Value)
	if err != nil {
		return fmt.Errorf("expected a duration such as 5s or 200ms, saw %q", n.Value)
	}
	d.Duration = v
	return nil
}

// Load reads and checks a profile file.
func Load(path string) (*Profile, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("profile: %w", err)
	}
	p, err := Parse(b)
	if err != nil {
		return nil, fmt.Errorf("profile %s: %w", path, err)
	}
	p.Path = path
	return p, nil
}

// Parse reads a profile from YAML, fills in defaults and checks every field. Unknown
// fields are errors, so that a typo never silently changes which checks apply.
func Parse(b []byte) (*Profile, error) {
	var p Profile
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&p); err != nil {
		return nil, fmt.Errorf("not a valid profile: %w", err)
	}
	p.defaults()
	if err := p.check(); err != nil {
		return nil, err
	}
	return &p, nil
}

func (p *Profile) defaults() {
	if p.Server.Listen == "" {
		p.Server.Listen = "127.0.0.1:5070"
	}
	if p.Server.KMSURI == "" {
		p.Server.KMSURI = "kms.example.com"
	}
	if p.Server.RegisterExpires == 0 {
		p.Server.RegisterExpires = 600
	}
	if p.Client.Start == "" {
		p.Client.Start = "exec"
	}
	if p.Client.Transport == "" {
		p.Client.Transport = "udp"
	}
	if p.Client.Timeout.Duration == 0 {
		p.Client.Timeout.Duration = 10 * time.Second
	}
	if p.Client.Settle.Duration == 0 {
		p.Client.Settle.Duration = 200 * time.Millisecond
		if p.Client.Start == "manual" {
			p.Client.Settle.Duration = 2 * time.Second
		}
	}
	if p.Client.Await == (Await{}) {
		p.Client.Await.Register = 1
		if p.Authz == ByPublish {
			p.Client.Await.Publish = 1
		}
	}
	if r := p.Server.PublishResponse; r != nil && r.Reason == "" {
		r.Reason = "Forbidden"
	}
	if p.Server.TLS.ClientAuth == "" {
		p.Server.TLS.ClientAuth = "none"
	}
	if p.Server.TLS.HandshakeTimeout.Duration == 0 {
		p.Server.TLS.HandshakeTimeout.Duration = 5 * time.Second
	}
}

// TLSPort is the port of the TLS listener: server.tls.port, else 5061 when
// server.listen names a fixed port, else 0 (a free port).
func (p *Profile) TLSPort() int {
	if p.Server.TLS.Port != nil {
		return *p.Server.TLS.Port
	}
	if _, port, _ := net.SplitHostPort(p.Server.Listen); port == "0" {
		return 0
	}
	return 5061
}

// FieldError names the profile field that is wrong.
type FieldError struct {
	Field    string
	Expected string
	Saw      string
}

func (e *FieldError) Error() string {
	return fmt.Sprintf("field %s: expected %s, saw %q", e.Field, e.Expected, e.Saw)
}

func (p *Profile) check() error {
	var errs []error
	bad := func(field, expected, saw string) {
		errs = append(errs, &FieldError{field, expected, saw})
	}
	sipURI := func(field, v string) {
		if !strings.HasPrefix(v, "sip:") && !strings.HasPrefix(v, "sips:") {
			bad(field, "a sip: or sips: URI", v)
		}
	}
	if p.Authz != ByRegister && p.Authz != ByPublish {
		bad("authz", `"register" or "publish"`, string(p.Authz))
	}
	if p.Migration && p.Authz != ByRegister {
		bad("authz", `"register" with migration: true (7A.2.1 is a REGISTER)`, string(p.Authz))
	}
	id := p.Identity
	sipURI("identity.mcptt_id", id.MCPTTID)
	if p.Migration {
		if id.PartnerToken == "" {
			bad("identity.partner_token", "the access token from the partner IdM server (migration: true)", "")
		}
		sipURI("identity.primary_mcptt_id", id.PrimaryMCPTTID)
		if p.Settings.UserProfileIndex == nil {
			bad("settings.user_profile_index", "the selected user-profile-index (migration: true)", "")
		}
	} else {
		if id.AccessToken == "" {
			bad("identity.access_token", "the access token the client obtained", "")
		}
		if id.ClientID == "" {
			bad("identity.client_id", "the MCPTT client ID", "")
		}
	}
	if p.Authz == ByPublish {
		s := p.Settings
		if s.AnswerMode != "auto-answer" && s.AnswerMode != "manual-answer" {
			bad("settings.answer_mode", `"auto-answer" or "manual-answer"`, s.AnswerMode)
		}
		if s.UserProfileIndex == nil {
			bad("settings.user_profile_index", "the selected user-profile-index (authz: publish)", "")
		}
		if s.MultiplexSupport == nil {
			bad("settings.multiplex_support", "true or false (authz: publish)", "")
		}
		sipURI("server.psi", p.Server.PSI)
	}
	if s := p.Settings.UserProfileIndex; s != nil && *s < 0 {
		bad("settings.user_profile_index", "a non-negative integer", strconv.Itoa(*s))
	}
	if p.Protected() {
		sipURI("server.mdsi", p.Server.MDSI)
	}
	if _, port, err := net.SplitHostPort(p.Server.Listen); err != nil {
		bad("server.listen", "host:port", p.Server.Listen)
	} else if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		bad("server.listen", "a port number 0–65535", port)
	}
	if d := p.Server.Digest; d != nil && (d.Realm == "" || d.Username == "" || d.Password == "") {
		bad("server.digest", "realm, username and password", fmt.Sprintf("realm=%q username=%q", d.Realm, d.Username))
	}
	if r := p.Server.PublishResponse; r != nil {
		if p.Authz != ByPublish {
			bad("server.publish_response", "only with authz: publish", string(p.Authz))
		}
		if r.Status < 300 || r.Status > 699 {
			bad("server.publish_response.status", "a failure status 300–699", strconv.Itoa(r.Status))
		}
	}
	switch p.Client.Start {
	case "exec":
		if strings.TrimSpace(p.Client.Exec) == "" {
			bad("client.exec", "a command line (client.start: exec)", "")
		}
	case "manual":
	default:
		bad("client.start", `"exec" or "manual"`, p.Client.Start)
	}
	switch p.Client.Transport {
	case "udp", "tcp", "tls":
	default:
		bad("client.transport", `"udp", "tcp" or "tls"`, p.Client.Transport)
	}
	t := p.Server.TLS
	if n := t.Port; n != nil && (*n < 0 || *n > 65535) {
		bad("server.tls.port", "a port number 0–65535", strconv.Itoa(*n))
	}
	if (t.Cert == "") != (t.Key == "") {
		bad("server.tls.cert", "both cert and key, or neither (the test CA issues one)", fmt.Sprintf("cert=%q key=%q", t.Cert, t.Key))
	}
	switch t.ClientAuth {
	case "none", "request", "require":
	default:
		bad("server.tls.client_auth", `"none", "request" or "require"`, t.ClientAuth)
	}
	if t.ClientCA != "" && t.ClientAuth != "require" {
		bad("server.tls.client_ca", "only with client_auth: require", t.ClientAuth)
	}
	if t.HandshakeTimeout.Duration < 0 {
		bad("server.tls.handshake_timeout", "a positive duration", t.HandshakeTimeout.String())
	}
	if p.Client.Await.Register < 0 || p.Client.Await.Publish < 0 {
		bad("client.await", "non-negative counts", fmt.Sprint(p.Client.Await))
	}
	return errors.Join(errs...)
}

// Protected reports whether confidentiality or integrity protection is on.
func (p *Profile) Protected() bool { return p.Confidentiality || p.Integrity }

// Secrets lists the values that reports redact.
func (p *Profile) Secrets() []string {
	var s []string
	for _, v := range []string{p.Identity.AccessToken, p.Identity.PartnerToken} {
		if v != "" {
			s = append(s, v)
		}
	}
	if p.Server.Digest != nil {
		s = append(s, p.Server.Digest.Password)
	}
	return s
}

// Endpoint is what the suite tells the client command: where the server listens and
// where the client's key material is.
type Endpoint struct {
	Host, Port, Transport string
	// ClientKeys is the client's provisioning file written by the test KMS.
	ClientKeys string
	// CAFile is the test CA's certificate (PEM), which issued the TLS listener's.
	CAFile string
}

// Argv splits client.exec into words (single and double quotes group words; no shell
// is involved) and expands the placeholders in each word.
func (p *Profile) Argv(e Endpoint) ([]string, error) {
	words, err := splitWords(p.Client.Exec)
	if err != nil {
		return nil, &FieldError{"client.exec", "balanced quotes", p.Client.Exec}
	}
	r := p.replacer(e)
	for i, w := range words {
		words[i] = r.Replace(w)
	}
	return words, nil
}

func (p *Profile) replacer(e Endpoint) *strings.Replacer {
	idx, mux := "", ""
	if v := p.Settings.UserProfileIndex; v != nil {
		idx = strconv.Itoa(*v)
	}
	if v := p.Settings.MultiplexSupport; v != nil {
		mux = strconv.FormatBool(*v)
	}
	var user, pw, realm string
	if d := p.Server.Digest; d != nil {
		user, pw, realm = d.Username, d.Password, d.Realm
	}
	return strings.NewReplacer(
		"{host}", e.Host, "{port}", e.Port, "{transport}", e.Transport, "{client_keys}", e.ClientKeys, "{ca_file}", e.CAFile,
		"{mdsi}", p.Server.MDSI,
		"{mcptt_id}", p.Identity.MCPTTID, "{client_id}", p.Identity.ClientID,
		"{access_token}", p.Identity.AccessToken, "{partner_token}", p.Identity.PartnerToken,
		"{primary_mcptt_id}", p.Identity.PrimaryMCPTTID, "{answer_mode}", p.Settings.AnswerMode,
		"{user_profile_index}", idx, "{multiplex_support}", mux, "{psi}", p.Server.PSI,
		"{username}", user, "{password}", pw, "{realm}", realm,
	)
}

// splitWords splits a command line at white space outside quotes.
func splitWords(s string) ([]string, error) {
	var words []string
	var cur strings.Builder
	inWord := false
	var quote rune
	for _, c := range s {
		switch {
		case quote != 0 && c == quote:
			quote = 0
		case quote != 0:
			cur.WriteRune(c)
		case c == '\'' || c == '"':
			quote, inWord = c, true
		case c == ' ' || c == '\t' || c == '\n':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteRune(c)
			inWord = true
		}
	}
	if quote != 0 {
		return nil, errors.New("unbalanced quote")
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words, nil
}

// Domain is the host part of the MCPTT ID, used as the server's host name in headers.
func (p *Profile) Domain() string {
	u, err := url.Parse(p.Identity.MCPTTID)
	if err != nil || u.Opaque == "" {
		return "mcptt.example.com"
	}
	if i := strings.LastIndex(u.Opaque, "@"); i >= 0 {
		return u.Opaque[i+1:]
	}
	return u.Opaque
}
