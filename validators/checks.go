package validators

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/mcptt-conformance/mcptt-conformance/wire/contact"
	"github.com/mcptt-conformance/mcptt-conformance/wire/multipart"
	"github.com/mcptt-conformance/mcptt-conformance/wire/sipmsg"
	"github.com/mcptt-conformance/mcptt-conformance/wire/xmldoc"
)

// wellFormed judges a request against RFC 3261 (and RFC 3903 for PUBLISH), its Via and
// sips: URIs against the transport it arrived over (RFC 3261 26.2, RFC 5630). Content-Length
// is left to MIME-03, so that one defect gives one fail.
func wellFormed(j *judgement, r *Run, q *Request, method string) {
	if q.Embedded != nil {
		thirdPartyWellFormed(j, r, q)
		return
	}
	if q.SIP == nil {
		if carriedFault(j, q) {
			return
		}
		j.fail(q, 1, fmt.Sprintf("a SIP %s request", method), fmt.Sprint("bytes that cannot be read as SIP: ", q.ParseErr))
		return
	}
	probs := append(sipmsg.CheckRequest(q.SIP, method), sipmsg.CheckTransport(q.SIP, q.Capture.Transport)...)
	if line := q.SIP.BareLF; len(probs) == 0 && line > 0 {
		j.lenient(r, q, line, readingBareLF, fmt.Sprintf("line %d of the %s ends in LF without CR", line, method))
		return
	}
	if len(probs) == 0 {
		j.pass(q, "well-formed "+method+": start line, To, From, Call-ID, CSeq, Max-Forwards, Via present and consistent (Content-Length is judged under MIME-03)")
		return
	}
	j.failWith(q, problem(probs[0]), joinProblems(probs))
}

func joinProblems[P error](ps []P) string {
	var parts []string
	for i, p := range ps {
		if i == 4 {
			parts = append(parts, fmt.Sprintf("and %d more", len(ps)-i))
			break
		}
		parts = append(parts, p.Error())
	}
	return strings.Join(parts, "; ")
}

// mcpttTag judges the g.3gpp.mcptt media feature tag in the Contact header field.
func mcpttTag(j *judgement, r *Run, q *Request) {
	c, t, found := findTag(q, "g.3gpp.mcptt")
	switch {
	case len(q.Contacts) == 0:
		j.fail(q, 0, "a Contact header field with +g.3gpp.mcptt", "no Contact header field"+contactFaults(q))
	case !found:
		j.fail(q, q.Contacts[0].Line, "the +g.3gpp.mcptt media feature tag in Contact", quoteContacts(q)+uriParamNote(q, "g.3gpp.mcptt")+contactFaults(q))
	case !t.Plus:
		j.fail(q, c.Line, "+g.3gpp.mcptt (RFC 3840 requires the leading '+' on a feature tag outside the base set)", t.Raw)
	case t.Bool && !t.HasValue:
		j.pass(q, "Contact carries "+t.Raw)
	case len(t.Values) == 1 && strings.EqualFold(t.Values[0], "TRUE"):
		j.lenient(r, q, c.Line, readingBooleanValue, "Contact carries "+t.Raw)
	default:
		j.fail(q, c.Line, "+g.3gpp.mcptt as a boolean flag (true)", t.Raw)
	}
}

// icsiTag judges the g.3gpp.icsi-ref media feature tag holding the MCPTT ICSI, on the
// contact that registers for MCPTT (registeringContact). With several contacts (TS 24.379
// 7.1: one per MC service), the MCPTT ICSI on a contact other than the one with
// +g.3gpp.mcptt is a lenient reading.
func icsiTag(j *judgement, r *Run, q *Request) {
	if len(q.Contacts) == 0 {
		j.fail(q, 0, "a Contact header field with +g.3gpp.icsi-ref", "no Contact header field"+contactFaults(q))
		return
	}
	c, t, found := mcpttICSI(q)
	if !found {
		c, t, found = findTag(q, "g.3gpp.icsi-ref")
	}
	switch {
	case !found:
		j.fail(q, q.Contacts[0].Line, fmt.Sprintf("the +g.3gpp.icsi-ref media feature tag containing %q in Contact", MCPTTICSI), quoteContacts(q)+uriParamNote(q, "g.3gpp.icsi-ref")+contactFaults(q))
	case !t.Plus:
		j.fail(q, c.Line, "+g.3gpp.icsi-ref (RFC 3840 requires the leading '+')", t.Raw)
	case !containsFold(t.Values, MCPTTICSI):
		j.fail(q, c.Line, fmt.Sprintf("g.3gpp.icsi-ref to contain %q", MCPTTICSI), fmt.Sprintf("%s (decoded: %s)%s", t.Raw, strings.Join(t.Values, ", "), contactFaults(q)))
	case !t.Encoded:
		j.lenient(r, q, c.Line, readingICSIUnencoded, "Contact carries "+t.Raw)
	case splitTags(q, c):
		j.lenient(r, q, c.Line, readingTagsSplit, fmt.Sprintf("%s on contact %s, +g.3gpp.mcptt on another", t.Raw, c.URI))
	default:
		j.pass(q, "Contact carries "+t.Raw)
	}
}

// mcpttICSI finds the g.3gpp.icsi-ref tag that contains the MCPTT ICSI, preferring the
// contact that also carries +g.3gpp.mcptt, then a correctly written tag.
func mcpttICSI(q *Request) (c contact.Contact, t contact.Tag, found bool) {
	score := -1
	for _, ct := range q.Contacts {
		tg, ok := ct.Tag("g.3gpp.icsi-ref")
		if !ok || !containsFold(tg.Values, MCPTTICSI) {
			continue
		}
		s := 0
		if _, ok := ct.Tag("g.3gpp.mcptt"); ok {
			s += 2
		}
		if tg.Plus {
			s++
		}
		if s > score {
			c, t, found, score = ct, tg, true, s
		}
	}
	return c, t, found
}

// splitTags reports whether c, the contact with the MCPTT ICSI, lacks +g.3gpp.mcptt
// while another contact of the request carries it.
func splitTags(q *Request, c contact.Contact) bool {
	if _, ok := c.Tag("g.3gpp.mcptt"); ok {
		return false
	}
	_, _, other := findTag(q, "g.3gpp.mcptt")
	return other
}

func findTag(q *Request, name string) (c contact.Contact, t contact.Tag, found bool) {
	for _, ct := range q.Contacts {
		if tg, ok := ct.Tag(name); ok {
			if found && !t.Plus && tg.Plus {
				return ct, tg, true // prefer a correctly written tag in another contact
			}
			if !found {
				c, t, found = ct, tg, true
			}
		}
	}
	return c, t, found
}

func quoteContacts(q *Request) string {
	var raws []string
	for _, c := range q.Contacts {
		raws = append(raws, c.Raw)
	}
	return fmt.Sprintf("Contact: %s", strings.Join(raws, ", "))
}

func uriParamNote(q *Request, tag string) string {
	for _, c := range q.Contacts {
		if strings.Contains(strings.ToLower(c.URI), tag) {
			return fmt.Sprintf(" (%s appears inside the <> as a URI parameter, not as a Contact header parameter)", tag)
		}
	}
	return ""
}

func contactFaults(q *Request) string {
	if len(q.ContactProblems) == 0 {
		return ""
	}
	return "; the Contact text itself is faulty: " + joinProblems(q.ContactProblems)
}

// body returns the first body part of a media type, and how many there were.
func body(q *Request, mediaType string) (multipart.Part, int) {
	parts := q.Body.Find(mediaType)
	if len(parts) == 0 {
		return multipart.Part{}, 0
	}
	return parts[0], len(parts)
}

// partLine converts a line inside a body part into a line of the SIP message. A line
// of a part under a Content-Transfer-Encoding is a line of its decoded content, which
// has no line of the message: the part's first line stands for it.
func partLine(q *Request, part multipart.Part, line int) int {
	if q.SIP == nil || line <= 0 {
		return 0
	}
	if part.Encoded() {
		line = 1
	}
	return multipart.LineOf(q.SIP.BodyLine, q.SIP.Body, part.Offset) + line - 1
}

// schemaValid judges one XML body against its schema, with the SIP message's line
// numbers in every error.
func schemaValid(j *judgement, q *Request, part multipart.Part, kind xmldoc.Kind, what string) {
	schemaVerdict(j, q, part, q.schemaProblems(kind, part), what, func(line int) int { return partLine(q, part, line) })
}

// schemaVerdict reports schema problems; at maps a document line to the line reported.
func schemaVerdict(j *judgement, q *Request, part multipart.Part, probs []xmldoc.Problem, what string, at func(int) int) {
	if len(probs) == 0 {
		j.pass(q, "the "+what+" body is valid against its schema")
		return
	}
	var msgs []string
	for i, p := range probs {
		if i == 4 {
			msgs = append(msgs, fmt.Sprintf("and %d more", len(probs)-i))
			break
		}
		msgs = append(msgs, fmt.Sprintf("line %d: %s", at(p.Line), p.Error()))
	}
	first := problem(probs[0])
	first.Line = at(first.Line)
	j.failWith(q, first, fmt.Sprintf("the %s body (%s) is not valid against its schema: %s", what, part.Name(), strings.Join(msgs, "; ")))
	j.inParts(part)
}

// document parses an XML body part for value checks. A body that is not readable XML
// is judged under MIME-02; the value checks then have nothing to look at.
func document(j *judgement, q *Request, part multipart.Part, what string) *xmldoc.Element {
	doc, err := q.document(part)
	if err != nil {
		j.inconclusive(q, "the %s body cannot be read as XML (judged under MIME-02): %v", what, err)
		return nil
	}
	return doc
}

// bodyCheck judges one XML body part of a request, parsed.
type bodyCheck func(j *judgement, r *Run, q *Request, part multipart.Part, doc *xmldoc.Element)

// withBody judges the request's first body of mediaType with each check in turn. A
// request without one has an inconclusive row saying where its absence is judged; a
// body that is not XML, one saying it is judged under MIME-02.
func withBody(mediaType, what, absence string, checks []bodyCheck) func(*judgement, *Run, *Request) {
	return func(j *judgement, r *Run, q *Request) {
		part, n := body(q, mediaType)
		if n == 0 {
			j.inconclusive(q, "no %s body to look in (%s)", mediaType, absence)
			return
		}
		doc := document(j, q, part, what)
		if doc == nil {
			return
		}
		for _, check := range checks {
			check(j, r, q, part, doc)
		}
	}
}

// value reads a contentType element (Annex F.1): its mcpttString, mcpttURI or
// mcpttBoolean child, and whether it is encrypted.
type value struct {
	text      string
	carrier   string // "mcpttString", "mcpttURI", "mcpttBoolean", or "text" for bare content
	encrypted bool
	line      int
}

func readValue(e *xmldoc.Element) value {
	v := value{line: e.Line}
	for _, a := range e.Attrs {
		if a.Name.Local == "type" && a.Name.Space == "" && a.Value == "Encrypted" {
			v.encrypted = true
		}
	}
	if e.Child(xmldoc.NSXMLEnc, "EncryptedData") != nil {
		v.encrypted = true
	}
	for _, name := range []string{"mcpttString", "mcpttURI", "mcpttBoolean"} {
		if c := e.Child(xmldoc.NSMCPTTInfo, name); c != nil {
			v.text, v.carrier = c.Value(), name
			return v
		}
	}
	v.text, v.carrier = e.Value(), "text"
	return v
}

// plainValue judges one plaintext element of the mcptt-info body against the value
// the profile declares.
func plainValue(j *judgement, q *Request, part multipart.Part, doc *xmldoc.Element, element, want, what string) {
	els := doc.Find(xmldoc.NSMCPTTInfo, element)
	if len(els) == 0 {
		j.fail(q, partLine(q, part, 1), fmt.Sprintf("a <%s> element set to the %s", element, what), "none in the mcptt-info body")
		return
	}
	v := readValue(els[0])
	line := partLine(q, part, v.line)
	switch {
	case v.encrypted:
		j.fail(q, line, "<"+element+"> in plain text (confidentiality protection is off)", "<"+element+"> encrypted")
	case !sameValue(v.text, want):
		j.fail(q, line, fmt.Sprintf("<%s> set to the %s %q", element, what, want), strconv.Quote(v.text))
	case v.text != want:
		j.pass(q, "<"+element+"><"+v.carrier+"> holds the "+what+" as a UUID, "+v.text+" (RFC 4122 3: hex digits are case-insensitive on input)")
	case v.carrier == "text":
		j.pass(q, "<"+element+"> holds the "+what+", as bare text (Annex F.1 puts it in <mcpttString>/<mcpttURI>; the schema check judges the form)")
	default:
		j.pass(q, "<"+element+"><"+v.carrier+"> holds the "+what)
	}
}

// profileIndex reads a <selected-user-profile-index> element and its
// <user-profile-index> child, whose namespace must be the parent's.
func profileIndex(e *xmldoc.Element) (int, error) {
	inner := e.Child(e.Space, "user-profile-index")
	if inner == nil {
		for _, c := range e.Children {
			if c.Local == "user-profile-index" {
				return 0, fmt.Errorf("<user-profile-index> is in namespace %q, expected %q", c.Space, e.Space)
			}
		}
		return 0, fmt.Errorf("<selected-user-profile-index> holds no <user-profile-index>")
	}
	n, err := strconv.Atoi(inner.Value())
	if err != nil || n < 0 {
		return 0, fmt.Errorf("<user-profile-index> holds %q, expected a non-negative integer", inner.Chars)
	}
	return n, nil
}
