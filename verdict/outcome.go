package verdict

// Outcome is the verdict of a whole run: summary.outcome of reports/verdicts.json
// (shared/contract/verdicts.md).
type Outcome string

// The outcomes of a run.
const (
	// OutcomeConformant: every applicable requirement passed. A not-tested row does not
	// stand in the way: the suite writes one only where the catalogue puts a
	// requirement outside what it can test.
	OutcomeConformant Outcome = "conformant"
	// OutcomeNonConformant: a requirement failed.
	OutcomeNonConformant Outcome = "non-conformant"
	// OutcomeInconclusive: nothing failed, but an applicable requirement did not see
	// what it needs, fewer requests arrived than the profile awaits, or nothing was
	// judged at all.
	OutcomeInconclusive Outcome = "inconclusive"
	// OutcomeError: the suite itself failed on some requirement, so the run proves
	// nothing either way.
	OutcomeError Outcome = "error"
)

// The exit status of the suite's binary, the table "Exit status" of the contract. CI
// gates on it.
const (
	ExitConformant    = 0 // conformant (with a baseline: no regression)
	ExitNonConformant = 1 // a fail, or a regression against the baseline
	ExitUsage         = 2 // bad flags, an invalid profile or baseline, an unreadable capture
	ExitInconclusive  = 3 // inconclusive
	ExitError         = 4 // the suite itself failed
)

// ExitCode is the exit status the outcome gives. A word that is not an outcome is a
// suite defect: ExitError.
func (o Outcome) ExitCode() int {
	switch o {
	case OutcomeConformant:
		return ExitConformant
	case OutcomeNonConformant:
		return ExitNonConformant
	case OutcomeInconclusive:
		return ExitInconclusive
	}
	return ExitError
}

// Requests counts requests per method ("REGISTER", "PUBLISH"); a method not in the map
// counts 0.
type Requests map[string]int

// OutcomeOf judges a run from its rows and from the requests the profile awaits per
// method against those that arrived. In order: an error row makes the run error, then
// a fail makes it non-conformant; an inconclusive row, a method with fewer arrivals
// than awaited, or no row that passed makes it inconclusive; otherwise it is
// conformant. Not-applicable and not-tested rows count for nothing.
func OutcomeOf(rs []Result, awaited, arrived Requests) Outcome {
	s := Summary(rs)
	switch {
	case s[Error] > 0:
		return OutcomeError
	case s[Fail] > 0:
		return OutcomeNonConformant
	case s[Inconclusive] > 0 || s[Pass] == 0:
		return OutcomeInconclusive
	}
	for method, n := range awaited {
		if arrived[method] < n {
			return OutcomeInconclusive
		}
	}
	return OutcomeConformant
}
