package capture

import (
	"bytes"
	"os"
	"testing"
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
