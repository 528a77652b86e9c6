package reports

import (
	"bytes"
	"encoding/json"
	"testing"

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
