package e2e_test

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
)

// Golden verdict rows: every run of the suite in these tests is held against the rows
// (requirement, verdict, message) it gave when the golden files were written, so that a
// change of structure cannot change a verdict unnoticed. Only the row's detail wording
// and added fields are free. GOLDEN=update rewrites the files (review the diff).
var (
	goldenMu   sync.Mutex
	goldenRuns = map[string]int{} // runs so far per test, naming a test's second run
)

// Names that differ between two runs of the same test: the sequence number of a capture
// (a UDP retransmission takes one), the client's port, a pcap frame number.
var (
	goldenSeq   = regexp.MustCompile(`^\d{4}-`)
	goldenPort  = regexp.MustCompile(`_\d+\.sip`)
	goldenFrame = regexp.MustCompile(`#frame-\d+(\.\d+)?`)
	goldenTemp  = regexp.MustCompile(`mcptt-e2e\d+|Test[A-Za-z]+\d+/\d+`)
)

func goldenRows(o outcome) []string {
	var rows []string
	for _, r := range o.Results {
		m := goldenSeq.ReplaceAllString(r.Message, "NNNN-")
		m = goldenPort.ReplaceAllString(m, "_PORT.sip")
		m = goldenFrame.ReplaceAllString(m, "#frame-N")
		rows = append(rows, r.Requirement+" "+string(r.Verdict)+" "+goldenTemp.ReplaceAllString(m, "TMP"))
	}
	slices.Sort(rows)
	return rows
}

func checkGolden(t *testing.T, o outcome) {
	t.Helper()
	goldenMu.Lock()
	goldenRuns[t.Name()]++
	n := goldenRuns[t.Name()]
	goldenMu.Unlock()
	name := strings.NewReplacer("/", "__", " ", "_", ":", "_", "|", "_", "=", "_").Replace(t.Name())
	if n > 1 {
		name += "#" + string(rune('0'+n))
	}
	path := filepath.Join(root, "e2e", "testdata", "golden", name+".txt")
	got := strings.Join(goldenRows(o), "\n") + "\n"
	if os.Getenv("GOLDEN") == "update" {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Errorf("no golden verdict rows for this run (GOLDEN=update writes them): %v", err)
		return
	}
	if string(want) != got {
		t.Errorf("verdict rows differ from %s (GOLDEN=update rewrites it after review):\n%s", path, rowDiff(string(want), got))
	}
}

// rowDiff lists the rows only one side has.
func rowDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	for _, r := range w {
		if r != "" && !slices.Contains(g, r) {
			b.WriteString("  - " + r + "\n")
		}
	}
	for _, r := range g {
		if r != "" && !slices.Contains(w, r) {
			b.WriteString("  + " + r + "\n")
		}
	}
	return b.String()
}
