package run_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/mcptt-conformance/mcptt-conformance/capture"
	"github.com/mcptt-conformance/mcptt-conformance/run"
)

// request is a readable SIP request of method from aor, sent from peer.
func request(seq int, method, aor, peer string) *capture.Message {
	raw := fmt.Sprintf("%s sip:mcptt.example.com SIP/2.0\r\nVia: SIP/2.0/UDP %s;branch=z9hG4bK-%d\r\nMax-Forwards: 70\r\nFrom: <%s>;tag=%d\r\nTo: <%s>\r\nCall-ID: call-%d\r\nCSeq: 1 %s\r\nContent-Length: 0\r\n\r\n",
		method, peer, seq, aor, seq, aor, seq, method)
	return &capture.Message{Seq: seq, Name: fmt.Sprintf("%04d-%s.sip", seq, method), Peer: peer, Method: method, Raw: []byte(raw), Status: 200}
}

// garbage is bytes sent to a SIP port that are no SIP message.
func garbage(seq int, peer string) *capture.Message {
	return &capture.Message{Seq: seq, Name: fmt.Sprintf("%04d-unreadable.sip", seq), Peer: peer, Raw: []byte("\x00garbage")}
}

const (
	alice = "sip:alice@mcptt.example.com"
	bob   = "sip:bob@mcptt.example.com"
	carol = "sip:carol@mcptt.example.com"
)

// Two clients and a third party: alice registers from one address, bob publishes from
// another host, carol only sends OPTIONS.
func traffic() ([]*capture.Message, []run.Damage) {
	retrans := request(5, "REGISTER", alice, "192.0.2.7:5070")
	retrans.RetransmissionOf = 1
	msgs := []*capture.Message{
		request(1, "REGISTER", alice, "192.0.2.7:5070"),
		request(2, "PUBLISH", bob, "192.0.2.8:40001"),
		garbage(3, "192.0.2.8:5099"), // bob's host
		request(4, "OPTIONS", carol, "192.0.2.9:5060"),
		retrans,
		request(6, "OPTIONS", alice, "192.0.2.7:5070"),
	}
	damaged := []run.Damage{
		{Name: "two.pcapng#frame-9", Peer: "192.0.2.7:5070", Reason: "a UDP request in IP fragments", ClientFault: true},
		{Name: "two.pcapng#frame-10", Peer: "203.0.113.1:5060", Reason: "truncated"}, // nobody's
	}
	return msgs, damaged
}

func names(msgs []*capture.Message) []string {
	var out []string
	for _, m := range msgs {
		out = append(out, m.Name)
	}
	return out
}

func damageNames(ds []run.Damage) []string {
	var out []string
	for _, d := range ds {
		out = append(out, d.Name)
	}
	return out
}

// Messages are grouped by address of record; unreadable bytes and damage go to the
// client that sent from the same address or host; a party that sent no REGISTER or
// PUBLISH is no client.
func TestGroup(t *testing.T) {
	msgs, damaged := traffic()
	clients, others := run.Group(msgs, damaged)
	type want struct {
		id       string
		addrs    []string
		messages []string
		damaged  []string
	}
	wants := []want{
		{alice, []string{"192.0.2.7:5070"}, []string{"0001-REGISTER.sip", "0005-REGISTER.sip", "0006-OPTIONS.sip"}, []string{"two.pcapng#frame-9"}},
		{bob, []string{"192.0.2.8:40001"}, []string{"0002-PUBLISH.sip", "0003-unreadable.sip"}, nil},
	}
	if len(clients) != len(wants) {
		t.Fatalf("expected %d clients, saw %d", len(wants), len(clients))
	}
	for i, w := range wants {
		c := clients[i]
		got := want{c.ID, c.Addrs, names(c.Messages), damageNames(c.Damaged)}
		if got.id != w.id || !slices.Equal(got.addrs, w.addrs) || !slices.Equal(got.messages, w.messages) || !slices.Equal(got.damaged, w.damaged) {
			t.Errorf("client %d: expected %+v, saw %+v", i, w, got)
		}
	}
	if got := names(others); !slices.Equal(got, []string{"0004-OPTIONS.sip"}) {
		t.Errorf("expected carol's OPTIONS as the only other message, saw %v", got)
	}
}

func TestSelect(t *testing.T) {
	msgs, damaged := traffic()
	clients, _ := run.Group(msgs, damaged)
	for _, tt := range []struct{ sel, id string }{
		{alice, alice},
		{"BOB@mcptt.example.com", bob},
		{"sips:" + strings.TrimPrefix(alice, "sip:"), ""}, // another scheme is another address
		{"192.0.2.7", alice},
		{"192.0.2.8:40001", bob},
		{" 192.0.2.8 ", bob},
		{carol, ""},
	} {
		c, err := run.Select(clients, tt.sel)
		switch {
		case tt.id == "" && err == nil:
			t.Errorf("select %q: expected an error, saw %s", tt.sel, c.ID)
		case tt.id == "" && !strings.Contains(err.Error(), alice+" (192.0.2.7:5070)"):
			t.Errorf("select %q: expected an error listing the clients, saw %v", tt.sel, err)
		case tt.id != "" && (err != nil || c.ID != tt.id):
			t.Errorf("select %q: expected %s, saw %+v (%v)", tt.sel, tt.id, c, err)
		}
	}
}

// Split chooses the clients to judge and says so in its notes.
func TestSplit(t *testing.T) {
	msgs, damaged := traffic()
	lone := []*capture.Message{request(1, "REGISTER", alice, "192.0.2.7:5070"), garbage(2, "192.0.2.7:5071")}
	nobody := []*capture.Message{garbage(1, "192.0.2.7:5070"), request(2, "OPTIONS", carol, "192.0.2.9:5060")}
	nobodyDamage := []run.Damage{{Name: "x.pcap#frame-3", Reason: "truncated"}}
	for _, tt := range []struct {
		name    string
		msgs    []*capture.Message
		damaged []run.Damage
		sel     string
		ids     []string
		notes   []string
	}{
		{"several clients", msgs, damaged, "", []string{alice, bob}, []string{
			"2 clients in the capture, each judged as a run of its own (each result's detail names its client): " + alice + " (from 192.0.2.7:5070); " + bob + " (from 192.0.2.8:40001)",
			"client " + alice + " sent 1 OPTIONS, not judged except by 7.2.2-16",
			"client " + alice + " retransmitted 1 request(s), not judged again",
			"1 request(s) from parties that sent no REGISTER or PUBLISH (1 OPTIONS), not judged",
		}},
		{"one chosen", msgs, damaged, "192.0.2.8", []string{bob}, []string{
			"judged client " + bob + " only (-client 192.0.2.8); the capture holds 2 client(s): " + alice + " (from 192.0.2.7:5070); " + bob + " (from 192.0.2.8:40001)",
			"1 request(s) from parties that sent no REGISTER or PUBLISH (1 OPTIONS), not judged",
		}},
		{"one client", lone, nil, "", []string{alice}, nil},
		{"no client", nobody, nobodyDamage, "", []string{""}, []string{"the client sent 1 OPTIONS, not judged except by 7.2.2-16"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			chosen, notes, err := run.Split(run.Sources(tt.msgs), tt.damaged, tt.sel)
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, c := range chosen {
				ids = append(ids, c.ID)
			}
			if !slices.Equal(ids, tt.ids) {
				t.Errorf("expected clients %q, saw %q", tt.ids, ids)
			}
			if !slices.Equal(notes, tt.notes) {
				t.Errorf("expected notes\n  %s\nsaw\n  %s", strings.Join(tt.notes, "\n  "), strings.Join(notes, "\n  "))
			}
		})
	}
	// Traffic in which no client is named is one client holding all of it.
	chosen, _, _ := run.Split(run.Sources(nobody), nobodyDamage, "")
	if len(chosen[0].Messages) != len(nobody) || len(chosen[0].Damaged) != 1 {
		t.Errorf("expected the one client to hold every message and the damage, saw %+v", chosen[0])
	}
	if _, _, err := run.Split(run.Sources(msgs), damaged, carol); err == nil || !strings.Contains(err.Error(), bob) {
		t.Errorf("an unknown client: expected an error listing the clients, saw %v", err)
	}
}

func TestLiveNotes(t *testing.T) {
	retrans := request(5, "REGISTER", alice, "192.0.2.7:5070")
	retrans.RetransmissionOf = 1
	msgs := []*capture.Message{
		request(1, "REGISTER", alice, "192.0.2.7:5070"),
		request(2, "SUBSCRIBE", alice, "192.0.2.7:5070"),
		request(3, "OPTIONS", alice, "192.0.2.7:5070"),
		request(4, "MESSAGE", alice, "192.0.2.7:5070"),
		retrans,
		request(6, "OPTIONS", alice, "192.0.2.7:5070"),
		garbage(7, "192.0.2.7:5070"),
	}
	want := []string{
		"client command: exit status 1",
		"unexpected traffic: 1 MESSAGE request(s), answered per the policy (OPTIONS 200, others 405) and not judged except by 7.2.2-16",
		"unexpected traffic: 2 OPTIONS request(s), answered per the policy (OPTIONS 200, others 405) and not judged except by 7.2.2-16",
		"unexpected traffic: 1 SUBSCRIBE request(s), answered per the policy (OPTIONS 200, others 405) and not judged except by 7.2.2-16",
		"1 retransmission(s) received, answered with the same response and not judged again",
		"7 message(s) received in all; every one is kept byte for byte in captures/",
	}
	if got := run.LiveNotes("exit status 1", msgs); !slices.Equal(got, want) {
		t.Errorf("expected notes\n  %s\nsaw\n  %s", strings.Join(want, "\n  "), strings.Join(got, "\n  "))
	}
	if got := run.LiveNotes("", nil); !slices.Equal(got, []string{"0 message(s) received in all; every one is kept byte for byte in captures/"}) {
		t.Errorf("manual mode, nothing received: expected only the count, saw %q", got)
	}
}

// The same traffic gives the same notes every time (no note follows a map's order).
func TestNotesAreDeterministic(t *testing.T) {
	msgs, damaged := traffic()
	for _, m := range []string{"INFO", "MESSAGE", "NOTIFY", "SUBSCRIBE", "UPDATE"} {
		msgs = append(msgs, request(len(msgs)+1, m, alice, "192.0.2.7:5070"), request(len(msgs)+2, m, carol, "192.0.2.9:5060"))
	}
	_, first, _ := run.Split(run.Sources(msgs), damaged, "")
	live := run.LiveNotes("exit status 0", msgs)
	for range 50 {
		if _, again, _ := run.Split(run.Sources(msgs), damaged, ""); !slices.Equal(again, first) {
			t.Fatalf("Split: expected the same notes again\n  %s\nsaw\n  %s", strings.Join(first, "\n  "), strings.Join(again, "\n  "))
		}
		if again := run.LiveNotes("exit status 0", msgs); !slices.Equal(again, live) {
			t.Fatalf("LiveNotes: expected the same notes again\n  %s\nsaw\n  %s", strings.Join(live, "\n  "), strings.Join(again, "\n  "))
		}
	}
}

// Behind an IMS core, the REGISTERs that arrived directly are named in one note;
// third-party REGISTERs, retransmissions and other methods are not.
func TestTopologyNotes(t *testing.T) {
	direct := request(1, "REGISTER", alice, "192.0.2.7:5070")
	carried := string(direct.Raw)
	tp := request(2, "REGISTER", alice, "192.0.2.1:5060")
	tp.Raw = []byte(strings.Replace(string(tp.Raw), "Content-Length: 0\r\n\r\n", fmt.Sprintf("Content-Type: message/sip\r\nContent-Length: %d\r\n\r\n%s", len(carried), carried), 1))
	retrans := request(3, "REGISTER", alice, "192.0.2.7:5070")
	retrans.RetransmissionOf = 1
	notes := run.TopologyNotes([]*capture.Message{direct, tp, retrans, request(4, "PUBLISH", alice, "192.0.2.1:5060")})
	if len(notes) != 1 || !strings.Contains(notes[0], "unexpected topology") || !strings.HasSuffix(notes[0], ": 0001-REGISTER.sip") {
		t.Errorf("expected one note naming 0001-REGISTER.sip, saw %q", notes)
	}
	if notes := run.TopologyNotes([]*capture.Message{tp}); notes != nil {
		t.Errorf("expected no note for a third-party REGISTER, saw %q", notes)
	}
}

// Every client falls in exactly one shard of n, the same whatever the case of its
// address of record; the shards together hold every client.
func TestShard(t *testing.T) {
	var clients []*run.Client
	for i := range 300 {
		clients = append(clients, &run.Client{ID: fmt.Sprintf("sip:user%d@mcptt.example.com", i)})
	}
	total := 0
	for i := 1; i <= 3; i++ {
		s, err := run.ParseShard(fmt.Sprintf("%d/3", i))
		if err != nil {
			t.Fatal(err)
		}
		held, note := s.Clients(clients)
		if len(held) < 50 || !strings.Contains(note, fmt.Sprintf("shard %d/3", i)) {
			t.Errorf("shard %d/3: expected about a third of 300 clients and a note, saw %d, %q", i, len(held), note)
		}
		for _, c := range held {
			if !s.Holds(strings.ToUpper(c.ID)) {
				t.Errorf("shard %s: expected %s whatever its case", s, c.ID)
			}
		}
		total += len(held)
	}
	if total != len(clients) {
		t.Errorf("expected the shards to hold all %d clients once, saw %d", len(clients), total)
	}
	if held, note := (run.Shard{}).Clients(clients); len(held) != len(clients) || note != "" {
		t.Errorf("expected the zero shard to be the whole run, saw %d clients, %q", len(held), note)
	}
	for _, bad := range []string{"0/3", "4/3", "1", "a/b", "1/0", "-1/2"} {
		if _, err := run.ParseShard(bad); err == nil {
			t.Errorf("shard %q: expected an error", bad)
		}
	}
}

// chained writes msgs to a spool as the assembly of a recording does: one chain per
// source, each source chained.
func chained(t *testing.T, msgs []*capture.Message) (*capture.Spool, []*run.Source) {
	t.Helper()
	s, err := capture.NewSpool(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	sources := run.Sources(msgs)
	for _, src := range sources {
		src.Chained, src.Last = true, capture.NoRecord
		for _, m := range src.Messages {
			if src.Last, err = s.Append(m, src.Last); err != nil {
				t.Fatal(err)
			}
		}
		src.Messages = nil
	}
	return s, sources
}

// Chained sources are grouped as messages in memory are; Load brings a client's
// messages back from their chains, in order, a retransmission without a status taking
// its first request's, and Release drops them again; a spool that cannot be read is
// an error.
func TestLoad(t *testing.T) {
	inMemory, damaged := traffic()
	want, wantOthers := run.Group(inMemory, damaged)
	msgs, _ := traffic()
	msgs[4].Status = 0 // alice's retransmission, answered by the response to the first
	raws := map[int][]byte{}
	for _, m := range msgs {
		raws[m.Seq] = m.Raw
	}
	s, sources := chained(t, msgs)
	clients, others := run.GroupSources(sources, damaged)
	if len(clients) != len(want) || len(others) != 1 || run.Total(others).Messages != len(wantOthers) {
		t.Fatalf("expected %d clients and others %v, saw %d and %d source(s)", len(want), names(wantOthers), len(clients), len(others))
	}
	r := &run.Run{Clients: clients, Spool: s}
	for i, c := range clients {
		if c.ID != want[i].ID || c.Messages != nil || !slices.Equal(c.Addrs, want[i].Addrs) {
			t.Errorf("client %d: expected %s %v and no messages before Load, saw %s %v %d", i, want[i].ID, want[i].Addrs, c.ID, c.Addrs, len(c.Messages))
		}
		if err := r.Load(c); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(names(c.Messages), names(want[i].Messages)) {
			t.Errorf("client %d: expected %v loaded, saw %v", i, names(want[i].Messages), names(c.Messages))
		}
		for _, m := range c.Messages {
			if string(m.Raw) != string(raws[m.Seq]) || m.Status != 200 && m.Method != "" {
				t.Errorf("%s: expected its bytes and status loaded, saw %q, %d", m.Name, m.Raw, m.Status)
			}
			if raw, err := s.Bytes(&capture.Message{Name: m.Name, Spooled: m.Spooled}); err != nil || string(raw) != string(m.Raw) {
				t.Errorf("%s: expected its extent to give its bytes, saw %q (%v)", m.Name, raw, err)
			}
		}
		r.Release(c)
		if c.Messages != nil {
			t.Errorf("client %d: expected Release to drop its messages", i)
		}
	}
	s.Close()
	if err := r.Load(clients[0]); err == nil || !strings.Contains(err.Error(), alice) {
		t.Errorf("expected an error naming the client a closed spool cannot give, saw %v", err)
	}
	if err := (&run.Run{Clients: want}).Load(want[0]); err != nil || len(want[0].Messages) == 0 {
		t.Errorf("expected a run in memory to load nothing and keep its messages, saw %v", err)
	}
}

// Bytes a client sends before its first REGISTER (unreadable, so naming no client) are
// its own once the REGISTER names it, from the same address, chained or not.
func TestUnreadableFirst(t *testing.T) {
	msgs := []*capture.Message{garbage(1, "192.0.2.7:5070"), request(2, "REGISTER", alice, "192.0.2.7:5070"), garbage(3, "192.0.2.7:5070")}
	s, sources := chained(t, msgs)
	if len(sources) != 2 || sources[0].Identity != "" || sources[0].Claim != 0 || sources[1].Claim != 2 {
		t.Fatalf("expected the garbage's source, then alice's with her REGISTER, saw %+v", sources)
	}
	clients, others := run.GroupSources(sources, nil)
	if len(clients) != 1 || clients[0].ID != alice || len(others) != 0 {
		t.Fatalf("expected alice alone, holding everything, saw %d client(s), %d other source(s)", len(clients), len(others))
	}
	r := &run.Run{Clients: clients, Spool: s}
	if err := r.Load(clients[0]); err != nil {
		t.Fatal(err)
	}
	if got := names(clients[0].Messages); !slices.Equal(got, []string{"0001-unreadable.sip", "0002-REGISTER.sip", "0003-unreadable.sip"}) {
		t.Errorf("expected alice's three messages in order, saw %v", got)
	}
	if n := clients[0].Counts(); n.Messages != 3 || n.Fresh["REGISTER"] != 1 || n.Methods[""] != 2 {
		t.Errorf("expected alice's counts (3 messages, 1 REGISTER, 2 unreadable), saw %+v", n)
	}
}
