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
	Suite    string          `json:"suite"`
	Version  string          `json:"version"`
	Profile  string          `json:"profile"`
	Source   string          `json:"source"`
	Started  string          `json:"started"`
	Finished string          `json:"finished"`
	Strict   bool            `json:"strict"`
	Summary  summary         `json:"summary"`
	Results  json.RawMessage `json:"results"` // written row by row: see writeJSON
	Notes    []string        `json:"notes,omitempty"`
	Baseline *jsonBaseline   `json:"baseline,omitempty"`
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
	v := viewOf(r)
	return writeJSON(w, v, func(yield func(verdict.Result) error) error {
		for _, c := range v.p.Cases {
			for _, res := range c.Results {
				if err := yield(res); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// rowsAt marks where the rows go in the indented document.
const rowsAt = "\n  \"results\": []"

// writeJSON writes verdicts.json of v with the rows each yields, in order, one at a
// time: the document around them is encoded first and the rows written in its
// "results" array as they come, so that the rows are never all in memory.
func writeJSON(w io.Writer, v view, each func(yield func(verdict.Result) error) error) error {
	p, g := v.p, v.g
	out := jsonRun{
		Suite:    p.Suite,
		Version:  p.Version,
		Profile:  p.Profile,
		Source:   p.Source,
		Started:  utc(p.Started),
		Finished: utc(p.Finished),
		Strict:   p.Strict,
		Summary:  summary{v.total, g.Outcome},
		Results:  json.RawMessage("[]"),
		Notes:    p.Notes,
	}
	if p.Baseline != nil {
		out.Baseline = &jsonBaseline{File: p.BaselineFile, Known: jsonEntries(v.red, g.Known),
			Fixed: jsonEntries(v.red, g.Fixed), Unmatched: jsonEntries(v.red, g.Unmatched),
			Regressions: g.Regressions, New: g.New}
	}
	var doc bytes.Buffer
	enc := json.NewEncoder(&doc)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		return err
	}
	head, tail, _ := bytes.Cut(doc.Bytes(), []byte(rowsAt))
	if _, err := w.Write(append(head, rowsAt[:len(rowsAt)-1]...)); err != nil {
		return err
	}
	var row bytes.Buffer
	renc := json.NewEncoder(&row)
	renc.SetEscapeHTML(false)
	renc.SetIndent("    ", "  ")
	i := 0
	err := each(func(res verdict.Result) error {
		jr := jsonResult{Result: res}
		if g.Classes != nil && i < len(g.Classes) {
			jr.Baseline = g.Classes[i]
		}
		row.Reset()
		if i > 0 {
			row.WriteByte(',')
		}
		row.WriteString("\n    ")
		if err := renc.Encode(jr); err != nil {
			return err
		}
		row.Truncate(row.Len() - 1) // the encoder's newline
		i++
		_, err := w.Write(row.Bytes())
		return err
	})
	if err != nil {
		return err
	}
	if i > 0 {
		if _, err := io.WriteString(w, "\n  "); err != nil {
			return err
		}
	}
	_, err = w.Write(append([]byte("]"), tail...))
	return err
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
