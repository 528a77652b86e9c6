package validators

import (
	"maps"

	"github.com/mcptt-conformance/mcptt-conformance/profile"
	"github.com/mcptt-conformance/mcptt-conformance/run"
	"github.com/mcptt-conformance/mcptt-conformance/verdict"
	"github.com/mcptt-conformance/mcptt-conformance/wire/sipmsg"
)

// Judge judges a run.Run requirement by requirement. Each client of the run is a Run of
// its own, parsed once, so that run-wide requirements (the log-off of 7.2.1-04,
// 7.2.2-16) follow one client's requests. With several clients, every row's detail
// starts with "client <address of record>: " and its evidence names the client, while
// its message still names the frame or file of the exact bytes; a run-wide row every
// client gives alike (a requirement that does not apply) is given once.
type Judge struct {
	clients []judgedClient
}

type judgedClient struct {
	id      string
	run     *Run
	damaged []run.Damage
}

// NewJudge parses the requests of every client of r for judging under p (strict as
// NewRun takes it). A run without clients is judged as one client that sent nothing.
func NewJudge(r *run.Run, p *profile.Profile, strict bool) *Judge {
	clients := r.Clients
	if len(clients) == 0 {
		clients = []*run.Client{{}}
	}
	j := &Judge{}
	for _, c := range clients {
		cr := NewRun(p, c.Messages, strict)
		cr.Keys = r.Keys
		j.clients = append(j.clients, judgedClient{id: c.ID, run: cr, damaged: c.Damaged})
	}
	return j
}

// Strict reports whether the lenient readings are refused (-strict or the profile's
// strict: true).
func (j *Judge) Strict() bool { return j.clients[0].run.Strict }

// Judge gives the rows of one requirement over every client, with the requests a
// recording does not hold whole judged under the well-formedness requirement of their
// method.
func (j *Judge) Judge(req Requirement) []verdict.Result {
	perClient := make([][]verdict.Result, len(j.clients))
	alike := map[string]int{}
	for i, c := range j.clients {
		perClient[i] = append(req.Judge(c.run), c.damagedRows(req)...)
		for _, r := range perClient[i] {
			if r.Message == "run" {
				alike[string(r.Verdict)+"\x00"+r.Detail]++
			}
		}
	}
	var rs []verdict.Result
	for i, c := range j.clients {
		for _, r := range perClient[i] {
			switch {
			case len(j.clients) == 1:
			case r.Message == "run" && alike[string(r.Verdict)+"\x00"+r.Detail] == len(j.clients):
				if i > 0 {
					continue
				}
			default:
				r.Detail = "client " + c.id + ": " + r.Detail
				r.Client = c.id
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
// requests the recording does not hold whole: a fail when the client's sending breaks
// a rule, inconclusive when the capture lost the bytes.
func (c judgedClient) damagedRows(req Requirement) []verdict.Result {
	var rs []verdict.Result
	for _, d := range c.damaged {
		if wellFormednessRequirement(c.run.Profile, sipmsg.MethodOf(d.Raw)) != req.ID {
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
