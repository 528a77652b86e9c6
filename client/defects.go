package client

import (
	"fmt"
	"io"
	"strings"
)

// Option is one --break ID or --variant name with the modes it applies to.
type Option struct {
	Name  string
	Modes []Mode
	Doc   string // what the client does differently
}

func (o Option) appliesTo(m Mode) bool {
	for _, x := range o.Modes {
		if x == m {
			return true
		}
	}
	return false
}

func (o Option) modeList() string {
	s := make([]string, len(o.Modes))
	for i, m := range o.Modes {
		s[i] = string(m)
	}
	return strings.Join(s, ", ")
}

func lookup(opts []Option, name string) (Option, bool) {
	for _, o := range opts {
		if o.Name == name {
			return o, true
		}
	}
	return Option{}, false
}

// WriteList writes one line per option: name, modes, what it does.
func WriteList(w io.Writer, opts []Option) error {
	for _, o := range opts {
		if _, err := fmt.Fprintf(w, "%-18s %-28s %s\n", o.Name, o.modeList(), o.Doc); err != nil {
			return err
		}
	}
	return nil
}

var (
	regPub  = []Mode{ModeRegister, ModePublish}
	reg     = []Mode{ModeRegister}
	pub     = []Mode{ModePublish}
	mig     = []Mode{ModeMigration}
	regMig  = []Mode{ModeRegister, ModeMigration}
	anyMode = Modes
)

// Breaks lists the requirement IDs --break accepts. Each makes the client send requests
// that break that requirement and no other one the suite checks.
var Breaks = []Option{
	{"7.2.1-01", regPub, "the REGISTER requests have no Max-Forwards header"},
	{"7.2.1-02", regPub, "the REGISTER Contact has no +g.3gpp.mcptt feature tag; --logoff is ignored (a log-off needs a registration with both tags)"},
	{"7.2.1-03", regPub, `the REGISTER Contact's +g.3gpp.icsi-ref holds only "urn%3Aurn-7%3A3gpp-service.ims.icsi.mcvideo"; --logoff is ignored (a log-off needs a registration with both tags)`},
	{"7.2.1-04", reg, "implies --logoff; the log-off re-REGISTER drops +g.3gpp.mcptt but keeps +g.3gpp.icsi-ref"},
	{"7.2.1-06", reg, "the REGISTER carries no mcptt-info body"},
	{"7.2.1-07", reg, "the REGISTER mcptt-info has <mcptt-client-id> before <mcptt-access-token> (schema-invalid order; values right)"},
	{"7.2.1-08", reg, `the REGISTER <mcptt-access-token> is the token with "-x" appended`},
	{"7.2.1-09", reg, `the REGISTER <mcptt-client-id> is the client ID with "-x" appended`},
	{"7.2.2-01", pub, "the PUBLISH has no Accept-Contact header"},
	{"7.2.2-02", pub, "the PUBLISH carries no mcptt-info part: a single application/poc-settings+xml body"},
	{"7.2.2-08", pub, `the PUBLISH <mcptt-client-id> is the client ID with "-x" appended`},
	{"7.2.2-09", pub, "the PUBLISH mcptt-info has <mcptt-client-id> before <mcptt-access-token> (schema-invalid order; values right)"},
	{"7.2.2-10", pub, "the poc-settings <entity> holds an extra <bogus/> element in the poc-settings namespace (schema-invalid; values right)"},
	{"7.2.2-11", pub, "the poc-settings <answer-mode> is the other answer mode"},
	{"7.2.2-12", pub, "the poc-settings <user-profile-index> is --profile-index + 1"},
	{"7.2.2-13", pub, "the poc-settings <entity> has no <multiplex-support> element"},
	{"7.2.2-15", pub, "the PUBLISH has no Max-Forwards header"},
	{"7.2.2-16", pub, "when the PUBLISH is rejected, the client goes on as if authorised: no de-REGISTER, but an INVITE (private call) to the PSI"},
	{"7A.2.1-01", mig, "the REGISTER has no Max-Forwards header"},
	{"7A.2.1-02", mig, "the REGISTER Contact has no +g.3gpp.mcptt feature tag"},
	{"7A.2.1-03", mig, `the REGISTER Contact's +g.3gpp.icsi-ref holds only "urn%3Aurn-7%3A3gpp-service.ims.icsi.mcvideo"`},
	{"7A.2.1-05", mig, `the <mcptt-access-token> is the partner token with "-x" appended`},
	{"7A.2.1-06", mig, `the <mcptt-request-uri> is the primary MCPTT ID with "x-" put before its user part`},
	{"7A.2.1-07", mig, "the <user-profile-index> is --profile-index + 1"},
	{"MIME-01", pub, "the PUBLISH's two-part body is multipart/related instead of multipart/mixed"},
	{"MIME-02", anyMode, `every XML body declares encoding="ISO-8859-1" (its content is still ASCII)`},
	{"MIME-03", anyMode, `udp only: every datagram has "\r\n" after the body, Content-Length unchanged`},
}

// Variants lists the names --variant accepts: legal variations of the wire format that
// must not break anything.
var Variants = []Option{
	{"compact-headers", anyMode, "compact header names (i: m: f: t: v: l: c: o: a:)"},
	{"folded-headers", anyMode, "Via and Contact folded over several lines"},
	{"upper-case", anyMode, "upper-case feature tag names (+G.3GPP.MCPTT) and media types (APPLICATION/VND.3GPP.MCPTT-INFO+XML)"},
	{"lower-case-percent", anyMode, "lower-case percent escapes in the icsi-ref value (urn%3aurn-7%3a…)"},
	{"several-icsi", anyMode, "icsi-ref lists the MCPTT and the MCVideo ICSI"},
	{"ns-prefix", anyMode, "XML bodies use a namespace prefix instead of the default namespace"},
	{"xml-comments-cdata", anyMode, "XML bodies carry comments, and the token is in a CDATA section"},
	{"quoted-boundary", pub, "the multipart boundary is quoted and the body has a preamble and an epilogue"},
	{"extensions", anyMode, "unknown extension elements from another namespace in mcptt-info anyExt and poc-settings <entity>, and an unknown Contact parameter"},
	{"several-contacts", regMig, "the REGISTER has one contact per MC service (TS 24.379 7.1): an MCVideo contact before the MCPTT one"},
	{"several-services", regPub, "an application/vnd.3gpp.mcvideo-info+xml body beside the MCPTT bodies (one per MC service)"},
	{"nested-multipart", regPub, "the MCPTT bodies in a multipart/mixed of their own inside the body's multipart/mixed, beside an mcdata-info body"},
	{"publish-refresh", pub, "after the PUBLISH, a refresh (SIP-If-Match, no body) and a removal (SIP-If-Match, Expires 0) naming the entity-tags the server issued (RFC 3903 4.3, 4.5)"},
}
