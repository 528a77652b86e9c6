package baseline

import (
	"strings"
	"testing"

	"github.com/mcptt-conformance/mcptt-conformance/verdict"
)

func TestReadResults(t *testing.T) {
	rows, err := ReadResults(strings.NewReader(`{
  "suite": "mcptt-conformance",
  "summary": {"pass": 1, "fail": 1, "outcome": "non-conformant"},
  "results": [
    {"requirement": "7.2.1-01", "clause": "7.2.1", "verdict": "pass", "message": "register-001.sip", "detail": "well-formed"},
    {"requirement": "7.2.1-02", "clause": "7.2.1", "verdict": "fail", "message": "register-001.sip", "detail": "no tag",
     "expected": "the tag", "actual": "none", "evidence": {"line": 9}, "client": "sip:alice@example.org", "baseline": "regression"}
  ]
}`))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 {
		t.Fatalf("expected 2 rows, saw %d", len(rows))
	}
	r := rows[1]
	if r.Result.Requirement != "7.2.1-02" || r.Result.Verdict != verdict.Fail || r.Result.Message != "register-001.sip" ||
		r.Result.Detail != "no tag" || r.Result.Client != "sip:alice@example.org" || rows[0].Result.Client != "" {
		t.Fatalf("expected the second row of the file with its client, saw %+v", r)
	}
}

func TestReadResultsRefuses(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"not JSON", `requirements: []`, "expected a verdicts.json"},
		{"no results", `{"suite": "mcptt-conformance"}`, "with a results list, saw none"},
		{"a row that is not an object", `{"results": [42]}`, "results[0]: expected a result row"},
		{"a row without requirement", `{"results": [{"verdict": "pass"}]}`, "results[0]: expected a requirement ID"},
		{"an unknown verdict", `{"results": [{"requirement": "7.2.1-01", "verdict": "pass"}, {"requirement": "7.2.1-01", "verdict": "passed"}]}`, `results[1]: expected a verdict among [pass fail inconclusive not-applicable not-tested error], saw "passed"`},
		{"a client that is not a string", `{"results": [{"requirement": "7.2.1-01", "verdict": "pass", "client": 7}]}`, "results[0]: expected a result row"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ReadResults(strings.NewReader(c.in))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("expected an error containing %q, saw %v", c.want, err)
			}
		})
	}
}

func TestEmptyResultsAreNoRows(t *testing.T) {
	rows, err := ReadResults(strings.NewReader(`{"results": []}`))
	if err != nil || len(rows) != 0 {
		t.Fatalf("expected no rows and no error, saw %v, %v", rows, err)
	}
}
