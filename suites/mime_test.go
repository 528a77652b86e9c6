package suites_test

import . "github.com/onsi/ginkgo/v2"

// TS 24.379 MIME and XML framing of every request (cross-cutting).
var _ = Describe("MIME and XML framing of every request (cross-cutting)", Label(clauseLabel("MIME")), func() { requirementSpecs("MIME") })
