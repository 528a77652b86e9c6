package suites_test

import . "github.com/onsi/ginkgo/v2"

// TS 24.379 7.2.2 SIP PUBLISH request for service authorisation and MCPTT service settings.
var _ = Describe("7.2.2 SIP PUBLISH request for service authorisation and MCPTT service settings", Label("clause:7.2.2"), func() {
	// "The MCPTT client shall perform the procedures in clause 7.2.1A (Event: poc-settings;
	// Accept-Contact with +g.3gpp.mcptt;require;explicit; Expires; Request-URI the server's
	// PSI; P-Preferred-Service)."
	It("7.2.2-01 PUBLISH follows 7.2.1A", Label("7.2.2-01"), func() { judge("7.2.2-01") })

	// "If confidentiality and integrity protection are disabled, the MCPTT client shall
	// include in the body of the SIP PUBLISH request an application/vnd.3gpp.mcptt-info+xml
	// MIME body with the <mcptt-access-token> element."
	It("7.2.2-02 PUBLISH carries mcptt-info with the token", Label("7.2.2-02"), func() { judge("7.2.2-02") })

	// "If either protection is enabled, the MCPTT client shall include an application/mikey
	// MIME body with the CSK as MIKEY-SAKKE I_MESSAGE where the receiving entity URI is the
	// MDSI of the MCPTT server."
	It("7.2.2-03 application/mikey body addressed to the suite's MDSI", Label("7.2.2-03"), func() { judge("7.2.2-03") })

	// "Several application/mikey MIME bodies are allowed only when each is directed to an
	// MCX server with a different MDSI."
	It("7.2.2-04 One application/mikey body per MDSI", Label("7.2.2-04"), func() { judge("7.2.2-04") })

	// "The I_MESSAGE addressed to the suite shall verify and decrypt to a CSK."
	It("7.2.2-05 I_MESSAGE verifies and decrypts", Label("7.2.2-05"), func() { judge("7.2.2-05") })

	// "If confidentiality protection is enabled, the <mcptt-access-token> element shall be
	// set to the received access-token encrypted using the CSK."
	It("7.2.2-06 Access token encrypted with the CSK", Label("7.2.2-06"), func() { judge("7.2.2-06") })

	// "If confidentiality protection is enabled, the <mcptt-client-id> element shall be set
	// to the encrypted MCPTT client ID."
	It("7.2.2-07 Client ID encrypted with the CSK", Label("7.2.2-07"), func() { judge("7.2.2-07") })

	// "If confidentiality protection is disabled, the mcptt-info body shall carry <mcptt-
	// access-token> set to the access token and <mcptt-client-id> set to the MCPTT client
	// ID."
	It("7.2.2-08 Plaintext token and client ID", Label("7.2.2-08"), func() { judge("7.2.2-08") })

	// "The application/vnd.3gpp.mcptt-info+xml MIME body shall be as specified in Annex F.1
	// (valid against its schema)."
	It("7.2.2-09 mcptt-info valid against Annex F.1", Label("7.2.2-09"), func() { judge("7.2.2-09") })

	// "The MCPTT client shall include an application/poc-settings+xml MIME body (IETF RFC
	// 4354 with the extensions of 7.4.1.2.2)."
	It("7.2.2-10 PUBLISH carries a valid poc-settings body", Label("7.2.2-10"), func() { judge("7.2.2-10") })

	// "The poc-settings body shall contain the Answer-Mode Indication setting in the <am-
	// settings> element set to the current answer mode setting ("auto-answer" or "manual-
	// answer") of the MCPTT client."
	It("7.2.2-11 am-settings is the current answer mode", Label("7.2.2-11"), func() { judge("7.2.2-11") })

	// "The poc-settings body shall contain the <selected-user-profile-index> element set to
	// the value of the "user-profile-index" attribute of the selected MCPTT user profile."
	It("7.2.2-12 selected-user-profile-index is the selected profile's", Label("7.2.2-12"), func() { judge("7.2.2-12") })

	// "The poc-settings body shall contain the <multiplex-support> element as defined in
	// clause 7.4.1.2.2."
	It("7.2.2-13 multiplex-support present", Label("7.2.2-13"), func() { judge("7.2.2-13") })

	// "If integrity protection is enabled, the MCPTT client shall use the CSK to integrity
	// protect the mcptt-info and the poc-settings MIME bodies (6.6.3.3.3)."
	It("7.2.2-14 mcptt-info and poc-settings integrity-protected", Label("7.2.2-14"), func() { judge("7.2.2-14") })

	// "The MCPTT client shall send the SIP PUBLISH request according to 3GPP TS 24.229 (a
	// well-formed PUBLISH per RFC 3261 and RFC 3903)."
	It("7.2.2-15 PUBLISH well-formed", Label("7.2.2-15"), func() { judge("7.2.2-15") })

	// "Upon receiving a SIP 3xx, 4xx or 5xx response to the SIP PUBLISH request, the MCPTT
	// client shall consider that the MCPTT client is not authorised."
	It("7.2.2-16 Not authorised after a PUBLISH failure", Label("7.2.2-16"), func() { judge("7.2.2-16") })
})
