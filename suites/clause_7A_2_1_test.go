package suites_test

import . "github.com/onsi/ginkgo/v2"

// TS 24.379 7A.2.1 SIP REGISTER request for migration service authorization.
var _ = Describe("7A.2.1 SIP REGISTER request for migration service authorization", Label(clauseLabel("7A.2.1")), func() { requirementSpecs("7A.2.1") })
