package recorded

import (
	"fmt"
	"testing"
	"time"

	"github.com/mcptt-conformance/mcptt-conformance/capture"
)

// register is a REGISTER as RFC 3261 10.2 writes one, from user at peer, in the
// transaction of branch, with Call-ID callID and CSeq cseq.
func register(user, peer, branch, callID string, cseq int) []byte {
	return fmt.Appendf(nil, "REGISTER sip:mcptt.example.com SIP/2.0\r\n"+
		"Via: SIP/2.0/UDP %s;branch=z9hG4bK%s\r\n"+
		"Max-Forwards: 70\r\n"+
		"To: <sip:%s@mcptt.example.com>\r\n"+
		"From: <sip:%[3]s@mcptt.example.com>;tag=456248\r\n"+
		"Call-ID: %s\r\n"+
		"CSeq: %d REGISTER\r\n"+
		"Contact: <sip:%[3]s@%[1]s>\r\n"+
		"Expires: 7200\r\n"+
		"Content-Length: 0\r\n\r\n", peer, branch, user, callID, cseq)
}

// ok is the final response to the REGISTER of callID and cseq (RFC 3261 10.3 step 8).
func ok(callID string, cseq int) []byte {
	return fmt.Appendf(nil, "SIP/2.0 200 OK\r\n"+
		"Via: SIP/2.0/UDP 192.0.2.7:5070;branch=z9hG4bKnashds7\r\n"+
		"To: <sip:alice@mcptt.example.com>;tag=2493k59kd\r\n"+
		"From: <sip:alice@mcptt.example.com>;tag=456248\r\n"+
		"Call-ID: %s\r\n"+
		"CSeq: %d REGISTER\r\n"+
		"Content-Length: 0\r\n\r\n", callID, cseq)
}

var windowStart = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// sent is the request raw from peer, at offset after windowStart.
func sent(peer string, raw []byte, after time.Duration) *capture.Message {
	return &capture.Message{Name: fmt.Sprintf("run.pcap#frame-%d", after), Time: windowStart.Add(after), Transport: "udp", Peer: peer, Local: "198.51.100.1:5060", Raw: raw}
}

// A request repeating one of its source's last windowPerSource transactions is a
// retransmission, however many transactions other sources began meanwhile; one
// repeating an older transaction of its source is judged as a new request.
func TestWindowPerSource(t *testing.T) {
	const alice, bob = "192.0.2.7:5070", "192.0.2.8:5070"
	for _, tt := range []struct {
		name           string
		between        int    // transactions begun between the first and its repeat
		from           string // by whom
		retransmission bool
	}{
		{"the source's last transactions", windowPerSource - 1, alice, true},
		{"beyond the source's last transactions", windowPerSource, alice, false},
		{"another source's transactions", 10 * windowPerSource, bob, true},
	} {
		a := newAssembler(&notes{})
		a.window = transactionWindow
		first := register("alice", alice, "first", "c0", 1)
		a.add(sent(alice, first, 0), true)
		for i := range tt.between {
			user := map[string]string{alice: "alice", bob: "bob"}[tt.from]
			a.add(sent(tt.from, register(user, tt.from, fmt.Sprint("b", i), fmt.Sprint("c", i+1), 1), time.Duration(i+1)*time.Millisecond), true)
		}
		again := sent(alice, first, time.Second)
		a.add(again, true)
		if got := again.RetransmissionOf == 1; got != tt.retransmission {
			t.Errorf("%s (%d): expected the repeat a retransmission %v, saw RetransmissionOf %d", tt.name, tt.between, tt.retransmission, again.RetransmissionOf)
		}
	}
}

// A final response answers the requests of its Call-ID and CSeq, of one source among
// many (here also sent again from another address: both are answered), and no other;
// a response later than the window answers none.
func TestResponseAmongSources(t *testing.T) {
	const sources = 200
	for _, tt := range []struct {
		after time.Duration
		want  int
	}{
		{time.Second, 200},
		{transactionWindow + time.Second, 0},
	} {
		a := newAssembler(&notes{})
		a.window = transactionWindow
		var msgs []*capture.Message
		for i := range sources {
			peer := fmt.Sprintf("192.0.2.%d:5070", i%250+1)
			callID := fmt.Sprint("c", i)
			if i == 58 {
				callID = "c57"
			}
			m := sent(peer, register(fmt.Sprint("user", i), peer, fmt.Sprint("b", i), callID, 1), time.Duration(i)*time.Microsecond)
			a.add(m, true)
			msgs = append(msgs, m)
		}
		a.response(ok("c57", 1), windowStart.Add(tt.after))
		for i, m := range msgs {
			want := 0
			if i == 57 || i == 58 {
				want = tt.want
			}
			if m.Status != want {
				t.Errorf("response after %v: expected request %d status %d, saw %d", tt.after, i, want, m.Status)
			}
		}
		if held := len(a.awaitedBy); held != sources-2 {
			t.Errorf("response after %v: expected %d requests still awaiting, saw %d", tt.after, sources-2, held)
		}
	}
}

// A capture with no response at all holds no more than windowPerSource transactions
// and requests awaiting per source, however many requests it has within the window.
func TestWindowBounded(t *testing.T) {
	const sources, perSource = 10, 1000
	a := newAssembler(&notes{})
	a.window = transactionWindow
	for i := range perSource {
		for s := range sources {
			peer := fmt.Sprintf("192.0.2.%d:5070", s+1)
			a.add(sent(peer, register(fmt.Sprint("user", s), peer, fmt.Sprint("b", i), fmt.Sprint("c", s), i+1), time.Duration(i*sources+s)*time.Microsecond), true)
		}
	}
	transactions, awaiting := 0, 0
	for _, o := range a.origins {
		transactions += len(o.transactions)
		awaiting += len(o.awaiting)
	}
	indexed := 0
	for _, os := range a.awaitedBy {
		indexed += len(os)
	}
	if limit := sources * windowPerSource; len(a.origins) != sources || transactions != limit || awaiting != limit || indexed != limit {
		t.Errorf("expected %d sources holding %d transactions and %d requests awaiting (indexed), saw %d holding %d and %d (%d)", sources, limit, limit, len(a.origins), transactions, awaiting, indexed)
	}
}
