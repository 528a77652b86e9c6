package capture

import (
	"bufio"
	"fmt"
	"os"
	"sync"
)

// Spool keeps the bytes of many messages in one temporary file instead of memory, so
// that reading a recording of a million requests holds each request's place (Extent),
// not its bytes: Put appends as the messages are completed, Read gets one back, from
// any goroutine. Close removes the file.
type Spool struct {
	mu   sync.Mutex
	f    *os.File
	w    *bufio.Writer
	size int64
}

// Extent is where a message's bytes are in a Spool.
type Extent struct {
	Off int64
	Len int
}

// NewSpool creates the spool's file in dir ("" for the system's temporary folder).
func NewSpool(dir string) (*Spool, error) {
	f, err := os.CreateTemp(dir, "mcptt-spool-*")
	if err != nil {
		return nil, fmt.Errorf("spool: %w", err)
	}
	return &Spool{f: f, w: bufio.NewWriterSize(f, 1<<20)}, nil
}

// Put appends raw and returns where it is.
func (s *Spool) Put(raw []byte) (Extent, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.f == nil {
		return Extent{}, fmt.Errorf("spool: closed")
	}
	e := Extent{Off: s.size, Len: len(raw)}
	if _, err := s.w.Write(raw); err != nil {
		return Extent{}, fmt.Errorf("spool %s: %w", s.f.Name(), err)
	}
	s.size += int64(len(raw))
	return e, nil
}

// Read returns a copy of the bytes at e.
func (s *Spool) Read(e Extent) ([]byte, error) {
	s.mu.Lock()
	f := s.f
	var err error
	if f != nil && s.w.Buffered() > 0 {
		err = s.w.Flush()
	}
	s.mu.Unlock()
	if f == nil {
		return nil, fmt.Errorf("spool: closed")
	}
	if err != nil {
		return nil, fmt.Errorf("spool %s: %w", f.Name(), err)
	}
	b := make([]byte, e.Len)
	if _, err := f.ReadAt(b, e.Off); err != nil {
		return nil, fmt.Errorf("spool %s: expected %d byte(s) at offset %d: %w", f.Name(), e.Len, e.Off, err)
	}
	return b, nil
}

// Close closes and removes the spool's file; a nil Spool has nothing to close.
func (s *Spool) Close() error {
	if s == nil {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.f == nil {
		return nil
	}
	err := s.f.Close()
	if rerr := os.Remove(s.f.Name()); err == nil {
		err = rerr
	}
	s.f = nil
	return err
}

// Bytes is the bytes of m: Raw when they are in memory, else read from the spool (s,
// which may be nil only for a message that is not spooled).
func (s *Spool) Bytes(m *Message) ([]byte, error) {
	if m.Raw != nil || m.Spooled.Len == 0 {
		return m.Raw, nil
	}
	if s == nil {
		return nil, fmt.Errorf("%s: its bytes are spooled, but there is no spool", m.Name)
	}
	raw, err := s.Read(m.Spooled)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", m.Name, err)
	}
	return raw, nil
}
