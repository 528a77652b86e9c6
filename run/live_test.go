package run_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/mcptt-conformance/mcptt-conformance/capture"
	"github.com/mcptt-conformance/mcptt-conformance/run"
)

// A live run is split per client when several clients registered or published, as a
// recording is; with one client it stays one client holding every message, as before.
// A message the server did not read whole becomes a Damage of its client.
func TestLive(t *testing.T) {
	cut := request(6, "REGISTER", bob, "192.0.2.8:40001")
	cut.Damage = &capture.Damage{Reason: "the client closed the connection after 90 bytes", ClientFault: true}
	msgs, _ := traffic()
	msgs = append(msgs, cut)
	clients, notes := run.Live(msgs)
	if len(clients) != 2 || clients[0].ID != alice || clients[1].ID != bob {
		t.Fatalf("expected alice and bob judged each on their own, saw %d client(s)", len(clients))
	}
	if got := names(clients[1].Messages); !slices.Equal(got, []string{"0002-PUBLISH.sip", "0003-unreadable.sip"}) {
		t.Errorf("expected bob's PUBLISH and the bytes from his host, saw %v", got)
	}
	if ds := clients[1].Damaged; len(ds) != 1 || ds[0].Name != cut.Name || !ds[0].ClientFault || ds[0].Reason != cut.Damage.Reason {
		t.Errorf("expected bob's cut request as his damage, saw %+v", ds)
	}
	joined := strings.Join(notes, "\n")
	for _, want := range []string{"2 clients registered or published, each judged as a run of its own", "1 request(s) from parties that sent no REGISTER or PUBLISH (1 OPTIONS), not judged"} {
		if !strings.Contains(joined, want) {
			t.Errorf("expected a note %q, saw %q", want, notes)
		}
	}

	one := []*capture.Message{request(1, "REGISTER", alice, "192.0.2.7:5070"), request(2, "OPTIONS", carol, "192.0.2.9:5060")}
	clients, notes = run.Live(one)
	if len(clients) != 1 || clients[0].ID != "" || len(clients[0].Messages) != 2 || notes != nil {
		t.Fatalf("expected one client holding every message and no note, saw %d client(s), notes %q", len(clients), notes)
	}
}
