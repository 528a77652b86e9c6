package run_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/mcptt-conformance/mcptt-conformance/capture"
	"github.com/mcptt-conformance/mcptt-conformance/run"
)

// The note that lists the clients of a capture names at most run.NamedClients of them
// and says how many more there are.
func TestSplitNamesBoundedClients(t *testing.T) {
	var msgs []*capture.Message
	for i := range run.NamedClients + 5 {
		msgs = append(msgs, request(i+1, "REGISTER", fmt.Sprintf("sip:ue%02d@mcptt.example.com", i), fmt.Sprintf("192.0.2.%d:5060", i+1)))
	}
	for _, sel := range []string{"", "sip:ue03@mcptt.example.com"} {
		_, notes, err := run.Split(run.Sources(msgs), nil, sel)
		if err != nil {
			t.Fatal(err)
		}
		if len(notes) == 0 {
			t.Fatalf("-client %q: no note", sel)
		}
		note := notes[0]
		if n := strings.Count(note, "(from "); n != run.NamedClients {
			t.Errorf("-client %q: the note names %d clients, want %d: %s", sel, n, run.NamedClients, note)
		}
		if !strings.Contains(note, "and 5 more") || strings.Contains(note, "ue24") {
			t.Errorf("-client %q: the note does not say 5 more, or names the last: %s", sel, note)
		}
	}
}
