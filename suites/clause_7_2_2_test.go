package suites_test

import . "github.com/onsi/ginkgo/v2"

// TS 24.379 7.2.2 SIP PUBLISH request for service authorisation and MCPTT service settings.
var _ = Describe("7.2.2 SIP PUBLISH request for service authorisation and MCPTT service settings", Label(clauseLabel("7.2.2")), func() { requirementSpecs("7.2.2") })
