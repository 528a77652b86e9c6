// Command offlinegen writes the capture the offline figures are measured on: a classic
// pcap of REGISTERs, each answered 200 OK, from many reference clients (client.Build,
// no sockets), half over UDP and half over TCP (one connection per client, opened with
// a SYN), the clients' requests interleaved as a busy registrar would see them, each
// client's last request its log-off re-REGISTER (7.2.1 NOTE 1; the profile's
// client.logoff), so that the capture is conformant throughout. It
// writes as it goes, so that a capture of a million requests needs no more memory
// than one.
//
//	go run ./bench/offlinegen -requests 1000000 -clients 1000 -o big.pcap
package main

import (
	"bufio"
	"flag"
	"fmt"
	"net"
	"os"
	"time"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"
	"github.com/google/gopacket/pcapgo"

	"github.com/mcptt-conformance/mcptt-conformance/client"
	"github.com/mcptt-conformance/mcptt-conformance/profile"
	"github.com/mcptt-conformance/mcptt-conformance/recorded/recordedtest"
)

func main() {
	requests := flag.Int("requests", 100000, "REGISTER requests in all")
	clients := flag.Int("clients", 1000, "clients sending them (each sends requests/clients)")
	out := flag.String("o", "offline.pcap", "the pcap file to write")
	prof := flag.String("profile", "fixtures/profiles/plain-register.yaml", "the profile whose identity the clients take (each its own address of record)")
	interval := flag.Duration("interval", 50*time.Microsecond, "capture time between one request and the next (the reader remembers 64×T1 = 32 s of transactions, so this sets how many it holds)")
	flag.Parse()
	if err := write(*out, *prof, *requests, *clients, *interval); err != nil {
		fmt.Fprintln(os.Stderr, "offlinegen:", err)
		os.Exit(1)
	}
}

// sender is one client: its address, its transport and, over TCP, its sequence numbers.
type sender struct {
	cfg      client.Config
	ip       net.IP
	port     uint16
	seq, ack uint32
	synSent  bool
}

var server = net.IPv4(198, 51, 100, 1)

const serverPort = 5060

func write(path, profPath string, requests, clients int, interval time.Duration) error {
	p, err := profile.Load(profPath)
	if err != nil {
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	bw := bufio.NewWriterSize(f, 1<<20)
	w := pcapgo.NewWriter(bw)
	if err := w.WriteFileHeader(65535, layers.LinkTypeEthernet); err != nil {
		return err
	}
	senders := make([]*sender, clients)
	for c := range senders {
		s := &sender{ip: net.IPv4(10, byte(c>>16), byte(c>>8), byte(c)), port: uint16(40000 + c%20000), seq: 1000, ack: 5000}
		s.cfg = client.Config{
			Server: fmt.Sprintf("%s:%d", server, serverPort), Transport: []string{"udp", "tcp"}[c%2], Local: s.ip.String(),
			Mode: client.ModeRegister, MCPTTID: fmt.Sprintf("sip:user%d@mcptt.example.com", c),
			ClientID: p.Identity.ClientID, Token: p.Identity.AccessToken, ProfileIndex: -1, Timeout: time.Second,
		}
		senders[c] = s
	}
	t := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	g := gen{w: w}
	for i := range requests {
		s := senders[i%clients]
		k := i / clients
		local := fmt.Sprintf("%s:%d", s.ip, s.port)
		leg := client.Leg{Local: local, CallID: fmt.Sprintf("reg-%s", local), FromTag: "f1", CSeq: uint32(k + 1), Branch: fmt.Sprintf("z9hG4bK-%d-%d", i, k)}
		kind := client.Register
		if i >= requests-clients {
			kind = client.Logoff // the client's last request
		}
		req, err := client.Build(&s.cfg, kind, leg)
		if err != nil {
			return err
		}
		res, err := recordedtest.Response(req, 200)
		if err != nil {
			return err
		}
		if err := g.send(t, s, req, true); err != nil {
			return err
		}
		if err := g.send(t.Add(200*time.Microsecond), s, res, false); err != nil {
			return err
		}
		t = t.Add(interval)
	}
	return bw.Flush()
}

type gen struct {
	w   *pcapgo.Writer
	buf gopacket.SerializeBuffer
}

// send writes one message from s to the server (up) or back as one frame; over TCP the
// connection's SYN comes first.
func (g *gen) send(t time.Time, s *sender, payload []byte, up bool) error {
	if s.cfg.Transport == "tcp" && !s.synSent {
		s.synSent = true
		if err := g.frame(t, s, nil, true, true); err != nil {
			return err
		}
		s.seq++
	}
	return g.frame(t, s, payload, up, false)
}

func (g *gen) frame(t time.Time, s *sender, payload []byte, up, syn bool) error {
	src, dst, sport, dport := s.ip, server, s.port, uint16(serverPort)
	if !up {
		src, dst, sport, dport = server, s.ip, serverPort, s.port
	}
	eth := &layers.Ethernet{SrcMAC: net.HardwareAddr{2, 0, 0, 0, 0, 1}, DstMAC: net.HardwareAddr{2, 0, 0, 0, 0, 2}, EthernetType: layers.EthernetTypeIPv4}
	ip := &layers.IPv4{Version: 4, TTL: 64, SrcIP: src, DstIP: dst, Protocol: layers.IPProtocolUDP}
	var l4 gopacket.SerializableLayer
	if s.cfg.Transport == "tcp" {
		ip.Protocol = layers.IPProtocolTCP
		tcp := &layers.TCP{SrcPort: layers.TCPPort(sport), DstPort: layers.TCPPort(dport), SYN: syn, ACK: !syn, Window: 65535}
		if up {
			tcp.Seq, tcp.Ack = s.seq, s.ack
			s.seq += uint32(len(payload))
		} else {
			tcp.Seq, tcp.Ack = s.ack, s.seq
			s.ack += uint32(len(payload))
		}
		tcp.SetNetworkLayerForChecksum(ip)
		l4 = tcp
	} else {
		udp := &layers.UDP{SrcPort: layers.UDPPort(sport), DstPort: layers.UDPPort(dport)}
		udp.SetNetworkLayerForChecksum(ip)
		l4 = udp
	}
	if g.buf == nil {
		g.buf = gopacket.NewSerializeBuffer()
	}
	if err := gopacket.SerializeLayers(g.buf, gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true}, eth, ip, l4, gopacket.Payload(payload)); err != nil {
		return err
	}
	b := g.buf.Bytes()
	return g.w.WritePacket(gopacket.CaptureInfo{Timestamp: t, CaptureLength: len(b), Length: len(b)}, b)
}
