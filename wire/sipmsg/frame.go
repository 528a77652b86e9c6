package sipmsg

import (
	"bytes"
	"fmt"
)

// Size limits FrameLength enforces on a stream transport.
const (
	MaxHeaderBytes = 64 << 10 // start line and header section, with the empty line
	MaxBodyBytes   = 16 << 20
)

// FrameLength finds the first message in a TCP or TLS byte stream, for reassembly.
//
// When the stream starts with CR or LF bytes (RFC 5626 keep-alives, or the CRLFs RFC 3261
// 7.5 lets a receiver ignore), n counts just those bytes and complete is true: the caller
// drops stream[:n] and calls again. Otherwise n is the length of the first message, its
// header section plus the Content-Length (or compact l:) bytes of body, and complete is
// false while more bytes are needed. A header section without Content-Length frames a
// message without body, which CheckContentLength then reports.
//
// err is non-nil when the stream cannot be a SIP message: a first line that is neither a
// request nor a status line, control bytes in it, a header section over MaxHeaderBytes, a
// Content-Length that is not a number, that differs between two headers, or exceeds
// MaxBodyBytes. The caller should then close the connection.
func FrameLength(stream []byte) (n int, complete bool, err error) {
	for n < len(stream) && (stream[n] == '\r' || stream[n] == '\n') {
		n++
	}
	if n > 0 {
		return n, true, nil
	}
	end := HeaderEnd(stream)
	if end < 0 {
		if len(stream) > MaxHeaderBytes {
			return 0, false, fmt.Errorf("expected a header section of at most %d bytes, saw %d bytes without an empty line", MaxHeaderBytes, len(stream))
		}
		return 0, false, startLineFault(stream)
	}
	if end > MaxHeaderBytes {
		return 0, false, fmt.Errorf("expected a header section of at most %d bytes, saw %d", MaxHeaderBytes, end)
	}
	m, err := Parse(stream[:end])
	if err != nil {
		return 0, false, err
	}
	length := 0
	for i, h := range m.Get("content-length") {
		v, ok := decimal(h.Value)
		switch {
		case !ok:
			return 0, false, Problem{Expected: "a Content-Length of decimal digits", Actual: quote(h.Value), Line: h.Line}
		case i > 0 && v != length:
			return 0, false, Problem{Expected: "one Content-Length value", Actual: fmt.Sprintf("%d and %d", length, v), Line: h.Line}
		case v > MaxBodyBytes:
			return 0, false, Problem{Expected: fmt.Sprintf("a body of at most %d bytes", MaxBodyBytes), Actual: fmt.Sprintf("Content-Length %d", v), Line: h.Line}
		}
		length = v
	}
	if end+length > len(stream) {
		return 0, false, nil
	}
	return end + length, true, nil
}

// HeaderEnd returns the offset just after the empty line (LF, or CRLF, after a line's LF)
// that ends the header section of a stream that does not start with a line end, or -1.
// multipart reads the header lines of a body part with it too.
func HeaderEnd(stream []byte) int {
	// The first LF followed by LF or CRLF: one pass over the header section, not the
	// body after it.
	for i := 0; ; {
		j := bytes.IndexByte(stream[i:], '\n')
		if j < 0 {
			return -1
		}
		i += j + 1
		switch rest := stream[i:]; {
		case len(rest) > 0 && rest[0] == '\n':
			return i + 1
		case len(rest) > 1 && rest[0] == '\r' && rest[1] == '\n':
			return i + 2
		}
	}
}

// startLineFault judges the start of a stream whose header section is not complete yet:
// an error once it cannot become a SIP message, nil while it still may.
func startLineFault(stream []byte) error {
	line := stream
	i := bytes.IndexByte(stream, '\n')
	if i >= 0 {
		line = bytes.TrimSuffix(stream[:i], []byte{'\r'})
	}
	for _, c := range line {
		if c < 0x20 && c != '\t' && !(c == '\r' && i < 0) || c == 0x7f {
			return Problem{Expected: "a SIP start line of printable text", Actual: quote(string(line)), Line: 1}
		}
	}
	if i < 0 {
		return nil
	}
	var m Message
	if p := m.parseStartLine(string(line)); p != nil {
		p.Line = 1
		return *p
	}
	return nil
}
