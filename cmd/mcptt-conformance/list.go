package main

import (
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/mcptt-conformance/mcptt-conformance/profile"
	"github.com/mcptt-conformance/mcptt-conformance/validators"
	"github.com/mcptt-conformance/mcptt-conformance/verdict"
)

// list prints the catalogue (as h2spec's dry run does): every requirement's ID, clause
// and title, and with -profile whether it applies to that profile, and why not.
func list(args []string, stdout, stderr io.Writer) int {
	fs := command("list", "usage: mcptt-conformance list [-profile FILE]", stderr)
	profilePath := fs.String("profile", "", "also say, for each requirement, whether it applies to this profile and why")
	if status, done := parseFlags(fs, args); done {
		return status
	}
	var empty *validators.Run
	if *profilePath != "" {
		p, err := profile.Load(*profilePath)
		if err != nil {
			fmt.Fprintf(stderr, "mcptt-conformance list: the profile cannot be used: %v\n", err)
			return exitUsage
		}
		empty = validators.NewRun(p, nil, false)
	}
	w := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	if empty == nil {
		fmt.Fprintln(w, "ID\tCLAUSE\tTITLE")
	} else {
		fmt.Fprintln(w, "ID\tCLAUSE\tAPPLIES\tTITLE")
	}
	for _, req := range validators.Catalogue() {
		if empty == nil {
			fmt.Fprintf(w, "%s\t%s\t%s\n", req.ID, req.Clause, req.Title)
			continue
		}
		applies, why := applicability(req, empty)
		fmt.Fprintf(w, "%s\t%s\t%s\t%s%s\n", req.ID, req.Clause, applies, req.Title, why)
	}
	w.Flush()
	return exitConformant
}

// applicability judges a requirement over a run in which nothing arrived: the profile's
// declared options alone then decide whether it applies (not-applicable, with the
// reason) or lies outside the suite (not-tested); any other verdict means it applies
// and waits for requests.
func applicability(req validators.Requirement, empty *validators.Run) (applies, why string) {
	rs := req.Judge(empty)
	if len(rs) == 1 {
		switch rs[0].Verdict {
		case verdict.NotApplicable:
			return "no", " (" + rs[0].Detail + ")"
		case verdict.NotTested:
			return "not tested", " (" + rs[0].Detail + ")"
		}
	}
	return "yes", ""
}
