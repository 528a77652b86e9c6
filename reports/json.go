package reports

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"time"
	"unicode/utf8"

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

// jsonResult is a row with its class against the baseline, when one was given. Its
// evidence is the row's, already written as JSON (see redactor.row); it takes the
// place of the embedded Result's, in the same place among the fields.
type jsonResult struct {
	verdict.Result
	Evidence json.RawMessage `json:"evidence,omitempty"`
	Baseline baseline.Class  `json:"baseline,omitempty"`
}

// rowWriter encodes rows as verdicts.json holds them in its results array: each
// indented as the document is, preceded by the comma that separates it from the row
// before (the first row of the array leaves it out). Its bytes are those of
// encoding/json's Encoder (SetEscapeHTML(false), SetIndent("    ", "  ")) for a
// jsonResult, written by hand, field by field, which is several times faster
// (FuzzRowWriter holds the two equal).
type rowWriter struct {
	buf bytes.Buffer
	b   []byte // encode's
}

func newRowWriter() *rowWriter { return &rowWriter{} }

// encode is a row's bytes, valid until the next call: res with its evidence ev, as
// compact JSON, and its class against the baseline.
func (rw *rowWriter) encode(res verdict.Result, ev []byte, class baseline.Class) ([]byte, error) {
	b, err := rw.appendRow(rw.b[:0], res, ev, class)
	if err != nil {
		return nil, err
	}
	rw.b = b
	return b, nil
}

// appendRow appends the bytes encode gives for a row to dst; on an error, dst is
// returned as it was.
func (rw *rowWriter) appendRow(dst []byte, res verdict.Result, ev []byte, class baseline.Class) ([]byte, error) {
	b := append(dst, ",\n    {"...)
	field := func(name, value string, always bool) {
		if always || value != "" {
			b = append(b, "\n      \""...)
			b = append(b, name...)
			b = append(b, "\": "...)
			b = appendJSONString(b, value)
			b = append(b, ',')
		}
	}
	field("requirement", res.Requirement, true)
	field("clause", res.Clause, true)
	field("verdict", string(res.Verdict), true)
	field("message", res.Message, true)
	field("detail", res.Detail, true)
	field("expected", res.Expected, false)
	field("actual", res.Actual, false)
	field("client", res.Client, false)
	if len(ev) > 0 {
		b = append(b, "\n      \"evidence\": "...)
		rw.buf.Reset()
		if err := json.Indent(&rw.buf, ev, "      ", "  "); err != nil {
			return dst, fmt.Errorf("evidence: %w", err)
		}
		b = append(b, rw.buf.Bytes()...)
		b = append(b, ',')
	}
	field("baseline", string(class), false)
	return append(b[:len(b)-1], "\n    }"...), nil // the last field's comma
}

// appendJSONString appends s as a JSON string, as encoding/json writes it without
// escaping HTML: quotes, backslashes and control characters escaped (\b \f \n \r
// \t by name, the others as \u00xx), each byte of invalid UTF-8 as \ufffd, U+2028
// and U+2029 as \u2028 and \u2029, everything else as it is.
func appendJSONString(b []byte, s string) []byte {
	const hexDigits = "0123456789abcdef"
	b = append(b, '"')
	from := 0 // s[from:i] is yet to be appended as it is
	for i := 0; i < len(s); {
		c := s[i]
		var esc string
		width := 1
		switch {
		case c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf:
			i++
			continue
		case c == '"' || c == '\\':
			esc = string([]byte{'\\', c})
		case c == '\b':
			esc = `\b`
		case c == '\f':
			esc = `\f`
		case c == '\n':
			esc = `\n`
		case c == '\r':
			esc = `\r`
		case c == '\t':
			esc = `\t`
		case c < 0x20:
			esc = string([]byte{'\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf]})
		default:
			r, n := utf8.DecodeRuneInString(s[i:])
			switch {
			case r == utf8.RuneError && n == 1:
				esc = `\ufffd`
			case r == '\u2028':
				esc, width = `\u2028`, n
			case r == '\u2029':
				esc, width = `\u2029`, n
			default:
				i += n
				continue
			}
		}
		b = append(b, s[from:i]...)
		b = append(b, esc...)
		i += width
		from = i
	}
	b = append(b, s[from:]...)
	return append(b, '"')
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
	return writeJSON(w, v, v.listedRows)
}

// listedRows writes the rows the view's cases list, with their classes against the
// baseline, as verdicts.json's results; it reports whether there was any.
func (v view) listedRows(w io.Writer) (bool, error) {
	rw := newRowWriter()
	i := 0
	for _, c := range v.p.Cases {
		for _, res := range c.Results {
			var class baseline.Class
			if v.g.Classes != nil && i < len(v.g.Classes) {
				class = v.g.Classes[i]
			}
			var ev []byte
			if len(res.Evidence) > 0 {
				var err error
				if ev, err = evidenceJSON(res.Evidence); err != nil {
					return i > 0, err
				}
			}
			row, err := rw.encode(res, ev, class)
			if err != nil {
				return i > 0, err
			}
			if i == 0 {
				row = row[1:]
			}
			i++
			if _, err := w.Write(row); err != nil {
				return true, err
			}
		}
	}
	return i > 0, nil
}

// rowsAt marks where the rows go in the indented document.
const rowsAt = "\n  \"results\": []"

// writeJSON writes verdicts.json of v with the rows that rows writes (see rowWriter)
// and says it wrote: the document around them is encoded first and the rows written
// in its "results" array, so that the rows are never all in memory.
func writeJSON(w io.Writer, v view, rows func(w io.Writer) (bool, error)) error {
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
	wrote, err := rows(w)
	if err != nil {
		return err
	}
	if wrote {
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
