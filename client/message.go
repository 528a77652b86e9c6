package client

import (
	"bufio"
	"bytes"
	"fmt"
	"io"

	"github.com/mcptt-conformance/mcptt-conformance/wire/sipmsg"
)

// Limits on what the client reads, so that a broken peer cannot make it hang or grow.
const (
	maxHeaderBytes = 64 << 10
	maxBodyBytes   = 1 << 20
)

// message is a received SIP message, read by wire/sipmsg as the suite's judge reads
// what the client sends.
type message struct{ *sipmsg.Message }

// parseMessage reads one SIP message; a line it cannot read, a missing end of the header
// section, or a Content-Length that is not a number is an error. The client needs
// nothing from a response body.
func parseMessage(b []byte) (*message, error) {
	m, err := sipmsg.Parse(b)
	if err != nil {
		return nil, err
	}
	if len(m.Faults) > 0 {
		return nil, m.Faults[0]
	}
	if h, ok := m.First("content-length"); ok && m.ContentLength < 0 {
		return nil, fmt.Errorf("Content-Length %q: expected a non-negative integer", h.Value)
	}
	return &message{m}, nil
}

// value returns the value of the first header with that name, "" when there is none.
func (m *message) value(name string) string {
	h, _ := m.First(name)
	return h.Value
}

// status returns the status code and reason phrase of a response.
func (m *message) status() (int, string, error) {
	if m.IsRequest || m.Version != "SIP/2.0" || m.StatusCode < 100 || m.StatusCode > 699 {
		return 0, "", fmt.Errorf("expected a status line \"SIP/2.0 NNN reason\", saw %q", m.StartLine)
	}
	return m.StatusCode, m.Reason, nil
}

// transaction returns the branch of the top Via and the method of the CSeq.
func (m *message) transaction() (branch, method string) {
	_, branch = m.TopVia()
	_, method, _ = m.CSeq()
	return branch, method
}

// toTag returns the tag parameter of the To header field.
func (m *message) toTag() string {
	a, _ := sipmsg.ParseAddress(m.value("to"))
	p, _ := a.Param("tag")
	return p.Value
}

// readStream reads one message from a stream transport, framed by Content-Length
// (RFC 3261 18.3). CRLFs before the start line (keep-alives) are skipped.
func readStream(r *bufio.Reader) ([]byte, error) {
	var head []byte
	for {
		line, err := r.ReadSlice('\n')
		if err != nil {
			if err == bufio.ErrBufferFull {
				return nil, fmt.Errorf("expected header lines shorter than %d bytes", r.Size())
			}
			return nil, err
		}
		blank := len(bytes.TrimRight(line, "\r\n")) == 0
		if blank && len(head) == 0 {
			continue
		}
		head = append(head, line...)
		if blank {
			break
		}
		if len(head) > maxHeaderBytes {
			return nil, fmt.Errorf("expected a header section shorter than %d bytes", maxHeaderBytes)
		}
	}
	m, err := parseMessage(head)
	if err != nil {
		return nil, err
	}
	if len(m.Get("content-length")) == 0 {
		return nil, fmt.Errorf("expected a Content-Length header on a stream transport, saw none after %q", m.StartLine)
	}
	n := m.ContentLength // parseMessage checked it is a number
	if n > maxBodyBytes {
		return nil, fmt.Errorf("Content-Length %d: expected at most %d", n, maxBodyBytes)
	}
	body := make([]byte, n)
	if _, err := io.ReadFull(r, body); err != nil {
		return nil, fmt.Errorf("reading a %d-byte body: %w", n, err)
	}
	return append(head, body...), nil
}
