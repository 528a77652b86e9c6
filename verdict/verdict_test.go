package verdict

import "testing"

func TestWorst(t *testing.T) {
	cases := []struct {
		in   []Verdict
		want Verdict
	}{
		{nil, NotApplicable},
		{[]Verdict{NotApplicable, Pass}, Pass},
		{[]Verdict{Pass, NotTested}, Pass},
		{[]Verdict{Pass, Inconclusive}, Inconclusive},
		{[]Verdict{Inconclusive, Fail, Pass}, Fail},
		{[]Verdict{Fail, Error}, Error},
	}
	for _, c := range cases {
		if got := Worst(c.in...); got != c.want {
			t.Errorf("Worst(%v) = %s, want %s", c.in, got, c.want)
		}
	}
}

func TestSummaryCountsEveryWord(t *testing.T) {
	s := Summary([]Result{{Verdict: Pass}, {Verdict: Pass}, {Verdict: Fail}})
	if len(s) != len(All) || s[Pass] != 2 || s[Fail] != 1 || s[Error] != 0 {
		t.Fatalf("expected every verdict word counted, saw %v", s)
	}
	for _, v := range All {
		if v.Bad() != (v == Fail || v == Error) {
			t.Errorf("%s.Bad() = %t", v, v.Bad())
		}
	}
}
