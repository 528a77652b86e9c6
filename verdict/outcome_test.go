package verdict

import "testing"

func TestOutcomeOf(t *testing.T) {
	rows := func(vs ...Verdict) []Result {
		var rs []Result
		for _, v := range vs {
			rs = append(rs, Result{Requirement: "7.2.1-01", Verdict: v})
		}
		return rs
	}
	one := Requests{"REGISTER": 1}
	both := Requests{"REGISTER": 1, "PUBLISH": 1}
	cases := []struct {
		name             string
		rs               []Result
		awaited, arrived Requests
		want             Outcome
		exit             int
	}{
		{"all pass", rows(Pass, Pass), one, one, OutcomeConformant, ExitConformant},
		{"not-tested and not-applicable beside passes", rows(Pass, NotTested, NotApplicable), one, one, OutcomeConformant, ExitConformant},
		{"more arrived than awaited", rows(Pass), one, Requests{"REGISTER": 3}, OutcomeConformant, ExitConformant},
		{"nothing awaited", rows(Pass), nil, nil, OutcomeConformant, ExitConformant},
		{"one fail", rows(Pass, Fail), one, one, OutcomeNonConformant, ExitNonConformant},
		{"fail outranks inconclusive", rows(Inconclusive, Fail), one, nil, OutcomeNonConformant, ExitNonConformant},
		{"error outranks fail", rows(Fail, Error, Pass), one, one, OutcomeError, ExitError},
		{"an inconclusive row", rows(Pass, Inconclusive), one, one, OutcomeInconclusive, ExitInconclusive},
		{"a client that sends nothing", rows(Inconclusive, NotApplicable, NotTested), one, nil, OutcomeInconclusive, ExitInconclusive},
		{"fewer requests than awaited", rows(Pass), Requests{"REGISTER": 2}, one, OutcomeInconclusive, ExitInconclusive},
		{"the PUBLISH never came", rows(Pass, Pass), both, one, OutcomeInconclusive, ExitInconclusive},
		{"only not-tested rows", rows(NotTested, NotApplicable), nil, nil, OutcomeInconclusive, ExitInconclusive},
		{"no rows at all", nil, nil, nil, OutcomeInconclusive, ExitInconclusive},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := OutcomeOf(c.rs, c.awaited, c.arrived)
			if got != c.want {
				t.Fatalf("expected outcome %s, saw %s", c.want, got)
			}
			if got.ExitCode() != c.exit {
				t.Fatalf("expected exit %d for %s, saw %d", c.exit, got, got.ExitCode())
			}
		})
	}
}

func TestExitCodeOfEveryOutcome(t *testing.T) {
	cases := []struct {
		o    Outcome
		want int
	}{
		{OutcomeConformant, 0},
		{OutcomeNonConformant, 1},
		{OutcomeInconclusive, 3},
		{OutcomeError, 4},
		{"", 4},
		{"passed", 4},
	}
	for _, c := range cases {
		if got := c.o.ExitCode(); got != c.want {
			t.Errorf("expected %q to exit %d, saw %d", c.o, c.want, got)
		}
	}
	if ExitUsage != 2 {
		t.Errorf("expected ExitUsage 2 per the contract, saw %d", ExitUsage)
	}
}
