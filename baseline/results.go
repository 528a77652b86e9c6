package baseline

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"

	"github.com/mcptt-conformance/mcptt-conformance/verdict"
)

// ReadResults reads the result rows of a reports/verdicts.json
// (shared/contract/verdicts.md), client included.
func ReadResults(r io.Reader) ([]Row, error) {
	var file struct {
		Results *[]json.RawMessage `json:"results"`
	}
	if err := json.NewDecoder(r).Decode(&file); err != nil {
		return nil, fmt.Errorf("expected a verdicts.json: %w", err)
	}
	if file.Results == nil {
		return nil, fmt.Errorf("expected a verdicts.json with a results list, saw none")
	}
	rows := make([]Row, len(*file.Results))
	for i, raw := range *file.Results {
		if err := json.Unmarshal(raw, &rows[i].Result); err != nil {
			return nil, fmt.Errorf("results[%d]: expected a result row: %w", i, err)
		}
		res := rows[i].Result
		if res.Requirement == "" {
			return nil, fmt.Errorf("results[%d]: expected a requirement ID, saw none", i)
		}
		if !slices.Contains(verdict.All, res.Verdict) {
			return nil, fmt.Errorf("results[%d]: expected a verdict among %v, saw %q", i, verdict.All, res.Verdict)
		}
	}
	return rows, nil
}
