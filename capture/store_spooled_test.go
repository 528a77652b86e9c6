package capture

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// A spooled store keeps the bytes in DataFile as the run goes and holds, after Close,
// the same folder a plain store does: a file per message and the index, no DataFile.
// Recover makes that folder out of what a run killed before Close left.
func TestSpooledStoreAndRecover(t *testing.T) {
	msgs := []*Message{register(1), {Transport: "tcp", Peer: "[::1]:5071", Raw: []byte("\x00garbage")}, register(2)}
	dir := t.TempDir()
	s, err := NewSpooledStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range msgs {
		if _, err := s.Add(m); err != nil {
			t.Fatal(err)
		}
	}
	s.SetStatus(msgs[0], 200)
	if n := s.Count("REGISTER"); n != 2 {
		t.Errorf("expected 2 REGISTERs counted, saw %d", n)
	}
	spool, err := os.ReadFile(filepath.Join(dir, DataFile))
	if err != nil || !bytes.Equal(spool, bytes.Join([][]byte{msgs[0].Raw, msgs[1].Raw, msgs[2].Raw}, nil)) {
		t.Fatalf("expected every message's bytes in %s before Close, saw %q (%v)", DataFile, spool, err)
	}
	killed := t.TempDir() // what a run killed now leaves
	if err := os.CopyFS(killed, os.DirFS(dir)); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := Recover(killed); err != nil {
		t.Fatal(err)
	}
	for _, folder := range []string{dir, killed} {
		if _, err := os.Stat(filepath.Join(folder, DataFile)); !os.IsNotExist(err) {
			t.Errorf("%s: expected %s removed, saw %v", folder, DataFile, err)
		}
		for _, m := range msgs {
			if b, err := os.ReadFile(filepath.Join(folder, m.Name)); err != nil || !bytes.Equal(b, m.Raw) {
				t.Errorf("%s: expected %s byte for byte, saw %q (%v)", folder, m.Name, b, err)
			}
		}
		if _, err := os.Stat(filepath.Join(folder, IndexFile)); err != nil {
			t.Errorf("%s: expected %s: %v", folder, IndexFile, err)
		}
	}
	if err := Recover(dir); err != nil {
		t.Errorf("expected a closed folder left as it is, saw %v", err)
	}
}

// A DataFile shorter than the log says is refused with where it ends.
func TestRecoverRefusesATruncatedSpool(t *testing.T) {
	dir := t.TempDir()
	s, err := NewSpooledStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	m, _ := s.Add(register(1))
	os.Truncate(filepath.Join(dir, DataFile), int64(m.Size-1))
	if err := Recover(dir); err == nil {
		t.Fatal("expected a truncated spool refused")
	}
	s.Close()
}
