package suites_test

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/mcptt-conformance/mcptt-conformance/validators"
	"github.com/mcptt-conformance/mcptt-conformance/verdict"
)

// clauseLabel is the label of a clause's specs ("clause:7.2.1"), which --label-filter
// selects by.
func clauseLabel(clause string) string { return "clause:" + clause }

// maxDetails bounds the rows a spec's failure or skip message lists.
const maxDetails = 20

// aggregate is what a spec reports of its requirement's rows: the worst verdict, the
// count of each verdict, and the first rows of the worst verdict.
type aggregate struct {
	mu      sync.Mutex
	counts  map[verdict.Verdict]int
	details []string // rows of the worst verdict, at most maxDetails
}

func (a *aggregate) add(r verdict.Result) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.counts == nil {
		a.counts = map[verdict.Verdict]int{}
	}
	before := a.worstLocked()
	a.counts[r.Verdict]++
	if w := a.worstLocked(); w != before {
		a.details = nil
	}
	if r.Verdict == a.worstLocked() && len(a.details) < maxDetails {
		a.details = append(a.details, fmt.Sprintf("[%s] %s", r.Message, r.Detail))
	}
}

// rows is how many rows the requirement gave.
func (a *aggregate) rows() int {
	if a == nil {
		return 0
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	n := 0
	for _, k := range a.counts {
		n += k
	}
	return n
}

// worst is the worst verdict of the rows (not-applicable for none, as verdict.Worst).
func (a *aggregate) worst() verdict.Verdict {
	if a == nil {
		return verdict.Worst()
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.worstLocked()
}

func (a *aggregate) worstLocked() verdict.Verdict {
	var vs []verdict.Verdict
	for v := range a.counts {
		vs = append(vs, v)
	}
	return verdict.Worst(vs...)
}

// text is the spec's message: the worst verdict, its rows (at most maxDetails, then
// how many more), and with more than one verdict the count of each.
func (a *aggregate) text() string {
	a.mu.Lock()
	defer a.mu.Unlock()
	w := a.worstLocked()
	text := string(w) + ": " + strings.Join(a.details, "\n")
	if more := a.counts[w] - len(a.details); more > 0 {
		text += fmt.Sprintf("\n… and %d more %s row(s) (every row is in verdicts.json)", more, w)
	}
	if len(a.counts) > 1 {
		var parts []string
		for _, v := range verdict.All {
			if n := a.counts[v]; n > 0 {
				parts = append(parts, fmt.Sprintf("%d %s", n, v))
			}
		}
		text += "\n(" + strings.Join(parts, ", ") + ")"
	}
	return text
}

// judgeProgress tells w, every progressEvery, how judging goes: clients judged of all,
// requests per second, the time left.
type judgeProgress struct {
	w           io.Writer
	clients     int
	batches     int
	rows        int
	start, last time.Time
}

const progressEvery = 2 * time.Second

func newJudgeProgress(w io.Writer, clients int) *judgeProgress {
	now := time.Now()
	return &judgeProgress{w: w, clients: max(1, clients), start: now, last: now}
}

// judged counts one client's rows (called for every batch, never concurrently).
func (p *judgeProgress) judged(batch validators.Rows) {
	p.batches++
	p.rows += len(batch.Rows)
	if now := time.Now(); now.Sub(p.last) >= progressEvery {
		p.last = now
		elapsed := now.Sub(p.start)
		left := time.Duration(float64(elapsed) * float64(p.clients-min(p.batches, p.clients)) / float64(p.batches))
		fmt.Fprintf(p.w, "judging: %d of %d client(s), %.0f row(s)/s, about %s left\n", min(p.batches, p.clients), p.clients, float64(p.rows)/elapsed.Seconds(), left.Round(time.Second))
	}
}

// done says how long judging took, when it took long enough to have said how it went.
func (p *judgeProgress) done() {
	if p.last != p.start {
		fmt.Fprintf(p.w, "judging: %d client(s) in %.1fs\n", p.clients, time.Since(p.start).Seconds())
	}
}
