package reports

import (
	"bytes"
	"encoding/json"
	"io"

	"github.com/mcptt-conformance/mcptt-conformance/verdict"
)

// jsonRun is reports/verdicts.json (shared/contract/verdicts.md). Fields may be added,
// never renamed or removed.
type jsonRun struct {
	Suite    string           `json:"suite"`
	Version  string           `json:"version"`
	Profile  string           `json:"profile"`
	Source   string           `json:"source"`
	Started  string           `json:"started"`
	Finished string           `json:"finished"`
	Strict   bool             `json:"strict"`
	Summary  summary          `json:"summary"`
	Results  []verdict.Result `json:"results"`
	Notes    []string         `json:"notes,omitempty"`
}

// summary counts results per verdict word and writes the words in report order.
type summary map[verdict.Verdict]int

func (s summary) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, v := range verdict.All {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(string(v)) // a string always encodes
		n, _ := json.Marshal(s[v])      // so does an int
		b.Write(k)
		b.WriteByte(':')
		b.Write(n)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// WriteJSON writes verdicts.json per the contract: the results flattened in case order,
// the summary counting every verdict word (0 included), timestamps RFC 3339 in UTC,
// secrets redacted unless the run asked otherwise.
func WriteJSON(w io.Writer, r Run) error {
	p := prepare(r)
	out := jsonRun{
		Suite:    p.Suite,
		Version:  p.Version,
		Profile:  p.Profile,
		Source:   p.Source,
		Started:  utc(p.Started),
		Finished: utc(p.Finished),
		Strict:   p.Strict,
		Results:  flatten(p.Cases),
		Notes:    p.Notes,
	}
	if out.Results == nil {
		out.Results = []verdict.Result{}
	}
	out.Summary = verdict.Summary(out.Results)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}
