package suites_test

import . "github.com/onsi/ginkgo/v2"

// TS 24.379 7.2.1 SIP REGISTER request for service authorisation.
var _ = Describe("7.2.1 SIP REGISTER request for service authorisation", Label("clause:7.2.1"), func() {
	// "When the MCPTT client performs SIP registration for service authorisation the MCPTT
	// client shall perform the registration procedures as specified in 3GPP TS 24.229 (a
	// well-formed REGISTER per RFC 3261)."
	It("7.2.1-01 REGISTER well-formed", Label("7.2.1-01"), func() { judge("7.2.1-01") })

	// "The MCPTT client shall include the g.3gpp.mcptt media feature tag in the Contact
	// header field of the SIP REGISTER request."
	It("7.2.1-02 Contact carries g.3gpp.mcptt", Label("7.2.1-02"), func() { judge("7.2.1-02") })

	// "The MCPTT client shall include the g.3gpp.icsi-ref media feature tag containing the
	// value of "urn:urn-7:3gpp-service.ims.icsi.mcptt" in the Contact header field of the
	// SIP REGISTER request."
	It("7.2.1-03 Contact carries the MCPTT ICSI", Label("7.2.1-03"), func() { judge("7.2.1-03") })

	// "NOTE 1: If the MCPTT client logs off from the MCPTT service but the MCPTT UE remains
	// registered the MCPTT UE performs a re-registration without both the g.3gpp.mcptt media
	// feature tag and the g.3gpp.icsi-ref media feature tag containing the MCPTT ICSI."
	It("7.2.1-04 Log-off re-REGISTER drops both tags", Label("7.2.1-04"), func() { judge("7.2.1-04") })

	// "If the MCPTT client supports MCPTT service continuity, then the MCPTT client shall
	// follow the IMS registration procedures for PS to PS service continuity as specified in
	// clause 6.2.2 of 3GPP TS 24.237."
	It("7.2.1-05 Service continuity (TS 24.237 6.2.2)", Label("7.2.1-05"), func() { judge("7.2.1-05") })

	// "With confidentiality and integrity protection disabled, the MCPTT client shall
	// include in the SIP REGISTER request an application/vnd.3gpp.mcptt-info+xml MIME body
	// as defined in Annex F.1."
	It("7.2.1-06 REGISTER carries mcptt-info", Label("7.2.1-06"), func() { judge("7.2.1-06") })

	// "The application/vnd.3gpp.mcptt-info+xml MIME body shall be as defined in Annex F.1
	// (valid against its schema)."
	It("7.2.1-07 mcptt-info valid against Annex F.1", Label("7.2.1-07"), func() { judge("7.2.1-07") })

	// "With protection disabled, the mcptt-info body shall carry the <mcptt-access-token>
	// element set to the value of the access token received during the user authentication
	// procedures."
	It("7.2.1-08 mcptt-access-token is the token", Label("7.2.1-08"), func() { judge("7.2.1-08") })

	// "With protection disabled, the mcptt-info body shall carry the <mcptt-client-id>
	// element set to the value of the MCPTT client ID of the originating MCPTT client."
	It("7.2.1-09 mcptt-client-id is the client ID", Label("7.2.1-09"), func() { judge("7.2.1-09") })

	// "With confidentiality or integrity protection enabled, the MCPTT client shall include
	// an application/mikey MIME body with the CSK as MIKEY-SAKKE I_MESSAGE (3GPP TS
	// 33.180)."
	It("7.2.1-10 application/mikey body with the CSK", Label("7.2.1-10"), func() { judge("7.2.1-10") })

	// "The receiving entity URI in the I_MESSAGE shall be the MCX-Server-Domain-Security-
	// Identifier (MDSI) of the MCPTT server."
	It("7.2.1-11 I_MESSAGE addressed to the suite's MDSI", Label("7.2.1-11"), func() { judge("7.2.1-11") })

	// "A client may include multiple application/mikey MIME bodies, each directed to a
	// different MCX server, provided that each MCX server has a different MDSI."
	It("7.2.1-12 One application/mikey body per MDSI", Label("7.2.1-12"), func() { judge("7.2.1-12") })

	// "The I_MESSAGE addressed to the suite shall be well-formed per TS 33.180 Annex E, its
	// ECCSI signature shall verify for the client's identity, and its SAKKE payload shall
	// decrypt to the CSK."
	It("7.2.1-13 I_MESSAGE well-formed, signed and decryptable", Label("7.2.1-13"), func() { judge("7.2.1-13") })

	// "If confidentiality protection is enabled, the MCPTT client shall encrypt the received
	// access-token using the CSK and include the <mcptt-access-token> element set to the
	// encrypted access-token (6.6.2.3.3)."
	It("7.2.1-14 Access token encrypted with the CSK", Label("7.2.1-14"), func() { judge("7.2.1-14") })

	// "If confidentiality protection is enabled, the MCPTT client shall encrypt the MCPTT
	// client ID and include the <mcptt-client-id> element set to the encrypted MCPTT client
	// ID."
	It("7.2.1-15 Client ID encrypted with the CSK", Label("7.2.1-15"), func() { judge("7.2.1-15") })

	// "If confidentiality protection is disabled (integrity enabled), the MCPTT client shall
	// include an application/vnd.3gpp.mcptt-info+xml MIME body with <mcptt-access-token> set
	// to the access token and <mcptt-client-id> set to the MCPTT client ID."
	It("7.2.1-16 Plaintext token and client ID under integrity only", Label("7.2.1-16"), func() { judge("7.2.1-16") })

	// "If integrity protection is enabled, the MCPTT client shall use the CSK to integrity
	// protect the application/vnd.3gpp.mcptt-info+xml MIME body (6.6.3.3.3)."
	It("7.2.1-17 mcptt-info integrity-protected with the CSK", Label("7.2.1-17"), func() { judge("7.2.1-17") })
})
