package client

import (
	"fmt"
	"strings"
)

// Kind names a request of a flow.
type Kind int

// The requests the client sends.
const (
	// Register is the mode's REGISTER: with the mcptt-info body in register and migration
	// mode, without a body in publish mode.
	Register Kind = iota
	// Logoff is the re-REGISTER that logs off from MCPTT but stays registered (7.2.1 NOTE 1).
	Logoff
	// Deregister is the REGISTER with Expires: 0 sent when the PUBLISH is rejected.
	Deregister
	// Publish is the service-authorisation PUBLISH (7.2.2).
	Publish
	// Invite is the private call attempt of --break 7.2.2-16.
	Invite
	// Ack acknowledges a final response to the Invite.
	Ack
	// Refresh is the PUBLISH that refreshes the publication: SIP-If-Match with the
	// entity-tag the server issued, no body (RFC 3903 4.3; --variant publish-refresh).
	Refresh
	// Removal is the PUBLISH that removes the publication: SIP-If-Match and Expires 0
	// (RFC 3903 4.5; --variant publish-refresh).
	Removal
)

func (k Kind) String() string {
	switch k {
	case Register:
		return "REGISTER"
	case Logoff:
		return "log-off REGISTER"
	case Deregister:
		return "de-REGISTER"
	case Publish:
		return "PUBLISH"
	case Invite:
		return "INVITE"
	case Ack:
		return "ACK"
	case Refresh:
		return "refresh PUBLISH"
	case Removal:
		return "removal PUBLISH"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

func (k Kind) method() string {
	switch k {
	case Register, Logoff, Deregister:
		return "REGISTER"
	case Publish, Refresh, Removal:
		return "PUBLISH"
	case Invite:
		return "INVITE"
	}
	return "ACK"
}

// toPSI reports whether the request is addressed to the PSI rather than the registrar.
func (k Kind) toPSI() bool { return k.method() == "PUBLISH" || k == Invite || k == Ack }

// Leg holds what changes from one request to the next: transport address, dialog
// identifiers, transaction identifiers and credentials.
type Leg struct {
	Local              string // HOST:PORT the client sends from (Via sent-by, Contact)
	CallID             string
	FromTag            string
	ToTag              string // Ack only: the tag of the response being acknowledged
	CSeq               uint32
	Branch             string // Via branch, starting with z9hG4bK
	Authorization      string // Authorization header value, if any
	ProxyAuthorization string // Proxy-Authorization header value, if any
	IfMatch            string // Refresh and Removal: the entity-tag SIP-If-Match names
}

// UserAgent is the User-Agent header value of every request.
const UserAgent = "mcptt-conformance-refclient/0.1"

const (
	icsiMCPTT  = "urn:urn-7:3gpp-service.ims.icsi.mcptt"
	icsiVideo  = "urn:urn-7:3gpp-service.ims.icsi.mcvideo"
	tagMCPTT   = "+g.3gpp.mcptt"
	tagICSI    = "+g.3gpp.icsi-ref"
	tagVideo   = "+g.3gpp.mcvideo"
	publishTTL = "4294967295"
)

// compact maps header names to their RFC 3261 compact forms.
var compact = map[string]string{
	"Call-ID":        "i",
	"Contact":        "m",
	"From":           "f",
	"To":             "t",
	"Via":            "v",
	"Content-Length": "l",
	"Content-Type":   "c",
	"Event":          "o",
	"Accept-Contact": "a",
}

// header is one header field; its value is the concatenation of parts, or with the
// folded-headers variant the parts joined by CRLF and a space.
type header struct {
	name  string
	parts []string
}

// Build returns the bytes of one request of cfg's flow. It checks cfg first.
func Build(cfg *Config, kind Kind, leg Leg) ([]byte, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	a, _ := parseAOR(cfg.MCPTTID)
	ctype, body, err := requestBody(cfg, kind)
	if err != nil {
		return nil, err
	}

	uri := cfg.registrar()
	if kind.toPSI() {
		uri = cfg.PSI
	}
	proto := strings.ToUpper(cfg.Transport)
	to := "<" + cfg.MCPTTID + ">"
	if kind == Invite || kind == Ack {
		to = "<" + cfg.PSI + ">"
	}
	if leg.ToTag != "" {
		to += ";tag=" + leg.ToTag
	}

	hs := []header{{"Via", []string{"SIP/2.0/" + proto + " " + leg.Local, ";branch=" + leg.Branch + ";rport"}}}
	if !dropMaxForwards(cfg, kind) {
		hs = append(hs, header{"Max-Forwards", []string{"70"}})
	}
	hs = append(hs,
		header{"From", []string{"<" + cfg.MCPTTID + ">;tag=" + leg.FromTag}},
		header{"To", []string{to}},
		header{"Call-ID", []string{leg.CallID}},
		header{"CSeq", []string{fmt.Sprintf("%d %s", leg.CSeq, kind.method())}},
	)
	if kind.method() != "PUBLISH" && kind != Ack {
		hs = append(hs, header{"Contact", contact(cfg, kind, a.user, leg.Local)})
	}
	switch kind {
	case Register, Logoff:
		hs = append(hs, header{"Expires", []string{"600"}})
	case Deregister:
		hs = append(hs, header{"Expires", []string{"0"}})
	case Publish, Refresh, Removal:
		ttl := publishTTL
		if kind == Removal {
			ttl = "0"
		}
		hs = append(hs, header{"Event", []string{"poc-settings"}}, header{"Expires", []string{ttl}})
		if leg.IfMatch != "" {
			hs = append(hs, header{"SIP-If-Match", []string{leg.IfMatch}})
		}
		if !cfg.breaks("7.2.2-01") {
			hs = append(hs, header{"Accept-Contact", []string{"*;" + featureTag(cfg, tagMCPTT) + ";require;explicit"}})
		}
	case Invite:
		hs = append(hs, header{"Accept-Contact", []string{"*;" + featureTag(cfg, tagICSI) + `="` + encodeICSI(cfg, icsiMCPTT) + `";require;explicit`}})
	}
	if kind.method() == "PUBLISH" || kind == Invite {
		hs = append(hs, header{"P-Preferred-Service", []string{icsiMCPTT}})
	}
	if leg.Authorization != "" {
		hs = append(hs, header{"Authorization", []string{leg.Authorization}})
	}
	if leg.ProxyAuthorization != "" {
		hs = append(hs, header{"Proxy-Authorization", []string{leg.ProxyAuthorization}})
	}
	hs = append(hs, header{"User-Agent", []string{UserAgent}})
	if ctype != "" {
		hs = append(hs, header{"Content-Type", []string{ctype}})
	}
	hs = append(hs, header{"Content-Length", []string{fmt.Sprint(len(body))}})

	var b strings.Builder
	fmt.Fprintf(&b, "%s %s SIP/2.0\r\n", kind.method(), uri)
	sep := ""
	if cfg.has("folded-headers") {
		sep = "\r\n "
	}
	for _, h := range hs {
		name := h.name
		if c, ok := compact[name]; ok && cfg.has("compact-headers") {
			name = c
		}
		b.WriteString(name + ": " + strings.Join(h.parts, sep) + "\r\n")
	}
	b.WriteString("\r\n")
	b.WriteString(body)
	if cfg.breaks("MIME-03") {
		b.WriteString("\r\n")
	}
	return []byte(b.String()), nil
}

func dropMaxForwards(cfg *Config, kind Kind) bool {
	switch kind {
	case Register, Logoff, Deregister:
		return cfg.breaks("7.2.1-01") || cfg.breaks("7A.2.1-01")
	case Publish, Refresh, Removal:
		return cfg.breaks("7.2.2-15")
	}
	return false
}

// featureTag returns the feature tag name as the variants want it written.
func featureTag(cfg *Config, name string) string {
	if cfg.has("upper-case") {
		return strings.ToUpper(name)
	}
	return name
}

// encodeICSI percent-encodes the colons of an ICSI for a feature tag value (TS 24.229 7.9.2).
func encodeICSI(cfg *Config, icsi string) string {
	esc := "%3A"
	if cfg.has("lower-case-percent") {
		esc = "%3a"
	}
	return strings.ReplaceAll(icsi, ":", esc)
}

// contact returns the parts of the Contact header value.
func contact(cfg *Config, kind Kind, user, local string) []string {
	parts := []string{"<sip:" + user + "@" + local + ";transport=" + cfg.Transport + ">"}
	register := kind.method() == "REGISTER"
	mcptt := kind != Logoff && !(register && (cfg.breaks("7.2.1-02") || cfg.breaks("7A.2.1-02")))
	icsi := kind != Logoff || cfg.breaks("7.2.1-04")
	if mcptt {
		parts = append(parts, ";"+featureTag(cfg, tagMCPTT))
	}
	if icsi {
		values := []string{icsiMCPTT}
		switch {
		case register && (cfg.breaks("7.2.1-03") || cfg.breaks("7A.2.1-03")):
			values = []string{icsiVideo}
		case cfg.has("several-icsi"):
			values = append(values, icsiVideo)
		}
		for i, v := range values {
			values[i] = encodeICSI(cfg, v)
		}
		parts = append(parts, ";"+featureTag(cfg, tagICSI)+`="`+strings.Join(values, ",")+`"`)
	}
	if cfg.ClientID != "" {
		parts = append(parts, `;+sip.instance="<`+cfg.ClientID+`>"`)
	}
	if cfg.has("extensions") {
		parts = append(parts, ";x-refclient-ext=1")
	}
	if cfg.has("several-contacts") {
		// TS 24.379 7.1: one contact per MC service, same address and port; the
		// MCVideo contact comes first, so the MCPTT one is not simply the first.
		video := "<sip:" + user + "@" + local + ";transport=" + cfg.Transport + ">;" + featureTag(cfg, tagVideo) + ";" + featureTag(cfg, tagICSI) + `="` + encodeICSI(cfg, icsiVideo) + `", `
		parts = append([]string{video}, parts...)
	}
	return parts
}
