package validators

import (
	"fmt"
	"strconv"

	"github.com/mcptt-conformance/mcptt-conformance/profile"
	"github.com/mcptt-conformance/mcptt-conformance/verdict"
	"github.com/mcptt-conformance/mcptt-conformance/wire/multipart"
	"github.com/mcptt-conformance/mcptt-conformance/wire/xmldoc"
)

// TS 24.379 7A.2.1 SIP REGISTER request for migration service authorization.
var clause7A21 = []Requirement{
	{ID: "7A.2.1-01", Clause: "7A.2.1", Title: "Migration REGISTER well-formed",
		Text:    "When the MCPTT client performs SIP registration for migration service authorization, the MCPTT client shall perform the registration procedures as specified in 3GPP TS 24.229.",
		Applies: Applies{Migration: migrationOnly}, Over: EachRegisterReceived, Check: wellFormedRegister},
	{ID: "7A.2.1-02", Clause: "7A.2.1", Title: "Contact carries g.3gpp.mcptt",
		Text:    "The MCPTT client shall include the g.3gpp.mcptt media feature tag in the Contact header field of the SIP REGISTER request.",
		Applies: Applies{Migration: migrationOnly}, Over: EachRegistration, Check: mcpttTag},
	{ID: "7A.2.1-03", Clause: "7A.2.1", Title: "Contact carries the MCPTT ICSI",
		Text:    `The MCPTT client shall include the g.3gpp.icsi-ref media feature tag containing the value of "urn:urn-7:3gpp-service.ims.icsi.mcptt" in the Contact header field.`,
		Applies: Applies{Migration: migrationOnly}, Over: EachRegistration, Check: icsiTag},
	{ID: "7A.2.1-04", Clause: "7A.2.1", Title: "Service continuity (TS 24.237 6.2.2)",
		Text:    "If the MCPTT client supports MCPTT service continuity, it shall follow the IMS registration procedures for PS to PS service continuity as specified in clause 6.2.2 of 3GPP TS 24.237.",
		Applies: Applies{Migration: migrationOnly, Continuity: true}, Over: TheRun, CheckRun: continuity},
	{ID: "7A.2.1-05", Clause: "7A.2.1", Title: "mcptt-info with the partner token",
		Text:    "With protection disabled, the MCPTT client shall include an application/vnd.3gpp.mcptt-info+xml MIME body as defined in Annex F.1 with the <mcptt-access-token> element set to the value of the access token received from the partner IdM server.",
		Applies: Applies{Authz: profile.ByRegister, Migration: migrationOnly, Protection: plaintext}, Over: EachRegistration, Check: migrationBodyAndToken},
	{ID: "7A.2.1-06", Clause: "7A.2.1", Title: "mcptt-request-uri is the primary MCPTT ID",
		Text:    "With protection disabled, the <mcptt-request-uri> element shall be set to the value of the MCPTT ID of the user in the primary MCPTT system.",
		Applies: Applies{Authz: profile.ByRegister, Migration: migrationOnly, Protection: plaintext}, Over: EachRegistration, Check: withInfo(requestURIValue)},
	{ID: "7A.2.1-07", Clause: "7A.2.1", Title: "selected-user-profile-index is the selected profile's",
		Text:    `With protection disabled, the <selected-user-profile-index> element shall be set to the value contained in the "user-profile-index" attribute of the MCPTT user profile selected according to clause 4.2.2.1.2.3 of 3GPP TS 24.484.`,
		Applies: Applies{Authz: profile.ByRegister, Migration: migrationOnly, Protection: plaintext}, Over: EachRegistration, Check: withInfo(infoProfileIndex)},
	{ID: "7A.2.1-08", Clause: "7A.2.1", Title: "application/mikey body for the suite's MDSI",
		Text:    "With either protection enabled, the MCPTT client shall include an application/mikey MIME body with the CSK as MIKEY-SAKKE I_MESSAGE where the receiving entity URI is the MDSI of the MCPTT server; several only with distinct MDSIs.",
		Applies: Applies{Authz: profile.ByRegister, Migration: migrationOnly, Protection: protected}, Over: EachRegistration,
		Check: allOf(mikeyPresent, addressed, distinctMDSIs, opens)},
	{ID: "7A.2.1-09", Clause: "7A.2.1", Title: "Partner token encrypted with the CSK",
		Text:    "If confidentiality protection is enabled, the MCPTT client shall encrypt the received access-token using the CSK and include the <mcptt-access-token> element set to the encrypted access-token.",
		Applies: Applies{Authz: profile.ByRegister, Migration: migrationOnly, Protection: confOn}, Over: EachRegistration,
		Check: withInfo(encrypted("mcptt-access-token", "access token from the partner IdM server", partnerToken))},
	{ID: "7A.2.1-10", Clause: "7A.2.1", Title: "Primary MCPTT ID encrypted with the CSK",
		Text:    "If confidentiality protection is enabled, the MCPTT client shall encrypt the MCPTT ID of the user in the primary MCPTT system and include the <mcptt-request-uri> element set to the encrypted MCPTT ID.",
		Applies: Applies{Authz: profile.ByRegister, Migration: migrationOnly, Protection: confOn}, Over: EachRegistration,
		Check: withInfo(encrypted("mcptt-request-uri", "user's MCPTT ID in the primary MCPTT system", primaryID))},
	{ID: "7A.2.1-11", Clause: "7A.2.1", Title: "Profile index encrypted with the CSK",
		Text:    "If confidentiality protection is enabled, the MCPTT client shall encrypt the user-profile-index value and include the <selected-user-profile-index> element set to the encrypted value.",
		Applies: Applies{Authz: profile.ByRegister, Migration: migrationOnly, Protection: confOn}, Over: EachRegistration,
		Check: withInfo(encrypted("selected-user-profile-index", "selected user-profile-index", profileIndexText))},
	{ID: "7A.2.1-12", Clause: "7A.2.1", Title: "Plaintext values under integrity only",
		Text:    "If confidentiality protection is disabled (integrity enabled), the mcptt-info body shall carry <mcptt-access-token>, <mcptt-request-uri> and <selected-user-profile-index> in plain text as in 05 to 07.",
		Applies: Applies{Authz: profile.ByRegister, Migration: migrationOnly, Protection: integOnly}, Over: EachRegistration,
		Check: withInfo(partnerTokenValue, requestURIValue, infoProfileIndex)},
	{ID: "7A.2.1-13", Clause: "7A.2.1", Title: "mcptt-info integrity-protected with the CSK",
		Text:    "If integrity protection is enabled, the MCPTT client shall use the CSK to integrity protect the application/vnd.3gpp.mcptt-info+xml MIME body (6.6.3.3.3).",
		Applies: Applies{Authz: profile.ByRegister, Migration: migrationOnly, Protection: integOn}, Over: EachRegistration,
		Check: signed(xmldoc.TypeMCPTTInfo)},
}

// migrationBodyAndToken judges 7A.2.1-05: the body is there, schema-valid, and carries
// the partner token.
func migrationBodyAndToken(j *judgement, r *Run, q *Request) {
	part, ok := soleBody(j, q, xmldoc.TypeMCPTTInfo)
	if !ok {
		return
	}
	var schema judgement
	schemaValid(&schema, q, part, xmldoc.MCPTTInfo, "mcptt-info")
	if schema[0].Verdict == verdict.Fail {
		*j = append(*j, schema...)
		return
	}
	if doc := document(j, q, part, "mcptt-info"); doc != nil {
		partnerTokenValue(j, r, q, part, doc)
	}
}

func partnerTokenValue(j *judgement, r *Run, q *Request, part multipart.Part, doc *xmldoc.Element) {
	plainValue(j, q, part, doc, "mcptt-access-token", r.Profile.Identity.PartnerToken, "access token from the partner IdM server")
}

func requestURIValue(j *judgement, r *Run, q *Request, part multipart.Part, doc *xmldoc.Element) {
	plainValue(j, q, part, doc, "mcptt-request-uri", r.Profile.Identity.PrimaryMCPTTID, "user's MCPTT ID in the primary MCPTT system")
}

// infoProfileIndex judges <selected-user-profile-index> in a migration mcptt-info body:
// in mcptt-Params/anyExt in the mcpttInfo namespace (preferred), or in the mcsSettings
// namespace (facts.md section 0); the detail names which.
func infoProfileIndex(j *judgement, r *Run, q *Request, part multipart.Part, doc *xmldoc.Element) {
	want := *r.Profile.Settings.UserProfileIndex
	els := doc.Find(xmldoc.NSMCPTTInfo, "selected-user-profile-index")
	where := "the mcpttInfo namespace"
	if len(els) == 0 {
		els, where = doc.Find(xmldoc.NSMCSSettings, "selected-user-profile-index"), "the mcsSettings namespace (7.4.1.2.2)"
	}
	if len(els) == 0 {
		j.fail(q, partLine(q, part, 1), fmt.Sprintf("<selected-user-profile-index> set to %d in the mcptt-info body", want), "none")
		return
	}
	v := readValue(els[0])
	got, err := profileIndex(els[0])
	line := partLine(q, part, els[0].Line)
	switch {
	case v.encrypted:
		j.fail(q, line, "<selected-user-profile-index> in plain text (confidentiality protection is off)", "<selected-user-profile-index> encrypted")
	case err != nil:
		j.fail(q, line, fmt.Sprintf("<selected-user-profile-index> set to %d", want), fmt.Sprintf("a faulty element: %v", err))
	case got != want:
		j.fail(q, line, fmt.Sprintf("<user-profile-index> %d (the selected user profile)", want), strconv.Itoa(got))
	default:
		j.pass(q, "<selected-user-profile-index> in "+where+" holds user-profile-index "+strconv.Itoa(got))
	}
}
