// Command mcptt-conformance is the suite's command line: a live conformance run (run),
// a recorded capture judged (check), the requirement catalogue (list), an
// expected-failure baseline (baseline), the MIKEY inspector (inspect) and the test KMS
// (kms). run and check drive the Ginkgo suite (bin/mcptt-suite), which judges; its own
// flags stay reachable after "--".
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/mcptt-conformance/mcptt-conformance/kms/kmscli"
	"github.com/mcptt-conformance/mcptt-conformance/mikey/inspect"
)

const usage = `mcptt-conformance: conformance suite for MCPTT clients (3GPP TS 24.379 7.2.1, 7.2.2, 7A.2.1)

Usage:
  mcptt-conformance run      -profile FILE [flags] [-- suite flags]   live run: the suite plays the MCPTT server
  mcptt-conformance check    -capture PATH [flags] [-- suite flags]   judge recorded traffic (folder, .sip, pcap, pcapng)
  mcptt-conformance list     [-profile FILE]                          the requirements, and which apply to a profile
  mcptt-conformance baseline VERDICTS.json > known.yaml               a run's failures as a baseline for -baseline
  mcptt-conformance merge    -reports OUT SHARD/verdicts.json...      one set of reports from the shards of a run
  mcptt-conformance inspect  -keys KEYFILE MESSAGE                    open one MIKEY-SAKKE I_MESSAGE, print JSON
  mcptt-conformance kms      init|issue [flags]                       the test KMS (test-only keys)
  mcptt-conformance help     [COMMAND]                                this text, or a command's flags

Reports (run, check): junit.xml, verdicts.json, report.html and captures/ in -reports.
Suite flags after "--" go to the Ginkgo suite unchanged, e.g. -- -ginkgo.label-filter='clause:7.2.1' -ginkgo.v

Exit status:
  0  conformant (with -baseline: no regression)
  1  non-conformant: a fail, or a regression against the baseline
  2  usage: bad flags, an invalid profile or baseline, an unreadable capture
  3  inconclusive: no fail, but something the requirements need did not arrive
  4  the suite itself failed
`

// The exit statuses of shared/contract/verdicts.md.
const (
	exitConformant    = 0
	exitNonConformant = 1
	exitUsage         = 2
	exitInconclusive  = 3
	exitError         = 4
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "run":
		return suiteCommand(live, rest, stdout, stderr)
	case "check":
		return suiteCommand(capture, rest, stdout, stderr)
	case "list":
		return list(rest, stdout, stderr)
	case "baseline":
		return baselineCommand(rest, stdout, stderr)
	case "merge":
		return merge(rest, stdout, stderr)
	case "inspect":
		return inspect.Main(rest, stdout, stderr)
	case "kms":
		return kmscli.Main(rest, stdout, stderr, time.Now)
	case "help", "-h", "-help", "--help":
		if len(rest) > 0 && rest[0] != "help" {
			return run([]string{rest[0], "-h"}, stdout, stderr)
		}
		fmt.Fprint(stdout, usage)
		return exitConformant
	}
	fmt.Fprintf(stderr, "mcptt-conformance: unknown command %q; expected run, check, list, baseline, merge, inspect, kms or help\n", cmd)
	return exitUsage
}

// command is a subcommand's flag set: its errors and its help go to stderr, the usage
// line first, then the flags.
func command(name, usage string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, usage)
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags parses a command's flags. done is true when the command ends there: after
// -h (status 0), or a flag error the flag set has already reported (status 2).
func parseFlags(fs *flag.FlagSet, args []string) (status int, done bool) {
	err := fs.Parse(args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		return exitConformant, true
	case err != nil:
		return exitUsage, true
	}
	return 0, false
}
