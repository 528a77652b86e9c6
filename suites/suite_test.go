// Package suites_test holds the Ginkgo specs: one spec per requirement ID of TS 24.379
// clauses 7.2.1, 7.2.2 and 7A.2.1 (one file per clause, as h2spec does), each labelled
// with its ID and its clause, made from the validators' catalogue. The suite plays the
// MCPTT server for a live run (package liverun) or reads a run recorded earlier
// (package recorded), has the validators judge it, and writes the reports.
package suites_test

import (
	"flag"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/types"
	. "github.com/onsi/gomega"

	"github.com/mcptt-conformance/mcptt-conformance/baseline"
	"github.com/mcptt-conformance/mcptt-conformance/capture"
	"github.com/mcptt-conformance/mcptt-conformance/kms"
	"github.com/mcptt-conformance/mcptt-conformance/liverun"
	"github.com/mcptt-conformance/mcptt-conformance/profile"
	"github.com/mcptt-conformance/mcptt-conformance/recorded"
	"github.com/mcptt-conformance/mcptt-conformance/reports"
	"github.com/mcptt-conformance/mcptt-conformance/run"
	"github.com/mcptt-conformance/mcptt-conformance/validators"
	"github.com/mcptt-conformance/mcptt-conformance/verdict"
)

// Version is the suite's version, written into every report.
const Version = "0.1.0"

var (
	profilePath = flag.String("profile", "fixtures/profiles/plain-register.yaml", "the client's profile (YAML), relative to the repository root or absolute")
	reportsDir  = flag.String("reports", "reports", "folder for junit.xml, verdicts.json, report.html and captures/")
	strict      = flag.Bool("strict", false, "refuse every lenient reading of facts.md section 0 (also: strict: true in the profile)")
	clientArgs  = flag.String("client-args", "", "words appended to the profile's client command, e.g. \"--break 7.2.1-02\"")
	listen      = flag.String("listen", "", "override the profile's server.listen (host:port; port 0 picks a free one)")
	showSecrets = flag.Bool("show-secrets", false, "write access tokens and passwords into the reports instead of [redacted]")
	capturePath = flag.String("capture", "", "judge recorded traffic instead of a live run: a folder of raw requests (*.sip), one raw request file, or a pcap/pcapng file")
	clientSel   = flag.String("client", "", "with -capture: judge only this client (its address of record, or its source host[:port])")
	baselineArg = flag.String("baseline", "", "expected-failure baseline (YAML, docs/baseline.md): a known failure no longer makes the run non-conformant")
	shardArg    = flag.String("shard", "", "with -capture: judge only shard i of n (\"i/n\"), the clients whose address of record hashes to it; merge the shards' verdicts.json after")
	writeCaps   = flag.Bool("write-captures", false, "with a pcap/pcapng -capture: write every request's bytes to captures/ (one file per request); rows name the frame in the input either way")
)

// memoryLimit is the soft limit the suite gives Go's collector unless GOMEMLIMIT is set:
// what a run holds at once (the clients being judged, the reports' counts and kept
// findings) is far below it, but by default the collector lets the heap grow to twice
// what is live, which after a 10,000-client live run took the process to 480 MB.
// Under the limit the collector runs sooner instead (runtime/debug.SetMemoryLimit);
// a run that needs more still gets it.
const memoryLimit = 384 << 20

func TestSuites(t *testing.T) {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(memoryLimit)
	}
	RegisterFailHandler(Fail)
	RunSpecs(t, "MCPTT service authorisation (TS 24.379 7.2.1, 7.2.2, 7A.2.1)")
}

// The run under judgement, set up and judged once before the specs: every client over
// the requirements that will run, the rows handed to rows and aggregated per
// requirement in verdicts for the specs.
var (
	root      string
	prof      *profile.Profile
	collected *run.Run
	outDir    string
	known     *baseline.Baseline
	rows      *reports.Stream
	verdicts  map[string]*aggregate
	ran       = map[string]bool{} // requirements whose spec ran
	ranMu     sync.Mutex
)

var _ = BeforeSuite(func(ctx SpecContext) {
	var err error
	root, err = repositoryRoot()
	Expect(err).NotTo(HaveOccurred())
	prof, err = profile.Load(inRoot(*profilePath))
	Expect(err).NotTo(HaveOccurred(), "the profile cannot be used")
	outDir = inRoot(*reportsDir)
	Expect(*clientSel == "" || *capturePath != "").To(BeTrue(), "-client selects a client of a recorded capture: give -capture too")
	Expect(*shardArg == "" || *capturePath != "").To(BeTrue(), "-shard splits the clients of a recorded capture: give -capture too")
	shard, err := run.ParseShard(*shardArg)
	Expect(err).NotTo(HaveOccurred())
	if *capturePath != "" {
		collected, err = recordedRun(inRoot(*capturePath), shard)
		Expect(err).NotTo(HaveOccurred(), "the capture cannot be judged")
	} else {
		collected, err = liveRun(ctx)
		Expect(err).NotTo(HaveOccurred(), "the live run could not be conducted")
	}
	if *baselineArg != "" {
		known, err = readBaseline(inRoot(*baselineArg))
		Expect(err).NotTo(HaveOccurred(), "the baseline cannot be used")
	}
	AddReportEntry("source", collected.Source)
	rows, verdicts = judgeAll(collected)
}) // no timeout: the profile's wait and the capture's size set the time

// judgeAll judges every client of r over the requirements whose specs will run, on
// every core, handing the rows to a sink and keeping per requirement only their
// aggregate.
func judgeAll(r *run.Run) (*reports.Stream, map[string]*aggregate) {
	reqs := selected()
	sink, err := reports.NewStream(outDir, reports.Run{Secrets: prof.Secrets(), ShowSecrets: *showSecrets, Baseline: known})
	Expect(err).NotTo(HaveOccurred(), "the reports cannot be started")
	agg := map[string]*aggregate{}
	for _, req := range reqs {
		agg[req.ID] = &aggregate{}
	}
	p := newJudgeProgress(os.Stderr, len(r.Clients))
	j := validators.Judge{Profile: prof, Strict: *strict || prof.Strict, Requirements: reqs}
	err = j.Run(r, func(batch validators.Rows) error {
		for _, row := range batch.Rows {
			agg[row.Requirement].add(row)
		}
		if batch.Client < len(r.Clients) {
			findings.note(r.Clients[batch.Client], batch.Rows)
		}
		p.judged(batch)
		return sink.Add(batch.Rows...)
	})
	Expect(err).NotTo(HaveOccurred(), "the rows cannot be kept")
	p.done()
	return sink, agg
}

// selected are the catalogue's requirements whose specs the label filter lets run (the
// labels requirementSpecs and the clause files give them).
func selected() []validators.Requirement {
	filter := GinkgoLabelFilter()
	var reqs []validators.Requirement
	for _, req := range validators.Catalogue() {
		if filter == "" || Label(req.ID, clauseLabel(req.Clause)).MatchesLabelFilter(filter) {
			reqs = append(reqs, req)
		}
	}
	return reqs
}

// readBaseline reads the accepted failures of -baseline, refusing what the command
// line refuses: a malformed file, an unknown requirement, an entry past its until.
func readBaseline(path string) (*baseline.Baseline, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return baseline.Read(f, func(id string) bool { _, ok := validators.Lookup(id); return ok }, time.Now())
}

// liveRun plays the MCPTT server for the client the profile starts (or a person does).
func liveRun(ctx SpecContext) (*run.Run, error) {
	return liverun.Run(ctx, liverun.Config{
		Profile:    prof,
		CaptureDir: filepath.Join(outDir, "captures"),
		KeyDir:     filepath.Join(outDir, "keys"),
		Dir:        root,
		ClientArgs: strings.Fields(*clientArgs),
		Listen:     *listen,
		Progress:   GinkgoWriter,
	})
}

// recordedRun reads the capture at path (telling stderr how a long read goes), writes
// the bytes of every message to the reports' captures/ folder (for a pcap or pcapng
// file only with -write-captures), and makes the run of the clients -client and shard
// choose, with the profile's server.keys to open protected requests.
func recordedRun(path string, shard run.Shard) (*run.Run, error) {
	rec, err := recorded.Read(path, os.Stderr)
	if err != nil {
		return nil, err
	}
	r, err := recordedClients(rec, path, shard)
	if err != nil {
		rec.Spool.Close()
	}
	return r, err
}

// recordedClients is the run of rec, read from path, as recordedRun describes it.
func recordedClients(rec *recorded.Recording, path string, shard run.Shard) (*run.Run, error) {
	pcap, err := recorded.IsPcap(path)
	if err != nil {
		return nil, err
	}
	note := "the bytes of every request are in captures/"
	if pcap && !*writeCaps {
		note = "captures/ is not written for a capture file (-write-captures writes it): each row names its frame in " + filepath.Base(path)
	} else if err := rec.WriteCaptures(filepath.Join(outDir, "captures"), path); err != nil {
		return nil, err
	}
	r, err := rec.Run(*clientSel, shard)
	if err != nil {
		return nil, err
	}
	r.Notes = append(r.Notes, note)
	if prof.Server.Keys == "" {
		return r, nil
	}
	if r.Keys, err = kms.ReadKeyFile(prof.Server.Keys); err != nil {
		return nil, fmt.Errorf("server.keys: %w", err)
	}
	return r, nil
}

// requirementSpecs registers, inside a clause's Describe, one spec per catalogue
// requirement of the clause, named "<ID> <Title>" and labelled with its ID: the
// requirement's text lives once, in the catalogue, and reaches the reports from there.
func requirementSpecs(clause string) {
	for _, req := range validators.Catalogue() {
		if req.Clause == clause {
			It(req.ID+" "+req.Title, Label(req.ID), func() { judge(req) })
		}
	}
}

// judge turns the aggregate of one requirement's rows into the spec's outcome: fail
// and error fail the spec; inconclusive, not-applicable and not-tested skip it with a
// message that starts with the verdict word; pass passes.
func judge(req validators.Requirement) {
	ranMu.Lock()
	ran[req.ID] = true
	ranMu.Unlock()
	a := verdicts[req.ID]
	Expect(a).NotTo(BeNil(), "%s was not judged before the specs: its labels differ from the ones selected() matches", req.ID)
	text := a.text()
	switch a.worst() {
	case verdict.Fail, verdict.Error:
		Fail(text)
	case verdict.Inconclusive, verdict.NotApplicable, verdict.NotTested:
		Skip(text)
	}
}

var _ = ReportAfterSuite("reports", func(r Report) {
	if rows == nil {
		return // the run never happened; Ginkgo reports the BeforeSuite failure
	}
	out := reports.Run{
		Suite: "mcptt-conformance", Version: Version,
		Profile: fromRoot(*profilePath), Source: collected.Source,
		Started: collected.Started, Finished: time.Now().UTC(),
		CaptureDir: "captures", Secrets: prof.Secrets(), ShowSecrets: *showSecrets,
		Strict: *strict || prof.Strict, Notes: collected.Notes, Captures: captureFiles(),
		Subject: subject(), Awaited: awaited(), Arrived: arrived(), RawOf: rawOf(collected),
		Baseline: known, BaselineFile: *baselineArg,
	}
	for _, s := range r.SpecReports {
		if s.LeafNodeType != types.NodeTypeIt || s.State == types.SpecStateSkipped && !judgedSpec(s) {
			continue // excluded by a filter
		}
		out.Cases = append(out.Cases, caseOf(s))
	}
	slices.SortFunc(out.Cases, func(a, b reports.Case) int { return order[a.ID] - order[b.ID] })
	err := rows.Close(out)
	Expect(err).NotTo(HaveOccurred())
	Expect(collected.Spool.Close()).To(Succeed(), "the spool file cannot be removed")
	printSummary(rows.Summary())
})

// order is the catalogue's order, in which reports list requirements whatever order
// Ginkgo ran the specs in.
var order = func() map[string]int {
	m := map[string]int{}
	for i, r := range validators.Catalogue() {
		m[r.ID] = i
	}
	return m
}()

func judgedSpec(s types.SpecReport) bool {
	ranMu.Lock()
	defer ranMu.Unlock()
	return ran[specID(s)]
}

// specID is the requirement ID a spec is labelled with.
func specID(s types.SpecReport) string {
	for _, l := range s.Labels() {
		if _, ok := validators.Lookup(l); ok {
			return l
		}
	}
	return ""
}

func caseOf(s types.SpecReport) reports.Case {
	id := specID(s)
	req, _ := validators.Lookup(id)
	c := reports.Case{ID: id, Clause: req.Clause, Title: req.Title, Requirement: req.Text, Duration: s.RunTime}
	c.Verdict = verdicts[id].worst()
	judged := verdicts[id].rows() > 0
	switch {
	case s.State == types.SpecStatePanicked || s.State == types.SpecStateInterrupted || s.State == types.SpecStateTimedout || s.State == types.SpecStateAborted:
		c.Verdict, c.Error = verdict.Error, fmt.Sprintf("%s: %s", s.State, s.Failure.Message)
	case s.State == types.SpecStateFailed && !judged:
		c.Verdict, c.Error = verdict.Error, s.Failure.Message
	}
	return c
}

// captureFiles lists the files in the reports' captures folder: the names reports link.
func captureFiles() []string {
	entries, _ := os.ReadDir(filepath.Join(outDir, "captures"))
	names := []string{}
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

// subject names the run in JUnit classnames: the profile's file name, and the client
// -client chose.
func subject() string {
	s := strings.TrimSuffix(filepath.Base(*profilePath), filepath.Ext(*profilePath))
	if *clientSel != "" {
		s += "." + *clientSel
	}
	return s
}

// awaited is what the profile waits for; a recording is held to it as a live run is.
func awaited() verdict.Requests {
	a := prof.Client.Await
	return verdict.Requests{"REGISTER": a.Register, "PUBLISH": a.Publish}
}

// arrived counts the REGISTER and PUBLISH requests of the client that sent fewest,
// retransmissions not counted, so that every client judged is held to what the
// profile awaits.
func arrived() verdict.Requests {
	var fewest verdict.Requests
	for _, c := range collected.Clients {
		n := verdict.Requests{}
		maps.Copy(n, c.Counts().Fresh)
		if fewest == nil {
			fewest = n
		}
		for _, method := range []string{"REGISTER", "PUBLISH"} {
			fewest[method] = min(fewest[method], n[method])
		}
	}
	return fewest
}

// findings are the requests the findings of the run are about (fail and
// inconclusive rows), by name, their bytes left in the run's spool: the only ones the
// reports show an excerpt of (reports.Run.RawOf).
var findings = excerpts{}

type excerpts map[string]*capture.Message

// note keeps the requests of c (loaded to be judged) that rows, c's, are findings about.
func (e excerpts) note(c *run.Client, rows []verdict.Result) {
	var byName map[string]*capture.Message
	for _, row := range rows {
		if row.Verdict != verdict.Fail && row.Verdict != verdict.Inconclusive {
			continue
		}
		if byName == nil {
			byName = make(map[string]*capture.Message, len(c.Messages))
			for _, m := range c.Messages {
				byName[m.Name] = m
			}
		}
		for _, name := range strings.Split(row.Message, ", ") {
			if m := byName[name]; m != nil && e[name] == nil {
				kept := *m
				if kept.Spooled.Len > 0 {
					kept.Raw = nil // read again from the spool when shown
				}
				e[name] = &kept
			}
		}
	}
}

// rawOf returns the bytes of a request a finding is about by the name the verdicts
// give it, from memory or from the run's spool (nil when they cannot be read).
func rawOf(r *run.Run) func(string) []byte {
	return func(name string) []byte {
		m := findings[name]
		if m == nil {
			return nil
		}
		raw, _ := r.Spool.Bytes(m)
		return raw
	}
}

// printSummary prints the counts, the outcome and, against a baseline, what it
// classified.
func printSummary(sum reports.Summary) {
	var parts []string
	for _, v := range verdict.All {
		parts = append(parts, fmt.Sprintf("%d %s", sum.Counts[v], v))
	}
	fmt.Fprintf(os.Stdout, "\nmcptt-conformance: %s\n", strings.Join(parts, ", "))
	for _, line := range sum.BaselineLines {
		fmt.Fprintf(os.Stdout, "  %s\n", line)
	}
	fmt.Fprintf(os.Stdout, "outcome: %s\nreports in %s (junit.xml, verdicts.json, report.html, captures/)\n", sum.Outcome, outDir)
}

// repositoryRoot finds the folder holding go.mod, so that paths in profiles and flags
// mean the same from `go test`, `ginkgo` and a built suite binary.
func repositoryRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d, nil
		}
		if filepath.Dir(d) == d {
			return dir, nil
		}
	}
}

func inRoot(p string) string {
	if filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(root, p)
}

// fromRoot is how the reports name a file: relative to the repository root when it lies
// inside it (the command line hands the suite absolute paths), as given otherwise.
func fromRoot(p string) string {
	if rel, err := filepath.Rel(root, inRoot(p)); err == nil && filepath.IsLocal(rel) {
		return rel
	}
	return p
}
