package recorded

import (
	"bytes"
	"io"
	"strings"
	"testing"
	"time"
)

// A read under way for longer than progressEvery says how far it is and how long is
// left; its end says how long it took and how many requests it assembled.
func TestMeter(t *testing.T) {
	var out bytes.Buffer
	a := newAssembler(&notes{})
	m := &meter{r: strings.NewReader(strings.Repeat("x", 1000)), w: &out, size: 4 << 20, pass: "pass 2 of 2", a: a, start: time.Now().Add(-3 * progressEvery)}
	if _, err := io.CopyN(io.Discard, m, 1000); err != nil {
		t.Fatal(err)
	}
	a.requests = 3000 // (a spooled read counts its requests and holds none in msgs)
	m.report(true)
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], "pass 2 of 2: 0 of 4 MB, 0 request(s)") || !strings.Contains(lines[0], "left") || !strings.Contains(lines[1], ", 3000 request(s), ") || !strings.Contains(lines[1], "done in") {
		t.Errorf("expected a progress line with the time left and a last one with the time taken, saw %q", lines)
	}
	quiet := &meter{r: strings.NewReader("x"), w: &out, start: time.Now()}
	out.Reset()
	io.Copy(io.Discard, quiet)
	quiet.report(true)
	if out.Len() != 0 {
		t.Errorf("expected a short read to say nothing, saw %q", out.String())
	}
}
