// Package client is the reference MCPTT client the suite ships with: it sends the SIP
// REGISTER and PUBLISH requests of TS 24.379 clauses 7.2.1, 7.2.2 and 7A.2.1 over UDP,
// TCP or TLS, in plaintext or with confidentiality and/or integrity protection (a fresh CSK
// uploaded in a MIKEY-SAKKE I_MESSAGE, XML elements encrypted and bodies signed with keys
// derived from it), answers HTTP digest challenges, and can on request break exactly one
// requirement (see Breaks and Mutants) or use a legal variation of the wire format (see
// Variants).
//
// Build returns the bytes of one request and touches no socket; Run does the exchange.
package client

import (
	"crypto/x509"
	"fmt"
	"io"
	"net"
	"strings"
	"time"

	"github.com/mcptt-conformance/mcptt-conformance/kms"
)

// Mode names the flow the client runs.
type Mode string

// The flows.
const (
	// ModeRegister authorises by REGISTER (7.2.1): the REGISTER carries the mcptt-info body.
	ModeRegister Mode = "register"
	// ModePublish registers without a body, then authorises by PUBLISH (7.2.2).
	ModePublish Mode = "publish"
	// ModeMigration registers for migration service authorisation (7A.2.1).
	ModeMigration Mode = "migration"
)

// Modes lists every mode.
var Modes = []Mode{ModeRegister, ModePublish, ModeMigration}

// The answer modes of 7.2.2 step 6a.
const (
	AutoAnswer   = "auto-answer"
	ManualAnswer = "manual-answer"
)

// Config holds one field per command-line flag of cmd/refclient.
type Config struct {
	Server         string         // the suite's HOST:PORT
	Transport      string         // "udp", "tcp" or "tls"
	CA             *x509.CertPool // tls: the CAs the server's certificate must chain to (--ca); nil means the system's
	Local          string         // local IP address to bind
	Mode           Mode           // which flow to run
	MCPTTID        string         // the user's MCPTT ID (AoR, IMPU), e.g. sip:alice@mcptt.example.com
	ClientID       string         // MCPTT client ID, e.g. urn:uuid:…
	Token          string         // access token (register, publish)
	PartnerToken   string         // migration: token from the partner IdM
	PrimaryMCPTTID string         // migration: the user's MCPTT ID in the primary system
	ProfileIndex   int            // selected user-profile-index (publish, migration); negative means unset
	AnswerMode     string         // AutoAnswer or ManualAnswer (publish)
	Multiplex      bool           // multiplex-support (publish)
	PSI            string         // PUBLISH Request-URI (the server's PSI)
	Registrar      string         // REGISTER Request-URI; empty means sip:<domain of MCPTTID>
	User           string         // digest user name
	Password       string         // digest password
	Logoff         bool           // after registering, log off from MCPTT while staying registered
	Break          string         // ID of the one requirement to break; empty for a conformant run
	Mutant         string         // name of the one protected-mode defect to make (see Mutants)
	Variants       []string       // legal variations of the wire format
	Timeout        time.Duration  // for the whole run
	Trace          io.Writer      // if not nil, every message sent and received is written here (-v)
	Log            io.Writer      // if not nil, one line per step of the flow is written here

	// Protected modes. With either protection on, the mode's REGISTER (register,
	// migration) or its PUBLISH carries a fresh CSK in an I_MESSAGE to MDSI.
	Confidentiality bool             // encrypt the mode's elements (token, client ID; request URI, profile index)
	HideIdentities  bool             // IDRi and IDRr carry the UIDs (roles 8 and 9) instead of the URIs (TS 33.180 identity hiding)
	Integrity       bool             // sign the XML bodies
	MDSI            string           // the server's MDSI: IDRr of the I_MESSAGE
	SecondMDSI      string           // if set, a second I_MESSAGE with the same CSK to this MDSI
	Keys            *kms.ClientKeys  // the client's provisioning (--keys): SSK, PVT, KPAK, Z
	OtherKeys       *kms.ClientKeys  // another identity's keys of the same KMS (--other-keys), for the other-identity mutant
	Now             func() time.Time // the clock of the T payload; nil means time.Now
}

// protected reports whether a protection is on.
func (c *Config) protected() bool { return c.Confidentiality || c.Integrity }

// mutates reports whether the run makes the mutant name.
func (c *Config) mutates(name string) bool { return c.Mutant == name }

// aor is the parsed MCPTT ID.
type aor struct {
	scheme, user, domain string
}

func parseAOR(uri string) (aor, error) {
	scheme, rest, ok := strings.Cut(uri, ":")
	if !ok || (scheme != "sip" && scheme != "sips") {
		return aor{}, fmt.Errorf("MCPTT ID %q: expected a sip: or sips: URI", uri)
	}
	rest, _, _ = strings.Cut(rest, ";")
	user, domain, ok := strings.Cut(rest, "@")
	if !ok || user == "" || domain == "" || strings.ContainsAny(rest, " <>\"") {
		return aor{}, fmt.Errorf("MCPTT ID %q: expected the form sip:user@domain", uri)
	}
	return aor{scheme: scheme, user: user, domain: domain}, nil
}

// registrar returns the REGISTER Request-URI.
func (c *Config) registrar() string {
	if c.Registrar != "" {
		return c.Registrar
	}
	a, _ := parseAOR(c.MCPTTID)
	return a.scheme + ":" + a.domain
}

// has reports whether the variant is in use.
func (c *Config) has(variant string) bool {
	for _, v := range c.Variants {
		if v == variant {
			return true
		}
	}
	return false
}

// breaks reports whether the run breaks the requirement id.
func (c *Config) breaks(id string) bool { return c.Break == id }

// logoff reports whether the flow ends with the log-off re-REGISTER. With 7.2.1-02 or
// 7.2.1-03 broken it never does: a re-REGISTER without the tags is a log-off only after
// a registration that had them, so it would be judged as a second faulty registration.
func (c *Config) logoff() bool {
	return (c.Logoff || c.breaks("7.2.1-04")) && !c.breaks("7.2.1-02") && !c.breaks("7.2.1-03")
}

// Validate reports the first problem with the configuration, naming the flag.
func (c *Config) Validate() error {
	if c.Server == "" {
		return fmt.Errorf("--server is required")
	}
	if _, _, err := net.SplitHostPort(c.Server); err != nil {
		return fmt.Errorf("--server %q: expected HOST:PORT: %v", c.Server, err)
	}
	switch c.Transport {
	case "udp", "tcp", "tls":
	default:
		return fmt.Errorf("--transport %q: expected udp, tcp or tls", c.Transport)
	}
	if net.ParseIP(c.Local) == nil {
		return fmt.Errorf("--local %q: expected an IP address", c.Local)
	}
	if c.Timeout <= 0 {
		return fmt.Errorf("--timeout %v: expected a positive duration", c.Timeout)
	}
	if _, err := parseAOR(c.MCPTTID); err != nil {
		return fmt.Errorf("--mcptt-id: %v", err)
	}
	required := map[string]string{}
	switch c.Mode {
	case ModeRegister:
		required["--token"], required["--client-id"] = c.Token, c.ClientID
	case ModePublish:
		required["--token"], required["--client-id"], required["--psi"] = c.Token, c.ClientID, c.PSI
		if c.AnswerMode != AutoAnswer && c.AnswerMode != ManualAnswer {
			return fmt.Errorf("--answer-mode %q: expected %s or %s", c.AnswerMode, AutoAnswer, ManualAnswer)
		}
	case ModeMigration:
		required["--partner-token"], required["--primary-mcptt-id"] = c.PartnerToken, c.PrimaryMCPTTID
	default:
		return fmt.Errorf("--mode %q: expected register, publish or migration", c.Mode)
	}
	for _, flag := range []string{"--token", "--client-id", "--psi", "--partner-token", "--primary-mcptt-id"} {
		if v, ok := required[flag]; ok && v == "" {
			return fmt.Errorf("%s is required in %s mode", flag, c.Mode)
		}
	}
	if c.Mode != ModeRegister && c.ProfileIndex < 0 {
		return fmt.Errorf("--profile-index is required in %s mode", c.Mode)
	}
	if c.Logoff && c.Mode != ModeRegister {
		return fmt.Errorf("--logoff applies to register mode only, not %s", c.Mode)
	}
	if (c.User == "") != (c.Password == "") {
		return fmt.Errorf("--user and --password go together: give both or neither")
	}
	if c.HideIdentities && !c.protected() {
		return fmt.Errorf("--hide-identities needs --confidentiality or --integrity: only a protected request carries an I_MESSAGE")
	}
	if c.Break != "" {
		d, ok := lookup(Breaks, c.Break)
		if !ok {
			return fmt.Errorf("--break %q: unknown requirement ID (--break list prints them)", c.Break)
		}
		if !d.appliesTo(c.Mode) {
			return fmt.Errorf("--break %s does not apply to %s mode: it applies to %s", c.Break, c.Mode, d.modeList())
		}
		if c.Break == "MIME-03" && c.Transport != "udp" {
			return fmt.Errorf("--break MIME-03 needs --transport udp: over TCP the bytes after Content-Length would be read as the next message")
		}
	}
	if err := c.validateProtection(); err != nil {
		return err
	}
	for _, v := range c.Variants {
		d, ok := lookup(Variants, v)
		if !ok {
			return fmt.Errorf("--variant %q: unknown variant (--variant list prints them)", v)
		}
		if !d.appliesTo(c.Mode) {
			return fmt.Errorf("--variant %s does not apply to %s mode: it applies to %s", v, c.Mode, d.modeList())
		}
	}
	return nil
}

// validateProtection checks the protected-mode settings and the mutant.
func (c *Config) validateProtection() error {
	if c.protected() {
		if _, err := parseAOR(c.MDSI); err != nil {
			return fmt.Errorf("--mdsi (required with --confidentiality or --integrity): %v", err)
		}
		if c.Keys == nil {
			return fmt.Errorf("--keys is required with --confidentiality or --integrity")
		}
		if c.Keys.UserURI != c.MCPTTID {
			return fmt.Errorf("--keys holds the keys of %s, not of --mcptt-id %s", c.Keys.UserURI, c.MCPTTID)
		}
	}
	if c.SecondMDSI != "" {
		if !c.protected() {
			return fmt.Errorf("--second-mdsi needs --confidentiality or --integrity")
		}
		if _, err := parseAOR(c.SecondMDSI); err != nil {
			return fmt.Errorf("--second-mdsi: %v", err)
		}
		if c.SecondMDSI == c.MDSI {
			return fmt.Errorf("--second-mdsi must differ from --mdsi (the same-mdsi-twice mutant sends two bodies to one MDSI)")
		}
	}
	if c.Mutant == "" {
		return nil
	}
	m, ok := lookupMutant(c.Mutant)
	if !ok {
		return fmt.Errorf("--mutant %q: unknown mutant (--mutant list prints them)", c.Mutant)
	}
	if c.Break != "" {
		return fmt.Errorf("--mutant and --break go one at a time: each makes exactly one requirement fail")
	}
	if !m.allows(c.Confidentiality, c.Integrity) {
		return fmt.Errorf("--mutant %s needs %s protection", c.Mutant, map[string]string{
			needsProtection: "--confidentiality or --integrity", needsConfidentiality: "--confidentiality", needsIntegrity: "--integrity"}[m.Needs])
	}
	if c.Mutant == "other-identity" && (c.OtherKeys == nil || c.OtherKeys.UserURI == c.MCPTTID) {
		return fmt.Errorf("--mutant other-identity needs --other-keys: the keys of another identity than --mcptt-id, from the same KMS")
	}
	return nil
}
