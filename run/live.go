package run

import (
	"fmt"
	"strings"

	"github.com/mcptt-conformance/mcptt-conformance/capture"
)

// liveListed is how many clients the note of a live run with several clients names;
// the rest are counted (every row names its client all the same).
const liveListed = 20

// Live splits what a live run received per client under test, as Group splits a
// recording, so that a device farm registering many clients at once gets every
// client's verdicts. A message the server did not read whole (capture.Message.Damage)
// is a Damage of its client. With one client (or none) the run is one client holding
// every message, as the suite takes all traffic on its ports to come from the client
// under test. notes name the clients, and the requests of no client, when there are
// several.
func Live(msgs []*capture.Message) (clients []*Client, notes []string) {
	var whole []*capture.Message
	var damaged []Damage
	for _, m := range msgs {
		if m.Damage == nil {
			whole = append(whole, m)
			continue
		}
		damaged = append(damaged, Damage{Name: m.Name, Time: m.Time, Transport: m.Transport, Peer: m.Peer, Local: m.Local,
			Raw: m.Raw, Reason: m.Damage.Reason, ClientFault: m.Damage.ClientFault})
	}
	clients, others := Group(whole, damaged)
	if len(clients) <= 1 {
		return []*Client{{Messages: whole, Damaged: damaged}}, nil
	}
	var named []string
	for _, c := range clients[:min(len(clients), liveListed)] {
		named = append(named, c.ID+" (from "+strings.Join(c.Addrs, ", ")+")")
	}
	if more := len(clients) - len(named); more > 0 {
		named = append(named, fmt.Sprintf("and %d more", more))
	}
	notes = append(notes, fmt.Sprintf("%d clients registered or published, each judged as a run of its own (each result's detail names its client): %s", len(clients), strings.Join(named, "; ")))
	if len(others) > 0 {
		notes = append(notes, fmt.Sprintf("%d request(s) from parties that sent no REGISTER or PUBLISH (%s), not judged", len(others), methodCounts(others)))
	}
	return clients, notes
}
