package validators

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/mcptt-conformance/mcptt-conformance/capture"
	"github.com/mcptt-conformance/mcptt-conformance/profile"
	"github.com/mcptt-conformance/mcptt-conformance/verdict"
	"github.com/mcptt-conformance/mcptt-conformance/wire/multipart"
	"github.com/mcptt-conformance/mcptt-conformance/wire/sipmsg"
	"github.com/mcptt-conformance/mcptt-conformance/wire/xmldoc"
)

// TS 24.379 7.2.2 SIP PUBLISH request for service authorisation and MCPTT service settings.
var clause722 = []Requirement{
	{ID: "7.2.2-01", Clause: "7.2.2", Title: "PUBLISH follows 7.2.1A",
		Text:    "The MCPTT client shall perform the procedures in clause 7.2.1A (Event: poc-settings; Accept-Contact with +g.3gpp.mcptt;require;explicit; Expires; Request-URI the server's PSI; P-Preferred-Service).",
		Applies: Applies{Authz: profile.ByPublish}, Over: EachPublish, Check: publishHeaders},
	{ID: "7.2.2-02", Clause: "7.2.2", Title: "PUBLISH carries mcptt-info with the token",
		Text:    "If confidentiality and integrity protection are disabled, the MCPTT client shall include in the body of the SIP PUBLISH request an application/vnd.3gpp.mcptt-info+xml MIME body with the <mcptt-access-token> element.",
		Applies: Applies{Authz: profile.ByPublish, Protection: plaintext}, Over: EachServicePublish, Check: publishInfoBody},
	{ID: "7.2.2-03", Clause: "7.2.2", Title: "application/mikey body addressed to the suite's MDSI",
		Text:    "If either protection is enabled, the MCPTT client shall include an application/mikey MIME body with the CSK as MIKEY-SAKKE I_MESSAGE where the receiving entity URI is the MDSI of the MCPTT server.",
		Applies: Applies{Authz: profile.ByPublish, Protection: protected}, Over: EachServicePublish, Check: allOf(mikeyPresent, addressed)},
	{ID: "7.2.2-04", Clause: "7.2.2", Title: "One application/mikey body per MDSI",
		Text:    "Several application/mikey MIME bodies are allowed only when each is directed to an MCX server with a different MDSI.",
		Applies: Applies{Authz: profile.ByPublish, Protection: protected}, Over: EachServicePublish, Check: distinctMDSIs},
	{ID: "7.2.2-05", Clause: "7.2.2", Title: "I_MESSAGE verifies and decrypts",
		Text:    "The I_MESSAGE addressed to the suite shall verify and decrypt to a CSK.",
		Applies: Applies{Authz: profile.ByPublish, Protection: protected}, Over: EachServicePublish, Check: opens},
	{ID: "7.2.2-06", Clause: "7.2.2", Title: "Access token encrypted with the CSK",
		Text:    "If confidentiality protection is enabled, the <mcptt-access-token> element shall be set to the received access-token encrypted using the CSK.",
		Applies: Applies{Authz: profile.ByPublish, Protection: confOn}, Over: EachServicePublish,
		Check: withInfo(encrypted("mcptt-access-token", "access token", accessToken))},
	{ID: "7.2.2-07", Clause: "7.2.2", Title: "Client ID encrypted with the CSK",
		Text:    "If confidentiality protection is enabled, the <mcptt-client-id> element shall be set to the encrypted MCPTT client ID.",
		Applies: Applies{Authz: profile.ByPublish, Protection: confOn}, Over: EachServicePublish,
		Check: withInfo(encrypted("mcptt-client-id", "MCPTT client ID", clientID))},
	{ID: "7.2.2-08", Clause: "7.2.2", Title: "Plaintext token and client ID",
		Text:    "If confidentiality protection is disabled, the mcptt-info body shall carry <mcptt-access-token> set to the access token and <mcptt-client-id> set to the MCPTT client ID.",
		Applies: Applies{Authz: profile.ByPublish, Protection: confOff}, Over: EachServicePublish, Check: withInfo(tokenValue, clientIDValue)},
	{ID: "7.2.2-09", Clause: "7.2.2", Title: "mcptt-info valid against Annex F.1",
		Text:    "The application/vnd.3gpp.mcptt-info+xml MIME body shall be as specified in Annex F.1 (valid against its schema).",
		Applies: Applies{Authz: profile.ByPublish}, Over: EachServicePublish, Check: withInfo(infoSchema)},
	{ID: "7.2.2-10", Clause: "7.2.2", Title: "PUBLISH carries a valid poc-settings body",
		Text:    "The MCPTT client shall include an application/poc-settings+xml MIME body (IETF RFC 4354 with the extensions of 7.4.1.2.2).",
		Applies: Applies{Authz: profile.ByPublish}, Over: EachServicePublish, Check: pocBody},
	{ID: "7.2.2-11", Clause: "7.2.2", Title: "am-settings is the current answer mode",
		Text:    `The poc-settings body shall contain the Answer-Mode Indication setting in the <am-settings> element set to the current answer mode setting ("auto-answer" or "manual-answer") of the MCPTT client.`,
		Applies: Applies{Authz: profile.ByPublish}, Over: EachServicePublish, Check: withPoC(answerMode)},
	{ID: "7.2.2-12", Clause: "7.2.2", Title: "selected-user-profile-index is the selected profile's",
		Text:    `The poc-settings body shall contain the <selected-user-profile-index> element set to the value of the "user-profile-index" attribute of the selected MCPTT user profile.`,
		Applies: Applies{Authz: profile.ByPublish}, Over: EachServicePublish, Check: withPoC(pocProfileIndex)},
	{ID: "7.2.2-13", Clause: "7.2.2", Title: "multiplex-support present",
		Text:    "The poc-settings body shall contain the <multiplex-support> element as defined in clause 7.4.1.2.2.",
		Applies: Applies{Authz: profile.ByPublish}, Over: EachServicePublish, Check: withPoC(multiplex)},
	{ID: "7.2.2-14", Clause: "7.2.2", Title: "mcptt-info and poc-settings integrity-protected",
		Text:    "If integrity protection is enabled, the MCPTT client shall use the CSK to integrity protect the mcptt-info and the poc-settings MIME bodies (6.6.3.3.3).",
		Applies: Applies{Authz: profile.ByPublish, Protection: integOn}, Over: EachServicePublish,
		Check: signed(xmldoc.TypeMCPTTInfo, xmldoc.TypePoCSettings)},
	{ID: "7.2.2-15", Clause: "7.2.2", Title: "PUBLISH well-formed",
		Text:    "The MCPTT client shall send the SIP PUBLISH request according to 3GPP TS 24.229 (a well-formed PUBLISH per RFC 3261 and RFC 3903).",
		Applies: Applies{Authz: profile.ByPublish}, Over: EachPublishReceived, Check: wellFormedPublish},
	{ID: "7.2.2-16", Clause: "7.2.2", Title: "Not authorised after a PUBLISH failure",
		Text:    "Upon receiving a SIP 3xx, 4xx or 5xx response to the SIP PUBLISH request, the MCPTT client shall consider that the MCPTT client is not authorised.",
		Applies: Applies{Authz: profile.ByPublish}, Over: TheRun, CheckRun: notAuthorised},
}

// wellFormedPublish judges a PUBLISH against RFC 3261 and RFC 3903; a refresh or
// removal must also name in SIP-If-Match an entity-tag the server issued (RFC 3903 4.3,
// 6), as the captured responses or the suite's answer (412 for an unknown tag) show.
func wellFormedPublish(j *judgement, r *Run, q *Request) {
	if q.SIP == nil || q.Publication == Publication {
		wellFormed(j, r, q, "PUBLISH")
		return
	}
	m, _ := q.SIP.First("sip-if-match")
	switch known, issued := r.issuedETag(q, m.Value); {
	case known && !issued:
		j.fail(q, m.Line, "SIP-If-Match naming an entity-tag the server issued in SIP-ETag (RFC 3903 4.3)", "SIP-If-Match: "+m.Value+", a tag the server never issued")
	case !known && len(sipmsg.CheckRequest(q.SIP, "PUBLISH")) == 0:
		j.inconclusive(q, "well-formed PUBLISH, but whether SIP-If-Match %s names an entity-tag the server issued cannot be seen: the capture holds neither the server's responses nor its answers", m.Value)
	default:
		wellFormed(j, r, q, "PUBLISH")
	}
}

// issuedETag tells whether the run shows which entity-tags the server issued (known),
// and whether tag is one: from the SIP-ETag of the PUBLISH responses captured, or else
// from the suite's answer to q (412 Conditional Request Failed, RFC 3903 6).
func (r *Run) issuedETag(q *Request, tag string) (known, issued bool) {
	for _, o := range r.Others {
		res, err := sipmsg.Parse(o.Raw)
		if err != nil || res.IsRequest {
			continue
		}
		if _, method, _ := res.CSeq(); method != "PUBLISH" {
			continue
		}
		known = true
		if e, ok := res.First("sip-etag"); ok && e.Value == tag {
			return true, true
		}
	}
	switch {
	case known:
		return true, false
	case q.Capture.Status != 0:
		return true, q.Capture.Status != 412
	}
	return false, false
}

// publishHeaders judges the 7.2.1A header rules that are known (facts.md 2.3 and
// section 0): Event and Accept-Contact are required; Expires must not remove the
// publication; Request-URI = PSI and P-Preferred-Service are secondary facts, so
// their absence is a lenient reading.
func publishHeaders(j *judgement, r *Run, q *Request) {
	m := q.SIP
	ev, ok := m.First("event")
	if !ok || !strings.EqualFold(token(ev.Value), "poc-settings") {
		j.fail(q, ev.Line, "Event: poc-settings", headerOrNone(ev, ok))
		return
	}
	if h, ok := acceptContactMCPTT(m); !ok {
		j.fail(q, h.Line, "Accept-Contact: *;+g.3gpp.mcptt;require;explicit (TS 24.379 7.3.1: a server recognises a service-authorisation PUBLISH by it, so a conformant server would not treat this PUBLISH as service authorisation)", headerOrNone(h, h.Name != ""))
		return
	}
	if exp, ok := m.First("expires"); ok && q.Publication != Removal {
		if n, err := strconv.ParseUint(strings.TrimSpace(exp.Value), 10, 32); err != nil || n == 0 {
			j.fail(q, exp.Line, "Expires greater than 0 (0 removes the publication, 24.379 7.3.5)", "Expires: "+exp.Value)
			return
		}
	}
	var readings []string
	if psi := r.Profile.Server.PSI; psi != "" && !strings.EqualFold(m.RequestURI, psi) {
		readings = append(readings, fmt.Sprintf("Request-URI %s is not the server's PSI %s", m.RequestURI, psi))
	}
	if pps, ok := m.First("p-preferred-service"); !ok || !strings.Contains(strings.ToLower(pps.Value), MCPTTICSI) {
		readings = append(readings, "no P-Preferred-Service with the MCPTT ICSI")
	}
	if len(readings) > 0 {
		j.lenient(r, q, 1, readingPublishHeaders, "Event: poc-settings and Accept-Contact with +g.3gpp.mcptt;require;explicit are present, but "+strings.Join(readings, " and "))
		return
	}
	j.pass(q, "Event: poc-settings, Accept-Contact with +g.3gpp.mcptt;require;explicit, Expires, Request-URI = PSI and P-Preferred-Service as 7.2.1A asks")
}

func headerOrNone(h sipmsg.Header, ok bool) string {
	if !ok {
		return "no such header"
	}
	return fmt.Sprintf("%s: %s", h.Name, h.Value)
}

// token is a header value up to its first parameter.
func token(v string) string {
	if i := strings.IndexByte(v, ';'); i >= 0 {
		v = v[:i]
	}
	return strings.TrimSpace(v)
}

// acceptContactMCPTT finds an Accept-Contact value with +g.3gpp.mcptt, require and
// explicit. It returns the first Accept-Contact header either way, for the detail.
func acceptContactMCPTT(m *sipmsg.Message) (sipmsg.Header, bool) {
	hs := m.Get("accept-contact")
	var first sipmsg.Header
	for i, h := range hs {
		if i == 0 {
			first = h
		}
		for _, v := range sipmsg.SplitList(h.Value) {
			var tag, req, expl bool
			_, params, _ := strings.Cut(v, ";") // after the "*" (RFC 3841 ac-value)
			ps, _ := sipmsg.ParseParams(";" + params)
			for _, p := range ps {
				switch strings.ToLower(p.Name) {
				case "+g.3gpp.mcptt":
					tag = true
				case "require":
					req = true
				case "explicit":
					expl = true
				}
			}
			if tag && req && expl {
				return h, true
			}
		}
	}
	return first, false
}

func publishInfoBody(j *judgement, r *Run, q *Request) {
	part, ok := soleBody(j, q, xmldoc.TypeMCPTTInfo)
	if !ok {
		return
	}
	doc := document(j, q, part, "mcptt-info")
	if doc == nil {
		return
	}
	if len(doc.Find(xmldoc.NSMCPTTInfo, "mcptt-access-token")) == 0 {
		j.fail(q, partLine(q, part, 1), "the mcptt-info body to carry <mcptt-access-token>", "none")
		return
	}
	j.pass(q, "the PUBLISH carries an "+xmldoc.TypeMCPTTInfo+" body with <mcptt-access-token> (its value is judged under 7.2.2-08)")
}

func pocBody(j *judgement, r *Run, q *Request) {
	part, ok := soleBody(j, q, xmldoc.TypePoCSettings)
	if !ok {
		return
	}
	schemaValid(j, q, part, xmldoc.PoCSettings, "poc-settings")
}

// withPoC judges the PUBLISH's poc-settings body with a check.
func withPoC(check bodyCheck) func(*judgement, *Run, *Request) {
	return withBody(xmldoc.TypePoCSettings, "poc-settings", "judged under 7.2.2-10", []bodyCheck{check})
}

// answerModes maps 24.379's words to RFC 4354's values (facts.md section 0).
var answerModes = map[string]string{"auto-answer": "automatic", "manual-answer": "manual"}

func answerMode(j *judgement, r *Run, q *Request, part multipart.Part, doc *xmldoc.Element) {
	want := r.Profile.Settings.AnswerMode
	am := doc.Find(xmldoc.NSPoCSettings, "am-settings")
	if len(am) == 0 {
		j.fail(q, partLine(q, part, 1), fmt.Sprintf("<am-settings> with <answer-mode> %s (%s)", answerModes[want], want), "no <am-settings>")
		return
	}
	mode := am[0].Child(xmldoc.NSPoCSettings, "answer-mode")
	if mode == nil {
		j.fail(q, partLine(q, part, am[0].Line), fmt.Sprintf("<am-settings> to hold <answer-mode> %s (%s)", answerModes[want], want), "none")
		return
	}
	got := mode.Value()
	switch {
	case got == answerModes[want]:
		j.passf(q, "<answer-mode>%s</answer-mode> is the declared answer mode %s", got, want)
	case got == want:
		j.fail(q, partLine(q, part, mode.Line), fmt.Sprintf("<answer-mode>%s</answer-mode>, a value RFC 4354 defines (automatic or manual) for the current answer mode %s", answerModes[want], want),
			strconv.Quote(got)+", 24.379's word for the mode, which RFC 4354 does not define")
	default:
		j.fail(q, partLine(q, part, mode.Line), fmt.Sprintf("<answer-mode>%s</answer-mode> (the current answer mode %s)", answerModes[want], want), strconv.Quote(got))
	}
}

func pocProfileIndex(j *judgement, r *Run, q *Request, part multipart.Part, doc *xmldoc.Element) {
	want := *r.Profile.Settings.UserProfileIndex
	els := doc.Find(xmldoc.NSMCSSettings, "selected-user-profile-index")
	if len(els) == 0 {
		j.fail(q, partLine(q, part, 1), fmt.Sprintf("<selected-user-profile-index> in namespace %s set to %d", xmldoc.NSMCSSettings, want), "none")
		return
	}
	got, err := profileIndex(els[0])
	switch {
	case err != nil:
		j.fail(q, partLine(q, part, els[0].Line), fmt.Sprintf("<selected-user-profile-index> set to %d", want), fmt.Sprintf("a faulty element: %v", err))
	case got != want:
		j.fail(q, partLine(q, part, els[0].Line), fmt.Sprintf("<user-profile-index> %d (the selected user profile)", want), strconv.Itoa(got))
	default:
		j.pass(q, "<selected-user-profile-index> holds user-profile-index "+strconv.Itoa(got))
	}
}

func multiplex(j *judgement, r *Run, q *Request, part multipart.Part, doc *xmldoc.Element) {
	want := *r.Profile.Settings.MultiplexSupport
	els := doc.Find(xmldoc.NSMCSSettings, "multiplex-support")
	if len(els) == 0 {
		j.fail(q, partLine(q, part, 1), fmt.Sprintf("<multiplex-support> in namespace %s", xmldoc.NSMCSSettings), "none")
		return
	}
	got, err := strconv.ParseBool(els[0].Value())
	switch {
	case err != nil:
		j.fail(q, partLine(q, part, els[0].Line), "<multiplex-support> true or false", strconv.Quote(els[0].Chars))
	case got != want:
		j.fail(q, partLine(q, part, els[0].Line), fmt.Sprintf("<multiplex-support> %t as the profile declares", want), strconv.FormatBool(got))
	default:
		j.pass(q, "<multiplex-support> is present and "+strconv.FormatBool(got)+", as declared")
	}
}

// serviceRequests are methods a client only sends as an authorised MCPTT client.
var serviceRequests = map[string]bool{"INVITE": true, "MESSAGE": true, "REFER": true, "SUBSCRIBE": true, "INFO": true, "UPDATE": true}

// notAuthorised judges 7.2.2-16 over the run: after the suite rejected a PUBLISH, an
// MCPTT service request shows the client going on as authorised (fail); a
// de-registration or a new service-authorisation attempt shows it does not (pass);
// nothing at all is inconclusive.
func notAuthorised(j *judgement, r *Run) {
	rej := r.Profile.Server.PublishResponse
	if rej == nil {
		*j = notApplicable("does not apply: the profile does not ask the suite to reject the PUBLISH (server.publish_response)")
		return
	}
	var rejected *capture.Message
	var after []*capture.Message
	for _, m := range r.Messages {
		switch {
		case rejected == nil && m.Method == "PUBLISH" && m.Status >= 300:
			rejected = m
		case rejected != nil && m.RetransmissionOf == 0:
			after = append(after, m)
		}
	}
	if rejected == nil {
		*j = noneArrived("PUBLISH answered with a failure")
		return
	}
	answer := fmt.Sprintf("%d %s to its PUBLISH", rej.Status, rej.Reason)
	names := []string{rejected.Name}
	for _, m := range after {
		names = append(names, m.Name)
		if serviceRequests[m.Method] {
			p := problem{Expected: "the client to consider itself not authorised after " + answer,
				Actual: fmt.Sprintf("%s (%s), sent as an authorised MCPTT client", m.Method, m.Name)}
			j.add(verdict.Result{Verdict: verdict.Fail, Message: strings.Join(names, ", "), Detail: p.String(), Expected: p.Expected, Actual: p.Actual}, 0)
			return
		}
	}
	for _, q := range r.Requests {
		if q.Capture.Seq > rejected.Seq && (q.Kind == Deregistration && q.Method() == "REGISTER" || q.Method() == "PUBLISH") {
			j.add(verdict.Result{Verdict: verdict.Pass, Message: strings.Join(names, ", "),
				Detail: "after " + answer + " the client sent no MCPTT service request and " + describeAfter(q)}, 0)
			return
		}
	}
	j.add(verdict.Result{Verdict: verdict.Inconclusive, Message: strings.Join(names, ", "),
		Detail:   "after " + answer + " the client sent no MCPTT service request, but nothing showed that it considers itself not authorised (no de-registration, no new authorisation attempt)",
		Expected: "a de-registration or a new authorisation attempt after " + answer, Actual: "neither, and no MCPTT service request"}, 0)
}

func describeAfter(q *Request) string {
	if q.Method() == "PUBLISH" {
		return "tried service authorisation again (" + q.Name() + ")"
	}
	return "de-registered (" + q.Name() + ")"
}
