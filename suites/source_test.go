package suites_test

import (
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/mcptt-conformance/mcptt-conformance/capture"
	"github.com/mcptt-conformance/mcptt-conformance/kms"
	"github.com/mcptt-conformance/mcptt-conformance/liverun"
	"github.com/mcptt-conformance/mcptt-conformance/recorded"
	"github.com/mcptt-conformance/mcptt-conformance/validators"
	"github.com/mcptt-conformance/mcptt-conformance/verdict"
	"github.com/mcptt-conformance/mcptt-conformance/wire/sipmsg"
)

// A capture run (-capture) judges recorded traffic instead of a live run. Each client
// under test in the capture is a run of its own, so that run-wide requirements (the
// log-off of 7.2.1-04, 7.2.2-16) follow one client's requests; with several clients,
// every row's detail starts with "client <address of record>: " and its evidence names
// the client, while its message still names the frame or file of the exact bytes.
var (
	recording *recorded.Recording // nil in a live run
	clients   []clientRun
)

type clientRun struct {
	id      string
	run     *validators.Run
	damaged []recorded.Damage
}

// recordedSource reads the capture at path, writes the bytes of every message to the
// reports' captures/ folder, and makes one run per client (or the one -client names).
func recordedSource(path string) (*liverun.Result, error) {
	rec, err := recorded.Read(path)
	if err != nil {
		return nil, err
	}
	if err := rec.WriteCaptures(filepath.Join(outDir, "captures"), path); err != nil {
		return nil, err
	}
	var keys *kms.KeyFile
	if prof.Server.Keys != "" {
		if keys, err = kms.ReadKeyFile(prof.Server.Keys); err != nil {
			return nil, fmt.Errorf("server.keys: %w", err)
		}
	}
	all, others := rec.Clients()
	var notes []string
	var ids []string
	for _, c := range all {
		ids = append(ids, c.ID+" (from "+strings.Join(c.Addrs, ", ")+")")
	}
	chosen := all
	switch {
	case *clientSel != "":
		c, err := recorded.Select(all, *clientSel)
		if err != nil {
			return nil, err
		}
		chosen = []*recorded.Client{c}
		notes = append(notes, fmt.Sprintf("judged client %s only (-client %s); the capture holds %d client(s): %s", c.ID, *clientSel, len(all), strings.Join(ids, "; ")))
	case len(all) > 1:
		notes = append(notes, fmt.Sprintf("%d clients in the capture, each judged as a run of its own (each result's detail names its client): %s", len(all), strings.Join(ids, "; ")))
	case len(all) == 0:
		// No REGISTER or PUBLISH named a client: what arrived is judged as one run, and
		// the requirements find none of the requests they wait for.
		chosen, others = []*recorded.Client{{Messages: rec.Messages, Damaged: rec.Damaged}}, nil
	}
	for _, c := range chosen {
		r := validators.NewRun(prof, c.Messages, *strict)
		r.Keys = keys
		clients = append(clients, clientRun{id: c.ID, run: r, damaged: c.Damaged})
		notes = append(notes, trafficNotes(c.ID, len(chosen) > 1, r)...)
	}
	if len(others) > 0 {
		notes = append(notes, fmt.Sprintf("%d request(s) from parties that sent no REGISTER or PUBLISH (%s), not judged", len(others), methodCounts(others)))
	}
	run, recording = clients[0].run, rec
	notes = append(append(rec.Notes, notes...),
		fmt.Sprintf("%d request(s) and %d response(s) read from the capture; the bytes of every request are in captures/", len(rec.Messages), rec.Responses))
	res := &liverun.Result{Messages: rec.Messages, Source: rec.Source, Started: rec.Started, Finished: rec.Finished, Keys: keys, Notes: notes}
	if res.Started.IsZero() {
		res.Started = time.Now().UTC()
	}
	return res, nil
}

// trafficNotes counts what a client sent besides REGISTER and PUBLISH.
func trafficNotes(id string, named bool, r *validators.Run) []string {
	who := "the client"
	if named {
		who = "client " + id
	}
	var notes []string
	if len(r.Others) > 0 {
		notes = append(notes, fmt.Sprintf("%s sent %s, not judged except by 7.2.2-16", who, methodCounts(r.Others)))
	}
	retrans := 0
	for _, m := range r.Messages {
		if m.RetransmissionOf != 0 {
			retrans++
		}
	}
	if retrans > 0 {
		notes = append(notes, fmt.Sprintf("%s retransmitted %d request(s), not judged again", who, retrans))
	}
	return notes
}

func methodCounts(msgs []*capture.Message) string {
	n := map[string]int{}
	for _, m := range msgs {
		method := m.Method
		if method == "" {
			method = "unreadable"
		}
		n[method]++
	}
	var parts []string
	for _, method := range slices.Sorted(maps.Keys(n)) {
		parts = append(parts, fmt.Sprintf("%d %s", n[method], method))
	}
	return strings.Join(parts, ", ")
}

// judgeRun judges one requirement over the live run, or over each client of a capture.
// A run-wide row every client gives alike (a requirement that does not apply) is
// reported once.
func judgeRun(req validators.Requirement) []verdict.Result {
	if recording == nil {
		return req.Judge(run)
	}
	perClient := make([][]verdict.Result, len(clients))
	alike := map[string]int{}
	for i, c := range clients {
		perClient[i] = append(req.Judge(c.run), damagedRows(req, c)...)
		for _, r := range perClient[i] {
			if r.Message == "run" {
				alike[string(r.Verdict)+"\x00"+r.Detail]++
			}
		}
	}
	var rs []verdict.Result
	for i, c := range clients {
		for _, r := range perClient[i] {
			key := string(r.Verdict) + "\x00" + r.Detail
			switch {
			case len(clients) == 1:
			case r.Message == "run" && alike[key] == len(clients):
				if i > 0 {
					continue
				}
			default:
				r.Detail = "client " + c.id + ": " + r.Detail
				r.Evidence = maps.Clone(r.Evidence)
				if r.Evidence == nil {
					r.Evidence = map[string]any{}
				}
				r.Evidence["client"] = c.id
			}
			rs = append(rs, r)
		}
	}
	return rs
}

// damagedRows judges, under the well-formedness requirement of their method, the
// requests the capture does not hold whole: a fail when the client's sending breaks a
// rule, inconclusive when the capture lost the bytes.
func damagedRows(req validators.Requirement, c clientRun) []verdict.Result {
	var rs []verdict.Result
	for _, d := range c.damaged {
		if validators.WellFormedness(prof, sipmsg.MethodOf(d.Raw)) != req.ID {
			continue
		}
		r := verdict.Result{Requirement: req.ID, Clause: req.Clause, Message: d.Name}
		if d.ClientFault {
			r.Verdict, r.Detail = verdict.Fail, "expected a request the server can read whole, saw "+d.Reason
		} else {
			r.Verdict, r.Detail = verdict.Inconclusive, "the capture does not hold this request whole ("+d.Reason+"), so it cannot be judged"
		}
		rs = append(rs, r)
	}
	return rs
}
