package reports

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// The excerpt of a request that a failure is about: a few numbered lines around the
// offending one, with the offending line and its bad bytes marked.
type (
	excerpt struct {
		Name  string
		Lines []excerptLine
	}
	excerptLine struct {
		No        int
		Offending bool
		Parts     []excerptPart
	}
	excerptPart struct {
		Text string
		Mark bool // a bad byte, or what the failure saw
	}
)

// The bounds of an excerpt: lines either side of the offending one, and the bytes of
// a line shown (a hostile request may hold a line of any length).
const (
	excerptContext = 2
	excerptWidth   = 240
)

// excerptOf finds the offending line of raw (lines separated by LF, a CR before it
// belongs to the line ending): the evidence's line when it names one, else the first
// line holding actual. It returns nil when it finds none. On that line what actual
// says is marked; on every line shown, each control byte (but a tab) and each byte
// that is not UTF-8 is shown as ⟨XX⟩ and marked.
func excerptOf(name string, raw []byte, evidence map[string]any, actual string) *excerpt {
	lines := strings.Split(string(raw), "\n")
	at := evidenceLine(evidence)
	if at < 1 || at > len(lines) {
		at = 0
		for i, l := range lines {
			if len(actual) >= 3 && strings.Contains(l, actual) {
				at = i + 1
				break
			}
		}
	}
	if at == 0 {
		return nil
	}
	ex := &excerpt{Name: name}
	for n := max(1, at-excerptContext); n <= min(len(lines), at+excerptContext); n++ {
		l := strings.TrimSuffix(lines[n-1], "\r")
		if n == len(lines) && l == "" {
			break
		}
		line := excerptLine{No: n, Offending: n == at}
		mark := ""
		if n == at {
			mark = actual
		}
		line.Parts = markLine(l, mark)
		ex.Lines = append(ex.Lines, line)
	}
	return ex
}

// evidenceLine is the evidence's "line", an int when the suite wrote it and a float64
// when it was read back from JSON; 0 when there is none.
func evidenceLine(ev map[string]any) int {
	switch v := ev["line"].(type) {
	case int:
		return v
	case float64:
		return int(v)
	}
	return 0
}

// markLine cuts a line into plain and marked parts: its bad bytes, and the first
// occurrence of mark (when longer than two bytes). Past excerptWidth bytes the line
// is cut, and says so.
func markLine(l, mark string) []excerptPart {
	cut := len(l) > excerptWidth
	if cut {
		n := excerptWidth
		for n > 0 && !utf8.RuneStart(l[n]) {
			n--
		}
		l = l[:n]
	}
	from, to := -1, -1
	if len(mark) >= 3 {
		if i := strings.Index(l, mark); i >= 0 {
			from, to = i, i+len(mark)
		}
	}
	var parts []excerptPart
	add := func(s string, m bool) {
		if s == "" {
			return
		}
		if k := len(parts) - 1; k >= 0 && parts[k].Mark == m {
			parts[k].Text += s
			return
		}
		parts = append(parts, excerptPart{s, m})
	}
	for i := 0; i < len(l); {
		r, size := utf8.DecodeRuneInString(l[i:])
		inMark := i >= from && i < to
		switch {
		case r == utf8.RuneError && size <= 1 || r < 0x20 && r != '\t' || r == 0x7f:
			add(fmt.Sprintf("⟨%02X⟩", l[i]), true)
		default:
			add(l[i:i+size], inMark)
		}
		i += size
	}
	if cut {
		add(" … (line cut)", false)
	}
	return parts
}
