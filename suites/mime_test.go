package suites_test

import . "github.com/onsi/ginkgo/v2"

// TS 24.379 MIME and XML framing of every request (cross-cutting).
var _ = Describe("MIME and XML framing of every request (cross-cutting)", Label("clause:MIME"), func() {
	// "A request with more than one body shall use multipart/mixed (RFC 2046, RFC 5621) with
	// a boundary that delimits every part; each part has its own Content-Type."
	It("MIME-01 multipart/mixed framing", Label("MIME-01"), func() { judge("MIME-01") })

	// "Every XML body shall be well-formed XML in UTF-8, its root in the namespace of its
	// content type."
	It("MIME-02 XML bodies well-formed, UTF-8, right namespace", Label("MIME-02"), func() { judge("MIME-02") })

	// "Every request's Content-Length shall equal the body's byte length."
	It("MIME-03 Content-Length matches the body", Label("MIME-03"), func() { judge("MIME-03") })
})
