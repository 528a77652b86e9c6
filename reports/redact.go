package reports

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/mcptt-conformance/mcptt-conformance/verdict"
)

// redactor replaces every occurrence of a secret with Redacted. The zero redactor
// changes nothing.
type redactor struct {
	r *strings.Replacer
	// secrets are the secrets as they occur in a row's strings and, JSON-escaped, in
	// its encoded evidence; slow is set when one is not valid UTF-8, which the
	// encoding does not keep as it is, so that every row takes the full walk.
	secrets []string
	slow    bool
}

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
	x := redactor{}
	for _, v := range s {
		pairs = append(pairs, v, Redacted)
		x.secrets = append(x.secrets, v)
		if esc := escaped(v); esc != v {
			x.secrets = append(x.secrets, esc)
		}
		x.slow = x.slow || !utf8.ValidString(v)
	}
	x.r = strings.NewReplacer(pairs...)
	return x
}

// escaped is s as the rows' JSON writes it inside a string, without the quotes.
func escaped(s string) string {
	b, _ := evidenceJSON(s) // a string always encodes
	return string(b[1 : len(b)-1])
}

// row is a result redacted, with its evidence in the JSON the reports write (nil
// without evidence). A row whose evidence is plain (see appendPlain) and which holds no
// secret, in its strings or in its encoded evidence, is returned as it is; any other
// row takes the full walk of result.
func (x redactor) row(res verdict.Result) (verdict.Result, []byte) {
	if len(res.Evidence) == 0 {
		res.Evidence = nil
		if x.r != nil && x.holds(res) {
			res = x.result(res)
		}
		return res, nil
	}
	if !x.slow {
		ev, ok := appendPlain(nil, res.Evidence, 0)
		if ok && !bytes.Contains(ev, []byte(`\ufffd`)) && (x.r == nil || !x.holds(res) && !x.inJSON(ev)) {
			return res, ev
		}
	}
	res = x.result(res)
	ev, _ := evidenceJSON(res.Evidence) // the walk leaves only JSON values
	return res, ev
}

// holds reports whether a secret occurs in one of the strings result redacts, its
// evidence aside.
func (x redactor) holds(res verdict.Result) bool {
	for _, s := range [...]string{res.Requirement, res.Clause, res.Message, res.Detail, res.Expected, res.Actual} {
		for _, sec := range x.secrets {
			if strings.Contains(s, sec) {
				return true
			}
		}
	}
	return false
}

// inJSON reports whether a secret, or its JSON-escaped form, occurs in encoded evidence.
func (x redactor) inJSON(ev []byte) bool {
	for _, sec := range x.secrets {
		if bytes.Contains(ev, []byte(sec)) {
			return true
		}
	}
	return false
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
