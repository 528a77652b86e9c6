package xmldoc

import (
	"bytes"
	"testing"
)

// FuzzChecks feeds arbitrary bodies to every entry point: none may panic,
// and every line a problem names must lie within the body.
func FuzzChecks(f *testing.F) {
	for _, c := range conformant {
		f.Add(readTestdata(f, c.file))
	}
	for _, fl := range append(append([]fault{}, wellFormedFaults...), schemaFaults...) {
		f.Add([]byte(fl.body))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		lines := bytes.Count(body, []byte{'\n'}) + 1
		check := func(who string, ps []Problem) {
			for _, p := range ps {
				if p.Line < 0 || p.Line > lines {
					t.Errorf("%s: problem on line %d of a %d-line body: %v", who, p.Line, lines, p)
				}
			}
		}
		for _, k := range []Kind{MCPTTInfo, PoCSettings, MCPTTSigned} {
			check("CheckWellFormed", CheckWellFormed(k, body))
			check("Validate", validate(k, body))
		}
		root, err := Parse(body)
		if err != nil {
			p, ok := err.(Problem)
			if !ok {
				t.Fatalf("Parse error %T is not a Problem", err)
			}
			check("Parse", []Problem{p})
			return
		}
		if !bytes.Contains(body, root.Raw) || root.Line < 1 || root.Line > lines {
			t.Errorf("root Raw %q or line %d does not come from the body", root.Raw, root.Line)
		}
	})
}
