package reports

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/mcptt-conformance/mcptt-conformance/verdict"
)

// shardHead is what Merge reads of a shard's verdicts.json besides its rows.
type shardHead struct {
	Suite, Version, Profile, Source string
	Started, Finished               time.Time
	Strict                          bool
	Notes                           []string
	Summary                         map[string]json.RawMessage
}

// Merge writes one set of reports into dir from the verdicts.json files of the shards
// of a run (each judged a share of the clients): every row of every shard, streamed,
// in the order of cases (the requirements, in report order; a requirement no case
// names comes after them) and, within a requirement, shard by shard. The merged run
// started with the first shard and finished with the last; its notes say each shard's
// outcome. A shard whose outcome is worse than its rows make it (fewer requests
// arrived than awaited) keeps the merged run from being conformant: it counts as an
// awaited shard that did not arrive. It returns the merged run's outcome.
func Merge(dir string, inputs []string, cases []Case) (verdict.Outcome, error) {
	if len(inputs) == 0 {
		return verdict.OutcomeError, errors.New("merge: no verdicts.json given")
	}
	s, err := NewStream(dir, Run{Cases: cases})
	if err != nil {
		return verdict.OutcomeError, err
	}
	r := Run{Awaited: verdict.Requests{}, Arrived: verdict.Requests{}}
	var sources []string
	for i, in := range inputs {
		before := s.total()
		h, err := s.addShard(in)
		if err != nil {
			return verdict.OutcomeError, errors.Join(fmt.Errorf("merge %s: %w", in, err), s.Close(Run{}))
		}
		if i == 0 {
			r.Suite, r.Version, r.Profile = h.Suite, h.Version, h.Profile
		}
		if r.Started.IsZero() || h.Started.Before(r.Started) {
			r.Started = h.Started
		}
		r.Finished = later(r.Finished, h.Finished)
		r.Strict = r.Strict || h.Strict
		if !slices.Contains(sources, h.Source) {
			sources = append(sources, h.Source)
		}
		var stated verdict.Outcome
		_ = json.Unmarshal(h.Summary["outcome"], &stated)
		rows := s.total()
		for v, n := range before {
			rows[v] -= n
		}
		r.Notes = append(r.Notes, fmt.Sprintf("shard %s: outcome %s, %d rows", in, stated, rows.rows()))
		if own := outcomeOf(rows, nil, nil); stated != own && stated.ExitCode() > own.ExitCode() {
			r.Awaited[in] = 1
			r.Notes = append(r.Notes, fmt.Sprintf("shard %s says %s where its rows alone say %s (fewer requests arrived than awaited): the merged run cannot be conformant", in, stated, own))
		}
		for _, n := range h.Notes {
			r.Notes = append(r.Notes, "shard "+in+": "+n)
		}
	}
	r.Source = "merge of " + strings.Join(sources, "; ")
	for _, c := range cases {
		if s.counts[c.ID] != nil {
			r.Cases = append(r.Cases, c)
		}
	}
	err = s.Close(r)
	return outcomeOf(s.total(), r.Awaited, r.Arrived), err
}

// later is the later of two times.
func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// total is every row counted so far, per verdict.
func (s *Stream) total() tally {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := tally{}
	for _, byClient := range s.counts {
		for _, ct := range byClient {
			for v, n := range ct {
				t[v] += n
			}
		}
	}
	return t
}

// addShard adds every row of one verdicts.json, read as a stream, and returns the
// rest of the file.
func (s *Stream) addShard(name string) (shardHead, error) {
	var h shardHead
	f, err := os.Open(name)
	if err != nil {
		return h, err
	}
	defer f.Close()
	dec := json.NewDecoder(f)
	dec.UseNumber()
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return h, fmt.Errorf("expected a verdicts.json object, saw %v (%v)", tok, err)
	}
	head := map[string]json.RawMessage{}
	results := false
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return h, err
		}
		key, _ := tok.(string)
		if key != "results" {
			var v json.RawMessage
			if err := dec.Decode(&v); err != nil {
				return h, fmt.Errorf("%s: %w", key, err)
			}
			head[key] = v
			continue
		}
		results = true
		if tok, err := dec.Token(); err != nil || tok != json.Delim('[') {
			return h, fmt.Errorf("expected the results array, saw %v (%v)", tok, err)
		}
		for n := 1; dec.More(); n++ {
			var res verdict.Result
			if err := dec.Decode(&res); err != nil {
				return h, fmt.Errorf("results row %d: %w", n, err)
			}
			if err := s.Add(res); err != nil {
				return h, err
			}
		}
		if _, err := dec.Token(); err != nil {
			return h, err
		}
	}
	if !results {
		return h, errors.New("expected a results array, saw none")
	}
	raw, _ := json.Marshal(head) // raw messages always encode
	if err := json.Unmarshal(raw, &h); err != nil {
		return h, fmt.Errorf("expected the contract's fields: %w", err)
	}
	if _, err := dec.Token(); err != nil && !errors.Is(err, io.EOF) {
		return h, err
	}
	return h, nil
}
