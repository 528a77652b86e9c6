package recorded_test

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/mcptt-conformance/mcptt-conformance/client"
	"github.com/mcptt-conformance/mcptt-conformance/pcapng"
	"github.com/mcptt-conformance/mcptt-conformance/profile"
	"github.com/mcptt-conformance/mcptt-conformance/recorded"
	"github.com/mcptt-conformance/mcptt-conformance/recorded/recordedtest"
	"github.com/mcptt-conformance/mcptt-conformance/run"
	"github.com/mcptt-conformance/mcptt-conformance/validators"
)

// BenchmarkCheckCapture checks a pcapng of 10,000 REGISTER and PUBLISH requests from 20
// reference clients, half over UDP and half over TCP: reading, TCP reassembly, the
// split per client, and every client judged over the whole catalogue by
// validators.Judge on every core. The requests/s metric is the judging core's figure
// (the capture in memory, no reports); the end-to-end figure is bench/offline.sh's.
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
	j := validators.Judge{Profile: p, Requirements: validators.Catalogue()}
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for b.Loop() {
		rec := recorded.ReadPcap("bench.pcapng", data)
		r, err := rec.Run("", run.Shard{})
		if err != nil {
			b.Fatal(err)
		}
		rows := 0
		if err := j.Run(r, func(rs validators.Rows) error { rows += len(rs.Rows); return nil }); err != nil {
			b.Fatal(err)
		}
		if len(r.Clients) != clients || rows < clients*perClient {
			b.Fatalf("expected %d clients and a row per request at least, saw %d and %d; notes %q", clients, len(r.Clients), rows, rec.Notes)
		}
	}
	b.ReportMetric(float64(clients*perClient*b.N)/b.Elapsed().Seconds(), "requests/s")
}

// BenchmarkReadSpooled reads a pcapng file of 10,000 REGISTERs from 20 clients, half
// over UDP and half over TCP, as check does (recorded.Read: two passes, every message
// written to the spool's chains, responses patched in): the reading stage alone.
func BenchmarkReadSpooled(b *testing.B) {
	const clients, perClient = 20, 500
	xs := make([]recordedtest.Exchange, perClient)
	for i := range xs {
		xs[i] = recordedtest.Exchange{Kind: client.Register, Status: 200}
	}
	var pkts []pcapng.Packet
	for c := range clients {
		cfg := config(fmt.Sprintf("sip:user%d@mcptt.example.com", c), []string{"udp", "tcp"}[c%2], "198.51.100.1:5060")
		flow, err := recordedtest.Flow(cfg, fmt.Sprintf("192.0.2.%d:%d", c+1, 40000+c), start.Add(time.Duration(c)*time.Microsecond), xs)
		if err != nil {
			b.Fatal(err)
		}
		pkts = append(pkts, flow...)
	}
	path := filepath.Join(b.TempDir(), "bench.pcapng")
	if err := os.WriteFile(path, pcapngOf(b, pkts), 0o644); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		rec, err := recorded.Read(path, nil)
		if err != nil {
			b.Fatal(err)
		}
		if rec.Requests != clients*perClient || len(rec.Sources) != clients {
			b.Fatalf("expected %d requests from %d sources, saw %d from %d", clients*perClient, clients, rec.Requests, len(rec.Sources))
		}
		rec.Spool.Close()
	}
	b.ReportMetric(float64(clients*perClient*b.N)/b.Elapsed().Seconds(), "requests/s")
}
