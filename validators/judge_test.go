package validators_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/mcptt-conformance/mcptt-conformance/capture"
	"github.com/mcptt-conformance/mcptt-conformance/client"
	"github.com/mcptt-conformance/mcptt-conformance/run"
	"github.com/mcptt-conformance/mcptt-conformance/validators"
	"github.com/mcptt-conformance/mcptt-conformance/verdict"
)

// sent is a REGISTER (with the MCPTT feature tag) or a PUBLISH from aor, answered 200.
func sent(seq int, method, aor string) *capture.Message {
	raw := fmt.Sprintf("%s sip:mcptt.example.com SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.7:5070;branch=z9hG4bK-%d\r\nMax-Forwards: 70\r\nFrom: <%s>;tag=%d\r\nTo: <%s>\r\nCall-ID: call-%d\r\nCSeq: 1 %s\r\nContact: <sip:u@192.0.2.7:5070>;+g.3gpp.mcptt\r\nContent-Length: 0\r\n\r\n",
		method, seq, aor, seq, aor, seq, method)
	return &capture.Message{Seq: seq, Name: fmt.Sprintf("%04d-%s.sip", seq, method), Peer: "192.0.2.7:5070", Method: method, Raw: []byte(raw), Status: 200}
}

// row is what a test compares of a verdict row.
func row(r verdict.Result) string {
	return fmt.Sprintf("%s [%s] %s (client %v)", r.Verdict, r.Message, r.Detail, r.Evidence["client"])
}

// A run is judged per client: with several, each row names its client, a run-wide row
// every client gives alike is given once (run-wide rows come after the client's
// others), and the requests a recording does not hold
// whole are judged under the well-formedness requirement of their method.
func TestJudge(t *testing.T) {
	p := load(t, profiles[client.ModeRegister])
	const (
		alice      = "sip:alice@mcptt.example.com"
		bob        = "sip:bob@mcptt.example.com"
		noRegister = "no REGISTER arrived during the run, so nothing could be judged"
		wellFormed = "well-formed REGISTER: start line, To, From, Call-ID, CSeq, Max-Forwards, Via present and consistent (Content-Length is judged under MIME-03)"
	)
	fragments := run.Damage{Name: "x.pcapng#frame-7", Raw: []byte("REGISTER sip:mcptt.example.com SIP/2.0\r\nVia"), Reason: "a UDP request in IP fragments (RFC 3261 18.1.1)", ClientFault: true}
	truncated := run.Damage{Name: "x.pcapng#frame-8", Raw: []byte("REGISTER sip:mcptt.example.com SIP/2.0\r\nVia"), Reason: "the capture ends inside it"}
	two := &run.Run{Clients: []*run.Client{
		{ID: alice, Messages: []*capture.Message{sent(1, "REGISTER", alice)}, Damaged: []run.Damage{fragments}},
		{ID: bob, Messages: []*capture.Message{sent(2, "PUBLISH", bob)}, Damaged: []run.Damage{truncated}},
	}}
	one := &run.Run{Clients: []*run.Client{two.Clients[0]}}
	for _, tt := range []struct {
		name string
		run  *run.Run
		id   string
		want []string
	}{
		{"several clients: every row names its client", two, "7.2.1-02", []string{
			"pass [0001-REGISTER.sip] client " + alice + ": Contact carries +g.3gpp.mcptt (client " + alice + ")",
			"inconclusive [run] client " + bob + ": " + noRegister + " (client " + bob + ")",
		}},
		{"several clients: a run-wide row all give alike is given once", two, "7.2.2-01", []string{
			"not-applicable [run] does not apply: the profile declares service authorisation by REGISTER, not PUBLISH (client <nil>)",
		}},
		{"damaged requests: fail when the client broke a rule, inconclusive when the capture lost bytes", two, "7.2.1-01", []string{
			"pass [0001-REGISTER.sip] client " + alice + ": " + wellFormed + " (client " + alice + ")",
			"fail [x.pcapng#frame-7] client " + alice + ": expected a request the server can read whole, saw a UDP request in IP fragments (RFC 3261 18.1.1) (client " + alice + ")",
			"inconclusive [x.pcapng#frame-8] client " + bob + ": the capture does not hold this request whole (the capture ends inside it), so it cannot be judged (client " + bob + ")",
			"inconclusive [run] client " + bob + ": " + noRegister + " (client " + bob + ")",
		}},
		{"damaged requests count under the well-formedness requirement only", one, "7.2.1-02", []string{
			"pass [0001-REGISTER.sip] Contact carries +g.3gpp.mcptt (client <nil>)",
		}},
		{"one client: no client named", one, "7.2.1-01", []string{
			"pass [0001-REGISTER.sip] " + wellFormed + " (client <nil>)",
			"fail [x.pcapng#frame-7] expected a request the server can read whole, saw a UDP request in IP fragments (RFC 3261 18.1.1) (client <nil>)",
		}},
		{"no client: judged as one that sent nothing", &run.Run{}, "7.2.1-02", []string{
			"inconclusive [run] " + noRegister + " (client <nil>)",
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			req, ok := validators.Lookup(tt.id)
			if !ok {
				t.Fatalf("%s is not in the catalogue", tt.id)
			}
			var got []string
			j := validators.Judge{Profile: p, Requirements: []validators.Requirement{req}}
			perClient := make([][]string, max(1, len(tt.run.Clients)))
			err := j.Run(tt.run, func(rows validators.Rows) error {
				for _, r := range rows.Rows {
					if r.Requirement != tt.id {
						t.Errorf("expected every row under %s, saw %s", tt.id, r.Requirement)
					}
					perClient[rows.Client] = append(perClient[rows.Client], row(r))
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			for _, rs := range perClient {
				got = append(got, rs...)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("expected rows\n  %s\nsaw\n  %s", strings.Join(tt.want, "\n  "), strings.Join(got, "\n  "))
			}
		})
	}
}

// Many clients judged on several workers give every client's rows once, each batch
// under the client it names; an error of the sink stops the run.
func TestJudgeWorkers(t *testing.T) {
	p := load(t, profiles[client.ModeRegister])
	r := &run.Run{}
	for i := range 50 {
		aor := fmt.Sprintf("sip:user%d@mcptt.example.com", i)
		r.Clients = append(r.Clients, &run.Client{ID: aor, Messages: []*capture.Message{sent(i+1, "REGISTER", aor)}})
	}
	j := validators.Judge{Profile: p, Requirements: validators.Catalogue(), Workers: 4}
	seen := map[int]int{}
	err := j.Run(r, func(rows validators.Rows) error {
		for _, row := range rows.Rows {
			if row.Client != "" && row.Client != r.Clients[rows.Client].ID {
				t.Errorf("rows of client %d name %s", rows.Client, row.Client)
			}
		}
		seen[rows.Client]++
		return nil
	})
	if err != nil || len(seen) != len(r.Clients) {
		t.Fatalf("expected rows of all %d clients, saw %d (%v)", len(r.Clients), len(seen), err)
	}
	calls := 0
	stop := fmt.Errorf("disk full")
	if err := j.Run(r, func(validators.Rows) error { calls++; return stop }); err != stop || calls != 1 {
		t.Errorf("expected the sink's error after one call, saw %v after %d", err, calls)
	}
}

// A run whose requests' bytes are spooled is judged as the same run in memory, each
// client's bytes loaded for its judging and released after; a spool that cannot give
// them stops the run with its error.
func TestJudgeSpooled(t *testing.T) {
	p := load(t, profiles[client.ModeRegister])
	build := func() *run.Run {
		r := &run.Run{}
		for i := range 8 {
			aor := fmt.Sprintf("sip:user%d@mcptt.example.com", i)
			r.Clients = append(r.Clients, &run.Client{ID: aor, Messages: []*capture.Message{sent(2*i+1, "REGISTER", aor), sent(2*i+2, "PUBLISH", aor)}})
		}
		return r
	}
	rowsOf := func(r *run.Run) ([]string, error) {
		perClient := make([][]string, len(r.Clients))
		j := validators.Judge{Profile: p, Requirements: validators.Catalogue(), Workers: 3}
		err := j.Run(r, func(rows validators.Rows) error {
			for _, x := range rows.Rows {
				perClient[rows.Client] = append(perClient[rows.Client], row(x))
			}
			return nil
		})
		return slices.Concat(perClient...), err
	}
	want, err := rowsOf(build())
	if err != nil {
		t.Fatal(err)
	}
	r := build()
	s, err := capture.NewSpool(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	r.Spool = s
	for _, c := range r.Clients {
		src := &run.Source{Chained: true, Last: capture.NoRecord}
		for _, m := range c.Messages {
			if src.Last, err = s.Append(m, src.Last); err != nil {
				t.Fatal(err)
			}
		}
		c.Sources, c.Messages = []*run.Source{src}, nil
	}
	got, err := rowsOf(r)
	if err != nil || !slices.Equal(got, want) {
		t.Errorf("expected the rows of the run in memory (%d), saw %d (%v)", len(want), len(got), err)
	}
	for _, c := range r.Clients {
		if c.Messages != nil {
			t.Errorf("client %s: expected its messages released once judged, saw them kept", c.ID)
		}
	}
	s.Close()
	if _, err := rowsOf(r); err == nil || !strings.Contains(err.Error(), "spool") {
		t.Errorf("expected the error of a closed spool, saw %v", err)
	}
}
