package recorded_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/mcptt-conformance/mcptt-conformance/client"
	"github.com/mcptt-conformance/mcptt-conformance/pcapng"
	"github.com/mcptt-conformance/mcptt-conformance/profile"
	"github.com/mcptt-conformance/mcptt-conformance/recorded"
	"github.com/mcptt-conformance/mcptt-conformance/recorded/recordedtest"
	"github.com/mcptt-conformance/mcptt-conformance/validators"
)

// BenchmarkCheckCapture checks a pcapng of 10,000 REGISTER and PUBLISH requests from 20
// reference clients, half over UDP and half over TCP: reading, TCP reassembly, the
// split per client, validators.NewRun and every requirement of the catalogue. The
// requests/s metric is the figure to hold against the 10,000 requests per second goal.
func BenchmarkCheckCapture(b *testing.B) {
	const clients, perClient = 20, 500
	p, err := profile.Load("../fixtures/profiles/plain-publish.yaml")
	if err != nil {
		b.Fatal(err)
	}
	xs := make([]recordedtest.Exchange, perClient)
	for i := range xs {
		xs[i] = recordedtest.Exchange{Kind: client.Register, Status: 200}
		if i%2 == 1 {
			xs[i].Kind = client.Publish
		}
	}
	var pkts []pcapng.Packet
	for c := range clients {
		transport := []string{"udp", "tcp"}[c%2]
		cfg := config(fmt.Sprintf("sip:user%d@mcptt.example.com", c), transport, "198.51.100.1:5060")
		cfg.ClientID, cfg.Token = p.Identity.ClientID, p.Identity.AccessToken
		flow, err := recordedtest.Flow(cfg, fmt.Sprintf("192.0.2.%d:%d", c+1, 40000+c), start.Add(time.Duration(c)*time.Microsecond), xs)
		if err != nil {
			b.Fatal(err)
		}
		pkts = append(pkts, flow...)
	}
	data := pcapngOf(b, pkts)
	catalogue := validators.Catalogue()
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for b.Loop() {
		rec := recorded.ReadPcap("bench.pcapng", data)
		r, err := rec.Run("")
		if err != nil {
			b.Fatal(err)
		}
		judged := 0
		for _, c := range r.Clients {
			run := validators.NewRun(p, c.Messages, false)
			for _, req := range catalogue {
				req.Judge(run)
			}
			judged += len(run.Requests)
		}
		if judged != clients*perClient {
			b.Fatalf("expected %d requests judged, saw %d; notes %q", clients*perClient, judged, rec.Notes)
		}
	}
	b.ReportMetric(float64(clients*perClient*b.N)/b.Elapsed().Seconds(), "requests/s")
}
