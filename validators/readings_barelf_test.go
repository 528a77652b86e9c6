package validators_test

import (
	"bytes"
	"slices"
	"strings"
	"testing"
)

// A REGISTER whose start line and header section end their lines in bare LF passes
// 7.2.1-01 as a named lenient reading and fails it under --strict; nothing else changes.
func TestReadingBareLF(t *testing.T) {
	raw := register(t)
	head, body, ok := bytes.Cut(raw, []byte("\r\n\r\n"))
	if !ok {
		t.Fatal("no header end")
	}
	lf := append(bytes.ReplaceAll(head, []byte("\r\n"), []byte("\n")), "\n\n"...)
	lf = append(lf, body...)
	for _, strict := range []bool{false, true} {
		res := judgeRaw(t, lf, strict)
		var want []string
		if strict {
			want = []string{"7.2.1-01"}
		}
		if got := failing(res); !slices.Equal(got, want) {
			t.Errorf("strict=%t: expected failures %v, saw %v\n%s", strict, want, got, describe(res, "7.2.1-01"))
		}
		if d := describe(res, "7.2.1-01"); !strings.Contains(d, "bare LF") || !strings.Contains(d, "line 1 ") {
			t.Errorf("strict=%t: expected the detail to name the bare-LF reading and its first line, saw\n%s", strict, d)
		}
	}
}
