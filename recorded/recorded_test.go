package recorded_test

import (
	"bytes"
	"encoding/binary"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"
	"github.com/google/gopacket/pcapgo"

	"github.com/mcptt-conformance/mcptt-conformance/capture"
	"github.com/mcptt-conformance/mcptt-conformance/client"
	"github.com/mcptt-conformance/mcptt-conformance/pcapng"
	"github.com/mcptt-conformance/mcptt-conformance/recorded"
	"github.com/mcptt-conformance/mcptt-conformance/recorded/recordedtest"
	"github.com/mcptt-conformance/mcptt-conformance/run"
)

var start = time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)

// config is a reference client in publish mode for server.
func config(aor, transport, server string) client.Config {
	return client.Config{
		Server: server, Transport: transport, Local: "127.0.0.1", Mode: client.ModePublish,
		MCPTTID: aor, ClientID: "urn:uuid:0b0e2f5c-3d4a-4e6f-8a7b-9c1d2e3f4a5b", Token: "tok",
		ProfileIndex: 1, AnswerMode: client.AutoAnswer, PSI: "sip:mcptt-server@mcptt.example.com",
		Timeout: time.Second,
	}
}

// flow is a REGISTER answered 200 and a PUBLISH answered 403.
var flow = []recordedtest.Exchange{{Kind: client.Register, Status: 200}, {Kind: client.Publish, Status: 403}}

func pcapngOf(t testing.TB, pkts []pcapng.Packet) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := pcapng.Write(&b, pkts); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func packets(t testing.TB, aor, transport, local, server string, xs []recordedtest.Exchange) []pcapng.Packet {
	t.Helper()
	pkts, err := recordedtest.Flow(config(aor, transport, server), local, start, xs)
	if err != nil {
		t.Fatal(err)
	}
	return pkts
}

// The pcapng the live run writes reads back as the requests it holds, in order, with
// the status each was answered with: over UDP and TCP, IPv4 and IPv6.
func TestPcapngRoundTrip(t *testing.T) {
	for _, tt := range []struct{ transport, local, server string }{
		{"udp", "192.0.2.7:5070", "198.51.100.1:5060"},
		{"tcp", "192.0.2.7:40001", "198.51.100.1:5060"},
		{"udp", "[2001:db8::7]:5070", "[2001:db8::1]:5060"},
		{"tcp", "[2001:db8::7]:40001", "[2001:db8::1]:5080"},
	} {
		t.Run(tt.transport+" "+tt.local, func(t *testing.T) {
			pkts := packets(t, "sip:bob@mcptt.example.com", tt.transport, tt.local, tt.server, flow)
			rec := recorded.ReadPcap("run.pcapng", pcapngOf(t, pkts))
			if len(rec.Messages) != 2 || rec.Responses != 2 {
				t.Fatalf("expected 2 requests and 2 responses, saw %d and %d; notes %q", len(rec.Messages), rec.Responses, rec.Notes)
			}
			for i, want := range []struct {
				method string
				status int
			}{{"REGISTER", 200}, {"PUBLISH", 403}} {
				m := rec.Messages[i]
				if m.Method != want.method || m.Status != want.status || !bytes.Equal(m.Raw, pkts[2*i].Payload) {
					t.Errorf("message %d: expected %s answered %d with the bytes sent, saw %s answered %d (%d bytes)", i+1, want.method, want.status, m.Method, m.Status, len(m.Raw))
				}
				if m.Transport != tt.transport || m.Peer != tt.local || m.Local != tt.server || !m.Time.Equal(pkts[2*i].Time) {
					t.Errorf("message %d: expected %s from %s to %s at %s, saw %s from %s to %s at %s", i+1, tt.transport, tt.local, tt.server, pkts[2*i].Time, m.Transport, m.Peer, m.Local, m.Time)
				}
				if !strings.HasPrefix(m.Name, "run.pcapng#frame-") {
					t.Errorf("message %d: expected a frame name, saw %q", i+1, m.Name)
				}
			}
		})
	}
}

// frame is one raw frame of a hand-made capture.
type frame struct {
	data     []byte
	captured int // bytes kept, 0 for all
}

// pcapOf writes frames as a classic pcap file of link type link.
func pcapOf(t testing.TB, link layers.LinkType, frames []frame) []byte {
	t.Helper()
	var b bytes.Buffer
	w := pcapgo.NewWriter(&b)
	if err := w.WriteFileHeader(65535, link); err != nil {
		t.Fatal(err)
	}
	for i, f := range frames {
		data := f.data
		if f.captured > 0 {
			data = data[:f.captured]
		}
		ci := gopacket.CaptureInfo{Timestamp: start.Add(time.Duration(i) * time.Millisecond), CaptureLength: len(data), Length: len(f.data)}
		if err := w.WritePacket(ci, data); err != nil {
			t.Fatal(err)
		}
	}
	return b.Bytes()
}

// udp4 is an Ethernet/IPv4/UDP frame; flags and offset make it an IP fragment.
func udp4(t testing.TB, src, dst string, payload []byte, flags layers.IPv4Flag, offset uint16) []byte {
	t.Helper()
	s, _ := net.ResolveUDPAddr("udp", src)
	d, _ := net.ResolveUDPAddr("udp", dst)
	ip := &layers.IPv4{Version: 4, IHL: 5, TTL: 64, Protocol: layers.IPProtocolUDP, SrcIP: s.IP.To4(), DstIP: d.IP.To4(), Flags: flags, FragOffset: offset, Id: 7}
	udp := &layers.UDP{SrcPort: layers.UDPPort(s.Port), DstPort: layers.UDPPort(d.Port)}
	udp.SetNetworkLayerForChecksum(ip)
	buf := gopacket.NewSerializeBuffer()
	err := gopacket.SerializeLayers(buf, gopacket.SerializeOptions{FixLengths: true},
		&layers.Ethernet{SrcMAC: net.HardwareAddr{2, 0, 0, 0, 0, 1}, DstMAC: net.HardwareAddr{2, 0, 0, 0, 0, 2}, EthernetType: layers.EthernetTypeIPv4},
		ip, udp, gopacket.Payload(payload))
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// sll turns an Ethernet frame into a Linux cooked (SLL) one.
func sll(eth []byte) []byte {
	h := make([]byte, 16)
	binary.BigEndian.PutUint16(h[0:], 4) // sent by us
	binary.BigEndian.PutUint16(h[2:], 1) // ARPHRD_ETHER
	binary.BigEndian.PutUint16(h[4:], 6)
	copy(h[6:], eth[6:12])
	copy(h[14:], eth[12:14])
	return append(h, eth[14:]...)
}

func TestDamagedCaptures(t *testing.T) {
	const client, server = "192.0.2.7:5070", "198.51.100.1:5060"
	reg := packets(t, "sip:bob@mcptt.example.com", "udp", client, server, flow[:1])[0].Payload
	garbage := []byte("\x00\x01 not SIP at all \xff")
	good := udp4(t, client, server, reg, 0, 0)
	for _, tt := range []struct {
		name     string
		link     layers.LinkType
		frames   []frame
		messages []string // methods of the messages read ("" for unreadable)
		damaged  int
		fault    bool
		note     string
	}{
		{"conformant", layers.LinkTypeEthernet, []frame{{data: good}}, []string{"REGISTER"}, 0, false, ""},
		{"linux cooked", layers.LinkTypeLinuxSLL, []frame{{data: sll(good)}}, []string{"REGISTER"}, 0, false, ""},
		{"bad link type", 105, []frame{{data: good}}, nil, 0, false, "frame-1: link type 105"},
		{"non-SIP payload on the SIP port", layers.LinkTypeEthernet, []frame{{data: udp4(t, client, server, garbage, 0, 0)}, {data: good}}, []string{"", "REGISTER"}, 0, false, "frame-1: 19 byte(s) that are not SIP sent to SIP port 5060"},
		{"first IP fragment of a request", layers.LinkTypeEthernet, []frame{{data: udp4(t, client, server, reg[:200], layers.IPv4MoreFragments, 0)}, {data: good}}, []string{"REGISTER"}, 1, true, "frame-1: the first of several IPv4 fragments"},
		{"later IP fragment", layers.LinkTypeEthernet, []frame{{data: udp4(t, client, server, reg[200:], 0, 25)}, {data: good}}, []string{"REGISTER"}, 0, false, "frame-1: an IPv4 fragment (id 7, offset 200)"},
		{"frame cut by the snap length", layers.LinkTypeEthernet, []frame{{data: good, captured: 300}}, nil, 1, false, "frame-1: datagram captured shorter than sent"},
		{"DNS beside SIP", layers.LinkTypeEthernet, []frame{{data: udp4(t, "192.0.2.7:3333", "192.0.2.53:53", []byte("dns"), 0, 0)}, {data: good}}, []string{"REGISTER"}, 0, false, "1 UDP payload(s) on ports that carry no SIP"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rec := recorded.ReadPcap("lab.pcap", pcapOf(t, tt.link, tt.frames))
			var methods []string
			for _, m := range rec.Messages {
				methods = append(methods, m.Method)
			}
			if strings.Join(methods, ",") != strings.Join(tt.messages, ",") {
				t.Errorf("expected messages %q, saw %q", tt.messages, methods)
			}
			if len(rec.Damaged) != tt.damaged || tt.damaged > 0 && rec.Damaged[0].ClientFault != tt.fault {
				t.Errorf("expected %d damaged request(s) (client fault %v), saw %+v", tt.damaged, tt.fault, rec.Damaged)
			}
			if notes := strings.Join(rec.Notes, "\n"); !strings.Contains(notes, tt.note) {
				t.Errorf("expected a note containing %q, saw\n%s", tt.note, notes)
			}
		})
	}
}

// A file cut short, or with a damaged block, is read up to the damage.
func TestTruncatedFiles(t *testing.T) {
	pkts := packets(t, "sip:bob@mcptt.example.com", "udp", "192.0.2.7:5070", "198.51.100.1:5060", flow)
	ng := pcapngOf(t, pkts)
	classic := pcapOf(t, layers.LinkTypeEthernet, []frame{{data: udp4(t, "192.0.2.7:5070", "198.51.100.1:5060", pkts[0].Payload, 0, 0)}, {data: udp4(t, "192.0.2.7:5070", "198.51.100.1:5060", pkts[2].Payload, 0, 0)}})
	badLength := bytes.Clone(ng)
	// The last block's trailing length no longer matches its leading one.
	badLength[len(badLength)-1] ^= 0x40
	// The last block claims a gigabyte: it is not read, nor allocated.
	huge := bytes.Clone(ng)
	last := len(huge) - int(binary.LittleEndian.Uint32(huge[len(huge)-4:]))
	binary.LittleEndian.PutUint32(huge[last+4:], 1<<30)
	for _, tt := range []struct {
		name string
		data []byte
		note string
	}{
		{"pcapng cut inside the last frame", ng[:len(ng)-100], "truncated capture"},
		{"pcapng with a damaged last block", badLength, "trailing length differs"},
		{"pcapng with a block of a gigabyte", huge, "has length 1073741824 (expected at most"},
		{"pcap cut inside the last frame", classic[:len(classic)-100], "frame 2 is damaged (the file ends inside it: a truncated capture)"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rec := recorded.ReadPcap("cut.pcapng", tt.data)
			if len(rec.Messages) == 0 || rec.Messages[0].Method != "REGISTER" {
				t.Errorf("expected the REGISTER before the damage read, saw %d message(s)", len(rec.Messages))
			}
			if notes := strings.Join(rec.Notes, "\n"); !strings.Contains(notes, tt.note) {
				t.Errorf("expected a note containing %q, saw\n%s", tt.note, notes)
			}
		})
	}
}

// A capture file is read as a stream from its path, as from memory, its requests'
// bytes kept in a spool file rather than memory, and a read that
// takes long says how it goes.
func TestReadFile(t *testing.T) {
	pkts := packets(t, "sip:bob@mcptt.example.com", "tcp", "192.0.2.7:40001", "198.51.100.1:5060", flow)
	data := pcapngOf(t, pkts)
	path := filepath.Join(t.TempDir(), "run.pcapng")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	var progress bytes.Buffer
	fromFile, err := recorded.Read(path, &progress)
	if err != nil {
		t.Fatal(err)
	}
	fromMemory := recorded.ReadPcap("run.pcapng", data)
	spooled, err := fromFile.All()
	if err != nil || fromFile.Messages != nil || len(fromFile.Sources) != 1 || !fromFile.Sources[0].Chained {
		t.Fatalf("expected the file's requests chained in its spool, one source, not in memory, saw %d in memory, sources %+v (%v)", len(fromFile.Messages), fromFile.Sources, err)
	}
	if fromFile.Source != fromMemory.Source || len(spooled) != 2 || len(fromMemory.Messages) != 2 || fromFile.Requests != 2 {
		t.Fatalf("expected the same two requests from file and memory, saw %s %d and %s %d", fromFile.Source, len(spooled), fromMemory.Source, len(fromMemory.Messages))
	}
	for i, m := range spooled {
		raw, err := fromFile.Spool.Bytes(&capture.Message{Name: m.Name, Spooled: m.Spooled})
		o := fromMemory.Messages[i]
		if m.Name != o.Name || m.Status != o.Status || err != nil || !bytes.Equal(raw, o.Raw) || !bytes.Equal(m.Raw, o.Raw) {
			t.Errorf("message %d: from the file %s %d (%v), from memory %s %d", i, m.Name, m.Status, err, o.Name, o.Status)
		}
		if m.Identity != "sip:bob@mcptt.example.com" || m.Time != o.Time || m.Peer != o.Peer || m.Transport != o.Transport {
			t.Errorf("message %d: expected its metadata back from the spool, saw %+v, from memory %+v", i, m, o)
		}
	}
	if fromMemory.Spool != nil {
		t.Errorf("expected a read from memory to keep the bytes in memory, saw a spool")
	}
	if err := fromFile.Spool.Close(); err != nil {
		t.Error(err)
	}
	if _, err := fromFile.All(); err == nil {
		t.Errorf("expected the bytes of a closed spool to be refused, saw them read")
	}
	if progress.Len() != 0 {
		t.Errorf("expected no progress for a read this short, saw %q", progress.String())
	}
	if pcap, err := recorded.IsPcap(path); !pcap || err != nil {
		t.Errorf("expected %s to be a capture file, saw %v %v", path, pcap, err)
	}
}

// A folder written by capture.Store reads back with its statuses and retransmissions
// (from its log while the store is open, from index.json once it is closed); one
// without an index takes statuses from response files and finds retransmissions.
func TestFolders(t *testing.T) {
	pkts := packets(t, "sip:bob@mcptt.example.com", "udp", "192.0.2.7:5070", "198.51.100.1:5060", flow)
	reg, regOK, pub, pubNo := pkts[0].Payload, pkts[1].Payload, pkts[2].Payload, pkts[3].Payload

	stored := t.TempDir()
	store, err := capture.NewStore(stored)
	if err != nil {
		t.Fatal(err)
	}
	for i, raw := range [][]byte{reg, reg, pub} {
		m, _ := store.Add(&capture.Message{Time: start, Transport: "udp", Peer: "192.0.2.7:5070", Local: "198.51.100.1:5060", Raw: raw})
		switch i {
		case 0:
			store.SetStatus(m, 200)
		case 1:
			store.MarkRetransmission(m, 1)
			store.SetStatus(m, 200)
		case 2:
			store.SetStatus(m, 403)
		}
	}
	logged := t.TempDir() // the folder of a run that never closed its store: the log only
	if err := os.CopyFS(logged, os.DirFS(stored)); err != nil {
		t.Fatal(err)
	}
	if err := store.Close(); err != nil {
		t.Fatal(err)
	}
	os.Remove(filepath.Join(stored, capture.LogFile)) // index.json only
	bare := t.TempDir()
	for name, raw := range map[string][]byte{"01-register.sip": reg, "02-ok.sip": regOK, "03-register.sip": reg, "04-publish.sip": pub, "05-forbidden.sip": pubNo} {
		if err := os.WriteFile(filepath.Join(bare, name), raw, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	single := filepath.Join(t.TempDir(), "publish.sip")
	os.WriteFile(single, pub, 0o644)

	type want struct {
		name      string
		method    string
		status    int
		retrans   int
		transport string
	}
	storedWant := []want{{"0001-REGISTER-udp-192.0.2.7_5070.sip", "REGISTER", 200, 0, "udp"}, {"0002-REGISTER-udp-192.0.2.7_5070.sip", "REGISTER", 200, 1, "udp"}, {"0003-PUBLISH-udp-192.0.2.7_5070.sip", "PUBLISH", 403, 0, "udp"}}
	for _, tt := range []struct {
		path string
		want []want
	}{
		{stored, storedWant},
		{logged, storedWant},
		{bare, []want{{"01-register.sip", "REGISTER", 200, 0, "udp"}, {"03-register.sip", "REGISTER", 200, 1, "udp"}, {"04-publish.sip", "PUBLISH", 403, 0, "udp"}}},
		{single, []want{{"publish.sip", "PUBLISH", 0, 0, "udp"}}},
	} {
		t.Run(filepath.Base(tt.path), func(t *testing.T) {
			rec, err := recorded.Read(tt.path, nil)
			if err != nil {
				t.Fatal(err)
			}
			if len(rec.Messages) != len(tt.want) {
				t.Fatalf("expected %d messages, saw %d", len(tt.want), len(rec.Messages))
			}
			for i, w := range tt.want {
				m := rec.Messages[i]
				got := want{m.Name, m.Method, m.Status, m.RetransmissionOf, m.Transport}
				if got != w {
					t.Errorf("message %d: expected %+v, saw %+v", i+1, w, got)
				}
			}
		})
	}
	if _, err := recorded.Read(t.TempDir(), nil); err == nil || !strings.Contains(err.Error(), "saw none") {
		t.Errorf("an empty folder: expected an error naming what is missing, saw %v", err)
	}
}

// A capture's bytes written to a captures folder read back as the same run.
func TestWriteCapturesReadsBack(t *testing.T) {
	pkts := packets(t, "sip:bob@mcptt.example.com", "tcp", "192.0.2.7:40001", "198.51.100.1:5060", flow)
	rec := recorded.ReadPcap("run.pcapng", pcapngOf(t, pkts))
	dir := t.TempDir()
	if err := rec.WriteCaptures(dir, ""); err != nil {
		t.Fatal(err)
	}
	back, err := recorded.Read(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(back.Messages) != len(rec.Messages) {
		t.Fatalf("expected %d messages back, saw %d", len(rec.Messages), len(back.Messages))
	}
	for i, m := range back.Messages {
		o := rec.Messages[i]
		if m.Name != o.Name || m.Status != o.Status || !bytes.Equal(m.Raw, o.Raw) || m.Peer != o.Peer {
			t.Errorf("message %d: expected %s (%d) from %s, saw %s (%d) from %s", i+1, o.Name, o.Status, o.Peer, m.Name, m.Status, m.Peer)
		}
	}
}

// Several clients are told apart by address of record; unreadable bytes go to the
// client that sent from the same address (package run has the rules, this is the
// recording's side of them).
func TestRunClients(t *testing.T) {
	alice := packets(t, "sip:alice@mcptt.example.com", "udp", "192.0.2.7:5070", "198.51.100.1:5060", flow)
	bob := packets(t, "sip:bob@mcptt.example.com", "tcp", "192.0.2.8:40001", "198.51.100.1:5060", flow)
	garbage := pcapng.Packet{Time: start.Add(time.Second), Transport: "udp", From: "192.0.2.8:5099", To: "198.51.100.1:5060", Payload: []byte("\x00garbage")}
	rec := recorded.ReadPcap("two.pcapng", pcapngOf(t, append(append(alice, bob...), garbage)))
	r, err := rec.Run("", run.Shard{})
	if err != nil || len(r.Clients) != 2 {
		t.Fatalf("expected 2 clients, saw %+v (%v)", r, err)
	}
	for _, tt := range []struct {
		sel      string
		id       string
		messages int
	}{
		{"sip:alice@mcptt.example.com", "sip:alice@mcptt.example.com", 2},
		{"BOB@mcptt.example.com", "sip:bob@mcptt.example.com", 3}, // with the garbage from its host
		{"192.0.2.7", "sip:alice@mcptt.example.com", 2},
		{"192.0.2.8:40001", "sip:bob@mcptt.example.com", 3},
	} {
		r, err := rec.Run(tt.sel, run.Shard{})
		if err != nil || len(r.Clients) != 1 || r.Clients[0].ID != tt.id || len(r.Clients[0].Messages) != tt.messages {
			t.Errorf("select %q: expected %s with %d messages, saw %+v (%v)", tt.sel, tt.id, tt.messages, r, err)
		}
	}
	if _, err := rec.Run("sip:carol@mcptt.example.com", run.Shard{}); err == nil || !strings.Contains(err.Error(), "sip:alice@mcptt.example.com") {
		t.Errorf("an unknown client: expected an error listing the clients, saw %v", err)
	}
}

// A request repeated within 64×T1 of the first of its transaction is a retransmission;
// repeated later, the transaction is forgotten (RFC 3261 17.1.2.2: the client stops
// retransmitting by then) and the request is judged as new.
func TestRetransmissionWindow(t *testing.T) {
	reg := packets(t, "sip:bob@mcptt.example.com", "udp", "192.0.2.7:5070", "198.51.100.1:5060", flow)[0]
	for _, tt := range []struct {
		after time.Duration
		want  int // RetransmissionOf of the second
	}{
		{500 * time.Millisecond, 1},
		{32 * time.Second, 1},
		{33 * time.Second, 0},
	} {
		again := reg
		again.Time = reg.Time.Add(tt.after)
		rec := recorded.ReadPcap("run.pcapng", pcapngOf(t, []pcapng.Packet{reg, again}))
		if len(rec.Messages) != 2 || rec.Messages[1].RetransmissionOf != tt.want {
			t.Errorf("repeated after %v: expected the second request's retransmission mark %d, saw %+v", tt.after, tt.want, rec.Messages)
		}
	}
}

// A capture file's requests read back from the spool as from memory: a retransmission
// sent after the response to the first takes its status when its client is loaded,
// and the status of a request answered after its record was written is patched in.
func TestSpooledRetransmission(t *testing.T) {
	pkts := packets(t, "sip:bob@mcptt.example.com", "udp", "192.0.2.7:5070", "198.51.100.1:5060", flow[:1]) // REGISTER, 200
	again := pkts[0]
	again.Time = pkts[1].Time.Add(time.Second)
	data := pcapngOf(t, append(pkts, again))
	path := filepath.Join(t.TempDir(), "run.pcapng")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	rec, err := recorded.Read(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Spool.Close()
	r, err := rec.Run("", run.Shard{})
	if err != nil || len(r.Clients) != 1 {
		t.Fatalf("expected one client, saw %+v (%v)", r, err)
	}
	c := r.Clients[0]
	if c.Messages != nil || c.Counts().Retransmissions != 1 {
		t.Errorf("expected the client's messages spooled and its retransmission counted, saw %d in memory, counts %+v", len(c.Messages), c.Counts())
	}
	if err := r.Load(c); err != nil {
		t.Fatal(err)
	}
	memory := recorded.ReadPcap("run.pcapng", data).Messages
	if len(c.Messages) != 2 || len(memory) != 2 {
		t.Fatalf("expected the request and its retransmission, saw %d (from memory %d)", len(c.Messages), len(memory))
	}
	for i, m := range c.Messages {
		o := memory[i]
		if m.Name != o.Name || m.Status != 200 || o.Status != 200 || m.RetransmissionOf != o.RetransmissionOf || !bytes.Equal(m.Raw, o.Raw) {
			t.Errorf("message %d: expected %s status 200 retransmission of %d, saw %s %d %d (from memory %d)", i+1, o.Name, o.RetransmissionOf, m.Name, m.Status, m.RetransmissionOf, o.Status)
		}
	}
	r.Release(c)
	if c.Messages != nil {
		t.Errorf("expected Release to drop the loaded messages")
	}
}

// An interface whose snap length claims 4 GiB, or none, makes the reader allocate no
// more than a frame's bound: the frames are read as before.
func TestHugeSnapLength(t *testing.T) {
	ng := pcapngOf(t, packets(t, "sip:bob@mcptt.example.com", "tcp", "192.0.2.7:40001", "198.51.100.1:5060", flow))
	idb := int(binary.LittleEndian.Uint32(ng[4:])) // the interface block follows the section header
	if binary.LittleEndian.Uint32(ng[idb:]) != 1 {
		t.Fatalf("expected an interface description block at byte %d", idb)
	}
	for _, snap := range []uint32{0xffffffff, 0} {
		data := bytes.Clone(ng)
		binary.LittleEndian.PutUint32(data[idb+12:], snap)
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		rec := recorded.ReadPcap("snap.pcapng", data)
		runtime.ReadMemStats(&after)
		if len(rec.Messages) != 2 || rec.Messages[0].Status != 200 || rec.Messages[1].Status != 403 {
			t.Errorf("snap length %d: expected the REGISTER (200) and the PUBLISH (403), saw %d message(s); notes %q", snap, len(rec.Messages), rec.Notes)
		}
		if got := after.TotalAlloc - before.TotalAlloc; got > 64<<20 {
			t.Errorf("snap length %d: expected at most 64 MB allocated, saw %d MB", snap, got>>20)
		}
	}
}
