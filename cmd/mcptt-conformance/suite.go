package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"

	"github.com/mcptt-conformance/mcptt-conformance/profile"
	"github.com/mcptt-conformance/mcptt-conformance/recorded"
	runpkg "github.com/mcptt-conformance/mcptt-conformance/run"
)

// source is what a suite command judges: a live run or a recorded capture.
type source int

const (
	live source = iota
	capture
)

// suiteFlags are the flags run and check share, and the ones each has of its own.
type suiteFlags struct {
	profile, reports, baseline, suite string
	strict, showSecrets               bool
	clientArgs, listen                string // run
	capture, client, shard            string // check
	writeCaptures                     bool   // check
}

func (s source) flags(f *suiteFlags, stderr io.Writer) *flag.FlagSet {
	name := map[source]string{live: "run", capture: "check"}[s]
	fs := command(name, "usage: mcptt-conformance "+name+" [flags] [-- suite flags]", stderr)
	fs.StringVar(&f.profile, "profile", "fixtures/profiles/plain-register.yaml", "the client's profile (YAML): its declared options and test values")
	fs.StringVar(&f.reports, "reports", "reports", "folder for junit.xml, verdicts.json, report.html and captures/")
	fs.BoolVar(&f.strict, "strict", false, "refuse every lenient reading (docs/readings.md)")
	fs.BoolVar(&f.showSecrets, "show-secrets", false, "write access tokens and passwords into the reports instead of [redacted]")
	fs.StringVar(&f.baseline, "baseline", "", "expected-failure baseline (YAML, from the baseline command): only regressions fail the run")
	fs.StringVar(&f.suite, "suite", defaultSuite(), "the Ginkgo suite binary to drive (make builds bin/mcptt-suite)")
	if s == live {
		fs.StringVar(&f.clientArgs, "client-args", "", `words appended to the profile's client command, e.g. "--break 7.2.1-02"`)
		fs.StringVar(&f.listen, "listen", "", "override the profile's server.listen (host:port; port 0 picks a free one)")
	} else {
		fs.StringVar(&f.capture, "capture", "", "the recorded traffic: a folder of *.sip files, one .sip file, or a pcap/pcapng file")
		fs.StringVar(&f.client, "client", "", "judge only this client of the capture (its address of record, or its source host[:port])")
		fs.StringVar(&f.shard, "shard", "", `judge only shard i of n ("i/n", 1 ≤ i ≤ n): the clients whose address of record hashes to it; merge the shards' verdicts.json after`)
		fs.BoolVar(&f.writeCaptures, "write-captures", false, "for a pcap/pcapng capture: also write every request's bytes to captures/ (rows name the frame in the file either way)")
	}
	return fs
}

// defaultSuite is the suite binary beside this one, or $MCPTT_SUITE.
func defaultSuite() string {
	if p := os.Getenv("MCPTT_SUITE"); p != "" {
		return p
	}
	exe, err := os.Executable()
	if err != nil {
		return "mcptt-suite"
	}
	return filepath.Join(filepath.Dir(exe), "mcptt-suite")
}

// suiteCommand checks the words a person gave, runs the suite with them, and exits
// with the run's outcome, read from the verdicts.json the suite wrote.
func suiteCommand(s source, args []string, stdout, stderr io.Writer) int {
	own, passed := args, []string(nil)
	if i := slices.Index(args, "--"); i >= 0 {
		own, passed = args[:i], args[i+1:]
	}
	var f suiteFlags
	fs := s.flags(&f, stderr)
	if status, done := parseFlags(fs, own); done {
		return status
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "mcptt-conformance %s: unexpected argument %q (suite flags go after \"--\")\n", fs.Name(), fs.Arg(0))
		return exitUsage
	}
	suiteArgs, err := f.suiteArgs(s)
	if err != nil {
		fmt.Fprintf(stderr, "mcptt-conformance %s: %v\n", fs.Name(), err)
		return exitUsage
	}
	verdicts := filepath.Join(f.reports, "verdicts.json")
	os.Remove(verdicts) // a verdicts.json an earlier run left must not speak for this one
	cmd := exec.Command(f.suite, append(suiteArgs, passed...)...)
	cmd.Stdout, cmd.Stderr = stdout, stderr
	runErr := cmd.Run()
	var exit *exec.ExitError
	if runErr != nil && !errors.As(runErr, &exit) {
		fmt.Fprintf(stderr, "mcptt-conformance %s: cannot run the suite %s: %v (make builds it; -suite names another)\n", fs.Name(), f.suite, runErr)
		return exitError
	}
	outcome, err := readOutcome(verdicts)
	switch {
	case err != nil && exit != nil && exit.ExitCode() == 2:
		return exitUsage // the suite refused a suite flag and said why
	case err != nil:
		fmt.Fprintf(stderr, "mcptt-conformance %s: the suite ended (%v) without a verdict: %v\n", fs.Name(), runErr, err)
		return exitError
	}
	code, known := outcomeExit[outcome]
	if !known {
		fmt.Fprintf(stderr, "mcptt-conformance %s: %s holds the outcome %q, expected conformant, non-conformant, inconclusive or error\n", fs.Name(), verdicts, outcome)
		return exitError
	}
	fmt.Fprintf(stdout, "mcptt-conformance: outcome %s (exit status %d)\n", outcome, code)
	return code
}

// outcomeExit maps summary.outcome of verdicts.json to the exit status.
var outcomeExit = map[string]int{
	"conformant":     exitConformant,
	"non-conformant": exitNonConformant,
	"inconclusive":   exitInconclusive,
	"error":          exitError,
}

// suiteArgs checks the files the flags name, so that a mistake is a usage error before
// anything runs, and returns the suite's flags with the paths made absolute.
func (f suiteFlags) suiteArgs(s source) ([]string, error) {
	prof, err := abs(f.profile)
	if err != nil {
		return nil, err
	}
	if _, err := profile.Load(prof); err != nil {
		return nil, fmt.Errorf("the profile cannot be used: %w", err)
	}
	reports, err := abs(f.reports)
	if err != nil {
		return nil, err
	}
	args := []string{"-profile=" + prof, "-reports=" + reports}
	if f.baseline != "" {
		b, err := abs(f.baseline)
		if err != nil {
			return nil, err
		}
		if err := checkBaseline(b); err != nil {
			return nil, err
		}
		args = append(args, "-baseline="+b)
	}
	if f.strict {
		args = append(args, "-strict")
	}
	if f.showSecrets {
		args = append(args, "-show-secrets")
	}
	if s == live {
		if f.clientArgs != "" {
			args = append(args, "-client-args="+f.clientArgs)
		}
		if f.listen != "" {
			args = append(args, "-listen="+f.listen)
		}
		return args, nil
	}
	if f.capture == "" {
		return nil, errors.New("-capture is required: a folder of *.sip files, a .sip file, or a pcap/pcapng file")
	}
	capturePath, err := abs(f.capture)
	if err != nil {
		return nil, err
	}
	if _, err := runpkg.ParseShard(f.shard); err != nil {
		return nil, err
	}
	if err := checkCapture(capturePath, f.client); err != nil {
		return nil, err
	}
	args = append(args, "-capture="+capturePath)
	if f.client != "" {
		args = append(args, "-client="+f.client)
	}
	if f.shard != "" {
		args = append(args, "-shard="+f.shard)
	}
	if f.writeCaptures {
		args = append(args, "-write-captures")
	}
	return args, nil
}

// checkCapture refuses, before the suite starts, a capture that cannot be read and a
// -client it does not hold. A pcap or pcapng file is read whole here only to check a
// -client: its size sets the suite's time, which is not spent twice for nothing.
func checkCapture(path, client string) error {
	pcap, err := recorded.IsPcap(path)
	if err == nil && pcap && client == "" {
		return nil
	}
	rec, err := recorded.Read(path, nil)
	if err != nil {
		return fmt.Errorf("the capture cannot be read: %w", err)
	}
	defer rec.Spool.Close()
	if _, err := rec.Run(client, runpkg.Shard{}); err != nil {
		return fmt.Errorf("the capture cannot be judged: %w", err)
	}
	return nil
}

func abs(p string) (string, error) {
	a, err := filepath.Abs(p)
	if err != nil {
		return "", fmt.Errorf("%s: %w", p, err)
	}
	return a, nil
}

// readOutcome reads summary.outcome of a verdicts.json, token by token up to the
// summary: the results after it (millions of rows in a large run) are not read.
func readOutcome(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	bad := func(err error) error {
		return fmt.Errorf("%s: expected the JSON of shared/contract/verdicts.md: %v", path, err)
	}
	dec := json.NewDecoder(bufio.NewReader(f))
	if tok, err := dec.Token(); err != nil {
		return "", bad(err)
	} else if tok != json.Delim('{') {
		return "", bad(fmt.Errorf("saw %v where an object starts", tok))
	}
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			return "", bad(err)
		}
		if key != "summary" {
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return "", bad(err)
			}
			continue
		}
		var summary struct {
			Outcome string `json:"outcome"`
		}
		if err := dec.Decode(&summary); err != nil {
			return "", bad(err)
		}
		if summary.Outcome == "" {
			break
		}
		return summary.Outcome, nil
	}
	return "", fmt.Errorf("%s has no summary.outcome", path)
}
