package recorded

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/mcptt-conformance/mcptt-conformance/capture"
	"github.com/mcptt-conformance/mcptt-conformance/wire/sipmsg"
)

// readDir reads every *.sip file of dir, and every file its index names, as one run.
func readDir(dir string) (*Recording, error) {
	index, err := readIndex(dir)
	if err != nil {
		return nil, err
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("capture folder: %w", err)
	}
	var names []string
	for _, e := range entries {
		if n := e.Name(); e.Type().IsRegular() && (strings.HasSuffix(n, ".sip") || index[n] != nil) {
			names = append(names, n)
		}
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("capture folder %s: expected raw SIP messages in *.sip files, saw none", dir)
	}
	// File-name order; files the index names come first, in its order (a capture run's
	// frame names do not sort by name).
	slices.SortFunc(names, func(a, b string) int {
		ia, ib := index[a], index[b]
		switch {
		case ia != nil && ib != nil:
			return ia.Seq - ib.Seq
		case ia != nil:
			return -1
		case ib != nil:
			return 1
		}
		return strings.Compare(a, b)
	})
	return readFiles(dir, names, index)
}

// readIndex reads the index capture.Store writes in dir: index.json, or the log
// index.jsonl of a run that ended before writing index.json; none is no error.
func readIndex(dir string) (map[string]*capture.Message, error) {
	path := filepath.Join(dir, capture.IndexFile)
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return readLog(filepath.Join(dir, capture.LogFile))
	}
	if err != nil {
		return nil, fmt.Errorf("capture index: %w", err)
	}
	var entries []*capture.Message
	if err := json.Unmarshal(b, &entries); err != nil {
		return nil, fmt.Errorf("capture index %s: expected the JSON list capture.Store writes: %v", path, err)
	}
	return byName(entries), nil
}

// readLog reads a capture.Store log; a missing one is no error.
func readLog(path string) (map[string]*capture.Message, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("capture index: %w", err)
	}
	defer f.Close()
	entries, err := capture.ReadLog(f)
	if err != nil {
		return nil, fmt.Errorf("capture index %s: %v", path, err)
	}
	return byName(entries), nil
}

func byName(entries []*capture.Message) map[string]*capture.Message {
	index := map[string]*capture.Message{}
	for _, e := range entries {
		index[e.Name] = e
	}
	return index
}

// readFiles reads the named files of dir as one run. An index entry gives a file's
// peer, transport, time, the status it was answered with and whether it was a
// retransmission; without one, the transport is the top Via's and retransmissions are
// found as the live server finds them.
func readFiles(dir string, names []string, index map[string]*capture.Message) (*Recording, error) {
	var n notes
	a := newAssembler(&n)
	bySeq := map[int]*capture.Message{} // index Seq → message read
	type repeat struct {
		m  *capture.Message
		of int
	}
	var repeats []repeat
	seen := map[string]bool{}
	for _, name := range names {
		path := filepath.Join(dir, name)
		raw, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("capture: %w", err)
		}
		if isResponse(raw) {
			a.response(raw, time.Time{}) // a folder keeps no window (assembler.window 0)
			continue
		}
		m := &capture.Message{Name: safeName(name), Raw: raw, Transport: viaTransport(raw)}
		if info, err := os.Stat(path); err == nil {
			m.Time = info.ModTime().UTC()
		}
		e := index[name]
		if e != nil {
			seen[name] = true
			m.Time, m.Transport, m.Peer, m.Local, m.Status = e.Time, e.Transport, e.Peer, e.Local, e.Status
			bySeq[e.Seq] = m
			if e.RetransmissionOf != 0 {
				repeats = append(repeats, repeat{m, e.RetransmissionOf})
			}
		}
		a.add(m, e == nil)
	}
	for _, r := range repeats {
		if first := bySeq[r.of]; first != nil {
			r.m.RetransmissionOf = first.Seq
		}
	}
	rec := a.recording(&n)
	rec.Source = fmt.Sprintf("capture folder %s (%d files)", dir, len(names))
	var missing []string
	for name := range index {
		if !seen[name] {
			missing = append(missing, name)
		}
	}
	slices.Sort(missing)
	if len(missing) > 0 {
		rec.Notes = append(rec.Notes, fmt.Sprintf("%s names %d file(s) the folder lacks: %s", capture.IndexFile, len(missing), strings.Join(missing, ", ")))
	}
	return rec, nil
}

// viaTransport is the transport the top Via names ("udp", "tcp" …), or "file" when the
// bytes do not say.
func viaTransport(raw []byte) string {
	m, err := sipmsg.Parse(raw)
	if err != nil {
		return "file"
	}
	if t := m.ViaTransport(); t != "" {
		return strings.ToLower(t)
	}
	return "file"
}

// WriteCaptures writes the bytes of every message and damaged request to dir, each under
// its Name, with an index.json of the messages as capture.Store writes it, so that a report's links
// open the exact bytes each verdict is about. Earlier *.sip files and index in dir are
// removed first. When dir is the folder the recording was read from, nothing is written.
func (r *Recording) WriteCaptures(dir, readFrom string) error {
	if same(dir, readFrom) {
		return nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("capture folder: %w", err)
	}
	old, _ := filepath.Glob(filepath.Join(dir, "*.sip"))
	if index, err := readIndex(dir); err == nil {
		for name := range index {
			if filepath.Base(name) == name {
				old = append(old, filepath.Join(dir, name))
			}
		}
	}
	for _, f := range append(old, filepath.Join(dir, capture.IndexFile), filepath.Join(dir, capture.LogFile)) {
		os.Remove(f)
	}
	msgs, err := r.All()
	if err != nil {
		return fmt.Errorf("capture: %w", err)
	}
	for _, m := range msgs {
		if err := os.WriteFile(filepath.Join(dir, m.Name), m.Raw, 0o644); err != nil {
			return fmt.Errorf("capture %s: %w", m.Name, err)
		}
	}
	for _, d := range r.Damaged {
		if err := os.WriteFile(filepath.Join(dir, d.Name), d.Raw, 0o644); err != nil {
			return fmt.Errorf("capture %s: %w", d.Name, err)
		}
	}
	b, err := json.MarshalIndent(msgs, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, capture.IndexFile), b, 0o644)
}

// same reports whether two paths name the same folder.
func same(a, b string) bool {
	ia, err1 := os.Stat(a)
	ib, err2 := os.Stat(b)
	return err1 == nil && err2 == nil && os.SameFile(ia, ib)
}
