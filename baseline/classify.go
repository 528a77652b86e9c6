package baseline

import "github.com/mcptt-conformance/mcptt-conformance/verdict"

// Class is what a row is against a baseline: the "baseline" field of a verdicts.json row.
type Class string

// The classes of a row.
const (
	// Known is a fail the baseline accepts.
	Known Class = "known"
	// Fixed is a pass where the baseline accepts a fail: remove it from the baseline.
	Fixed Class = "fixed"
	// Regression is a fail the baseline does not accept, of a requirement it knew.
	Regression Class = "regression"
	// New is a row of a requirement the baseline did not know: one added to the
	// catalogue since it was written. A new fail is not accepted either.
	New Class = "new"
)

// Classified is a row with its class; Class is "" for a row the baseline has nothing to
// say about (a pass, or a row that neither passed nor failed, of a known requirement).
type Classified struct {
	Row   Row
	Class Class
	// Entry is the accepted failure the row matched, for Known and Fixed.
	Entry *Entry
}

// Classification is a run against a baseline.
type Classification struct {
	// Rows are the run's rows in their order.
	Rows []Classified
	// Fixed are the accepted failures that now pass: remove them from the baseline.
	Fixed []Entry
	// Unmatched are the accepted failures that neither failed nor passed in this run:
	// their request did not arrive, or the requirement did not apply or was
	// inconclusive.
	Unmatched []Entry
}

// Classify matches a run's rows against a baseline. A row matches an entry when its
// requirement, client and stable message (StableMessages) are the entry's. A matched
// fail is known; a matched pass is fixed, and so is its entry when no row of it fails;
// an unmatched fail is a regression; every row of a requirement the baseline did not
// know is new.
func Classify(b *Baseline, rows []Row) Classification {
	byKey := make(map[key]int, len(b.Known))
	for i, e := range b.Known {
		byKey[key{e.Requirement, e.Client, e.Message}] = i
	}
	const (
		unseen = iota
		passed
		failed
	)
	seen := make([]int, len(b.Known))
	stable := StableMessages(rows)
	c := Classification{Rows: make([]Classified, len(rows))}
	for i, r := range rows {
		cr := Classified{Row: r}
		at, matched := byKey[key{r.Result.Requirement, r.Result.Client, stable[i]}]
		switch v := r.Result.Verdict; {
		case matched && v == verdict.Fail:
			cr.Class, cr.Entry, seen[at] = Known, &b.Known[at], failed
		case matched && v == verdict.Pass:
			cr.Class, cr.Entry = Fixed, &b.Known[at]
			seen[at] = max(seen[at], passed)
		case !b.covers(r.Result.Requirement):
			cr.Class = New
		case v == verdict.Fail:
			cr.Class = Regression
		}
		c.Rows[i] = cr
	}
	for i, e := range b.Known {
		switch seen[i] {
		case passed:
			c.Fixed = append(c.Fixed, e)
		case unseen:
			c.Unmatched = append(c.Unmatched, e)
		}
	}
	return c
}

// Outcome judges the run as verdict.OutcomeOf does, a known failure counting as
// accepted: with no regression and no new fail, known failures leave the run
// conformant (exit 0).
func (c Classification) Outcome(awaited, arrived verdict.Requests) verdict.Outcome {
	rs := make([]verdict.Result, len(c.Rows))
	for i, cr := range c.Rows {
		rs[i] = cr.Row.Result
		if cr.Class == Known {
			rs[i].Verdict = verdict.Pass
		}
	}
	return verdict.OutcomeOf(rs, awaited, arrived)
}
