package capture

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

func register(n int) *Message {
	return &Message{Transport: "udp", Peer: "127.0.0.1:5070", Local: "127.0.0.1:5060",
		Raw: []byte("REGISTER sip:mcptt.example.com SIP/2.0\r\nCSeq: " + string(rune('0'+n%10)) + " REGISTER\r\n\r\n")}
}

// The log holds each message's final state as the run goes; Close writes the same
// messages to index.json.
func TestStoreLogAndIndex(t *testing.T) {
	dir := t.TempDir()
	s, err := NewStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	first, err := s.Add(register(1))
	if err != nil {
		t.Fatal(err)
	}
	s.SetStatus(first, 401)
	again, _ := s.Add(register(1))
	s.MarkRetransmission(again, first.Seq)
	third, _ := s.Add(&Message{Transport: "tcp", Peer: "[::1]:5071", Raw: []byte("\x00garbage")})

	f, err := os.Open(filepath.Join(dir, LogFile))
	if err != nil {
		t.Fatal(err)
	}
	logged, err := ReadLog(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	want := []*Message{first, again, third}
	if !reflect.DeepEqual(strip(logged), strip(want)) {
		t.Fatalf("expected the log's final states %+v, saw %+v", strip(want), strip(logged))
	}
	if _, err := os.Stat(filepath.Join(dir, IndexFile)); err == nil {
		t.Fatalf("expected no %s before Close", IndexFile)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, IndexFile))
	if err != nil {
		t.Fatal(err)
	}
	var indexed []*Message
	if err := json.Unmarshal(b, &indexed); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(strip(indexed), strip(want)) {
		t.Fatalf("expected %s to list %+v, saw %+v", IndexFile, strip(want), strip(indexed))
	}
	if third.Name != "0003-UNPARSED-tcp-__1_5071.sip" || first.Status != 401 || again.RetransmissionOf != 1 {
		t.Errorf("unexpected names or marks: %q status %d retransmission of %d", third.Name, first.Status, again.RetransmissionOf)
	}
	if _, err := s.Add(register(2)); err == nil {
		t.Errorf("expected Add after Close to be refused")
	}
	if err := s.Close(); err != nil {
		t.Errorf("a second Close: %v", err)
	}
}

// strip drops what JSON does not carry (the bytes) and the monotonic clock reading.
func strip(ms []*Message) []Message {
	var out []Message
	for _, m := range ms {
		c := *m
		c.Raw, c.Time = nil, c.Time.Round(0)
		out = append(out, c)
	}
	return out
}

func TestReadLogRejectsGarbage(t *testing.T) {
	f := filepath.Join(t.TempDir(), LogFile)
	os.WriteFile(f, []byte("{\"seq\":1,\"name\":\"a.sip\"}\nnot json\n"), 0o644)
	r, _ := os.Open(f)
	defer r.Close()
	if _, err := ReadLog(r); err == nil {
		t.Fatal("expected an error for a line that is not JSON")
	}
}

// BenchmarkStoreAdd stores b.N messages with a status each into one store: the cost
// per message must not grow with the number already stored (compare -benchtime=1000x
// with -benchtime=20000x).
func BenchmarkStoreAdd(b *testing.B) {
	s, err := NewStore(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		m, err := s.Add(register(i))
		if err != nil {
			b.Fatal(err)
		}
		s.SetStatus(m, 200)
	}
}
