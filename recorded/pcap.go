package recorded

import (
	"bufio"
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

// frameReader is what pcapgo's pcap and pcapng readers have in common: each frame is
// read into the reader's own buffer, which the next frame overwrites (a payload kept
// longer is copied by whoever keeps it).
type frameReader interface {
	ZeroCopyReadPacketData() ([]byte, gopacket.CaptureInfo, error)
}

// isPcap reports whether data starts with a pcap or pcapng magic number.
func isPcap(data []byte) bool {
	if len(data) < 4 {
		return false
	}
	switch binary.LittleEndian.Uint32(data) {
	case 0xa1b2c3d4, 0xd4c3b2a1, 0xa1b23c4d, 0x4d3cb2a1, ngMagic:
		return true
	}
	return false
}

// ngMagic starts a pcapng file (its section header block type).
const ngMagic = 0x0a0d0d0a

// eachPacket reads the frames of a pcap or pcapng stream one at a time, without holding
// more than one frame, and hands each UDP and TCP one to each. Frames it cannot use
// are named in the notes; a stream damaged part way is read up to the damage. kind is
// "pcap" or "pcapng".
func eachPacket(name string, in io.Reader, n *notes, each func(packet)) (frames int, kind string) {
	br := bufio.NewReaderSize(in, 1<<16)
	magic, _ := br.Peek(4)
	if !isPcap(magic) {
		n.add("%s: expected a pcap or pcapng file, saw no such magic number", name)
		return 0, "pcap"
	}
	var fr frameReader
	var fixedLink layers.LinkType
	mixed := false
	blocks := &ngBlocks{r: br}
	if binary.LittleEndian.Uint32(magic) == ngMagic {
		kind = "pcapng"
		r, err := pcapgo.NewNgReader(blocks, pcapgo.NgReaderOptions{WantMixedLinkType: true, SkipUnknownVersion: true})
		if err != nil {
			blocks.noteDamage(name, n)
			n.add("%s: not a readable pcapng file: %v", name, err)
			return 0, kind
		}
		fr, mixed = r, true
	} else {
		kind = "pcap"
		r, err := pcapgo.NewReader(br)
		if err != nil {
			n.add("%s: not a readable pcap file: %v", name, err)
			return 0, kind
		}
		if s := r.Snaplen(); s == 0 || s > maxSnap {
			r.SetSnaplen(maxSnap)
		}
		fr, fixedLink = r, r.LinkType()
	}
	defer blocks.noteDamage(name, n)
	var d decoder
	for {
		raw, ci, err := readFrame(fr)
		if err == io.EOF {
			return frames, kind
		}
		frames++
		if err != nil {
			n.add("%s: frame %d is damaged (%v); the file is read up to it", name, frames, err)
			return frames - 1, kind
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
		each(p)
	}
}

// readFrame reads one frame into the reader's buffer, turning a panic of the reader on
// hostile bytes into an error.
func readFrame(fr frameReader) (raw []byte, ci gopacket.CaptureInfo, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("unreadable record: %v", p)
		}
	}()
	raw, ci, err = fr.ZeroCopyReadPacketData()
	if errors.Is(err, io.ErrUnexpectedEOF) {
		err = errors.New("the file ends inside it: a truncated capture")
	}
	return raw, ci, err
}

// maxBlock bounds one pcapng block, whatever its length field claims, so that a
// damaged length cannot make the reader allocate gigabytes: a frame of maxSnap bytes
// with generous room for options.
const maxBlock = maxSnap + 1<<16

// ngBlocks passes on the blocks of a pcapng stream whose structure is sound, one block
// at a time, and ends the stream before the first damaged one, saying why (damage).
type ngBlocks struct {
	r      io.Reader
	order  binary.ByteOrder
	off    int64 // bytes of the stream taken so far
	frames int
	block  []byte // what is left of the current block
	buf    []byte // the current block's bytes, reused for the next one
	head   [12]byte
	damage string
	done   bool
}

func (b *ngBlocks) Read(p []byte) (int, error) {
	for len(b.block) == 0 {
		if b.done {
			return 0, io.EOF
		}
		b.next()
	}
	n := copy(p, b.block)
	b.block = b.block[n:]
	return n, nil
}

// noteDamage adds the damage found, if any, to the notes.
func (b *ngBlocks) noteDamage(name string, n *notes) {
	if b.damage != "" {
		n.add("%s: %s; the frames before it are read", name, b.damage)
		b.damage = ""
	}
}

// next reads and checks the next block.
func (b *ngBlocks) next() {
	if b.order == nil {
		b.order = binary.LittleEndian
	}
	head := b.head[:]
	got, err := io.ReadFull(b.r, head)
	switch {
	case got == 0 && err == io.EOF:
		b.done = true
		return
	case err != nil:
		b.fail("the file ends inside a block header after frame %d (truncated capture)", b.frames)
		return
	}
	off := b.off
	typ := b.order.Uint32(head[:])
	if typ == ngMagic {
		switch binary.LittleEndian.Uint32(head[8:]) {
		case 0x1a2b3c4d:
			b.order = binary.LittleEndian
		case 0x4d3c2b1a:
			b.order = binary.BigEndian
		default:
			b.fail("section header at byte %d has no byte-order magic", off)
			return
		}
	}
	size := int64(b.order.Uint32(head[4:]))
	switch {
	case size < 12 || size%4 != 0:
		b.fail("block at byte %d after frame %d has length %d (expected a multiple of 4, at least 12)", off, b.frames, size)
		return
	case size > maxBlock:
		b.fail("block at byte %d after frame %d has length %d (expected at most %d: a frame of at most %d bytes)", off, b.frames, size, maxBlock, maxSnap)
		return
	}
	if int64(cap(b.buf)) < size {
		b.buf = make([]byte, size)
	}
	data := b.buf[:size]
	copy(data, head)
	if got, err := io.ReadFull(b.r, data[12:]); err != nil {
		b.fail("block at byte %d after frame %d needs %d bytes, the file has %d left (truncated capture)", off, b.frames, size, 12+got)
		return
	}
	if int64(b.order.Uint32(data[size-4:])) != size {
		b.fail("block at byte %d after frame %d: its trailing length differs from its leading length %d", off, b.frames, size)
		return
	}
	switch typ {
	case 1: // interface description
		// The reader sizes its frame buffer by the interface's snap length: one that
		// claims none or more than a block can hold is taken as maxBlock, which changes
		// no frame (no block is longer) and bounds the buffer.
		if size >= 20 {
			if snap := b.order.Uint32(data[12:]); snap == 0 || snap > maxBlock {
				b.order.PutUint32(data[12:], maxBlock)
			}
		}
	case 2, 6: // packet, enhanced packet
		if size < 32 {
			b.fail("packet block at byte %d (frame %d) is too short: %d bytes", off, b.frames+1, size)
			return
		}
		b.frames++
		if captured := int64(b.order.Uint32(data[20:])); captured > size-32 {
			b.fail("frame %d claims %d captured bytes in a block of %d", b.frames, captured, size)
			return
		}
	case 3: // simple packet
		b.frames++
		if captured := int64(b.order.Uint32(data[8:])); captured > size-16 {
			b.fail("frame %d claims %d bytes in a block of %d", b.frames, captured, size)
			return
		}
	}
	b.off += size
	b.block = data
}

// fail ends the stream at damage, saying why.
func (b *ngBlocks) fail(format string, a ...any) {
	b.damage, b.done = fmt.Sprintf(format, a...), true
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
