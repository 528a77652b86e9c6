package validators

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/mcptt-conformance/mcptt-conformance/crypto/xmlprotect"
	"github.com/mcptt-conformance/mcptt-conformance/profile"
	"github.com/mcptt-conformance/mcptt-conformance/verdict"
	"github.com/mcptt-conformance/mcptt-conformance/wire/multipart"
	"github.com/mcptt-conformance/mcptt-conformance/wire/xmldoc"
)

// TS 24.379 7.2.1 SIP REGISTER request for service authorisation.
var clause721 = []Requirement{
	{ID: "7.2.1-01", Clause: "7.2.1", Title: "REGISTER well-formed",
		Text:    "When the MCPTT client performs SIP registration for service authorisation the MCPTT client shall perform the registration procedures as specified in 3GPP TS 24.229 (a well-formed REGISTER per RFC 3261).",
		Applies: Applies{Migration: noMigration}, Over: EachRegisterReceived, Check: wellFormedRegister},
	{ID: "7.2.1-02", Clause: "7.2.1", Title: "Contact carries g.3gpp.mcptt",
		Text:    "The MCPTT client shall include the g.3gpp.mcptt media feature tag in the Contact header field of the SIP REGISTER request.",
		Applies: Applies{Migration: noMigration}, Over: EachRegistration, Check: mcpttTag},
	{ID: "7.2.1-03", Clause: "7.2.1", Title: "Contact carries the MCPTT ICSI",
		Text:    `The MCPTT client shall include the g.3gpp.icsi-ref media feature tag containing the value of "urn:urn-7:3gpp-service.ims.icsi.mcptt" in the Contact header field of the SIP REGISTER request.`,
		Applies: Applies{Migration: noMigration}, Over: EachRegistration, Check: icsiTag},
	{ID: "7.2.1-04", Clause: "7.2.1", Title: "Log-off re-REGISTER drops both tags",
		Text:    "NOTE 1: If the MCPTT client logs off from the MCPTT service but the MCPTT UE remains registered the MCPTT UE performs a re-registration without both the g.3gpp.mcptt media feature tag and the g.3gpp.icsi-ref media feature tag containing the MCPTT ICSI.",
		Applies: Applies{Migration: noMigration}, Over: EachLogoff, Check: logoffTags},
	{ID: "7.2.1-05", Clause: "7.2.1", Title: "Service continuity (TS 24.237 6.2.2)",
		Text:    "If the MCPTT client supports MCPTT service continuity, then the MCPTT client shall follow the IMS registration procedures for PS to PS service continuity as specified in clause 6.2.2 of 3GPP TS 24.237.",
		Applies: Applies{Migration: noMigration, Continuity: true}, Over: TheRun, CheckRun: continuity},
	{ID: "7.2.1-06", Clause: "7.2.1", Title: "REGISTER carries mcptt-info",
		Text:    "With confidentiality and integrity protection disabled, the MCPTT client shall include in the SIP REGISTER request an application/vnd.3gpp.mcptt-info+xml MIME body as defined in Annex F.1.",
		Applies: Applies{Authz: profile.ByRegister, Migration: noMigration, Protection: plaintext}, Over: EachRegistration, Check: hasInfoBody},
	{ID: "7.2.1-07", Clause: "7.2.1", Title: "mcptt-info valid against Annex F.1",
		Text:    "The application/vnd.3gpp.mcptt-info+xml MIME body shall be as defined in Annex F.1 (valid against its schema).",
		Applies: Applies{Authz: profile.ByRegister, Migration: noMigration}, Over: EachRegistration, Check: withInfo(infoSchema)},
	{ID: "7.2.1-08", Clause: "7.2.1", Title: "mcptt-access-token is the token",
		Text:    "With protection disabled, the mcptt-info body shall carry the <mcptt-access-token> element set to the value of the access token received during the user authentication procedures.",
		Applies: Applies{Authz: profile.ByRegister, Migration: noMigration, Protection: plaintext}, Over: EachRegistration, Check: withInfo(tokenValue)},
	{ID: "7.2.1-09", Clause: "7.2.1", Title: "mcptt-client-id is the client ID",
		Text:    "With protection disabled, the mcptt-info body shall carry the <mcptt-client-id> element set to the value of the MCPTT client ID of the originating MCPTT client.",
		Applies: Applies{Authz: profile.ByRegister, Migration: noMigration, Protection: plaintext}, Over: EachRegistration, Check: withInfo(clientIDValue)},
	{ID: "7.2.1-10", Clause: "7.2.1", Title: "application/mikey body with the CSK",
		Text:    "With confidentiality or integrity protection enabled, the MCPTT client shall include an application/mikey MIME body with the CSK as MIKEY-SAKKE I_MESSAGE (3GPP TS 33.180).",
		Applies: Applies{Authz: profile.ByRegister, Migration: noMigration, Protection: protected}, Over: EachRegistration, Check: mikeyPresent},
	{ID: "7.2.1-11", Clause: "7.2.1", Title: "I_MESSAGE addressed to the suite's MDSI",
		Text:    "The receiving entity URI in the I_MESSAGE shall be the MCX-Server-Domain-Security-Identifier (MDSI) of the MCPTT server.",
		Applies: Applies{Authz: profile.ByRegister, Migration: noMigration, Protection: protected}, Over: EachRegistration, Check: addressed},
	{ID: "7.2.1-12", Clause: "7.2.1", Title: "One application/mikey body per MDSI",
		Text:    "A client may include multiple application/mikey MIME bodies, each directed to a different MCX server, provided that each MCX server has a different MDSI.",
		Applies: Applies{Authz: profile.ByRegister, Migration: noMigration, Protection: protected}, Over: EachRegistration, Check: distinctMDSIs},
	{ID: "7.2.1-13", Clause: "7.2.1", Title: "I_MESSAGE well-formed, signed and decryptable",
		Text:    "The I_MESSAGE addressed to the suite shall be well-formed per TS 33.180 Annex E, its ECCSI signature shall verify for the client's identity, and its SAKKE payload shall decrypt to the CSK.",
		Applies: Applies{Authz: profile.ByRegister, Migration: noMigration, Protection: protected}, Over: EachRegistration, Check: opens},
	{ID: "7.2.1-14", Clause: "7.2.1", Title: "Access token encrypted with the CSK",
		Text:    "If confidentiality protection is enabled, the MCPTT client shall encrypt the received access-token using the CSK and include the <mcptt-access-token> element set to the encrypted access-token (6.6.2.3.3).",
		Applies: Applies{Authz: profile.ByRegister, Migration: noMigration, Protection: confOn}, Over: EachRegistration,
		Check: withInfo(encrypted("mcptt-access-token", "access token", accessToken))},
	{ID: "7.2.1-15", Clause: "7.2.1", Title: "Client ID encrypted with the CSK",
		Text:    "If confidentiality protection is enabled, the MCPTT client shall encrypt the MCPTT client ID and include the <mcptt-client-id> element set to the encrypted MCPTT client ID.",
		Applies: Applies{Authz: profile.ByRegister, Migration: noMigration, Protection: confOn}, Over: EachRegistration,
		Check: withInfo(encrypted("mcptt-client-id", "MCPTT client ID", clientID))},
	{ID: "7.2.1-16", Clause: "7.2.1", Title: "Plaintext token and client ID under integrity only",
		Text:    "If confidentiality protection is disabled (integrity enabled), the MCPTT client shall include an application/vnd.3gpp.mcptt-info+xml MIME body with <mcptt-access-token> set to the access token and <mcptt-client-id> set to the MCPTT client ID.",
		Applies: Applies{Authz: profile.ByRegister, Migration: noMigration, Protection: integOnly}, Over: EachRegistration,
		Check: withInfo(tokenValue, clientIDValue)},
	{ID: "7.2.1-17", Clause: "7.2.1", Title: "mcptt-info integrity-protected with the CSK",
		Text:    "If integrity protection is enabled, the MCPTT client shall use the CSK to integrity protect the application/vnd.3gpp.mcptt-info+xml MIME body (6.6.3.3.3).",
		Applies: Applies{Authz: profile.ByRegister, Migration: noMigration, Protection: integOn}, Over: EachRegistration,
		Check: signed(xmldoc.TypeMCPTTInfo)},
}

func wellFormedRegister(j *judgement, r *Run, q *Request) { wellFormed(j, r, q, "REGISTER") }

func hasInfoBody(j *judgement, r *Run, q *Request) {
	if _, ok := soleBody(j, q, xmldoc.TypeMCPTTInfo); ok {
		j.pass(q, "the REGISTER carries one "+xmldoc.TypeMCPTTInfo+" body")
	}
}

// soleBody finds the request's one body of mediaType: TS 24.379 7.1 has one per MC
// service, so none, or several, is a fail naming the parts seen.
func soleBody(j *judgement, q *Request, mediaType string) (multipart.Part, bool) {
	parts := q.Body.Find(mediaType)
	switch len(parts) {
	case 0:
		j.fail(q, 0, "an "+mediaType+" body", describeBodies(q))
		return multipart.Part{}, false
	case 1:
		return parts[0], true
	}
	var names []string
	for _, p := range parts {
		names = append(names, p.Name())
	}
	j.fail(q, partLine(q, parts[1], 1), "one "+mediaType+" body (one per MC service, TS 24.379 7.1)",
		fmt.Sprintf("%d of them: %s", len(parts), strings.Join(names, " and ")))
	j.inParts(parts...)
	return multipart.Part{}, false
}

func describeBodies(q *Request) string {
	if len(q.Body.Parts) == 0 {
		return "no body"
	}
	var types []string
	for _, p := range q.Body.Parts {
		types = append(types, p.MediaType)
	}
	return "bodies of type " + strings.Join(types, ", ")
}

// withInfo judges the request's mcptt-info body with each check in turn; without the
// body, the request's row is inconclusive, since the body's presence is its own
// requirement.
func withInfo(checks ...bodyCheck) func(*judgement, *Run, *Request) {
	return withBody(xmldoc.TypeMCPTTInfo, "mcptt-info", "its absence is judged by the requirement that asks for the body", checks)
}

// infoSchema judges the mcptt-info body against Annex F.1. Under confidentiality it is
// judged after decryption, each EncryptedData replaced by its plaintext (facts.md
// section 0: 7A.2.1 encrypts an element whose schema type cannot hold EncryptedData).
func infoSchema(j *judgement, r *Run, q *Request, part multipart.Part, doc *xmldoc.Element) {
	if !r.Profile.Confidentiality {
		schemaValid(j, q, part, xmldoc.MCPTTInfo, "mcptt-info")
		return
	}
	p := q.protection(r)
	if p.keys == nil {
		j.inconclusive(q, "the mcptt-info body is judged after decryption, but %s", p.noKeys)
		return
	}
	plain, _, err := xmlprotect.DecryptDocument(part.Body, *p.keys)
	if err != nil {
		j.inconclusive(q, "the mcptt-info body is judged after decryption, but it does not decrypt (judged by the encryption requirements): %v", err)
		return
	}
	_, probs := checkXML(xmldoc.MCPTTInfo, plain)
	schemaVerdict(j, q, part, probs, "decrypted mcptt-info", func(line int) int { return line })
}

func accessToken(r *Run) string  { return r.Profile.Identity.AccessToken }
func clientID(r *Run) string     { return r.Profile.Identity.ClientID }
func partnerToken(r *Run) string { return r.Profile.Identity.PartnerToken }
func primaryID(r *Run) string    { return r.Profile.Identity.PrimaryMCPTTID }
func profileIndexText(r *Run) string {
	return strconv.Itoa(*r.Profile.Settings.UserProfileIndex)
}

func tokenValue(j *judgement, r *Run, q *Request, part multipart.Part, doc *xmldoc.Element) {
	plainValue(j, q, part, doc, "mcptt-access-token", r.Profile.Identity.AccessToken, "access token")
}

func clientIDValue(j *judgement, r *Run, q *Request, part multipart.Part, doc *xmldoc.Element) {
	plainValue(j, q, part, doc, "mcptt-client-id", r.Profile.Identity.ClientID, "MCPTT client ID")
}

// logoffTags judges 7.2.1 NOTE 1: a log-off re-REGISTER carries neither MCPTT tag on
// any of its contacts. In a capture that holds no responses the registration it logs
// off from is assumed accepted, and the detail says so.
func logoffTags(j *judgement, r *Run, q *Request) {
	const want = "the log-off re-REGISTER without both MCPTT tags"
	if c, _, found := findTag(q, "g.3gpp.mcptt"); found {
		j.fail(q, c.Line, want, "+g.3gpp.mcptt still in "+quoteContacts(q))
		return
	}
	if c, _, found := mcpttICSI(q); found {
		j.fail(q, c.Line, want, "g.3gpp.icsi-ref with the MCPTT ICSI still in "+quoteContacts(q))
		return
	}
	assumed := ""
	if r.noResponses {
		assumed = "; the capture holds no responses, so the acceptance of the registration it logs off from (same Call-ID, lower CSeq) is assumed"
	}
	j.passf(q, "the re-REGISTER that logs off from MCPTT carries neither +g.3gpp.mcptt nor the MCPTT ICSI, and keeps the registration (not a de-registration)%s", assumed)
}

// continuity: TS 24.237 is a referenced specification this suite does not cover.
func continuity(j *judgement, r *Run) {
	j.add(verdict.Result{Verdict: verdict.NotTested, Message: "run",
		Detail: "PS to PS service continuity follows TS 24.237 clause 6.2.2, which this suite does not cover; the client declares support, so check it with a TS 24.237 test system"}, 0)
}
