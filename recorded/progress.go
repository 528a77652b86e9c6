package recorded

import (
	"fmt"
	"io"
	"time"
)

// progressEvery is how often a long read says how it goes.
const progressEvery = 2 * time.Second

// meter counts the bytes read from a capture file and, every progressEvery, tells w
// how far the read is: bytes, requests assembled (a, nil in a pass that assembles
// none), the rate and the time left, estimated from the file's size.
type meter struct {
	r     io.Reader
	w     io.Writer // nil: say nothing
	size  int64
	pass  string
	a     *assembler
	start time.Time
	last  time.Time
	read  int64
}

func (m *meter) Read(p []byte) (int, error) {
	n, err := m.r.Read(p)
	m.read += int64(n)
	m.report(false)
	return n, err
}

// report writes a progress line when one is due, or at the end (final) of a read that
// took long enough to have had one.
func (m *meter) report(final bool) {
	if m.w == nil {
		return
	}
	now := time.Now()
	since := m.last
	if since.IsZero() {
		since = m.start
	}
	if final && m.last.IsZero() || !final && now.Sub(since) < progressEvery {
		return
	}
	m.last = now
	elapsed := now.Sub(m.start).Seconds()
	line := fmt.Sprintf("reading the capture, %s: %d of %d MB", m.pass, m.read>>20, m.size>>20)
	if m.a != nil {
		line += fmt.Sprintf(", %d request(s), %.0f request(s)/s", m.a.requests, float64(m.a.requests)/elapsed)
	}
	switch {
	case final:
		line += fmt.Sprintf(", done in %.1fs", elapsed)
	case m.read > 0 && m.size > m.read:
		left := time.Duration(elapsed * float64(m.size-m.read) / float64(m.read) * float64(time.Second))
		line += fmt.Sprintf(", %.0f%%, about %s left", 100*float64(m.read)/float64(m.size), left.Round(time.Second))
	}
	fmt.Fprintln(m.w, line)
}
