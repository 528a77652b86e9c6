package suites_test

import . "github.com/onsi/ginkgo/v2"

// TS 24.379 7A.2.1 SIP REGISTER request for migration service authorization.
var _ = Describe("7A.2.1 SIP REGISTER request for migration service authorization", Label("clause:7A.2.1"), func() {
	// "When the MCPTT client performs SIP registration for migration service authorization,
	// the MCPTT client shall perform the registration procedures as specified in 3GPP TS
	// 24.229."
	It("7A.2.1-01 Migration REGISTER well-formed", Label("7A.2.1-01"), func() { judge("7A.2.1-01") })

	// "The MCPTT client shall include the g.3gpp.mcptt media feature tag in the Contact
	// header field of the SIP REGISTER request."
	It("7A.2.1-02 Contact carries g.3gpp.mcptt", Label("7A.2.1-02"), func() { judge("7A.2.1-02") })

	// "The MCPTT client shall include the g.3gpp.icsi-ref media feature tag containing the
	// value of "urn:urn-7:3gpp-service.ims.icsi.mcptt" in the Contact header field."
	It("7A.2.1-03 Contact carries the MCPTT ICSI", Label("7A.2.1-03"), func() { judge("7A.2.1-03") })

	// "If the MCPTT client supports MCPTT service continuity, it shall follow the IMS
	// registration procedures for PS to PS service continuity as specified in clause 6.2.2
	// of 3GPP TS 24.237."
	It("7A.2.1-04 Service continuity (TS 24.237 6.2.2)", Label("7A.2.1-04"), func() { judge("7A.2.1-04") })

	// "With protection disabled, the MCPTT client shall include an
	// application/vnd.3gpp.mcptt-info+xml MIME body as defined in Annex F.1 with the <mcptt-
	// access-token> element set to the value of the access token received from the partner
	// IdM server."
	It("7A.2.1-05 mcptt-info with the partner token", Label("7A.2.1-05"), func() { judge("7A.2.1-05") })

	// "With protection disabled, the <mcptt-request-uri> element shall be set to the value
	// of the MCPTT ID of the user in the primary MCPTT system."
	It("7A.2.1-06 mcptt-request-uri is the primary MCPTT ID", Label("7A.2.1-06"), func() { judge("7A.2.1-06") })

	// "With protection disabled, the <selected-user-profile-index> element shall be set to
	// the value contained in the "user-profile-index" attribute of the MCPTT user profile
	// selected according to clause 4.2.2.1.2.3 of 3GPP TS 24.484."
	It("7A.2.1-07 selected-user-profile-index is the selected profile's", Label("7A.2.1-07"), func() { judge("7A.2.1-07") })

	// "With either protection enabled, the MCPTT client shall include an application/mikey
	// MIME body with the CSK as MIKEY-SAKKE I_MESSAGE where the receiving entity URI is the
	// MDSI of the MCPTT server; several only with distinct MDSIs."
	It("7A.2.1-08 application/mikey body for the suite's MDSI", Label("7A.2.1-08"), func() { judge("7A.2.1-08") })

	// "If confidentiality protection is enabled, the MCPTT client shall encrypt the received
	// access-token using the CSK and include the <mcptt-access-token> element set to the
	// encrypted access-token."
	It("7A.2.1-09 Partner token encrypted with the CSK", Label("7A.2.1-09"), func() { judge("7A.2.1-09") })

	// "If confidentiality protection is enabled, the MCPTT client shall encrypt the MCPTT ID
	// of the user in the primary MCPTT system and include the <mcptt-request-uri> element
	// set to the encrypted MCPTT ID."
	It("7A.2.1-10 Primary MCPTT ID encrypted with the CSK", Label("7A.2.1-10"), func() { judge("7A.2.1-10") })

	// "If confidentiality protection is enabled, the MCPTT client shall encrypt the user-
	// profile-index value and include the <selected-user-profile-index> element set to the
	// encrypted value."
	It("7A.2.1-11 Profile index encrypted with the CSK", Label("7A.2.1-11"), func() { judge("7A.2.1-11") })

	// "If confidentiality protection is disabled (integrity enabled), the mcptt-info body
	// shall carry <mcptt-access-token>, <mcptt-request-uri> and <selected-user-profile-
	// index> in plain text as in 05 to 07."
	It("7A.2.1-12 Plaintext values under integrity only", Label("7A.2.1-12"), func() { judge("7A.2.1-12") })

	// "If integrity protection is enabled, the MCPTT client shall use the CSK to integrity
	// protect the application/vnd.3gpp.mcptt-info+xml MIME body (6.6.3.3.3)."
	It("7A.2.1-13 mcptt-info integrity-protected with the CSK", Label("7A.2.1-13"), func() { judge("7A.2.1-13") })
})
