// Command offlinejudge measures the offline pipeline without the reports: it reads a
// capture file as the suite does (recorded.Read, streaming), splits it per client and
// judges every client over the whole catalogue on every core (validators.Judge),
// counting the rows, and prints the time of each stage and the Go heap after it. It is
// the reading-and-judging figure; bench/offline.sh gives the end-to-end one.
//
//	go run ./bench/offlinejudge -capture big.pcap
package main

import (
	"flag"
	"fmt"
	"os"
	"runtime"
	"time"

	"github.com/mcptt-conformance/mcptt-conformance/profile"
	"github.com/mcptt-conformance/mcptt-conformance/recorded"
	"github.com/mcptt-conformance/mcptt-conformance/run"
	"github.com/mcptt-conformance/mcptt-conformance/validators"
)

func main() {
	capturePath := flag.String("capture", "", "the pcap, pcapng or folder to read")
	profilePath := flag.String("profile", "fixtures/profiles/plain-register.yaml", "the profile to judge under")
	flag.Parse()
	if err := measure(*capturePath, *profilePath); err != nil {
		fmt.Fprintln(os.Stderr, "offlinejudge:", err)
		os.Exit(1)
	}
}

func measure(capturePath, profilePath string) error {
	p, err := profile.Load(profilePath)
	if err != nil {
		return err
	}
	start := time.Now()
	stage := func(name string, format string, a ...any) {
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		fmt.Printf("%-6s %7.1fs  heap %5d MB  %s\n", name, time.Since(start).Seconds(), ms.HeapAlloc>>20, fmt.Sprintf(format, a...))
	}
	rec, err := recorded.Read(capturePath, os.Stderr)
	if err != nil {
		return err
	}
	defer rec.Spool.Close()
	stage("read", "%d request(s), %s", rec.Requests, rec.Source)
	r, err := rec.Run("", run.Shard{})
	if err != nil {
		return err
	}
	stage("split", "%d client(s)", len(r.Clients))
	rows := 0
	j := validators.Judge{Profile: p, Requirements: validators.Catalogue()}
	if err := j.Run(r, func(rs validators.Rows) error { rows += len(rs.Rows); return nil }); err != nil {
		return err
	}
	stage("judged", "%d row(s); %.0f request(s)/s from the start", rows, float64(rec.Requests)/time.Since(start).Seconds())
	return nil
}
