package reports

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/mcptt-conformance/mcptt-conformance/baseline"
	"github.com/mcptt-conformance/mcptt-conformance/verdict"
)

// FuzzWriters feeds arbitrary text (control characters, invalid UTF-8, markup) into
// every field a request can influence: each writer must still produce a file its
// readers accept, JUnit valid against schemas/junit.xsd with its counts adding up.
func FuzzWriters(f *testing.F) {
	f.Add("Contact carries g.3gpp.mcptt", "register-001.sip", "no tag in <Contact>", "fail", "tok")
	f.Add("\x00\x1b\xff", "a, b", "]]>&amp;\r\n", "passed", "")
	f.Add("", "", "", "", "\xfe")
	f.Fuzz(func(t *testing.T, title, message, detail, word, secret string) {
		r := Run{
			Suite: "mcptt-conformance", Version: title, Source: detail, CaptureDir: "captures",
			Secrets: []string{secret}, Notes: []string{detail},
			Cases: []Case{
				{ID: title, Title: title, Requirement: detail, Verdict: verdict.Verdict(word),
					Results: []verdict.Result{{Verdict: verdict.Verdict(word), Message: message, Detail: detail, Evidence: map[string]any{title: detail}}}},
				{ID: "7.2.1-01", Clause: message, Error: detail},
			},
		}
		var m struct{ Results []verdict.Result }
		if err := json.Unmarshal(render(t, writers[0].write, r), &m); err != nil || len(m.Results) < 2 {
			t.Fatalf("verdicts.json: %v, %d results", err, len(m.Results))
		}
		out := render(t, writers[1].write, r)
		if err := validateJUnit(t, out); err != nil {
			t.Fatalf("junit.xml invalid: %v\n%s", err, out)
		}
		checkCounts(t, parseJUnit(t, out))
		parseHTML(t, render(t, writers[2].write, r))
	})
}

func BenchmarkWriters(b *testing.B) {
	r := sampleRun()
	base := r.Cases
	for range 20 {
		r.Cases = append(r.Cases, base...)
	}
	for _, w := range writers {
		b.Run(w.name, func(b *testing.B) {
			for b.Loop() {
				if err := w.write(new(bytes.Buffer), r); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// FuzzRowWriter holds rowWriter to encoding/json: the bytes of every row, whatever
// its strings and evidence hold, are those of json.Encoder with the document's
// indentation and without HTML escaping.
func FuzzRowWriter(f *testing.F) {
	f.Add("7.2.1-02", "register-001.sip", "Contact: <sip:ue@198.51.100.7>", "sip:alice@example.org", "line", 9.0, "known")
	f.Add("", "\x00\x1b\x7f\xff\xe2\x80", "\u2028\u2029<&>\"\\\b\f\n\r\t", "", "", 0.0, "")
	f.Add("é", "\ufffd", `\ufffd`, "\xed\xa0\x80", "k", 1e21, "")
	f.Fuzz(func(t *testing.T, id, message, detail, client, key string, n float64, class string) {
		res := verdict.Result{Requirement: id, Clause: id, Verdict: verdict.Verdict(message), Message: message,
			Detail: detail, Expected: detail, Actual: message, Client: client}
		var ev []byte
		if key != "" {
			evidence := map[string]any{key: detail, "n": n, "a": []any{map[string]any{}, []any{}, client, map[string]any{key: []any{message}}}}
			var err error
			if ev, err = evidenceJSON(evidence); err != nil {
				t.Skip(err) // NaN and infinities are no JSON
			}
			if want, err := encodingJSON(evidence); err != nil || !bytes.Equal(ev, want) {
				t.Fatalf("evidence %s, encoding/json %s (%v)", ev, want, err)
			}
		}
		got, err := newRowWriter().encode(res, ev, baseline.Class(class))
		if err != nil {
			t.Fatal(err)
		}
		var want bytes.Buffer
		want.WriteString(",\n    ")
		enc := json.NewEncoder(&want)
		enc.SetEscapeHTML(false)
		enc.SetIndent("    ", "  ")
		if err := enc.Encode(jsonResult{Result: res, Evidence: ev, Baseline: baseline.Class(class)}); err != nil {
			t.Fatal(err)
		}
		if w := bytes.TrimSuffix(want.Bytes(), []byte("\n")); !bytes.Equal(got, w) {
			t.Fatalf("rowWriter:\n%s\nencoding/json:\n%s", got, w)
		}
	})
}

// FuzzEvidenceJSON holds evidenceJSON's hand encoding of plain values to encoding/json:
// the same bytes for every string, number and nesting, and a plain value taken by hand
// exactly when encoding/json can write it (a NaN, an infinity or a json.Number that is
// no number cannot be written, and is not plain).
func FuzzEvidenceJSON(f *testing.F) {
	f.Add("line", "Contact: <sip:ue@198.51.100.7>", 9.0, int64(14), "3.25e-7", true)
	f.Add("", "\x00\x1b\x7f\xff\xe2\x80\u2028\u2029<&>\"\\\b\f\n\r\t", -0.0, int64(-1<<63), "", false)
	f.Add("é", "\ufffd\xed\xa0\x80", 1e21, int64(1<<53), "-0.0E+01", true)
	f.Add("z", "a", 1e-7, int64(0), "01", false)
	f.Add("y", "b", 123456789.125, int64(7), "1.", false)
	f.Fuzz(func(t *testing.T, key, s string, n float64, i int64, num string, b bool) {
		evidence := map[string]any{key: s, "n": n, "i": i, "u": uint32(i), "i8": int8(i), "num": json.Number(num),
			"b": b, "nil": nil, "none": []any(nil), "ss": []string{s, key}, "ms": map[string]string{s: key, key: s},
			"mi": map[string]int{key: int(i)}, "nested": []any{map[string]any{s: []any{n, json.Number(num), map[string]any{}}}, []int{1, int(i)}}}
		want, werr := encodingJSON(evidence)
		got, ok := appendPlain(nil, evidence, 0)
		if ok != (werr == nil) {
			t.Fatalf("plain %v, but encoding/json says %v", ok, werr)
		}
		if ok && !bytes.Equal(got, want) {
			t.Fatalf("by hand:\n%s\nencoding/json:\n%s", got, want)
		}
		if ev, err := evidenceJSON(evidence); !bytes.Equal(ev, want) || (err == nil) != (werr == nil) {
			t.Fatalf("evidenceJSON %s (%v), encoding/json %s (%v)", ev, err, want, werr)
		}
		// A value that is not plain takes encoding/json's path, whatever it holds.
		other := map[string]any{key: struct{ B, A string }{s, key}, "f": float32(n)}
		if _, ok := appendPlain(nil, other, 0); ok {
			t.Fatal("a struct and a float32 taken as plain")
		}
		want, werr = encodingJSON(other)
		if ev, err := evidenceJSON(other); !bytes.Equal(ev, want) || (err == nil) != (werr == nil) {
			t.Fatalf("evidenceJSON %s (%v), encoding/json %s (%v)", ev, err, want, werr)
		}
	})
}
