// Package validators judges the requests of a run requirement by requirement: each
// Requirement of the catalogue (shared/spec/requirements.md) is a plain function from a
// Run to verdict rows. It ties the wire-level validators (sipmsg, contact, multipart,
// xmldoc) to the profile's declared options; it has no Ginkgo in it, so the live suite,
// the offline checker and tests call the same code.
package validators

import (
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/mcptt-conformance/mcptt-conformance/capture"
	"github.com/mcptt-conformance/mcptt-conformance/kms"
	"github.com/mcptt-conformance/mcptt-conformance/profile"
	"github.com/mcptt-conformance/mcptt-conformance/schemas"
	"github.com/mcptt-conformance/mcptt-conformance/wire/contact"
	"github.com/mcptt-conformance/mcptt-conformance/wire/ims"
	"github.com/mcptt-conformance/mcptt-conformance/wire/multipart"
	"github.com/mcptt-conformance/mcptt-conformance/wire/sipmsg"
	"github.com/mcptt-conformance/mcptt-conformance/wire/xmldoc"
)

// Request is one received REGISTER or PUBLISH (or unreadable bytes), parsed once.
type Request struct {
	Capture  *capture.Message
	SIP      *sipmsg.Message // nil when the bytes are not a readable SIP message
	ParseErr error
	Body     multipart.Body
	Contacts []contact.Contact
	// ContactProblems are faults in the Contact header text itself (bad escapes…).
	ContactProblems []sipmsg.Problem
	// Kind says what the request is in its registration's life (REGISTER only).
	Kind RegisterKind
	// Embedded is, on a third-party REGISTER (TS 24.229 5.4.1.7), the client's
	// REGISTER it carries, a request of its own that follows it in Run.Requests; the
	// third-party REGISTER itself is judged under well-formedness only. Carrier is, on
	// the embedded REGISTER, the third-party REGISTER that carried it.
	Embedded, Carrier *Request
	carried           *ims.Carried
	// Publication says what a PUBLISH does to its publication (RFC 3903 4).
	Publication PublishKind

	mu    sync.Mutex
	views map[int]*partView // by the part's offset: each XML body parsed once
	prot  *protectionOnce   // the application/mikey bodies opened once
}

// partView is what the checks read of one XML body part of the request: its content
// (its Content-Transfer-Encoding undone) found once, and the memoised body of those
// bytes (bodies), so that a body is parsed once however many requirements, and however
// many requests, look at it.
type partView struct {
	once       sync.Once
	body       *xmlBody
	contentErr error // the content does not decode
}

func (q *Request) view(part multipart.Part) *partView {
	q.mu.Lock()
	v, ok := q.views[part.Offset]
	if !ok {
		if q.views == nil {
			q.views = make(map[int]*partView, len(q.Body.Parts))
		}
		v = &partView{}
		q.views[part.Offset] = v
	}
	q.mu.Unlock()
	v.once.Do(func() {
		content, err := part.Content()
		if err != nil {
			v.contentErr = err
			return
		}
		v.body = bodies.of(content)
	})
	return v
}

// document is the body part's content parsed as XML (xmldoc.Parse), once.
func (q *Request) document(part multipart.Part) (*xmldoc.Element, error) {
	v := q.view(part)
	if v.contentErr != nil {
		return nil, v.contentErr
	}
	return v.body.document()
}

// checked runs xmldoc.Check on the part's content, once: a part has one media type, so
// k is the same on every call. Content that does not decode is a well-formedness
// problem.
func (q *Request) checked(k xmldoc.Kind, part multipart.Part) (wellFormed, schema []xmldoc.Problem) {
	v := q.view(part)
	if v.contentErr != nil {
		p := []xmldoc.Problem{{Expected: "content that decodes under its Content-Transfer-Encoding (RFC 2045 6)", Actual: v.contentErr.Error(), Line: 1}}
		return p, p
	}
	return v.body.checked(k)
}

// schemaValidator holds the suite's schemas (package schemas), compiled once.
var schemaValidator = sync.OnceValues(func() (*xmldoc.Validator, error) { return xmldoc.NewValidator(schemas.FS) })

// checkXML is xmldoc's Check with the suite's schemas: well-formedness and validity
// from one parse. A schema that does not compile is a suite defect, reported as the
// body's schema problem.
func checkXML(k xmldoc.Kind, body []byte) (wellFormed, schema []xmldoc.Problem) {
	v, err := schemaValidator()
	if err != nil {
		return xmldoc.CheckWellFormed(k, body), []xmldoc.Problem{{Expected: "the embedded schemas to compile", Actual: err.Error()}}
	}
	return v.Check(k, body)
}

// wellFormedness is xmldoc.CheckWellFormed of the part.
func (q *Request) wellFormedness(k xmldoc.Kind, part multipart.Part) []xmldoc.Problem {
	wellFormed, _ := q.checked(k, part)
	return wellFormed
}

// schemaProblems is xmldoc.Validate of the part.
func (q *Request) schemaProblems(k xmldoc.Kind, part multipart.Part) []xmldoc.Problem {
	_, schema := q.checked(k, part)
	return schema
}

// RegisterKind classifies a REGISTER.
type RegisterKind int

// The kinds of REGISTER a run holds.
const (
	Registration   RegisterKind = iota // initial or refreshing registration
	Logoff                             // re-REGISTER dropping the MCPTT tags (7.2.1 NOTE 1)
	Deregistration                     // Expires 0 or Contact *
)

// PublishKind classifies a PUBLISH by what it does to its publication (RFC 3903 4).
type PublishKind int

// The kinds of PUBLISH a run holds.
const (
	Publication PublishKind = iota // initial or modifying: carries the service settings
	Refresh                        // SIP-If-Match and no body (RFC 3903 4.3)
	Removal                        // SIP-If-Match and Expires 0 (RFC 3903 4.5)
)

// Run is everything the suite received in one run, with the client's declared options.
type Run struct {
	Profile *profile.Profile
	Strict  bool
	// Requests are the REGISTER and PUBLISH requests, retransmissions left out, and
	// unreadable messages, in arrival order.
	Requests []*Request
	// Others are the rest: other methods, responses; counted in the report.
	Others []*capture.Message
	// Messages is everything received, retransmissions included, in arrival order.
	Messages []*capture.Message
	// Keys is the suite's key material for its MDSI, needed to judge protected
	// requests; nil when none was given.
	Keys *kms.KeyFile

	// noResponses: no request carries the status it was answered with and no response
	// was captured (a recording of one direction), so acceptance cannot be seen.
	noResponses bool
}

// NewRun parses every captured message once and classifies it.
func NewRun(p *profile.Profile, msgs []*capture.Message, strict bool) *Run {
	r := &Run{Profile: p, Strict: strict || p.Strict, Messages: msgs}
	for _, m := range msgs {
		if m.RetransmissionOf != 0 {
			continue
		}
		req := &Request{Capture: m}
		req.SIP, req.ParseErr = sipmsg.Parse(m.Raw)
		switch {
		case req.ParseErr != nil:
		case !req.SIP.IsRequest || (req.SIP.Method != "REGISTER" && req.SIP.Method != "PUBLISH"):
			r.Others = append(r.Others, m)
			continue
		default:
			ct, _ := req.SIP.First("content-type")
			if len(req.SIP.Body) > 0 || ct.Value != "" {
				req.Body = multipart.Split(ct.Value, req.SIP.Body)
			}
			req.Contacts, req.ContactProblems = contact.Parse(req.SIP.Get("contact"))
		}
		r.Requests = append(r.Requests, req)
		if e := req.embed(); e != nil {
			r.Requests = append(r.Requests, e)
		}
	}
	r.noResponses = !slices.ContainsFunc(r.Requests, func(q *Request) bool { return q.Capture.Status != 0 }) &&
		!slices.ContainsFunc(r.Others, func(m *capture.Message) bool { return sipmsg.MethodOf(m.Raw) == "" })
	r.classifyRegisters()
	r.classifyPublishes()
	return r
}

// classifyPublishes marks refreshes and removals (RFC 3903 4.3, 4.5): a PUBLISH with
// SIP-If-Match that has Expires 0, or no body.
func (r *Run) classifyPublishes() {
	for _, q := range r.Requests {
		if q.SIP == nil || q.SIP.Method != "PUBLISH" {
			continue
		}
		if _, ok := q.SIP.First("sip-if-match"); !ok {
			continue
		}
		switch {
		case expiresZero(q):
			q.Publication = Removal
		case len(q.SIP.Body) == 0:
			q.Publication = Refresh
		}
	}
}

func expiresZero(q *Request) bool {
	h, ok := q.SIP.First("expires")
	return ok && strings.TrimSpace(h.Value) == "0"
}

// Method is the request's method, read from the start line even when parsing failed.
func (q *Request) Method() string {
	if q.SIP != nil {
		return q.SIP.Method
	}
	return q.Capture.Method
}

// Name is the capture's file name: the "message" of every verdict about this request.
func (q *Request) Name() string { return q.Capture.Name }

// requests returns the readable requests of one method the client sent (third-party
// REGISTERs left out, the REGISTER each carries kept).
func (r *Run) requests(method string) []*Request {
	var out []*Request
	for _, q := range r.Requests {
		if q.SIP != nil && q.SIP.Method == method && q.Embedded == nil {
			out = append(out, q)
		}
	}
	return out
}

// wellFormednessRequirement names the requirement under which a request of method is judged
// well-formed in the profile's kind of run: a PUBLISH under 7.2.2-15, a REGISTER under
// 7.2.1-01 (7A.2.1-01 in a migration run), and bytes of any other or no recognisable
// method under the run's own (a live run takes all traffic on its ports to come from
// the client under test).
func wellFormednessRequirement(p *profile.Profile, method string) string {
	switch {
	case method == "PUBLISH" || method != "REGISTER" && p.Authz == profile.ByPublish && !p.Migration:
		return "7.2.2-15"
	case p.Migration:
		return "7A.2.1-01"
	}
	return "7.2.1-01"
}

// classifyRegisters marks de-registrations, and log-offs: a re-REGISTER that drops an
// MCPTT tag the registration was accepted with (7.2.1 NOTE 1). A REGISTER that never
// had a tag is a registration, and judged as one. In a capture that holds no responses
// every registration is taken as accepted, and only a re-REGISTER of it (same Call-ID,
// higher CSeq, RFC 3261 10.2.4) can log off from it.
func (r *Run) classifyRegisters() {
	type registration struct {
		mcptt, icsi bool
		callID      string
		cseq        int
	}
	accepted := map[string]registration{} // AoR → the last accepted registration
	for _, q := range r.requests("REGISTER") {
		aor := q.SIP.AddressOfRecord()
		_, _, mcptt := findTag(q, "g.3gpp.mcptt")
		_, _, icsi := mcpttICSI(q)
		callID, _ := q.SIP.First("call-id")
		seqHeader, _ := q.SIP.First("cseq")
		seq, _, _ := strings.Cut(seqHeader.Value, " ")
		cseq, _ := strconv.Atoi(seq)
		now := registration{mcptt, icsi, callID.Value, cseq}
		before, registered := accepted[aor]
		if r.noResponses && registered && (before.callID != now.callID || now.cseq <= before.cseq) {
			registered = false
		}
		switch {
		case isDeregistration(q):
			q.Kind = Deregistration
			delete(accepted, aor)
		case registered && (before.mcptt && !now.mcptt || before.icsi && !now.icsi):
			q.Kind = Logoff
		default:
			q.Kind = Registration
			if r.noResponses || q.Capture.Status >= 200 && q.Capture.Status < 300 {
				accepted[aor] = now
			}
		}
	}
}

func isDeregistration(q *Request) bool {
	if expiresZero(q) {
		return true
	}
	if len(q.Contacts) == 0 {
		return false
	}
	for _, c := range q.Contacts {
		if c.Star {
			return true
		}
		exp := ""
		for _, p := range c.Params {
			if strings.EqualFold(p.Name, "expires") {
				exp = p.Value
			}
		}
		if n, err := strconv.Atoi(exp); err != nil || n != 0 {
			return false
		}
	}
	return true
}

func containsFold(list []string, v string) bool {
	for _, s := range list {
		if strings.EqualFold(strings.TrimSpace(s), v) {
			return true
		}
	}
	return false
}
