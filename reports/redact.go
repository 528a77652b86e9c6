package reports

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/mcptt-conformance/mcptt-conformance/verdict"
)

// redactor replaces every occurrence of a secret with Redacted. The zero redactor
// changes nothing.
type redactor struct{ r *strings.Replacer }

// newRedactor redacts the non-empty secrets, unless show is set. Longer secrets are
// matched first, so that a secret that contains another is redacted whole.
func newRedactor(secrets []string, show bool) redactor {
	if show {
		return redactor{}
	}
	var s []string
	for _, v := range secrets {
		if v != "" {
			s = append(s, v)
		}
	}
	if len(s) == 0 {
		return redactor{}
	}
	slices.SortStableFunc(s, func(a, b string) int { return cmp.Compare(len(b), len(a)) })
	pairs := make([]string, 0, 2*len(s))
	for _, v := range s {
		pairs = append(pairs, v, Redacted)
	}
	return redactor{strings.NewReplacer(pairs...)}
}

func (x redactor) str(s string) string {
	if x.r == nil {
		return s
	}
	return x.r.Replace(s)
}

// result redacts every string of a result, evidence keys and values included.
func (x redactor) result(res verdict.Result) verdict.Result {
	res.Requirement = x.str(res.Requirement)
	res.Clause = x.str(res.Clause)
	res.Message = x.str(res.Message)
	res.Detail = x.str(res.Detail)
	res.Expected = x.str(res.Expected)
	res.Actual = x.str(res.Actual)
	res.Evidence = x.evidence(res.Evidence)
	return res
}

// evidence returns a copy of the free-form evidence in its JSON form (objects, arrays,
// strings, numbers, booleans), so that every string in it, however deeply nested or
// whatever Go type held it, is reached; numbers keep their exact digits. Evidence that
// cannot be encoded as JSON is replaced by a note that says why, so that a report is
// still written.
func (x redactor) evidence(ev map[string]any) map[string]any {
	if len(ev) == 0 {
		return nil
	}
	raw, err := json.Marshal(ev)
	if err != nil {
		return map[string]any{"unencodable": x.str(fmt.Sprintf("the evidence could not be written as JSON: %v", err))}
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v map[string]any
	if err := dec.Decode(&v); err != nil {
		return map[string]any{"unencodable": x.str(fmt.Sprintf("the evidence could not be read back from JSON: %v", err))}
	}
	return x.walk(v).(map[string]any)
}

func (x redactor) walk(v any) any {
	switch v := v.(type) {
	case string:
		return x.str(v)
	case []any:
		for i, e := range v {
			v[i] = x.walk(e)
		}
		return v
	case map[string]any:
		m := make(map[string]any, len(v))
		for k, e := range v {
			m[x.str(k)] = x.walk(e)
		}
		return m
	}
	return v
}
