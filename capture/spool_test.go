package capture

import (
	"bytes"
	"os"
	"testing"
	"time"
)

// A spool gives back the bytes put in it, from any message, in memory or not, and
// Close removes its file.
func TestSpool(t *testing.T) {
	dir := t.TempDir()
	s, err := NewSpool(dir)
	if err != nil {
		t.Fatal(err)
	}
	puts := [][]byte{
		[]byte("REGISTER sip:mcptt.example.com SIP/2.0\r\nContent-Length: 0\r\n\r\n"),
		[]byte("x"),
		bytes.Repeat([]byte("PUBLISH "), 200_000), // more than the write buffer
		[]byte("REGISTER sip:b.example.com SIP/2.0\r\n\r\n"),
	}
	var msgs []*Message
	for i, raw := range puts {
		e, err := s.Put(raw)
		if err != nil {
			t.Fatal(err)
		}
		msgs = append(msgs, &Message{Seq: i + 1, Name: "m", Spooled: e})
	}
	for i, m := range msgs {
		got, err := s.Bytes(m)
		if err != nil || !bytes.Equal(got, puts[i]) {
			t.Errorf("message %d: expected its %d byte(s) back, saw %d (%v)", i+1, len(puts[i]), len(got), err)
		}
	}
	inMemory := &Message{Name: "m", Raw: []byte("OPTIONS")}
	for _, sp := range []*Spool{s, nil} {
		if got, err := sp.Bytes(inMemory); err != nil || string(got) != "OPTIONS" {
			t.Errorf("expected a message in memory to give its Raw, saw %q (%v)", got, err)
		}
	}
	if _, err := (*Spool)(nil).Bytes(msgs[0]); err == nil {
		t.Errorf("expected a spooled message without a spool to be refused")
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if left, _ := os.ReadDir(dir); len(left) != 0 {
		t.Errorf("expected Close to remove the spool file, saw %d file(s) left", len(left))
	}
	if _, err := s.Bytes(msgs[0]); err == nil {
		t.Errorf("expected a closed spool to refuse reads")
	}
	if _, err := s.Put([]byte("x")); err == nil {
		t.Errorf("expected a closed spool to refuse writes")
	}
	if err := s.Close(); err != nil {
		t.Errorf("expected a second Close to do nothing, saw %v", err)
	}
}

// Records come back whole along their chain, oldest first, with a status patched after
// they were written (in the write buffer or already in the file); a chain two chains
// interleave is read apart; a spool cut short is an error, not a panic.
func TestSpoolChain(t *testing.T) {
	s, err := NewSpool(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	at := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	big := bytes.Repeat([]byte("x"), spoolBuffer+10) // flushes the buffer
	msgs := []*Message{
		{Seq: 1, Name: "a.pcap#frame-1", Time: at, Transport: "udp", Peer: "192.0.2.7:5070", Local: "198.51.100.1:5060", Method: "REGISTER", Identity: "sip:alice@example.com", Raw: []byte("REGISTER sip:example.com SIP/2.0\r\n\r\n")},
		{Seq: 2, Name: "a.pcap#frame-2", Time: at.Add(time.Second), Transport: "udp", Peer: "192.0.2.8:5070", Raw: []byte("\x00garbage")},
		{Seq: 3, Name: "a.pcap#frame-3", Time: at.Add(2 * time.Second), Transport: "udp", Peer: "192.0.2.7:5070", Method: "REGISTER", Identity: "sip:alice@example.com", Raw: big, RetransmissionOf: 1},
		{Seq: 4, Name: "a.pcap#frame-4", Time: at.Add(3 * time.Second), Transport: "tcp", Peer: "192.0.2.7:5070", Method: "PUBLISH", Raw: []byte{}},
	}
	chains := map[string]int64{}
	offs := map[int]int64{}
	for _, m := range msgs {
		prev, ok := chains[m.Peer]
		if !ok {
			prev = NoRecord
		}
		if offs[m.Seq], err = s.Append(m, prev); err != nil {
			t.Fatal(err)
		}
		chains[m.Peer] = offs[m.Seq]
	}
	if err := s.SetStatus(offs[1], 200); err != nil { // in the file by now
		t.Fatal(err)
	}
	if err := s.SetStatus(offs[4], 403); err != nil { // still in the buffer
		t.Fatal(err)
	}
	msgs[0].Status, msgs[3].Status = 200, 403
	for peer, want := range map[string][]*Message{"192.0.2.7:5070": {msgs[0], msgs[2], msgs[3]}, "192.0.2.8:5070": {msgs[1]}} {
		got, err := s.Chain(chains[peer])
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(want) {
			t.Fatalf("%s: expected %d record(s), saw %d", peer, len(want), len(got))
		}
		for i, m := range got {
			w := *want[i]
			w.Size, w.Spooled = len(w.Raw), m.Spooled
			if m.Seq != w.Seq || m.Name != w.Name || !m.Time.Equal(w.Time) || m.Transport != w.Transport || m.Peer != w.Peer || m.Local != w.Local ||
				m.Method != w.Method || m.Identity != w.Identity || m.Status != w.Status || m.RetransmissionOf != w.RetransmissionOf || !bytes.Equal(m.Raw, w.Raw) {
				t.Errorf("%s record %d: expected %+v, saw %+v", peer, i, w, *m)
			}
			if raw, err := s.Read(m.Spooled); err != nil || !bytes.Equal(raw, w.Raw) {
				t.Errorf("%s record %d: expected its extent to hold its bytes, saw %d byte(s) (%v)", peer, i, len(raw), err)
			}
		}
	}
	s.mu.Lock()
	if err := s.flush(); err != nil {
		t.Fatal(err)
	}
	if err := s.f.Truncate(offs[4] + recordHeader + 3); err != nil {
		t.Fatal(err)
	}
	s.mu.Unlock()
	if _, err := s.Chain(chains["192.0.2.7:5070"]); err == nil {
		t.Errorf("expected a record cut short to be an error")
	}
	if _, err := s.Chain(offs[2] + 1); err == nil {
		t.Errorf("expected an offset inside a record to be an error")
	}
}
