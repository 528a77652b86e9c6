package validators

import (
	"cmp"
	"maps"
	"runtime"
	"sync"

	"github.com/mcptt-conformance/mcptt-conformance/profile"
	"github.com/mcptt-conformance/mcptt-conformance/run"
	"github.com/mcptt-conformance/mcptt-conformance/verdict"
	"github.com/mcptt-conformance/mcptt-conformance/wire/sipmsg"
)

// Judge judges the clients of a run.Run one at a time, on every core: each client is a
// Run of its own, parsed when a worker takes it and dropped once its rows are handed
// on, so that memory holds the clients being judged, not every client's requests, and
// run-wide requirements (the log-off of 7.2.1-04, 7.2.2-16) follow one client's
// requests. With several clients, every row's detail starts with "client <address of
// record>: " and its evidence names the client, while its message still names the
// frame or file of the exact bytes; a run-wide row every client gives alike (a
// requirement that does not apply) is given once.
type Judge struct {
	Profile *profile.Profile
	Strict  bool // refuse the lenient readings (as NewRun takes it)
	// Requirements are the requirements to judge, in the order each client's rows are
	// handed on.
	Requirements []Requirement
	// Workers is how many clients are judged at once; 0 is runtime.GOMAXPROCS(0).
	Workers int
}

// Rows is what a Judge hands on: rows of the client at index Client of the run's
// clients.
type Rows struct {
	Client int
	Rows   []verdict.Result
}

// Run judges every client of r over the requirements, with the requests a recording
// does not hold whole judged under the well-formedness requirement of their method,
// and hands each client's rows to emit as they are judged: emit is never called
// concurrently, and a client's run-wide rows come at the end, once every client is
// judged (they are given once when every client gives them alike). Each client's
// spooled messages are loaded just before it is judged and released once emit has its
// rows (run.Run.Load), so that emit may still read the client's messages;
// an error loading them stops the run and is returned. A run without
// clients is judged as one client that sent nothing. An error of emit stops the run
// and is returned.
func (j Judge) Run(r *run.Run, emit func(Rows) error) error {
	clients := r.Clients
	if len(clients) == 0 {
		clients = []*run.Client{{}}
	}
	workers := j.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	several := len(clients) > 1
	// Run-wide rows wait for every client: per requirement, per client.
	held := make([][][]verdict.Result, len(j.Requirements))
	for i := range held {
		held[i] = make([][]verdict.Result, len(clients))
	}
	var (
		mu   sync.Mutex
		err  error
		next = make(chan int)
		wg   sync.WaitGroup
	)
	for range min(workers, len(clients)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				c := clients[i]
				if lerr := r.Load(c); lerr != nil {
					mu.Lock()
					err = cmp.Or(err, lerr)
					mu.Unlock()
					continue
				}
				cr := NewRun(j.Profile, c.Messages, j.Strict)
				cr.Keys = r.Keys
				jc := judgedClient{id: c.ID, run: cr, damaged: c.Damaged}
				var rs []verdict.Result
				for k, req := range j.Requirements {
					for _, row := range append(req.Judge(cr), jc.damagedRows(req)...) {
						if several && row.Message == "run" {
							held[k][i] = append(held[k][i], row)
							continue
						}
						rs = append(rs, jc.named(row, several))
					}
				}
				mu.Lock()
				if err == nil {
					err = emit(Rows{Client: i, Rows: rs})
				}
				mu.Unlock()
				r.Release(c)
			}
		}()
	}
	for i := range clients {
		mu.Lock()
		stop := err != nil
		mu.Unlock()
		if stop {
			break
		}
		next <- i
	}
	close(next)
	wg.Wait()
	if err != nil || !several {
		return err
	}
	return emitHeld(clients, held, emit)
}

// emitHeld hands on the run-wide rows of several clients: a row every client gives
// alike once, unnamed, as the first client's; the others named for their client.
func emitHeld(clients []*run.Client, held [][][]verdict.Result, emit func(Rows) error) error {
	out := make([][]verdict.Result, len(clients))
	for _, perClient := range held {
		alike := map[string]int{}
		for _, rows := range perClient {
			for _, r := range rows {
				alike[string(r.Verdict)+"\x00"+r.Detail]++
			}
		}
		for i, rows := range perClient {
			for _, r := range rows {
				switch {
				case alike[string(r.Verdict)+"\x00"+r.Detail] != len(clients):
					out[i] = append(out[i], judgedClient{id: clients[i].ID}.named(r, true))
				case i == 0:
					out[i] = append(out[i], r)
				}
			}
		}
	}
	for i, rs := range out {
		if len(rs) > 0 {
			if err := emit(Rows{Client: i, Rows: rs}); err != nil {
				return err
			}
		}
	}
	return nil
}

type judgedClient struct {
	id      string
	run     *Run
	damaged []run.Damage
}

// named is r as one of several clients' rows (several), naming its client in its
// detail and evidence.
func (c judgedClient) named(r verdict.Result, several bool) verdict.Result {
	if !several {
		return r
	}
	r.Detail = "client " + c.id + ": " + r.Detail
	r.Client = c.id
	r.Evidence = maps.Clone(r.Evidence)
	if r.Evidence == nil {
		r.Evidence = map[string]any{}
	}
	r.Evidence["client"] = c.id
	return r
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
