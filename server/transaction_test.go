package server

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/mcptt-conformance/mcptt-conformance/capture"
	"github.com/mcptt-conformance/mcptt-conformance/pcapng"
	"github.com/mcptt-conformance/mcptt-conformance/recorded"
)

// newTestServer is a server that answers captures without listening.
func newTestServer(t testing.TB, opts ...Option) *Server {
	t.Helper()
	store, err := capture.NewStore(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return New(store, opts...)
}

// request is a well-formed request of method with the given top Via value; the CSeq
// method is cseqMethod.
func request(method, via, cseqMethod string) string {
	return fmt.Sprintf("%s sip:mcptt.example.com SIP/2.0\r\n"+
		"Via: %s\r\nMax-Forwards: 70\r\n"+
		"From: <sip:alice@mcptt.example.com>;tag=1\r\nTo: <sip:alice@mcptt.example.com>\r\n"+
		"Call-ID: call-1\r\nCSeq: 1 %s\r\n"+
		"Contact: <sip:alice@127.0.0.1:5071>;+g.3gpp.mcptt\r\nEvent: poc-settings\r\nContent-Length: 0\r\n\r\n", method, via, cseqMethod)
}

// The live server and a recording read later mark the same requests as retransmissions:
// both key a request by sipmsg.(*Message).TransactionKey.
func TestServerAndRecordingAgreeOnRetransmissions(t *testing.T) {
	const via = "SIP/2.0/UDP 127.0.0.1:5071;branch=z9hG4bK-1"
	msgs := []string{
		request("INVITE", via, "INVITE"),
		request("ACK", via, "ACK"),                                                         // ACK matches the INVITE's transaction
		request("REGISTER", via, "REGISTER"),                                               // same branch, another method
		request("REGISTER", strings.Replace(via, "branch", "BRANCH", 1), "REGISTER"),       // parameter names are case-insensitive
		request("REGISTER", strings.Replace(via, "z9hG4bK-1", "Z9HG4BK-1", 1), "REGISTER"), // branch values are not
		request("REGISTER", strings.Replace(via, "5071", "5072", 1), "REGISTER"),           // another sent-by
		request("REGISTER", via+";rport", "REGISTER"),
		request("PUBLISH", "SIP/2.0/UDP 127.0.0.1:5071", "PUBLISH"), // no branch: never a retransmission
		request("PUBLISH", "SIP/2.0/UDP 127.0.0.1:5071", "PUBLISH"),
	}
	s := newTestServer(t)
	var pkts []pcapng.Packet
	start := time.Unix(1700000000, 0)
	for i, m := range msgs {
		s.receive(origin{transport: "udp", peer: "127.0.0.1:5071", local: "127.0.0.1:5060"}, []byte(m))
		pkts = append(pkts, pcapng.Packet{Time: start.Add(time.Duration(i) * time.Second), Transport: "udp",
			From: "127.0.0.1:5071", To: "127.0.0.1:5060", Payload: []byte(m)})
	}
	var b bytes.Buffer
	if err := pcapng.Write(&b, pkts); err != nil {
		t.Fatal(err)
	}
	live, rec := retransmissions(s.store.Messages()), retransmissions(recorded.ReadPcap("run.pcapng", b.Bytes()).Messages)
	if live != rec || live != "[0 1 0 3 0 0 3 0 0]" {
		t.Errorf("expected server and recording to mark [0 1 0 3 0 0 3 0 0] as retransmissions, saw server %s, recording %s", live, rec)
	}
}

func retransmissions(ms []*capture.Message) string {
	var r []int
	for _, m := range ms {
		r = append(r, m.RetransmissionOf)
	}
	return fmt.Sprint(r)
}
