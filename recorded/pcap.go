package recorded

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"time"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"
	"github.com/google/gopacket/pcapgo"
)

// maxSnap bounds the bytes of one captured frame, whatever a file's header claims, so
// that a damaged length cannot make the reader allocate gigabytes.
const maxSnap = 1 << 20

// packet is one frame's transport payload, decoded down to UDP or TCP.
type packet struct {
	frame     int
	time      time.Time
	transport string // "udp" or "tcp"
	src, dst  netip.AddrPort
	payload   []byte
	truncated bool // the frame was captured shorter than it was on the wire
	// fragment says why the payload is only the start of a datagram: the first of
	// several IP fragments, which are not reassembled.
	fragment string
	// TCP only.
	seq           uint32
	syn, fin, rst bool
}

// frameReader is what pcapgo's pcap and pcapng readers have in common.
type frameReader interface {
	ReadPacketData() ([]byte, gopacket.CaptureInfo, error)
}

// isPcap reports whether data starts with a pcap or pcapng magic number.
func isPcap(data []byte) bool {
	if len(data) < 4 {
		return false
	}
	switch binary.LittleEndian.Uint32(data) {
	case 0xa1b2c3d4, 0xd4c3b2a1, 0xa1b23c4d, 0x4d3cb2a1, 0x0a0d0d0a:
		return true
	}
	return false
}

// decodeFrames reads every frame of a pcap or pcapng file held in data and decodes
// the UDP and TCP ones. Frames it cannot use are named in the notes; a file damaged
// part way is read up to the damage.
func decodeFrames(name string, data []byte, n *notes) (pkts []packet, frames int) {
	var fr frameReader
	var fixedLink layers.LinkType
	mixed := false
	if !isPcap(data) {
		n.add("%s: expected a pcap or pcapng file, saw no such magic number", name)
		return nil, 0
	}
	if binary.LittleEndian.Uint32(data) == 0x0a0d0d0a {
		valid, damage := pcapngPrefix(data)
		if damage != "" {
			n.add("%s: %s; the frames before it are read", name, damage)
		}
		r, err := pcapgo.NewNgReader(bytes.NewReader(valid), pcapgo.NgReaderOptions{WantMixedLinkType: true, SkipUnknownVersion: true})
		if err != nil {
			n.add("%s: not a readable pcapng file: %v", name, err)
			return nil, 0
		}
		fr, mixed = r, true
	} else {
		r, err := pcapgo.NewReader(bytes.NewReader(data))
		if err != nil {
			n.add("%s: not a readable pcap file: %v", name, err)
			return nil, 0
		}
		if s := r.Snaplen(); s == 0 || s > maxSnap {
			r.SetSnaplen(maxSnap)
		}
		fr, fixedLink = r, r.LinkType()
	}
	var d decoder
	for {
		raw, ci, err := readFrame(fr)
		if err == io.EOF {
			return pkts, frames
		}
		frames++
		if err != nil {
			n.add("%s: frame %d is damaged (%v); the file is read up to it", name, frames, err)
			return pkts, frames - 1
		}
		link := fixedLink
		if mixed {
			if len(ci.AncillaryData) > 0 {
				link, _ = ci.AncillaryData[0].(layers.LinkType)
			}
		}
		p, why := d.decode(link, raw)
		if why != "" {
			n.frame(name, frames, why)
			continue
		}
		if p.transport == "" {
			continue // not UDP or TCP: other traffic
		}
		p.frame, p.time = frames, ci.Timestamp
		p.truncated = ci.CaptureLength < ci.Length
		pkts = append(pkts, p)
	}
}

// readFrame reads one frame, turning a panic of the reader on hostile bytes into an
// error.
func readFrame(fr frameReader) (raw []byte, ci gopacket.CaptureInfo, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("unreadable record: %v", p)
		}
	}()
	raw, ci, err = fr.ReadPacketData()
	if errors.Is(err, io.ErrUnexpectedEOF) {
		err = errors.New("the file ends inside it: a truncated capture")
	}
	return raw, ci, err
}

// pcapngPrefix walks the blocks of a pcapng file and returns the part whose block
// structure is sound, with a description of the damage after it ("" when none).
func pcapngPrefix(data []byte) (valid []byte, damage string) {
	var order binary.ByteOrder = binary.LittleEndian
	frames := 0
	for off := 0; off < len(data); {
		if len(data)-off < 12 {
			return data[:off], fmt.Sprintf("the file ends inside a block header after frame %d (truncated capture)", frames)
		}
		typ := order.Uint32(data[off:])
		if typ == 0x0a0d0d0a {
			switch binary.LittleEndian.Uint32(data[off+8:]) {
			case 0x1a2b3c4d:
				order = binary.LittleEndian
			case 0x4d3c2b1a:
				order = binary.BigEndian
			default:
				return data[:off], fmt.Sprintf("section header at byte %d has no byte-order magic", off)
			}
		}
		size := int(order.Uint32(data[off+4:]))
		switch {
		case size < 12 || size%4 != 0:
			return data[:off], fmt.Sprintf("block at byte %d after frame %d has length %d (expected a multiple of 4, at least 12)", off, frames, size)
		case size > len(data)-off:
			return data[:off], fmt.Sprintf("block at byte %d after frame %d needs %d bytes, the file has %d left (truncated capture)", off, frames, size, len(data)-off)
		case int(order.Uint32(data[off+size-4:])) != size:
			return data[:off], fmt.Sprintf("block at byte %d after frame %d: its trailing length differs from its leading length %d", off, frames, size)
		}
		var captured int
		switch typ {
		case 2, 6: // packet, enhanced packet
			if size < 32 {
				return data[:off], fmt.Sprintf("packet block at byte %d (frame %d) is too short: %d bytes", off, frames+1, size)
			}
			captured = int(order.Uint32(data[off+20:]))
			frames++
			if captured > size-32 {
				return data[:off], fmt.Sprintf("frame %d claims %d captured bytes in a block of %d", frames, captured, size)
			}
		case 3: // simple packet
			frames++
			if captured = int(order.Uint32(data[off+8:])); captured > size-16 {
				return data[:off], fmt.Sprintf("frame %d claims %d bytes in a block of %d", frames, captured, size)
			}
		}
		off += size
	}
	return data, ""
}

// decoder decodes frames down to UDP or TCP, reusing its layers.
type decoder struct {
	eth  layers.Ethernet
	vlan layers.Dot1Q
	sll  layers.LinuxSLL
	loop layers.Loopback
	ip4  layers.IPv4
	ip6  layers.IPv6
	ext  layers.IPv6ExtensionSkipper
	udp  layers.UDP
	tcp  layers.TCP
}

// decode returns the frame's UDP or TCP payload (transport "" for other traffic), or
// why the frame cannot be read. A layer decoder that panics on hostile bytes makes the
// frame unreadable, not the run.
func (d *decoder) decode(link layers.LinkType, raw []byte) (p packet, why string) {
	defer func() {
		if e := recover(); e != nil {
			p, why = packet{}, fmt.Sprintf("headers that cannot be read (%v)", e)
		}
	}()
	return d.layers(link, raw)
}

func (d *decoder) layers(link layers.LinkType, raw []byte) (p packet, why string) {
	df := gopacket.NilDecodeFeedback
	var next gopacket.LayerType
	var rest []byte
	switch link {
	case layers.LinkTypeEthernet:
		if err := d.eth.DecodeFromBytes(raw, df); err != nil {
			return p, "Ethernet header: " + err.Error()
		}
		next, rest = d.eth.NextLayerType(), d.eth.Payload
		for next == layers.LayerTypeDot1Q {
			if err := d.vlan.DecodeFromBytes(rest, df); err != nil {
				return p, "VLAN header: " + err.Error()
			}
			next, rest = d.vlan.NextLayerType(), d.vlan.Payload
		}
	case layers.LinkTypeLinuxSLL:
		if err := d.sll.DecodeFromBytes(raw, df); err != nil {
			return p, "Linux cooked (SLL) header: " + err.Error()
		}
		next, rest = d.sll.NextLayerType(), d.sll.Payload
	case layers.LinkTypeNull, layers.LinkTypeLoop:
		if err := d.loop.DecodeFromBytes(raw, df); err != nil {
			return p, "loopback header: " + err.Error()
		}
		next, rest = d.loop.NextLayerType(), d.loop.Payload
	case layers.LinkTypeRaw, layers.LinkTypeIPv4, layers.LinkTypeIPv6:
		next, rest = layers.LayerTypeIPv4, raw
		if len(raw) > 0 && raw[0]>>4 == 6 {
			next = layers.LayerTypeIPv6
		}
	default:
		return p, fmt.Sprintf("link type %d (%s) is not read (expected Ethernet, Linux cooked (SLL), loopback or raw IP)", int(link), link)
	}
	var src, dst netip.Addr
	switch next {
	case layers.LayerTypeIPv4:
		if err := d.ip4.DecodeFromBytes(rest, df); err != nil {
			return p, "IPv4 header: " + err.Error()
		}
		switch {
		case d.ip4.FragOffset != 0:
			return p, fmt.Sprintf("an IPv4 fragment (id %d, offset %d): IP fragments are not reassembled", d.ip4.Id, int(d.ip4.FragOffset)*8)
		case d.ip4.Flags&layers.IPv4MoreFragments != 0:
			p.fragment = fmt.Sprintf("the first of several IPv4 fragments (id %d): IP fragments are not reassembled", d.ip4.Id)
		}
		src, _ = netip.AddrFromSlice(d.ip4.SrcIP.To4())
		dst, _ = netip.AddrFromSlice(d.ip4.DstIP.To4())
		// (gopacket gives a fragment no next layer; the first one starts with its UDP header.)
		next, rest = d.ip4.Protocol.LayerType(), d.ip4.Payload
	case layers.LayerTypeIPv6:
		if err := d.ip6.DecodeFromBytes(rest, df); err != nil {
			return p, "IPv6 header: " + err.Error()
		}
		src, _ = netip.AddrFromSlice(d.ip6.SrcIP)
		dst, _ = netip.AddrFromSlice(d.ip6.DstIP)
		proto, payload := d.ip6.NextHeader, d.ip6.Payload
		for hops := 0; proto == layers.IPProtocolIPv6Fragment || layers.LayerClassIPv6Extension.Contains(proto.LayerType()); hops++ {
			if hops > 8 {
				return p, "IPv6: more than 8 extension headers"
			}
			if proto == layers.IPProtocolIPv6Fragment {
				if len(payload) < 8 {
					return p, "IPv6 fragment header: truncated"
				}
				offset, more := binary.BigEndian.Uint16(payload[2:4])>>3, payload[3]&1 != 0
				id := binary.BigEndian.Uint32(payload[4:8])
				if offset != 0 {
					return p, fmt.Sprintf("an IPv6 fragment (id %d, offset %d): IP fragments are not reassembled", id, int(offset)*8)
				}
				if more {
					p.fragment = fmt.Sprintf("the first of several IPv6 fragments (id %d): IP fragments are not reassembled", id)
				}
				proto, payload = layers.IPProtocol(payload[0]), payload[8:]
				continue
			}
			if err := d.ext.DecodeFromBytes(payload, df); err != nil {
				return p, "IPv6 extension header: " + err.Error()
			}
			proto, payload = d.ext.NextHeader, d.ext.Payload
		}
		next, rest = proto.LayerType(), payload
	default:
		return p, "" // not IP: other traffic
	}
	switch next {
	case layers.LayerTypeUDP:
		if err := d.udp.DecodeFromBytes(rest, df); err != nil {
			return p, "UDP header: " + err.Error()
		}
		p.transport, p.payload = "udp", d.udp.Payload
		p.src = netip.AddrPortFrom(src, uint16(d.udp.SrcPort))
		p.dst = netip.AddrPortFrom(dst, uint16(d.udp.DstPort))
	case layers.LayerTypeTCP:
		if err := d.tcp.DecodeFromBytes(rest, df); err != nil {
			return p, "TCP header: " + err.Error()
		}
		p.transport, p.payload = "tcp", d.tcp.Payload
		p.src = netip.AddrPortFrom(src, uint16(d.tcp.SrcPort))
		p.dst = netip.AddrPortFrom(dst, uint16(d.tcp.DstPort))
		p.seq, p.syn, p.fin, p.rst = d.tcp.Seq, d.tcp.SYN, d.tcp.FIN, d.tcp.RST
	}
	return p, ""
}
