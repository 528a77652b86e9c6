package reports

import (
	"github.com/mcptt-conformance/mcptt-conformance/baseline"
	"github.com/mcptt-conformance/mcptt-conformance/verdict"
)

// gate is what a run means for a release gate: its outcome and, with a baseline, the
// class of every row (in the order of Run.Results) and the accepted failures that are
// fixed or did not come up.
type gate struct {
	Outcome verdict.Outcome
	// Classes is each row's class against the baseline; nil without a baseline.
	Classes []baseline.Class
	// Known are the accepted failures the run failed again, once each.
	Known            []baseline.Entry
	Fixed, Unmatched []baseline.Entry
	Regressions, New int
}

// gate judges the run: verdict.OutcomeOf over its rows and the requests awaited and
// arrived, or, with a baseline, the classification's outcome.
func (r Run) gate() gate {
	rows := r.Results()
	if r.Baseline == nil {
		return gate{Outcome: verdict.OutcomeOf(rows, r.Awaited, r.Arrived)}
	}
	in := make([]baseline.Row, len(rows))
	for i, res := range rows {
		in[i] = baseline.Row{Result: res}
	}
	c := baseline.Classify(r.Baseline, in)
	g := gate{Outcome: c.Outcome(r.Awaited, r.Arrived), Classes: make([]baseline.Class, len(rows)),
		Fixed: c.Fixed, Unmatched: c.Unmatched}
	seen := map[*baseline.Entry]bool{}
	for i, cr := range c.Rows {
		g.Classes[i] = cr.Class
		switch {
		case cr.Class == baseline.Known && !seen[cr.Entry]:
			seen[cr.Entry] = true
			g.Known = append(g.Known, *cr.Entry)
		case cr.Class == baseline.Regression:
			g.Regressions++
		case cr.Class == baseline.New && cr.Row.Result.Verdict == verdict.Fail:
			g.New++
		}
	}
	return g
}

// Outcome is the run's outcome (summary.outcome of verdicts.json).
func (r Run) Outcome() verdict.Outcome { return r.gate().Outcome }

// unexplained reports whether an accepted failure still carries the reason the
// baseline command wrote for a person to replace.
func unexplained(e baseline.Entry) bool { return e.Reason == baseline.Placeholder }
