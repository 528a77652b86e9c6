// Package recordedtest builds recorded traffic for tests and benchmarks: requests the
// reference client builds (client.Build, no sockets), each answered by a final
// response, as packets for package pcapng.
package recordedtest

import (
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/mcptt-conformance/mcptt-conformance/client"
	"github.com/mcptt-conformance/mcptt-conformance/pcapng"
	"github.com/mcptt-conformance/mcptt-conformance/wire/sipmsg"
)

// Exchange is one request of a flow and the status the server answers it with.
type Exchange struct {
	Kind   client.Kind
	Status int
}

// Flow returns the packets of cfg's requests, one transaction each, sent from local to
// cfg.Server over cfg.Transport from start on, each followed 1 ms later by its response.
func Flow(cfg client.Config, local string, start time.Time, exchanges []Exchange) ([]pcapng.Packet, error) {
	host, _, err := net.SplitHostPort(local)
	if err != nil {
		return nil, fmt.Errorf("local address %q: %v", local, err)
	}
	cfg.Local = host
	var pkts []pcapng.Packet
	t := start
	for i, x := range exchanges {
		leg := client.Leg{
			Local: local, CallID: fmt.Sprintf("call-%d-%s", i, local), FromTag: fmt.Sprintf("f%d", i),
			CSeq: uint32(i + 1), Branch: fmt.Sprintf("z9hG4bK-%d-%d", i, t.UnixNano()),
		}
		req, err := client.Build(&cfg, x.Kind, leg)
		if err != nil {
			return nil, err
		}
		res, err := Response(req, x.Status)
		if err != nil {
			return nil, err
		}
		pkts = append(pkts,
			pcapng.Packet{Time: t, Transport: cfg.Transport, From: local, To: cfg.Server, Payload: req},
			pcapng.Packet{Time: t.Add(time.Millisecond), Transport: cfg.Transport, From: cfg.Server, To: local, Payload: res})
		t = t.Add(10 * time.Millisecond)
	}
	return pkts, nil
}

// Response is the response with status to req: its Via, From, To, Call-ID and CSeq,
// without a body.
func Response(req []byte, status int) ([]byte, error) {
	m, err := sipmsg.Parse(req)
	if err != nil {
		return nil, err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "SIP/2.0 %d %s\r\n", status, reason(status))
	for _, name := range []string{"via", "from", "to", "call-id", "cseq"} {
		for _, h := range m.Get(name) {
			fmt.Fprintf(&b, "%s: %s\r\n", h.Name, h.Value)
		}
	}
	b.WriteString("Content-Length: 0\r\n\r\n")
	return []byte(b.String()), nil
}

func reason(status int) string {
	switch status {
	case 200:
		return "OK"
	case 401:
		return "Unauthorized"
	case 403:
		return "Forbidden"
	}
	return "Response"
}
