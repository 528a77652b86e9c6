package reports

import (
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mcptt-conformance/mcptt-conformance/baseline"
	"github.com/mcptt-conformance/mcptt-conformance/verdict"
)

// decodeJSON parses verdicts.json generically, so that field names are checked as
// written, not as a Go struct would accept them.
func decodeJSON(t *testing.T, out []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(out, &m); err != nil {
		t.Fatalf("verdicts.json does not parse: %v\n%s", err, out)
	}
	return m
}

func TestJSONShape(t *testing.T) {
	m := decodeJSON(t, render(t, writers[0].write, sampleRun()))

	// The contract's fields, and the ones added since (fields may be added, never renamed).
	contract := []string{"suite", "version", "profile", "source", "started", "finished", "summary", "results"}
	added := []string{"strict", "notes"}
	if got, want := slices.Sorted(maps.Keys(m)), slices.Sorted(slices.Values(append(contract, added...))); !slices.Equal(got, want) {
		t.Errorf("top-level fields %q, want %q", got, want)
	}
	for k, want := range map[string]string{
		"suite": "mcptt-conformance", "version": "0.1.0", "profile": "fixtures/profiles/plain-register.yaml",
		"source": "live udp:127.0.0.1:5060", "started": "2026-11-25T10:00:00Z", "finished": "2026-11-25T10:00:03.25Z",
	} {
		if m[k] != want {
			t.Errorf("%s = %v, want %q", k, m[k], want)
		}
	}
	for _, k := range []string{"started", "finished"} {
		if _, err := time.Parse(time.RFC3339, m[k].(string)); err != nil {
			t.Errorf("%s is not RFC 3339: %v", k, err)
		}
	}

	summary, ok := m["summary"].(map[string]any)
	if !ok || len(summary) != len(verdict.All)+1 || summary["outcome"] != "error" {
		t.Fatalf("summary %v, want every verdict word and the outcome error (the sample has an error row)", m["summary"])
	}
	results, ok := m["results"].([]any)
	if !ok {
		t.Fatalf("results %v, want an array", m["results"])
	}
	counted := map[string]float64{}
	var order []string
	for i, x := range results {
		res := x.(map[string]any)
		for _, k := range []string{"requirement", "clause", "verdict", "message", "detail"} {
			if _, ok := res[k].(string); !ok {
				t.Errorf("result %d: %s = %v, want a string", i, k, res[k])
			}
		}
		for k := range res {
			if !slices.Contains([]string{"requirement", "clause", "verdict", "message", "detail", "expected", "actual", "evidence"}, k) {
				t.Errorf("result %d has the unknown field %q", i, k)
			}
		}
		counted[res["verdict"].(string)]++
		if id := res["requirement"].(string); len(order) == 0 || order[len(order)-1] != id {
			order = append(order, id)
		}
	}
	for _, v := range verdict.All {
		if n, ok := summary[string(v)].(float64); !ok || n != counted[string(v)] {
			t.Errorf("summary[%s] = %v, want %v (counted in results)", v, summary[string(v)], counted[string(v)])
		}
	}
	var want []string
	for _, c := range sampleRun().Cases {
		want = append(want, c.ID)
	}
	if !slices.Equal(order, want) {
		t.Errorf("results in requirement order %q, want case order %q", order, want)
	}
	if len(results) != 8 {
		t.Errorf("%d results, want 8 (2+2+1+1+1 results and one suite error row)", len(results))
	}
}

// TestJSONVerdicts checks each verdict's case: its results carry the verdict, and the
// fail's evidence survives with its line.
func TestJSONVerdicts(t *testing.T) {
	results := decodeJSON(t, render(t, writers[0].write, sampleRun()))["results"].([]any)
	for v, id := range byVerdict {
		t.Run(string(v), func(t *testing.T) {
			var seen []string
			for _, x := range results {
				res := x.(map[string]any)
				if res["requirement"] == id {
					seen = append(seen, res["verdict"].(string))
				}
			}
			if len(seen) == 0 || !slices.Contains(seen, string(v)) {
				t.Fatalf("%s has verdicts %q, want %s among them", id, seen, v)
			}
			for _, s := range seen {
				if verdict.Worst(verdict.Verdict(s), v) != v {
					t.Errorf("%s has a result %s worse than its verdict %s", id, s, v)
				}
			}
		})
	}
	for _, x := range results {
		res := x.(map[string]any)
		if res["verdict"] == "fail" {
			ev := res["evidence"].(map[string]any)
			if ev["line"] != float64(14) {
				t.Errorf("fail evidence line = %v, want 14", ev["line"])
			}
			if res["expected"] != "<mcptt-access-token> set to the access token "+Redacted || res["actual"] != Redacted+"x" {
				t.Errorf("fail expected %q, actual %q, want the row's own, redacted", res["expected"], res["actual"])
			}
		}
		if _, ok := res["expected"]; ok && res["verdict"] != "fail" {
			t.Errorf("%s %s has an expected field, want it only where the row has one", res["requirement"], res["verdict"])
		}
		if res["requirement"] == "MIME-02" && !strings.HasPrefix(res["detail"].(string), "panic in the XML check") {
			t.Errorf("error row detail %q, want the suite error", res["detail"])
		}
	}
}

func TestJSONEmptyRun(t *testing.T) {
	m := decodeJSON(t, render(t, writers[0].write, Run{Suite: "mcptt-conformance"}))
	if r, ok := m["results"].([]any); !ok || len(r) != 0 {
		t.Errorf("results = %v, want []", m["results"])
	}
	s := m["summary"].(map[string]any)
	for _, v := range verdict.All {
		if s[string(v)] != float64(0) {
			t.Errorf("summary[%s] = %v, want 0", v, s[string(v)])
		}
	}
	if _, ok := m["notes"]; ok {
		t.Error("notes written for a run without notes")
	}
	if s["outcome"] != "inconclusive" {
		t.Errorf("summary.outcome = %v, want inconclusive: nothing was judged", s["outcome"])
	}
	if _, ok := m["baseline"]; ok {
		t.Error("baseline written for a run without one")
	}
}

func TestJSONSummaryOrder(t *testing.T) {
	b, err := json.Marshal(summary{map[verdict.Verdict]int{verdict.Fail: 2}, verdict.OutcomeNonConformant})
	if err != nil {
		t.Fatal(err)
	}
	want := `{"pass":0,"fail":2,"inconclusive":0,"not-applicable":0,"not-tested":0,"error":0,"outcome":"non-conformant"}`
	if string(b) != want {
		t.Errorf("summary %s, want %s", b, want)
	}
}

// TestJSONBaseline checks a run against a baseline: each row's class, the outcome
// with the known failure accepted, and the accepted failures listed.
func TestJSONBaseline(t *testing.T) {
	res := func(id string, v verdict.Verdict) verdict.Result {
		return verdict.Result{Requirement: id, Clause: "7.2.1", Verdict: v, Message: "register-001.sip", Detail: "d"}
	}
	r := Run{
		Cases: []Case{
			{ID: "7.2.1-02", Results: []verdict.Result{res("7.2.1-02", verdict.Fail)}},
			{ID: "7.2.1-03", Results: []verdict.Result{res("7.2.1-03", verdict.Pass)}},
		},
		Awaited: verdict.Requests{"REGISTER": 1}, Arrived: verdict.Requests{"REGISTER": 1},
		Baseline: &baseline.Baseline{Requirements: []string{"7.2.1-02", "7.2.1-03"}, Known: []baseline.Entry{
			{Requirement: "7.2.1-02", Message: "register-001.sip", Reason: baseline.Placeholder, Line: 4},
			{Requirement: "7.2.1-03", Message: "register-001.sip", Reason: "ticket 7", Line: 8},
		}},
		BaselineFile: "known.yaml",
	}
	m := decodeJSON(t, render(t, writers[0].write, r))
	if o := m["summary"].(map[string]any)["outcome"]; o != "conformant" {
		t.Errorf("outcome %v, want conformant: the one fail is known", o)
	}
	var classes []string
	for _, x := range m["results"].([]any) {
		classes = append(classes, x.(map[string]any)["baseline"].(string))
	}
	if strings.Join(classes, " ") != "known fixed" {
		t.Errorf("row classes %q, want known fixed", classes)
	}
	b := m["baseline"].(map[string]any)
	known, fixed := b["known"].([]any), b["fixed"].([]any)
	if b["file"] != "known.yaml" || len(known) != 1 || len(fixed) != 1 ||
		known[0].(map[string]any)["unexplained"] != true || fixed[0].(map[string]any)["requirement"] != "7.2.1-03" {
		t.Errorf("baseline %v, want known.yaml with 7.2.1-02 known (unexplained) and 7.2.1-03 fixed", b)
	}
}
