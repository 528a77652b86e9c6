package reports

import (
	"bytes"
	"encoding/json"
	"io"
	"time"

	"github.com/mcptt-conformance/mcptt-conformance/baseline"
	"github.com/mcptt-conformance/mcptt-conformance/verdict"
)

// jsonRun is reports/verdicts.json (shared/contract/verdicts.md). Fields may be added,
// never renamed or removed.
type jsonRun struct {
	Suite    string        `json:"suite"`
	Version  string        `json:"version"`
	Profile  string        `json:"profile"`
	Source   string        `json:"source"`
	Started  string        `json:"started"`
	Finished string        `json:"finished"`
	Strict   bool          `json:"strict"`
	Summary  summary       `json:"summary"`
	Results  []jsonResult  `json:"results"`
	Notes    []string      `json:"notes,omitempty"`
	Baseline *jsonBaseline `json:"baseline,omitempty"`
}

// jsonResult is a row with its class against the baseline, when one was given.
type jsonResult struct {
	verdict.Result
	Baseline baseline.Class `json:"baseline,omitempty"`
}

// jsonBaseline is the run against its baseline: the file, and the accepted failures
// that failed again (known), now pass (fixed: remove them from the baseline) or did
// not come up (unmatched), with the counts of the fails it does not accept.
type jsonBaseline struct {
	File        string      `json:"file"`
	Known       []jsonEntry `json:"known"`
	Fixed       []jsonEntry `json:"fixed"`
	Unmatched   []jsonEntry `json:"unmatched"`
	Regressions int         `json:"regressions"`
	New         int         `json:"new"`
}

// jsonEntry is an accepted failure as the baseline file holds it.
type jsonEntry struct {
	Requirement string `json:"requirement"`
	Message     string `json:"message"`
	Client      string `json:"client,omitempty"`
	Reason      string `json:"reason"`
	// Unexplained is true while the reason is still the one the baseline command wrote.
	Unexplained bool   `json:"unexplained,omitempty"`
	Until       string `json:"until,omitempty"`
	Line        int    `json:"line"`
}

// summary counts results per verdict word, writes the words in report order, and
// ends with the run's outcome.
type summary struct {
	counts  map[verdict.Verdict]int
	outcome verdict.Outcome
}

func (s summary) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for _, v := range verdict.All {
		k, _ := json.Marshal(string(v))   // a string always encodes
		n, _ := json.Marshal(s.counts[v]) // so does an int
		b.Write(k)
		b.WriteByte(':')
		b.Write(n)
		b.WriteByte(',')
	}
	o, _ := json.Marshal(string(s.outcome))
	b.WriteString(`"outcome":`)
	b.Write(o)
	b.WriteByte('}')
	return b.Bytes(), nil
}

// WriteJSON writes verdicts.json per the contract: the results flattened in case order,
// the summary counting every verdict word (0 included) and giving the outcome,
// timestamps RFC 3339 in UTC, secrets redacted unless the run asked otherwise; with a
// baseline, each row's class and the baseline's accepted failures.
func WriteJSON(w io.Writer, r Run) error {
	p := prepare(r)
	g := r.gate()
	rows := flatten(p.Cases)
	out := jsonRun{
		Suite:    p.Suite,
		Version:  p.Version,
		Profile:  p.Profile,
		Source:   p.Source,
		Started:  utc(p.Started),
		Finished: utc(p.Finished),
		Strict:   p.Strict,
		Summary:  summary{verdict.Summary(rows), g.Outcome},
		Results:  make([]jsonResult, len(rows)),
		Notes:    p.Notes,
	}
	for i, res := range rows {
		out.Results[i].Result = res
		if g.Classes != nil {
			out.Results[i].Baseline = g.Classes[i]
		}
	}
	if r.Baseline != nil {
		red := newRedactor(r.Secrets, r.ShowSecrets)
		out.Baseline = &jsonBaseline{File: red.str(r.BaselineFile), Known: jsonEntries(red, g.Known),
			Fixed: jsonEntries(red, g.Fixed), Unmatched: jsonEntries(red, g.Unmatched),
			Regressions: g.Regressions, New: g.New}
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

func jsonEntries(red redactor, es []baseline.Entry) []jsonEntry {
	out := make([]jsonEntry, len(es))
	for i, e := range es {
		out[i] = jsonEntry{Requirement: e.Requirement, Message: red.str(e.Message), Client: red.str(e.Client),
			Reason: red.str(e.Reason), Unexplained: unexplained(e), Line: e.Line}
		if !e.Until.IsZero() {
			out[i].Until = e.Until.Format(time.DateOnly)
		}
	}
	return out
}
