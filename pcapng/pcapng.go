// Package pcapng writes the SIP traffic of a run as a pcapng file that Wireshark and
// tshark open and dissect as SIP: every message as packets with the real addresses,
// ports and times, under synthesized Ethernet, IPv4 or IPv6, and UDP or TCP headers.
// A TCP connection gets a handshake, sequence and acknowledgement numbers, segments of
// at most one MSS and a close, so that Wireshark reassembles the stream.
package pcapng

import (
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"io"
	"net"
	"net/netip"
	"os"
	"runtime"
	"slices"
	"time"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"
	"github.com/google/gopacket/pcapgo"
)

// MSS is the largest TCP segment payload written; longer messages span segments.
const MSS = 1460

// Packet is one message as it went over the wire.
type Packet struct {
	Time      time.Time
	Transport string // "udp" or "tcp"
	From, To  string // host:port of sender and receiver
	Payload   []byte
}

// Option adds to what Write puts in the file.
type Option func(*options)

type options struct {
	tlsKeyLog []byte
}

// WithTLSKeyLog puts keyLog (the NSS key log format crypto/tls's KeyLogWriter writes)
// into the file as a Decryption Secrets Block, as `editcap --inject-secrets tls,…`
// does, so that Wireshark and tshark decrypt the file's TLS connections with no key
// file of their own.
func WithTLSKeyLog(keyLog []byte) Option {
	return func(o *options) { o.tlsKeyLog = keyLog }
}

// WriteFile writes pkts to path (see Write).
func WriteFile(path string, pkts []Packet, opts ...Option) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("pcapng: %w", err)
	}
	if err := Write(f, pkts, opts...); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// Write writes pkts in time order as one pcapng section with one Ethernet interface.
// A "tls" packet holds the TLS records as they went over TCP. A packet whose addresses
// cannot be read, or whose transport is none of udp, tcp and tls, is an error naming it.
func Write(w io.Writer, pkts []Packet, opts ...Option) error {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	ng, err := pcapgo.NewNgWriterInterface(w, pcapgo.NgInterface{
		Name: "mcptt-conformance", Description: "SIP messages of a conformance run, packets synthesized from what was sent and received",
		OS: runtime.GOOS, LinkType: layers.LinkTypeEthernet, TimestampResolution: 9,
	}, pcapgo.NgWriterOptions{SectionInfo: pcapgo.NgSectionInfo{Application: "mcptt-conformance"}})
	if err != nil {
		return fmt.Errorf("pcapng: %w", err)
	}
	if len(o.tlsKeyLog) > 0 {
		if err := ng.Flush(); err != nil {
			return fmt.Errorf("pcapng: %w", err)
		}
		if err := writeSecrets(w, secretsTLSKeyLog, o.tlsKeyLog); err != nil {
			return fmt.Errorf("pcapng: %w", err)
		}
	}
	order := slices.Clone(pkts)
	slices.SortStableFunc(order, func(a, b Packet) int { return a.Time.Compare(b.Time) })
	s := synth{ng: ng, conns: map[[2]netip.AddrPort]*conn{}}
	for i, p := range order {
		from, to, err := endpoints(p)
		if err != nil {
			return fmt.Errorf("pcapng: packet %d (%s at %s): %w", i+1, p.Transport, p.Time.Format(time.RFC3339Nano), err)
		}
		switch p.Transport {
		case "udp":
			if len(p.Payload) > 65507 {
				return fmt.Errorf("pcapng: packet %d: a UDP payload of %d bytes, more than a datagram holds", i+1, len(p.Payload))
			}
			err = s.frame(p.Time, from, to, &layers.UDP{SrcPort: layers.UDPPort(from.Port()), DstPort: layers.UDPPort(to.Port())}, p.Payload)
		case "tcp", "tls":
			err = s.tcp(p.Time, from, to, p.Payload)
		default:
			err = fmt.Errorf("expected transport udp, tcp or tls, saw %q", p.Transport)
		}
		if err != nil {
			return fmt.Errorf("pcapng: packet %d: %w", i+1, err)
		}
	}
	if err := s.closeAll(); err != nil {
		return fmt.Errorf("pcapng: %w", err)
	}
	return ng.Flush()
}

// The Decryption Secrets Block (pcapng, draft-ietf-opsawg-pcapng section 4.7) and its
// secrets type for a TLS key log.
const (
	blockDecryptionSecrets = 0x0000000A
	secretsTLSKeyLog       = 0x544c534b // "TLSK"
)

// writeSecrets writes one Decryption Secrets Block, little-endian as pcapgo writes the
// section, with no options.
func writeSecrets(w io.Writer, kind uint32, data []byte) error {
	padded := (len(data) + 3) &^ 3
	total := 4 + 4 + 4 + 4 + padded + 4
	b := make([]byte, total)
	binary.LittleEndian.PutUint32(b[0:], blockDecryptionSecrets)
	binary.LittleEndian.PutUint32(b[4:], uint32(total))
	binary.LittleEndian.PutUint32(b[8:], kind)
	binary.LittleEndian.PutUint32(b[12:], uint32(len(data)))
	copy(b[16:], data)
	binary.LittleEndian.PutUint32(b[total-4:], uint32(total))
	_, err := w.Write(b)
	return err
}

// endpoints reads a packet's addresses. An unspecified receiving address (a server
// listening on all addresses) is written as the loopback address when the sender is on
// loopback, so that the packet reads as it went.
func endpoints(p Packet) (from, to netip.AddrPort, err error) {
	if from, err = netip.ParseAddrPort(p.From); err != nil {
		return from, to, fmt.Errorf("sender address: %w", err)
	}
	if to, err = netip.ParseAddrPort(p.To); err != nil {
		return from, to, fmt.Errorf("receiver address: %w", err)
	}
	from = netip.AddrPortFrom(from.Addr().Unmap(), from.Port())
	to = netip.AddrPortFrom(to.Addr().Unmap(), to.Port())
	from, to = specified(from, to), specified(to, from)
	if from.Addr().Is4() != to.Addr().Is4() {
		from = netip.AddrPortFrom(netip.AddrFrom16(from.Addr().As16()), from.Port())
		to = netip.AddrPortFrom(netip.AddrFrom16(to.Addr().As16()), to.Port())
	}
	return from, to, nil
}

func specified(a, other netip.AddrPort) netip.AddrPort {
	if !a.Addr().IsUnspecified() {
		return a
	}
	switch {
	case other.Addr().IsLoopback() && other.Addr().Is4():
		return netip.AddrPortFrom(netip.AddrFrom4([4]byte{127, 0, 0, 1}), a.Port())
	case other.Addr().IsLoopback():
		return netip.AddrPortFrom(netip.IPv6Loopback(), a.Port())
	}
	return a
}

// synth writes synthesized frames and keeps the state of each TCP connection.
type synth struct {
	ng    *pcapgo.NgWriter
	conns map[[2]netip.AddrPort]*conn
	order []*conn
	buf   gopacket.SerializeBuffer
}

// conn is one synthesized TCP connection: a opened it towards b.
type conn struct {
	a, b       netip.AddrPort
	next       map[netip.AddrPort]uint32 // next sequence number each side sends
	lastActive time.Time
}

func (s *synth) tcp(t time.Time, from, to netip.AddrPort, payload []byte) error {
	c := s.conns[[2]netip.AddrPort{from, to}]
	if c == nil {
		c = s.conns[[2]netip.AddrPort{to, from}]
	}
	if c == nil {
		c = &conn{a: from, b: to, next: map[netip.AddrPort]uint32{from: isn(from, to), to: isn(to, from)}}
		s.conns[[2]netip.AddrPort{from, to}] = c
		s.order = append(s.order, c)
		// The handshake, just before the first message.
		syn := []struct {
			src, dst netip.AddrPort
			syn, ack bool
		}{{from, to, true, false}, {to, from, true, true}, {from, to, false, true}}
		for i, h := range syn {
			if err := s.segment(t.Add(time.Duration(i-3)*time.Microsecond), c, h.src, h.dst, h.syn, h.ack, false, nil); err != nil {
				return err
			}
		}
	}
	for len(payload) > 0 {
		n := min(len(payload), MSS)
		if err := s.segment(t, c, from, to, false, true, false, payload[:n]); err != nil {
			return err
		}
		payload = payload[n:]
	}
	c.lastActive = t
	return nil
}

// segment writes one TCP segment from src and advances src's sequence number.
func (s *synth) segment(t time.Time, c *conn, src, dst netip.AddrPort, syn, ack, fin bool, payload []byte) error {
	tcp := &layers.TCP{
		SrcPort: layers.TCPPort(src.Port()), DstPort: layers.TCPPort(dst.Port()),
		Seq: c.next[src], SYN: syn, ACK: ack, FIN: fin, PSH: len(payload) > 0, Window: 65535,
	}
	if ack {
		tcp.Ack = c.next[dst]
	}
	if err := s.frame(t, src, dst, tcp, payload); err != nil {
		return err
	}
	c.next[src] += uint32(len(payload))
	if syn || fin {
		c.next[src]++
	}
	return nil
}

// closeAll ends every TCP connection with a FIN from each side, after its last message.
func (s *synth) closeAll() error {
	for _, c := range s.order {
		t := c.lastActive.Add(time.Millisecond)
		steps := []struct {
			src, dst netip.AddrPort
			fin      bool
		}{{c.a, c.b, true}, {c.b, c.a, true}, {c.a, c.b, false}}
		for i, st := range steps {
			if err := s.segment(t.Add(time.Duration(i)*time.Microsecond), c, st.src, st.dst, false, true, st.fin, nil); err != nil {
				return err
			}
		}
	}
	return nil
}

// transport is the UDP or TCP layer of a frame.
type transport interface {
	gopacket.SerializableLayer
	SetNetworkLayerForChecksum(gopacket.NetworkLayer) error
}

// frame writes one Ethernet frame carrying l4 and payload from src to dst.
func (s *synth) frame(t time.Time, src, dst netip.AddrPort, l4 transport, payload []byte) error {
	proto := layers.IPProtocolUDP
	if _, ok := l4.(*layers.TCP); ok {
		proto = layers.IPProtocolTCP
	}
	eth := &layers.Ethernet{SrcMAC: mac(src.Addr()), DstMAC: mac(dst.Addr())}
	var ip interface {
		gopacket.SerializableLayer
		gopacket.NetworkLayer
	}
	if src.Addr().Is4() {
		eth.EthernetType = layers.EthernetTypeIPv4
		ip = &layers.IPv4{Version: 4, IHL: 5, TTL: 64, Protocol: proto, Flags: layers.IPv4DontFragment,
			SrcIP: net.IP(src.Addr().AsSlice()), DstIP: net.IP(dst.Addr().AsSlice())}
	} else {
		eth.EthernetType = layers.EthernetTypeIPv6
		ip = &layers.IPv6{Version: 6, HopLimit: 64, NextHeader: proto,
			SrcIP: net.IP(src.Addr().AsSlice()), DstIP: net.IP(dst.Addr().AsSlice())}
	}
	if err := l4.SetNetworkLayerForChecksum(ip); err != nil {
		return err
	}
	if s.buf == nil {
		s.buf = gopacket.NewSerializeBuffer()
	}
	err := gopacket.SerializeLayers(s.buf, gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true},
		eth, ip, l4, gopacket.Payload(payload))
	if err != nil {
		return err
	}
	data := s.buf.Bytes()
	return s.ng.WritePacket(gopacket.CaptureInfo{Timestamp: t, CaptureLength: len(data), Length: len(data)}, data)
}

// mac is a locally administered MAC address derived from an IP address.
func mac(a netip.Addr) net.HardwareAddr {
	h := fnv.New32a()
	h.Write(a.AsSlice())
	v := h.Sum32()
	return net.HardwareAddr{0x02, 0x00, byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}
}

// isn is a connection's initial sequence number, derived from its endpoints so that a
// file is the same each time it is written from the same run.
func isn(from, to netip.AddrPort) uint32 {
	h := fnv.New32a()
	b, _ := from.MarshalBinary()
	h.Write(b)
	b, _ = to.MarshalBinary()
	h.Write(b)
	return h.Sum32()
}
