package run

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/mcptt-conformance/mcptt-conformance/capture"
	"github.com/mcptt-conformance/mcptt-conformance/wire/sipmsg"
)

// NamedClients is how many clients a note that lists the clients of a capture names;
// it says how many more there are, each of which has its own rows and report section.
const NamedClients = 20

// Split chooses the clients of recorded traffic to judge: the one sel names (its address
// of record or source address), or every client when sel is "". Traffic in which no
// REGISTER or PUBLISH names a client is one client holding everything, so that the
// requirements find none of the requests they wait for. notes say which clients the
// traffic holds, what each sent that is not judged, and what came from no client.
func Split(sources []*Source, damaged []Damage, sel string) (chosen []*Client, notes []string, err error) {
	all, others := GroupSources(sources, damaged)
	var ids []string
	for _, c := range all[:min(len(all), NamedClients)] {
		ids = append(ids, c.ID+" (from "+strings.Join(c.Addrs, ", ")+")")
	}
	if more := len(all) - NamedClients; more > 0 {
		ids = append(ids, fmt.Sprintf("and %d more (each has its own rows and report section)", more))
	}
	chosen = all
	switch {
	case sel != "":
		c, err := Select(all, sel)
		if err != nil {
			return nil, nil, err
		}
		chosen = []*Client{c}
		notes = append(notes, fmt.Sprintf("judged client %s only (-client %s); the capture holds %d client(s): %s", c.ID, sel, len(all), strings.Join(ids, "; ")))
	case len(all) > 1:
		notes = append(notes, fmt.Sprintf("%d clients in the capture, each judged as a run of its own (each result's detail names its client): %s", len(all), strings.Join(ids, "; ")))
	case len(all) == 0:
		chosen, others = []*Client{{Messages: inMemory(sources), Damaged: damaged, Sources: sources}}, nil
	}
	for _, c := range chosen {
		who := "the client"
		if len(chosen) > 1 {
			who = "client " + c.ID
		}
		counts := c.Counts()
		if len(counts.Unjudged) > 0 {
			notes = append(notes, fmt.Sprintf("%s sent %s, not judged except by 7.2.2-16", who, countsText(counts.Unjudged)))
		}
		if n := counts.Retransmissions; n > 0 {
			notes = append(notes, fmt.Sprintf("%s retransmitted %d request(s), not judged again", who, n))
		}
	}
	if len(others) > 0 {
		counts := Total(others)
		notes = append(notes, fmt.Sprintf("%d request(s) from parties that sent no REGISTER or PUBLISH (%s), not judged", counts.Messages, countsText(counts.Methods)))
	}
	return chosen, notes, nil
}

// LiveNotes are the notes about a live run's traffic: how the client command ended
// (status, empty in manual mode), the requests the checks do not judge by method,
// retransmissions, and how much arrived in all.
func LiveNotes(status string, msgs []*capture.Message) []string {
	var notes []string
	if status != "" {
		notes = append(notes, "client command: "+status)
	}
	n := map[string]int{}
	for _, m := range unjudged(msgs) {
		n[m.Method]++
	}
	for _, method := range slices.Sorted(maps.Keys(n)) {
		notes = append(notes, fmt.Sprintf("unexpected traffic: %d %s request(s), answered per the policy (OPTIONS 200, others 405) and not judged except by 7.2.2-16", n[method], method))
	}
	if n := retransmissions(msgs); n > 0 {
		notes = append(notes, fmt.Sprintf("%d retransmission(s) received, answered with the same response and not judged again", n))
	}
	return append(notes, fmt.Sprintf("%d message(s) received in all; every one is kept byte for byte in captures/", len(msgs)))
}

// unjudged are the messages the checks leave aside, as validators.NewRun sorts them:
// readable SIP that is not a REGISTER or PUBLISH request, retransmissions left out.
func unjudged(msgs []*capture.Message) []*capture.Message {
	var out []*capture.Message
	for _, m := range msgs {
		if m.RetransmissionOf != 0 || m.Method == "REGISTER" || m.Method == "PUBLISH" {
			continue // (no need to parse)
		}
		if s, err := sipmsg.Parse(m.Raw); IsUnjudged(m, s, err) {
			out = append(out, m)
		}
	}
	return out
}

func retransmissions(msgs []*capture.Message) int {
	n := 0
	for _, m := range msgs {
		if m.RetransmissionOf != 0 {
			n++
		}
	}
	return n
}

// methodCounts is "2 OPTIONS, 1 unreadable": the messages counted by method, in
// method order.
func methodCounts(msgs []*capture.Message) string {
	n := map[string]int{}
	for _, m := range msgs {
		n[m.Method]++
	}
	return countsText(n)
}

// countsText is "2 OPTIONS, 1 unreadable": counts by method ("" for unreadable), in
// method order.
func countsText(n map[string]int) string {
	named := map[string]int{}
	for method, k := range n {
		if method == "" {
			method = "unreadable"
		}
		named[method] += k
	}
	var parts []string
	for _, method := range slices.Sorted(maps.Keys(named)) {
		parts = append(parts, fmt.Sprintf("%d %s", named[method], method))
	}
	return strings.Join(parts, ", ")
}
