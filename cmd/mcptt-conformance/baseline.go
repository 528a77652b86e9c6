package main

import (
	"fmt"
	"io"
)

// baselineCommand writes the failures of a run's verdicts.json as a baseline.
func baselineCommand(args []string, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "mcptt-conformance baseline: not built yet")
	return exitUsage
}

// checkBaseline reads a baseline file, so that a malformed one is a usage error.
func checkBaseline(path string) error { return nil }
