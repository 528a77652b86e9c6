package client

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Limits on what the client reads, so that a broken peer cannot make it hang or grow.
const (
	maxHeaderBytes = 64 << 10
	maxBodyBytes   = 1 << 20
)

// message is a received SIP message.
type message struct {
	start   string              // the start line
	headers map[string][]string // by lower-case full name, unfolded, in order
}

// expand maps lower-case compact header names to lower-case full names.
var expand = func() map[string]string {
	m := map[string]string{}
	for full, c := range compact {
		m[c] = strings.ToLower(full)
	}
	return m
}()

// parseMessage parses the start line and header of one SIP message; the client needs
// nothing from a response body.
func parseMessage(b []byte) (*message, error) {
	head, _, ok := bytes.Cut(b, []byte("\r\n\r\n"))
	if !ok {
		if head, _, ok = bytes.Cut(b, []byte("\n\n")); !ok {
			return nil, fmt.Errorf("expected a blank line ending the header section, saw none in %d bytes", len(b))
		}
	}
	lines := strings.Split(strings.ReplaceAll(string(head), "\r\n", "\n"), "\n")
	m := &message{start: lines[0], headers: map[string][]string{}}
	var unfolded []string
	for _, l := range lines[1:] {
		if l != "" && (l[0] == ' ' || l[0] == '\t') && len(unfolded) > 0 {
			unfolded[len(unfolded)-1] += " " + strings.TrimSpace(l)
			continue
		}
		unfolded = append(unfolded, l)
	}
	for _, l := range unfolded {
		name, value, ok := strings.Cut(l, ":")
		if !ok {
			return nil, fmt.Errorf("expected a header field \"Name: value\", saw %q", l)
		}
		name = strings.ToLower(strings.TrimSpace(name))
		if full, ok := expand[name]; ok {
			name = full
		}
		m.headers[name] = append(m.headers[name], strings.TrimSpace(value))
	}
	if cl := m.get("content-length"); cl != "" {
		if n, err := strconv.Atoi(cl); err != nil || n < 0 {
			return nil, fmt.Errorf("Content-Length %q: expected a non-negative integer", cl)
		}
	}
	return m, nil
}

// get returns the first value of a header, by lower-case full name.
func (m *message) get(name string) string {
	if v := m.headers[name]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// status returns the status code and reason phrase of a response.
func (m *message) status() (int, string, error) {
	version, rest, _ := strings.Cut(m.start, " ")
	code, reason, _ := strings.Cut(rest, " ")
	n, err := strconv.Atoi(code)
	if version != "SIP/2.0" || err != nil || n < 100 || n > 699 {
		return 0, "", fmt.Errorf("expected a status line \"SIP/2.0 NNN reason\", saw %q", m.start)
	}
	return n, reason, nil
}

// param returns the value of the parameter name (lower case) in a header value such as
// `<sip:a@b>;tag=x` or `SIP/2.0/UDP h;branch=y`.
func param(value, name string) string {
	if i := strings.LastIndex(value, ">"); i >= 0 {
		value = value[i+1:]
	}
	for _, p := range strings.Split(value, ";")[1:] {
		k, v, _ := strings.Cut(p, "=")
		if strings.EqualFold(strings.TrimSpace(k), name) {
			return strings.Trim(strings.TrimSpace(v), `"`)
		}
	}
	return ""
}

// transaction returns the branch of the top Via and the method and number of the CSeq.
func (m *message) transaction() (branch, method string, cseq uint32) {
	via, _, _ := strings.Cut(m.get("via"), ",")
	num, method, _ := strings.Cut(m.get("cseq"), " ")
	n, _ := strconv.ParseUint(num, 10, 32)
	return param(via, "branch"), strings.TrimSpace(method), uint32(n)
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
	cl := m.get("content-length")
	if cl == "" {
		return nil, fmt.Errorf("expected a Content-Length header on a stream transport, saw none after %q", m.start)
	}
	n, _ := strconv.Atoi(cl) // parseMessage checked it
	if n > maxBodyBytes {
		return nil, fmt.Errorf("Content-Length %d: expected at most %d", n, maxBodyBytes)
	}
	body := make([]byte, n)
	if _, err := io.ReadFull(r, body); err != nil {
		return nil, fmt.Errorf("reading a %d-byte body: %w", n, err)
	}
	return append(head, body...), nil
}
