package client

import (
	"encoding/xml"
	"fmt"
	"strconv"
	"strings"

	"github.com/mcptt-conformance/mcptt-conformance/wire/xmldoc"
)

// Namespaces and media types of the bodies.
const (
	NSExtension      = "urn:example:refclient:ext" // the foreign namespace of the extensions variant
	boundary         = "refclient-boundary-1"
	quotedBoundary   = "refclient:boundary=1" // ':' and '=' make the quotes necessary
	innerBoundary    = "refclient-inner-1"
	multipartPreface = "This is a multipart body in MIME format.\r\n"
	multipartTail    = "This epilogue is ignored.\r\n"
)

// requestBody returns the Content-Type and body of a request ("" and "" for none).
func requestBody(cfg *Config, kind Kind) (string, string, error) {
	protected := kind == Publish || kind == Register && cfg.Mode != ModePublish
	switch {
	case protected && cfg.protected():
		return protectedBody(cfg, kind)
	case kind == Register && cfg.Mode == ModeRegister && !cfg.breaks("7.2.1-06"):
		return serviceBody(cfg, bodyPart{ctype: mediaType(cfg, xmldoc.TypeMCPTTInfo), content: registerInfo(cfg, nil)})
	case kind == Register && cfg.Mode == ModeMigration:
		return serviceBody(cfg, bodyPart{ctype: mediaType(cfg, xmldoc.TypeMCPTTInfo), content: migrationInfo(cfg, nil)})
	case kind == Publish && cfg.breaks("7.2.2-02"):
		return mediaType(cfg, xmldoc.TypePoCSettings), pocSettings(cfg), nil
	case kind == Publish:
		return serviceBody(cfg,
			bodyPart{ctype: mediaType(cfg, xmldoc.TypeMCPTTInfo), content: registerInfo(cfg, nil)},
			bodyPart{ctype: mediaType(cfg, xmldoc.TypePoCSettings), content: pocSettings(cfg)})
	case kind == Invite:
		return mediaType(cfg, xmldoc.TypeMCPTTInfo), inviteInfo(cfg), nil
	}
	return "", "", nil
}

// Media types and documents of the other MC services' info bodies (TS 24.281, 24.282),
// which the several-services and nested-multipart variants send beside the MCPTT ones.
const (
	typeMCVideoInfo = "application/vnd.3gpp.mcvideo-info+xml"
	typeMCDataInfo  = "application/vnd.3gpp.mcdata-info+xml"
	mcvideoInfo     = `<?xml version="1.0" encoding="UTF-8"?>` + "\r\n" + `<mcvideoinfo xmlns="urn:3gpp:ns:mcvideoInfo:1.0"><mcvideo-Params/></mcvideoinfo>`
	mcdataInfo      = `<?xml version="1.0" encoding="UTF-8"?>` + "\r\n" + `<mcdatainfo xmlns="urn:3gpp:ns:mcdataInfo:1.0"><mcdata-Params/></mcdatainfo>`
)

// serviceBody is the body of the MCPTT parts: one part alone, several in a
// multipart/mixed; with several-services an MCVideo info part beside them, with
// nested-multipart the MCPTT parts in a multipart/mixed of their own, inside the body's
// multipart/mixed beside an MCData info part (RFC 2046 5.1).
func serviceBody(cfg *Config, parts ...bodyPart) (string, string, error) {
	if cfg.has("several-services") {
		parts = append(parts, bodyPart{ctype: typeMCVideoInfo, content: mcvideoInfo})
	}
	if cfg.has("nested-multipart") {
		var inner strings.Builder
		for _, p := range parts {
			inner.WriteString("--" + innerBoundary + "\r\nContent-Type: " + p.ctype + "\r\n\r\n" + p.content + "\r\n")
		}
		inner.WriteString("--" + innerBoundary + "--")
		parts = []bodyPart{{ctype: "multipart/mixed;boundary=" + innerBoundary, content: inner.String()}, {ctype: typeMCDataInfo, content: mcdataInfo}}
	}
	if len(parts) == 1 {
		return parts[0].ctype, parts[0].content, nil
	}
	return multipartBody(cfg, parts)
}

func mediaType(cfg *Config, t string) string {
	if cfg.has("upper-case") {
		return strings.ToUpper(t)
	}
	return t
}

// bodyPart is one part of a multipart body; contentID (without <>) is written when set.
type bodyPart struct{ ctype, content, contentID string }

func multipartBody(cfg *Config, parts []bodyPart) (string, string, error) {
	subtype := "multipart/mixed"
	params := ""
	if cfg.breaks("MIME-01") {
		subtype = "multipart/related"
		params = `;type="` + xmldoc.TypeMCPTTInfo + `"`
	}
	bnd, preface, tail := boundary, "", ""
	params += ";boundary=" + bnd
	if cfg.has("quoted-boundary") {
		bnd, preface, tail = quotedBoundary, multipartPreface, multipartTail
		params = strings.Replace(params, ";boundary="+boundary, `; boundary="`+bnd+`"`, 1)
	}
	var b strings.Builder
	b.WriteString(preface)
	for _, p := range parts {
		if strings.Contains(p.content, "--"+bnd) {
			return "", "", fmt.Errorf("a body part contains the multipart boundary %q; choose other token or client ID values", bnd)
		}
		b.WriteString("--" + bnd + "\r\nContent-Type: " + p.ctype + "\r\n")
		if p.contentID != "" {
			b.WriteString("Content-ID: <" + p.contentID + ">\r\n")
		}
		b.WriteString("\r\n" + p.content + "\r\n")
	}
	b.WriteString("--" + bnd + "--\r\n" + tail)
	return mediaType(cfg, subtype) + params, b.String(), nil
}

// xmlDoc writes an XML document whose main namespace is either the default namespace or,
// with the ns-prefix variant, bound to a prefix.
type xmlDoc struct {
	cfg    *Config
	prot   *protection // nil unless the body is protected
	prefix string      // "" for the default namespace
	b      strings.Builder
}

func newXMLDoc(cfg *Config, prefix string) *xmlDoc {
	d := &xmlDoc{cfg: cfg}
	if cfg.has("ns-prefix") {
		d.prefix = prefix
	}
	enc := "UTF-8"
	if cfg.breaks("MIME-02") {
		enc = "ISO-8859-1"
	}
	d.b.WriteString(`<?xml version="1.0" encoding="` + enc + `"?>` + "\r\n")
	d.comment("written by the mcptt-conformance reference client")
	return d
}

func (d *xmlDoc) name(local string) string {
	if d.prefix == "" {
		return local
	}
	return d.prefix + ":" + local
}

// root opens the root element, declaring ns (and the extra declarations xmlnsAttrs).
func (d *xmlDoc) root(local, ns, xmlnsAttrs string) {
	decl := ` xmlns="` + ns + `"`
	if d.prefix != "" {
		decl = ` xmlns:` + d.prefix + `="` + ns + `"`
	}
	d.b.WriteString("<" + d.name(local) + decl + xmlnsAttrs + ">")
}

func (d *xmlDoc) open(local, attrs string) { d.b.WriteString("<" + d.name(local) + attrs + ">") }
func (d *xmlDoc) end(local string)         { d.b.WriteString("</" + d.name(local) + ">") }

// raw writes markup in another namespace as it is.
func (d *xmlDoc) raw(s string) { d.b.WriteString(s) }

func (d *xmlDoc) text(s string) { d.b.WriteString(escape(s)) }

// secret writes a token: as text, or in a CDATA section with the xml-comments-cdata variant.
func (d *xmlDoc) secret(s string) {
	if !d.cfg.has("xml-comments-cdata") {
		d.text(s)
		return
	}
	d.b.WriteString("<![CDATA[" + strings.ReplaceAll(s, "]]>", "]]]]><![CDATA[>") + "]]>")
}

func (d *xmlDoc) comment(s string) {
	if d.cfg.has("xml-comments-cdata") {
		d.b.WriteString("<!-- " + s + " -->")
	}
}

// leaf writes <local>value</local>.
func (d *xmlDoc) leaf(local, value string) {
	d.open(local, "")
	d.text(value)
	d.end(local)
}

// content writes an element of the Annex F.1 contentType with a plain value, or under
// confidentiality protection with the value encrypted.
func (d *xmlDoc) content(local, child, value string, secret bool) {
	if d.prot.encrypts(local) {
		d.open(local, ` type="Encrypted"`)
		d.raw(d.prot.encrypt(local, child, value))
		d.end(local)
		return
	}
	d.open(local, ` type="Normal"`)
	d.open(child, "")
	if secret {
		d.secret(value)
	} else {
		d.text(value)
	}
	d.end(child)
	d.end(local)
}

func (d *xmlDoc) extension() {
	if d.cfg.has("extensions") {
		d.raw(`<ext:vendor-info xmlns:ext="` + NSExtension + `">refclient</ext:vendor-info>`)
	}
}

func (d *xmlDoc) String() string { return d.b.String() }

// infoDoc writes an mcptt-info body, protected by p unless it is nil: params writes the
// children of <mcptt-Params> before <anyExt>, ext the children of <anyExt> before the
// extensions variant's element.
func infoDoc(cfg *Config, p *protection, params, ext func(*xmlDoc)) string {
	d := newXMLDoc(cfg, "mi")
	d.prot = p
	d.root("mcpttinfo", xmldoc.NSMCPTTInfo, "")
	d.open("mcptt-Params", "")
	d.comment("service authorisation")
	params(d)
	if ext != nil || cfg.has("extensions") {
		d.open("anyExt", "")
		if ext != nil {
			ext(d)
		}
		d.extension()
		d.end("anyExt")
	}
	d.end("mcptt-Params")
	d.end("mcpttinfo")
	return d.String()
}

// registerInfo is the mcptt-info body of 7.2.1 and 7.2.2: access token and client ID.
func registerInfo(cfg *Config, p *protection) string {
	token, clientID := cfg.Token, cfg.ClientID
	if cfg.breaks("7.2.1-08") {
		token += "-x"
	}
	if cfg.breaks("7.2.1-09") || cfg.breaks("7.2.2-08") {
		clientID += "-x"
	}
	swap := cfg.breaks("7.2.1-07") || cfg.breaks("7.2.2-09")
	return infoDoc(cfg, p, func(d *xmlDoc) {
		if swap {
			d.content("mcptt-client-id", "mcpttString", clientID, false)
		}
		d.content("mcptt-access-token", "mcpttString", token, true)
		if !swap {
			d.content("mcptt-client-id", "mcpttString", clientID, false)
		}
	}, nil)
}

// migrationInfo is the mcptt-info body of 7A.2.1.
func migrationInfo(cfg *Config, p *protection) string {
	token, primary, index := cfg.PartnerToken, cfg.PrimaryMCPTTID, cfg.ProfileIndex
	if cfg.breaks("7A.2.1-05") {
		token += "-x"
	}
	if cfg.breaks("7A.2.1-06") {
		if scheme, rest, ok := strings.Cut(primary, ":"); ok {
			primary = scheme + ":x-" + rest
		} else {
			primary = "x-" + primary
		}
	}
	if cfg.breaks("7A.2.1-07") {
		index++
	}
	return infoDoc(cfg, p, func(d *xmlDoc) {
		d.content("mcptt-access-token", "mcpttString", token, true)
		d.content("mcptt-request-uri", "mcpttURI", primary, false)
	}, func(d *xmlDoc) {
		d.open("selected-user-profile-index", "")
		if d.prot.encrypts("selected-user-profile-index") {
			d.raw(d.prot.encrypt("selected-user-profile-index", "user-profile-index", strconv.Itoa(index)))
		} else {
			d.leaf("user-profile-index", strconv.Itoa(index))
		}
		d.end("selected-user-profile-index")
	})
}

// PeerURI returns the called party of the private call of --break 7.2.2-16.
func PeerURI(cfg *Config) string {
	a, _ := parseAOR(cfg.MCPTTID)
	return a.scheme + ":mcptt-peer@" + a.domain
}

// inviteInfo is the mcptt-info body of the private call of --break 7.2.2-16.
func inviteInfo(cfg *Config) string {
	return infoDoc(cfg, nil, func(d *xmlDoc) {
		d.leaf("session-type", "private")
		d.content("mcptt-request-uri", "mcpttURI", PeerURI(cfg), false)
		d.content("mcptt-client-id", "mcpttString", cfg.ClientID, false)
	}, nil)
}

// pocSettings is the application/poc-settings+xml body of 7.2.2 step 6.
func pocSettings(cfg *Config) string {
	mode := map[string]string{AutoAnswer: "automatic", ManualAnswer: "manual"}[cfg.AnswerMode]
	if cfg.breaks("7.2.2-11") {
		mode = map[string]string{"automatic": "manual", "manual": "automatic"}[mode]
	}
	index := cfg.ProfileIndex
	if cfg.breaks("7.2.2-12") {
		index++
	}
	d := newXMLDoc(cfg, "ps")
	d.root("poc-settings", xmldoc.NSPoCSettings, ` xmlns:mcs10Set="`+xmldoc.NSMCSSettings+`"`)
	d.open("entity", ` id="`+escape(cfg.ClientID)+`"`)
	d.comment("service settings")
	d.open("am-settings", "")
	d.leaf("answer-mode", mode)
	d.end("am-settings")
	if cfg.breaks("7.2.2-10") {
		d.raw("<" + d.name("bogus") + "/>")
	}
	d.raw("<mcs10Set:selected-user-profile-index><mcs10Set:user-profile-index>" + strconv.Itoa(index) +
		"</mcs10Set:user-profile-index></mcs10Set:selected-user-profile-index>")
	if !cfg.breaks("7.2.2-13") {
		d.raw("<mcs10Set:multiplex-support>" + strconv.FormatBool(cfg.Multiplex) + "</mcs10Set:multiplex-support>")
	}
	d.extension()
	d.end("entity")
	d.end("poc-settings")
	return d.String()
}

// escape escapes s for XML character data and attribute values alike.
func escape(s string) string {
	var b strings.Builder
	xml.EscapeText(&b, []byte(s)) // writing to a strings.Builder does not fail; '"' is escaped too
	return b.String()
}
