package validators

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/mcptt-conformance/mcptt-conformance/crypto/xmlprotect"
	"github.com/mcptt-conformance/mcptt-conformance/mikey"
	"github.com/mcptt-conformance/mcptt-conformance/verdict"
	"github.com/mcptt-conformance/mcptt-conformance/wire/multipart"
	"github.com/mcptt-conformance/mcptt-conformance/wire/xmldoc"
)

const (
	typeMIKEY = "application/mikey"
)

// mikeyBody is one application/mikey part and what opening it gave.
type mikeyBody struct {
	part   multipart.Part
	base64 bool // read as base64: a lenient reading
	opened *mikey.Opened
	err    error // the part is not a MIKEY I_MESSAGE
}

// responder is the IDRr of the message as a comparable string.
func (b *mikeyBody) responder() string {
	if b.opened == nil || b.opened.Responder == nil {
		return ""
	}
	return fmt.Sprintf("%d:%x", b.opened.Responder.Role, b.opened.Responder.Value)
}

func (b *mikeyBody) addressedToUs() bool {
	if b.opened == nil || b.opened.Responder == nil {
		return false
	}
	for _, p := range b.opened.Problems {
		if p.Kind == mikey.KindIDRr {
			return false
		}
	}
	return true
}

// opened is what the suite learnt from a protected request: its application/mikey
// bodies, the one addressed to the suite's MDSI, and the XML keys from its CSK.
type opened struct {
	bodies []*mikeyBody
	ours   *mikeyBody
	keys   *xmlprotect.Keys
	noKeys string // why there are no keys, for inconclusive details
}

type protectionOnce struct {
	once sync.Once
	p    *opened
}

// protection opens the request's application/mikey bodies once.
func (q *Request) protection(r *Run) *opened {
	q.mu.Lock()
	if q.prot == nil {
		q.prot = &protectionOnce{}
	}
	po := q.prot
	q.mu.Unlock()
	po.once.Do(func() { po.p = openProtection(r, q) })
	return po.p
}

func openProtection(r *Run, q *Request) *opened {
	p := &opened{}
	for _, part := range q.Body.Find(typeMIKEY) {
		b := &mikeyBody{part: part}
		msg := part.Body
		if _, err := mikey.Parse(msg); err != nil {
			if raw, ok := decodeBase64(part); ok {
				if _, err2 := mikey.Parse(raw); err2 == nil {
					msg, b.base64 = raw, true
				}
			}
		}
		if r.Keys == nil {
			_, b.err = mikey.Parse(msg)
		} else {
			b.opened, b.err = mikey.Open(msg, r.Keys, mikey.Options{})
		}
		p.bodies = append(p.bodies, b)
		if p.ours == nil && b.addressedToUs() {
			p.ours = b
		}
	}
	switch {
	case r.Keys == nil:
		p.noKeys = "the suite has no key material for its MDSI (server.keys), so it cannot open the I_MESSAGE"
	case len(p.bodies) == 0:
		p.noKeys = "no application/mikey body, so no CSK (judged by the requirement asking for the body)"
	case p.ours == nil:
		p.noKeys = "no I_MESSAGE addressed to the suite's MDSI, so no CSK (judged by the requirement on IDRr)"
	case p.ours.opened.CSK == nil:
		p.noKeys = "the I_MESSAGE addressed to the suite did not decrypt to a CSK (judged by the I_MESSAGE requirement)"
	default:
		k := xmlprotect.NewKeys(p.ours.opened.CSK, p.ours.opened.CSKID, r.Profile.Identity.MCPTTID)
		p.keys = &k
	}
	return p
}

// decodeBase64 reads a part as base64 text, with or without Content-Transfer-Encoding.
func decodeBase64(part multipart.Part) ([]byte, bool) {
	text := bytes.TrimPrefix(bytes.TrimSpace(part.Body), []byte("mikey "))
	text = bytes.Map(func(r rune) rune {
		if r == '\r' || r == '\n' || r == ' ' || r == '\t' {
			return -1
		}
		return r
	}, text)
	raw, err := base64.StdEncoding.DecodeString(string(text))
	return raw, err == nil && len(raw) > 0
}

// mikeyPresent judges the application/mikey body carrying the CSK (7.2.1-10 and the
// first half of 7.2.2-03 and 7A.2.1-08).
func mikeyPresent(j *judgement, r *Run, q *Request) {
	p := q.protection(r)
	if len(p.bodies) == 0 {
		j.fail(q, 0, fmt.Sprintf("an %s body with the CSK as a MIKEY-SAKKE I_MESSAGE (TS 33.180)", typeMIKEY), describeBodies(q))
		return
	}
	var readable *mikeyBody
	for _, b := range p.bodies {
		if b.err == nil && readable == nil {
			readable = b
		}
	}
	if readable == nil {
		b := p.bodies[0]
		j.fail(q, partLine(q, b.part, 1), fmt.Sprintf("the %s body to be a MIKEY-SAKKE I_MESSAGE", typeMIKEY), fmt.Sprintf("bytes that do not parse: %v", b.err))
		return
	}
	if readable.base64 {
		j.lenient(r, q, partLine(q, readable.part, 1), readingMIKEYBase64, fmt.Sprintf("%d bytes of base64 decoding to an I_MESSAGE", len(readable.part.Body)))
		return
	}
	j.passf(q, "%d %s bod%s, raw binary MIKEY I_MESSAGE", len(p.bodies), typeMIKEY, plural(len(p.bodies), "y", "ies"))
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// addressed judges that one I_MESSAGE has the suite's MDSI as its receiving entity
// (IDRr): roles 1/2 with the URI, or roles 8/9 with its UID.
func addressed(j *judgement, r *Run, q *Request) {
	p := q.protection(r)
	if r.Keys == nil {
		j.inconclusive(q, "%s", p.noKeys)
		return
	}
	var seen []string
	for _, b := range p.bodies {
		if b.opened != nil && b.opened.Responder != nil {
			seen = append(seen, describeIDR(b.opened.Responder))
		}
	}
	switch {
	case len(seen) == 0:
		j.inconclusive(q, "no readable I_MESSAGE with an IDRr to compare (judged by the requirement asking for the body)")
	case p.ours == nil:
		j.fail(q, partLine(q, p.bodies[0].part, 1), fmt.Sprintf("an I_MESSAGE whose receiving entity (IDRr) is the suite's MDSI %s", r.Keys.ResponderURI), "IDRr "+strings.Join(seen, "; "))
	default:
		j.passf(q, "the I_MESSAGE's IDRr is the suite's MDSI (%s)", describeIDR(p.ours.opened.Responder))
	}
}

func describeIDR(idr *mikey.IDR) string {
	if idr.Role == mikey.RoleUIDInitiator || idr.Role == mikey.RoleUIDResponder {
		return fmt.Sprintf("role %d UID %x", idr.Role, idr.Value)
	}
	return fmt.Sprintf("role %d %q", idr.Role, idr.Value)
}

// distinctMDSIs judges that several application/mikey bodies each go to a different
// MCX server: no two with the same IDRr.
func distinctMDSIs(j *judgement, r *Run, q *Request) {
	p := q.protection(r)
	seen := map[string]int{}
	n := 0
	for i, b := range p.bodies {
		id := b.responder()
		if id == "" {
			continue
		}
		n++
		if first, dup := seen[id]; dup {
			j.fail(q, partLine(q, b.part, 1), "each application/mikey body directed to a different MDSI", fmt.Sprintf("bodies %d and %d both to %s", first+1, i+1, describeIDR(b.opened.Responder)))
			return
		}
		seen[id] = i
	}
	if n < 2 {
		j.notApplicable(q, "does not apply: no request carried more than one readable application/mikey body")
		return
	}
	j.passf(q, "%d application/mikey bodies, each to a different MDSI", n)
}

// opens judges the I_MESSAGE addressed to the suite: well-formed per TS 33.180 Annex E,
// its ECCSI signature verifying for the client's identity, its SAKKE payload
// decrypting to the CSK.
func opens(j *judgement, r *Run, q *Request) {
	p := q.protection(r)
	if p.ours == nil {
		j.inconclusive(q, "%s", p.noKeys)
		return
	}
	o := p.ours.opened
	var faults, lenient []string
	var first problem
	for _, pr := range o.Problems {
		switch {
		case pr.Lenient:
			lenient = append(lenient, pr.String())
		case len(faults) == 0:
			first = problem{Expected: pr.Payload + ": " + pr.Expected, Actual: pr.Seen}
			fallthrough
		default:
			faults = append(faults, pr.String())
		}
	}
	line := partLine(q, p.ours.part, 1)
	switch {
	case len(faults) > 0:
		first.Line = line
		j.failWith(q, first, "the I_MESSAGE addressed to the suite: "+strings.Join(faults, "; "))
	case len(lenient) > 0:
		j.lenient(r, q, line, strings.Join(lenient, "; "), "the I_MESSAGE verifies and decrypts")
	default:
		j.passf(q, "the I_MESSAGE (data type 26, CSK-ID %s with purpose tag %d) is signed with ECCSI by %s (%s) and its SAKKE payload decrypts to a %d-octet CSK",
			o.CSKID, o.Purpose, describeIDR(o.Initiator), o.SignatureCoverage, len(o.CSK))
	}
}

// encrypted judges one element of the mcptt-info body encrypted with the CSK
// (6.6.2.3.3) and decrypting to the declared value.
func encrypted(element, what string, want func(*Run) string) func(*judgement, *Run, *Request, multipart.Part, *xmldoc.Element) {
	return func(j *judgement, r *Run, q *Request, part multipart.Part, doc *xmldoc.Element) {
		els := doc.Find(xmldoc.NSMCPTTInfo, element)
		if len(els) == 0 {
			j.fail(q, partLine(q, part, 1), fmt.Sprintf("an encrypted <%s> element holding the %s", element, what), "none in the mcptt-info body")
			return
		}
		line := partLine(q, part, els[0].Line)
		p := q.protection(r)
		if p.keys == nil {
			if v := readValue(els[0]); !v.encrypted {
				j.fail(q, line, "<"+element+"> encrypted with the CSK (confidentiality protection is on)", "<"+element+"> in clear")
				return
			}
			j.inconclusive(q, "<%s> is encrypted, but %s", element, p.noKeys)
			return
		}
		d, err := xmlprotect.Decrypt(els[0], *p.keys)
		var xe *xmlprotect.Error
		switch {
		case errors.Is(err, xmlprotect.ErrNotEncrypted):
			j.fail(q, line, "<"+element+"> encrypted with the CSK (confidentiality protection is on)", "<"+element+"> in clear")
		case errors.As(err, &xe):
			j.failWith(q, problemOf(xe, "", partLine(q, part, xe.Line)), fmt.Sprintf("<%s>: %v", element, xe))
		case err != nil:
			j.failWith(q, problemOf(err, "<"+element+"> decrypting under the CSK", line), fmt.Sprintf("<%s>: %v", element, err))
		case !sameValue(d.Value, want(r)):
			j.fail(q, line, fmt.Sprintf("<%s> to decrypt to the %s %q", element, what, want(r)), strconv.Quote(d.Value))
		default:
			readingsVerdict(j, r, q, line, fmt.Sprintf("<%s> is encrypted under the CSK and decrypts to the %s", element, what), d.Readings)
		}
	}
}

// readingsVerdict passes, naming the accepted readings; a lenient one passes only
// when not strict.
func readingsVerdict(j *judgement, r *Run, q *Request, line int, what string, rs []xmlprotect.Reading) {
	var named []string
	lenient := false
	for _, rd := range rs {
		named = append(named, rd.Text)
		lenient = lenient || rd.Lenient
	}
	switch {
	case lenient:
		j.lenient(r, q, line, strings.Join(named, "; "), what)
	case len(named) > 0:
		j.pass(q, what+" (accepted readings: "+strings.Join(named, "; ")+")")
	default:
		j.pass(q, what)
	}
}

// signed judges the integrity protection of the named bodies: an
// application/vnd.3gpp.mcptt-signed+xml body with a valid HMAC-SHA-256 XML signature,
// under the key from the CSK, over each (6.6.3.3.3).
func signed(mediaTypes ...string) func(*judgement, *Run, *Request) {
	return func(j *judgement, r *Run, q *Request) {
		sig, n := body(q, xmldoc.TypeMCPTTSigned)
		if n == 0 {
			j.fail(q, 0, fmt.Sprintf("an %s body signing the %s bod%s", xmldoc.TypeMCPTTSigned, strings.Join(mediaTypes, " and "), plural(len(mediaTypes), "y", "ies")), describeBodies(q))
			return
		}
		p := q.protection(r)
		if p.keys == nil {
			j.inconclusive(q, "the request carries an %s body, but %s", xmldoc.TypeMCPTTSigned, p.noKeys)
			return
		}
		bodies := map[string][]byte{}
		for _, part := range q.Body.Parts {
			if part.ContentID != "" {
				bodies[part.ContentID] = part.Body
			}
		}
		results, err := xmlprotect.VerifySignatures(sig.Body, bodies, *p.keys)
		if err != nil {
			j.failWith(q, problemOf(err, "a usable "+xmldoc.TypeMCPTTSigned+" body", partLine(q, sig, 1)), fmt.Sprintf("the %s body cannot be used: %v", xmldoc.TypeMCPTTSigned, err))
			return
		}
		var readings []xmlprotect.Reading
		for _, mt := range mediaTypes {
			target, n := body(q, mt)
			switch {
			case n == 0:
				j.inconclusive(q, "no %s body to be signed (judged by the requirement asking for it)", mt)
				return
			case target.ContentID == "":
				j.fail(q, partLine(q, target, 1), fmt.Sprintf("the %s body to carry a Content-ID that a signature references", mt), "none")
				return
			}
			res, ok := signatureFor(results, target.ContentID)
			switch {
			case !ok:
				j.fail(q, partLine(q, sig, 1), fmt.Sprintf("a signature referencing the %s body (Content-ID <%s>)", mt, target.ContentID), "none among "+strconv.Itoa(len(results)))
				return
			case res.Err != nil:
				j.failWith(q, problemOf(res.Err, "a signature over the "+mt+" body that verifies", partLine(q, sig, res.Line)),
					fmt.Sprintf("the signature over the %s body (Content-ID <%s>) does not verify: %v", mt, target.ContentID, res.Err))
				return
			}
			readings = append(readings, res.Readings...)
		}
		readingsVerdict(j, r, q, partLine(q, sig, 1), fmt.Sprintf("HMAC-SHA-256 signatures under the CSK verify over the %s bod%s", strings.Join(mediaTypes, " and "), plural(len(mediaTypes), "y", "ies")), readings)
	}
}

// problemOf is the problem an xmlprotect error states or, for another error, the
// expectation against the error's text; line is where the request shows it.
func problemOf(err error, expected string, line int) problem {
	var xe *xmlprotect.Error
	if errors.As(err, &xe) {
		return problem{Expected: xe.Expected, Actual: xe.Saw, Line: line}
	}
	return problem{Expected: expected, Actual: err.Error(), Line: line}
}

func signatureFor(rs []xmlprotect.SignatureResult, cid string) (xmlprotect.SignatureResult, bool) {
	for _, r := range rs {
		if r.ContentID == cid {
			return r, true
		}
	}
	return xmlprotect.SignatureResult{}, false
}

// allOf judges several sub-checks as one requirement: each request's rows of the
// sub-checks in order, stopping at the first that does not pass.
func allOf(checks ...func(*judgement, *Run, *Request)) func(*judgement, *Run, *Request) {
	return func(j *judgement, r *Run, q *Request) {
		for _, c := range checks {
			var sub judgement
			c(&sub, r, q)
			*j = append(*j, sub...)
			for _, row := range sub {
				if row.Verdict != verdict.Pass && row.Verdict != verdict.NotApplicable {
					return
				}
			}
		}
	}
}
