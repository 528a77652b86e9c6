package reports

import (
	"fmt"

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
	c := baseline.Classify(r.Baseline, baselineRows(rows))
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

// BaselineLines say, one line each, what the run is against its baseline: every known
// failure with its reason (or that none was given yet), every fixed one, every fail
// the baseline does not accept, and every accepted failure that did not come up. None
// without a baseline.
func (r Run) BaselineLines() []string {
	if r.Baseline == nil {
		return nil
	}
	g := r.gate()
	var lines []string
	for _, e := range g.Known {
		lines = append(lines, "known failure: "+entryText(e)+": "+reasonText(e))
	}
	for _, e := range g.Fixed {
		lines = append(lines, "fixed, remove from the baseline: "+entryText(e))
	}
	stable := baselineMessages(r.Results())
	for i, res := range r.Results() {
		if c := g.Classes[i]; res.Verdict == verdict.Fail && (c == baseline.Regression || c == baseline.New) {
			lines = append(lines, fmt.Sprintf("%s: %s %s: %s", c, res.Requirement, stable[i], res.Detail))
		}
	}
	for _, e := range g.Unmatched {
		lines = append(lines, "accepted but not seen in this run: "+entryText(e))
	}
	return lines
}

// reasonText is an entry's reason, or says that none was given yet.
func reasonText(e baseline.Entry) string {
	if unexplained(e) {
		return "reason not given (" + baseline.Placeholder + " in the baseline)"
	}
	return e.Reason
}

// baselineMessages gives each row's message in the form a baseline names it.
func baselineMessages(rows []verdict.Result) []string {
	return baseline.StableMessages(baselineRows(rows))
}

func baselineRows(rows []verdict.Result) []baseline.Row {
	in := make([]baseline.Row, len(rows))
	for i, res := range rows {
		in[i] = baseline.Row{Result: res}
	}
	return in
}
