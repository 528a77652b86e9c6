// Package verdict holds the outcome of one requirement check: the verdict words of
// requirements.md and the result rows that reports/verdicts.json carries.
package verdict

import "fmt"

// Verdict is one of the words of requirements.md.
type Verdict string

// The verdicts, in the order reports list them.
const (
	Pass          Verdict = "pass"
	Fail          Verdict = "fail"
	Inconclusive  Verdict = "inconclusive"
	NotApplicable Verdict = "not-applicable"
	NotTested     Verdict = "not-tested"
	Error         Verdict = "error"
)

// All lists every verdict in report order.
var All = []Verdict{Pass, Fail, Inconclusive, NotApplicable, NotTested, Error}

// Bad reports whether the verdict makes a run fail (non-zero exit status).
func (v Verdict) Bad() bool { return v == Fail || v == Error }

// rank orders verdicts by how much they say against the client: when one requirement has
// several results, the worst one is the requirement's verdict.
func (v Verdict) rank() int {
	switch v {
	case Error:
		return 5
	case Fail:
		return 4
	case Inconclusive:
		return 3
	case Pass:
		return 2
	case NotTested:
		return 1
	}
	return 0 // not-applicable
}

// Worst returns the verdict that outranks the others; NotApplicable for none.
func Worst(vs ...Verdict) Verdict {
	w := NotApplicable
	for _, v := range vs {
		if v.rank() > w.rank() {
			w = v
		}
	}
	return w
}

// Result is one row of reports/verdicts.json (shared/contract/verdicts.md): the verdict
// of one requirement for one examined request, or for the run as a whole. Expected and
// Actual are, for a fail (and some inconclusive rows), the specific expectation and
// what was seen instead; Detail says the same in one sentence a person reads.
type Result struct {
	Requirement string  `json:"requirement"`
	Clause      string  `json:"clause"`
	Verdict     Verdict `json:"verdict"`
	Message     string  `json:"message"`
	Detail      string  `json:"detail"`
	Expected    string  `json:"expected,omitempty"`
	Actual      string  `json:"actual,omitempty"`
	// Client is the client's address of record when the run holds several clients.
	Client   string         `json:"client,omitempty"`
	Evidence map[string]any `json:"evidence,omitempty"`
}

func (r Result) String() string {
	return fmt.Sprintf("%s %s [%s]: %s", r.Requirement, r.Verdict, r.Message, r.Detail)
}

// Summary counts results per verdict; every verdict word is present.
func Summary(rs []Result) map[Verdict]int {
	s := make(map[Verdict]int, len(All))
	for _, v := range All {
		s[v] = 0
	}
	for _, r := range rs {
		s[r.Verdict]++
	}
	return s
}
