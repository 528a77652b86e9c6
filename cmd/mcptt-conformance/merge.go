package main

import (
	"fmt"
	"io"

	"github.com/mcptt-conformance/mcptt-conformance/reports"
	"github.com/mcptt-conformance/mcptt-conformance/validators"
)

// merge writes one set of reports from the verdicts.json of a run's shards (check
// -shard i/n), and exits with the merged run's outcome.
func merge(args []string, stdout, stderr io.Writer) int {
	fs := command("merge", "usage: mcptt-conformance merge -reports OUT SHARD/verdicts.json...", stderr)
	out := fs.String("reports", "reports", "the folder the merged junit.xml, verdicts.json and report.html go to")
	if status, done := parseFlags(fs, args); done {
		return status
	}
	if fs.NArg() == 0 {
		fmt.Fprintln(stderr, "mcptt-conformance merge: expected the shards' verdicts.json files, saw none")
		return exitUsage
	}
	var cases []reports.Case
	for _, req := range validators.Catalogue() {
		cases = append(cases, reports.Case{ID: req.ID, Clause: req.Clause, Title: req.Title, Requirement: req.Text})
	}
	outcome, err := reports.Merge(*out, fs.Args(), cases)
	if err != nil {
		fmt.Fprintf(stderr, "mcptt-conformance merge: %v\n", err)
		return exitUsage
	}
	fmt.Fprintf(stdout, "outcome: %s\nreports in %s (junit.xml, verdicts.json, report.html)\n", outcome, *out)
	return outcome.ExitCode()
}
