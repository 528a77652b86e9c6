package pcapng_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"
	"github.com/google/gopacket/pcapgo"

	"github.com/mcptt-conformance/mcptt-conformance/pcapng"
)

var at = time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)

// Each packet becomes frames with its addresses, ports, time and bytes; a TCP
// connection opens with a handshake, keeps its sequence numbers continuous across
// segments of at most one MSS, and closes.
func TestWrite(t *testing.T) {
	long := bytes.Repeat([]byte("x"), 2*pcapng.MSS+10)
	pkts := []pcapng.Packet{
		{Time: at, Transport: "tcp", From: "127.0.0.1:40001", To: "[::]:5060", Payload: long},
		{Time: at.Add(time.Millisecond), Transport: "tcp", From: "127.0.0.1:5060", To: "127.0.0.1:40001", Payload: []byte("SIP/2.0 200 OK\r\n\r\n")},
		{Time: at.Add(2 * time.Millisecond), Transport: "udp", From: "[2001:db8::7]:5070", To: "[2001:db8::1]:5060", Payload: []byte("REGISTER")},
	}
	var b bytes.Buffer
	if err := pcapng.Write(&b, pkts); err != nil {
		t.Fatal(err)
	}
	r, err := pcapgo.NewNgReader(&b, pcapgo.DefaultNgReaderOptions)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	var clientData []byte
	next := map[layers.TCPPort]uint32{}
	for {
		data, ci, err := r.ReadPacketData()
		if err != nil {
			break
		}
		p := gopacket.NewPacket(data, layers.LayerTypeEthernet, gopacket.Default)
		if tcp, ok := p.Layer(layers.LayerTypeTCP).(*layers.TCP); ok {
			flags := map[bool]string{true: "S"}[tcp.SYN] + map[bool]string{true: "F"}[tcp.FIN] + map[bool]string{true: "A"}[tcp.ACK]
			got = append(got, p.NetworkLayer().NetworkFlow().String()+" "+tcp.TransportFlow().String()+" "+flags)
			if n, ok := next[tcp.SrcPort]; ok && n != tcp.Seq {
				t.Errorf("TCP from %d: expected seq %d, saw %d", tcp.SrcPort, n, tcp.Seq)
			}
			next[tcp.SrcPort] = tcp.Seq + uint32(len(tcp.Payload))
			if tcp.SYN || tcp.FIN {
				next[tcp.SrcPort]++
			}
			if len(tcp.Payload) > pcapng.MSS {
				t.Errorf("a segment of %d bytes, more than the MSS", len(tcp.Payload))
			}
			if tcp.SrcPort == 40001 {
				clientData = append(clientData, tcp.Payload...)
			}
		}
		if udp, ok := p.Layer(layers.LayerTypeUDP).(*layers.UDP); ok {
			got = append(got, p.NetworkLayer().NetworkFlow().String()+" "+udp.TransportFlow().String()+" "+string(udp.Payload))
			if !ci.Timestamp.Equal(pkts[2].Time) {
				t.Errorf("UDP frame: expected time %s, saw %s", pkts[2].Time, ci.Timestamp)
			}
		}
		if p.ErrorLayer() != nil {
			t.Errorf("frame does not decode: %v", p.ErrorLayer().Error())
		}
	}
	want := []string{
		"127.0.0.1->127.0.0.1 40001->5060 S", "127.0.0.1->127.0.0.1 5060->40001 SA", "127.0.0.1->127.0.0.1 40001->5060 A",
		"127.0.0.1->127.0.0.1 40001->5060 A", "127.0.0.1->127.0.0.1 40001->5060 A", "127.0.0.1->127.0.0.1 40001->5060 A",
		"127.0.0.1->127.0.0.1 5060->40001 A",
		"2001:db8::7->2001:db8::1 5070->5060 REGISTER",
		"127.0.0.1->127.0.0.1 40001->5060 FA", "127.0.0.1->127.0.0.1 5060->40001 FA", "127.0.0.1->127.0.0.1 40001->5060 A",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("expected frames\n%s\nsaw\n%s", strings.Join(want, "\n"), strings.Join(got, "\n"))
	}
	if !bytes.Equal(clientData, long) {
		t.Errorf("expected the client's stream to carry its %d bytes, saw %d", len(long), len(clientData))
	}
}

func TestWriteErrors(t *testing.T) {
	for _, tt := range []struct {
		p    pcapng.Packet
		want string
	}{
		{pcapng.Packet{Transport: "udp", From: "nowhere", To: "127.0.0.1:5060"}, "sender address"},
		{pcapng.Packet{Transport: "udp", From: "127.0.0.1:5060", To: "127.0.0.1"}, "receiver address"},
		{pcapng.Packet{Transport: "sctp", From: "127.0.0.1:1", To: "127.0.0.1:2"}, `expected transport udp, tcp or tls, saw "sctp"`},
		{pcapng.Packet{Transport: "udp", From: "127.0.0.1:1", To: "127.0.0.1:2", Payload: make([]byte, 70000)}, "more than a datagram holds"},
	} {
		err := pcapng.Write(&bytes.Buffer{}, []pcapng.Packet{tt.p})
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%+v: expected an error containing %q, saw %v", tt.p.Transport, tt.want, err)
		}
	}
}
