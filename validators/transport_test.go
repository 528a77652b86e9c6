package validators_test

import (
	"strings"
	"testing"

	"github.com/mcptt-conformance/mcptt-conformance/capture"
	"github.com/mcptt-conformance/mcptt-conformance/client"
	"github.com/mcptt-conformance/mcptt-conformance/validators"
	"github.com/mcptt-conformance/mcptt-conformance/wire/sipmsg"
)

// The reference client's REGISTER over TLS passes; one transport inconsistency fails
// the well-formedness requirement (7.2.1-01) and nothing else.
func TestTransportConsistency(t *testing.T) {
	p := load(t, profiles[client.ModeRegister])
	p.Logoff = false
	cfg := config(t, p, client.ModeRegister)
	cfg.Transport = "tls"
	raw, err := client.Build(cfg, client.Register, client.Leg{Local: "127.0.0.1:5071", CallID: "call-1", FromTag: "tag-1", CSeq: 1, Branch: "z9hG4bK-1"})
	if err != nil {
		t.Fatal(err)
	}
	conformant := string(raw)
	for _, c := range []struct {
		name, transport, raw string
		fails                []string
	}{
		{"sip: URIs over tls", "tls", conformant, nil},
		{"Via TLS over tcp", "tcp", conformant, []string{"7.2.1-01"}},
		{"Via TCP over tls", "tls", strings.Replace(conformant, "SIP/2.0/TLS", "SIP/2.0/TCP", 1), []string{"7.2.1-01"}},
		{"sips: Request-URI over udp", "udp", strings.Replace(strings.Replace(strings.Replace(conformant, "SIP/2.0/TLS", "SIP/2.0/UDP", 1), "REGISTER sip:", "REGISTER sips:", 1), "<sip:alice@127.0.0.1:5071;transport=tls>", "<sips:alice@127.0.0.1:5071>", 1), []string{"7.2.1-01"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			m := &capture.Message{Seq: 1, Name: "0001-REGISTER.sip", Transport: c.transport, Raw: []byte(c.raw), Status: 200, Method: sipmsg.MethodOf([]byte(c.raw))}
			res := judgeAll(validators.NewRun(p, []*capture.Message{m}, false))
			if got := failing(res); strings.Join(got, ",") != strings.Join(c.fails, ",") {
				t.Errorf("expected failing %v, saw %v\n%s", c.fails, got, describe(res))
			}
		})
	}
}
