package reports

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/mcptt-conformance/mcptt-conformance/verdict"
)

// syntheticRows are the rows of a run of requests per client over clients clients, each
// request judged by the requirements ids: one in a hundred fails, one in two hundred is
// inconclusive, one in ten does not apply.
func syntheticRows(clients, requests int, ids []string) []verdict.Result {
	var rows []verdict.Result
	for c := range clients {
		client := fmt.Sprintf("sip:ue%04d@example.org", c)
		for m := range requests {
			msg := fmt.Sprintf("frame %d", c*requests+m+1)
			for k, id := range ids {
				res := verdict.Result{Requirement: id, Clause: "7.2.1", Verdict: verdict.Pass, Message: msg, Client: client,
					Detail: "Contact carries g.3gpp.mcptt"}
				switch n := c*requests*len(ids) + m*len(ids) + k; {
				case n%100 == 7:
					res.Verdict, res.Detail = verdict.Fail, "Contact has no g.3gpp.mcptt feature tag"
					res.Expected, res.Actual, res.Evidence = "the +g.3gpp.mcptt media feature tag", "Contact: <sip:ue@198.51.100.7>", map[string]any{"line": 9}
				case n%200 == 3:
					res.Verdict, res.Detail = verdict.Inconclusive, "no PUBLISH arrived"
				case n%10 == 5:
					res.Verdict, res.Detail = verdict.NotApplicable, "the profile declares no migration"
				}
				rows = append(rows, res)
			}
		}
	}
	return rows
}

var syntheticIDs = []string{"7.2.1-01", "7.2.1-02", "7.2.1-03", "7.2.1-04", "7.2.1-05"}

func syntheticCases() []Case {
	var cases []Case
	for _, id := range syntheticIDs {
		cases = append(cases, Case{ID: id, Clause: "7.2.1", Title: "title of " + id, Requirement: "the requirement " + id})
	}
	return cases
}

// streamRun adds rows to a Stream from several goroutines and closes it.
func streamRun(t testing.TB, dir string, r Run, rows []verdict.Result) {
	t.Helper()
	s, err := NewStream(dir, r)
	if err != nil {
		t.Fatal(err)
	}
	const workers = 4
	errs := make(chan error, workers)
	for w := range workers {
		go func() {
			var err error
			for i := w; i < len(rows) && err == nil; i += workers {
				err = s.Add(rows[i])
			}
			errs <- err
		}()
	}
	for range workers {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(r); err != nil {
		t.Fatal(err)
	}
}

// readRows reads the results of a verdicts.json.
func readRows(t testing.TB, file string) []verdict.Result {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct{ Results []verdict.Result }
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	return doc.Results
}

// sorted is rows in one order, for comparing row sets whatever order they came in.
func sorted(rows []verdict.Result) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		b, _ := json.Marshal(r)
		out[i] = string(b)
	}
	slices.Sort(out)
	return out
}

// A run of 100,000 rows from 1,000 clients, handed over concurrently: verdicts.json
// holds every row, junit.xml is valid, report.html stays small and lists every fail.
func TestStreamLargeRun(t *testing.T) {
	rows := syntheticRows(1000, 20, syntheticIDs)
	dir := t.TempDir()
	r := Run{Suite: "mcptt-conformance", Version: "test", Source: "capture big.pcap", Cases: syntheticCases(),
		Started: time.Unix(0, 0), Finished: time.Unix(10, 0)}
	streamRun(t, dir, r, rows)
	if got, want := sorted(readRows(t, filepath.Join(dir, "verdicts.json"))), sorted(rows); !reflect.DeepEqual(got, want) {
		t.Errorf("verdicts.json holds %d rows, want the %d added", len(got), len(want))
	}
	junit, err := os.ReadFile(filepath.Join(dir, "junit.xml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := validateJUnit(t, junit); err != nil {
		t.Errorf("junit.xml is not valid against schemas/junit.xsd: %v", err)
	}
	fi, err := os.Stat(filepath.Join(dir, "report.html"))
	if err != nil {
		t.Fatal(err)
	}
	if fi.Size() > 5<<20 {
		t.Errorf("report.html is %d bytes, want under 5 MiB", fi.Size())
	}
	t.Logf("100,000 rows, 1,000 clients: report.html %d bytes, junit.xml %d bytes", fi.Size(), len(junit))
	if left, _ := filepath.Glob(filepath.Join(dir, ".*")); len(left) > 0 {
		t.Errorf("the spool is left behind: %v", left)
	}
}

// shardOf is the shard (of n) of a client: FNV-1a of its address of record.
func shardOf(client string, n int) int {
	h := fnv.New32a()
	h.Write([]byte(client))
	return int(h.Sum32() % uint32(n))
}

// Three shards, split by client, merged: the same rows as the unsharded run, row for
// row, and the same outcome.
func TestMergeShards(t *testing.T) {
	rows := syntheticRows(30, 4, syntheticIDs)
	base := Run{Suite: "mcptt-conformance", Version: "test", Source: "capture big.pcap", Cases: syntheticCases(),
		Started: time.Unix(0, 0), Finished: time.Unix(10, 0)}
	whole := filepath.Join(t.TempDir(), "whole")
	streamRun(t, whole, base, rows)
	var inputs []string
	for i := range 3 {
		dir := filepath.Join(t.TempDir(), fmt.Sprint("shard", i))
		streamRun(t, dir, base, slices.DeleteFunc(slices.Clone(rows), func(r verdict.Result) bool { return shardOf(r.Client, 3) != i }))
		inputs = append(inputs, filepath.Join(dir, "verdicts.json"))
	}
	out := filepath.Join(t.TempDir(), "merged")
	merged, err := Merge(out, inputs, syntheticCases())
	if err != nil {
		t.Fatal(err)
	}
	got, want := readRows(t, filepath.Join(out, "verdicts.json")), readRows(t, filepath.Join(whole, "verdicts.json"))
	if len(got) != len(want) || !reflect.DeepEqual(sorted(got), sorted(want)) {
		t.Errorf("merged %d rows; the unsharded run has %d, and they differ", len(got), len(want))
	}
	if merged != verdict.OutcomeNonConformant {
		t.Errorf("merged outcome %s, want non-conformant", merged)
	}
	junit, err := os.ReadFile(filepath.Join(out, "junit.xml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := validateJUnit(t, junit); err != nil {
		t.Errorf("merged junit.xml is not valid: %v", err)
	}
}

// A shard that is inconclusive for want of requests keeps the merged run inconclusive.
func TestMergeKeepsShardOutcome(t *testing.T) {
	rows := []verdict.Result{{Requirement: "7.2.1-01", Clause: "7.2.1", Verdict: verdict.Pass, Message: "m1", Detail: "ok"}}
	r := Run{Suite: "s", Cases: syntheticCases()[:1], Awaited: verdict.Requests{"REGISTER": 2}, Arrived: verdict.Requests{"REGISTER": 1}}
	dir := t.TempDir()
	streamRun(t, dir, r, rows)
	merged, err := Merge(t.TempDir(), []string{filepath.Join(dir, "verdicts.json")}, syntheticCases())
	if err != nil {
		t.Fatal(err)
	}
	if merged != verdict.OutcomeInconclusive {
		t.Errorf("merged outcome %s, want inconclusive as the shard said", merged)
	}
}

// The figures of the issue, each report.html rendered by headless Chromium: a
// 100,000-request run (20 requirements a request) from 1,000 clients, and the live
// load run's shape, 10,000 clients of one REGISTER each (9 requirements). The
// synthetic rows fail one in a hundred and are inconclusive one in two hundred, far
// more findings than a real run, each listed at the top. Run with
// go test ./reports -run '^$' -bench StreamReport -benchtime 1x
func BenchmarkStreamReport(b *testing.B) {
	for _, shape := range []struct {
		name              string
		clients, requests int
		ids               []string
	}{
		{"100k-requests-1000-clients", 1000, 100, ids(20)},
		{"10000-clients", 10000, 1, ids(9)},
	} {
		b.Run(shape.name, func(b *testing.B) {
			benchStreamReport(b, syntheticRows(shape.clients, shape.requests, shape.ids))
		})
	}
}

func benchStreamReport(b *testing.B, rows []verdict.Result) {
	for b.Loop() {
		dir := b.TempDir()
		start := time.Now()
		streamRun(b, dir, Run{Suite: "mcptt-conformance", Version: "bench", Cases: syntheticCases()}, rows)
		wrote := time.Since(start)
		sizes := map[string]int64{}
		for _, f := range []string{"verdicts.json", "junit.xml", "report.html"} {
			fi, err := os.Stat(filepath.Join(dir, f))
			if err != nil {
				b.Fatal(err)
			}
			sizes[f] = fi.Size()
		}
		b.Logf("%d rows: reports written in %v; verdicts.json %d, junit.xml %d, report.html %d bytes",
			len(rows), wrote.Round(time.Millisecond), sizes["verdicts.json"], sizes["junit.xml"], sizes["report.html"])
		browser, err := exec.LookPath("chromium")
		if err != nil {
			continue
		}
		start = time.Now()
		cmd := exec.Command(browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
			"--disable-background-networking", "--disable-component-update", "--disable-sync",
			"--user-data-dir="+b.TempDir(), "--screenshot="+filepath.Join(b.TempDir(), "r.png"),
			"--window-size=1280,800", "file://"+filepath.Join(dir, "report.html"))
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("chromium: %v\n%s", err, out)
		}
		b.Logf("headless Chromium opened and rendered report.html in %v", time.Since(start).Round(time.Millisecond))
	}
}

// A row without a clause takes the clause of its requirement's case given to
// NewStream, or the part of its ID before the last '-' when no case names it.
func TestStreamClauseOfRow(t *testing.T) {
	dir := t.TempDir()
	r := Run{Cases: []Case{{ID: "X-1", Clause: "7.2.2", Verdict: verdict.Pass}}}
	streamRun(t, dir, r, []verdict.Result{
		{Requirement: "X-1", Verdict: verdict.Pass, Message: "m", Detail: "d"},
		{Requirement: "7A.2.1-03", Verdict: verdict.Pass, Message: "m", Detail: "d"},
	})
	var got []string
	for _, res := range readRows(t, filepath.Join(dir, "verdicts.json")) {
		got = append(got, res.Requirement+" "+res.Clause)
	}
	if want := []string{"X-1 7.2.2", "7A.2.1-03 7A.2.1"}; !slices.Equal(got, want) {
		t.Errorf("rows %q, want %q", got, want)
	}
}

// BenchmarkStreamAdd adds realistic rows (a client's batch of 20 requirements, most
// with evidence naming the client and a line) from every core at once, as the
// suite's per-client judges do: with a run that declares secrets (none of them in the
// rows) and without.
func BenchmarkStreamAdd(b *testing.B) {
	batch := syntheticRows(1, 1, ids(20))
	for i := range batch {
		if batch[i].Evidence == nil {
			batch[i].Evidence = map[string]any{"client": batch[i].Client, "line": 9, "header": "Contact"}
		}
	}
	for _, secrets := range [][]string{nil, {"mcptt-access-token-s3cret", "password1"}} {
		b.Run(fmt.Sprintf("secrets=%d", len(secrets)), func(b *testing.B) {
			s, err := NewStream(b.TempDir(), Run{Suite: "bench", Secrets: secrets, Cases: syntheticCases()})
			if err != nil {
				b.Fatal(err)
			}
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if err := s.Add(batch...); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.StopTimer()
			b.ReportMetric(float64(b.N*len(batch))/b.Elapsed().Seconds(), "rows/s")
			if err := s.Close(Run{Suite: "bench", Secrets: secrets}); err != nil {
				b.Fatal(err)
			}
		})
	}
}

// ids are n requirement IDs of clause 7.2.1.
func ids(n int) []string {
	var ids []string
	for i := range n {
		ids = append(ids, fmt.Sprintf("7.2.1-%02d", i+1))
	}
	return ids
}
