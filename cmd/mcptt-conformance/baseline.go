package main

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/mcptt-conformance/mcptt-conformance/baseline"
	"github.com/mcptt-conformance/mcptt-conformance/validators"
)

// baselineCommand writes every fail of a run's verdicts.json as a known failure, for a
// person to give each a reason and hand back with -baseline (docs/baseline.md).
func baselineCommand(args []string, stdout, stderr io.Writer) int {
	fs := command("baseline", "usage: mcptt-conformance baseline VERDICTS.json > known.yaml\n"+
		"writes every fail of the run as a known failure; give each a reason (docs/baseline.md)", stderr)
	if status, done := parseFlags(fs, args); done {
		return status
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return exitUsage
	}
	f, err := os.Open(fs.Arg(0))
	if err != nil {
		fmt.Fprintf(stderr, "mcptt-conformance baseline: %v\n", err)
		return exitUsage
	}
	defer f.Close()
	rows, err := baseline.ReadResults(f)
	if err != nil {
		fmt.Fprintf(stderr, "mcptt-conformance baseline: %s: %v\n", fs.Arg(0), err)
		return exitUsage
	}
	if err := baseline.Write(stdout, rows); err != nil {
		fmt.Fprintf(stderr, "mcptt-conformance baseline: %v\n", err)
		return exitError
	}
	return exitConformant
}

// checkBaseline reads a baseline file as the suite will, so that a malformed one, one
// naming a requirement the catalogue lacks, or one past its until date is a usage error
// before anything runs.
func checkBaseline(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("the baseline cannot be read: %w", err)
	}
	defer f.Close()
	if _, err := baseline.Read(f, knownRequirement, time.Now()); err != nil {
		return fmt.Errorf("the baseline %s cannot be used:\n%w", path, err)
	}
	return nil
}

func knownRequirement(id string) bool {
	_, ok := validators.Lookup(id)
	return ok
}
