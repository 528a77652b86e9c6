package suites_test

import . "github.com/onsi/ginkgo/v2"

// TS 24.379 7.2.1 SIP REGISTER request for service authorisation.
var _ = Describe("7.2.1 SIP REGISTER request for service authorisation", Label(clauseLabel("7.2.1")), func() { requirementSpecs("7.2.1") })
