package capture

import (
	"encoding/binary"
	"fmt"
	"os"
	"slices"
	"sync"
	"time"
)

// Spool keeps the bytes of many messages in one temporary file instead of memory, so
// that reading a recording of a million requests holds each request's place, not its
// bytes. Put appends bytes and Read gets them back, from any goroutine; Append writes a
// message whole (a record: its metadata and bytes) chained to an earlier record, so
// that a chain of records (one client's requests) is read back by Chain from its last
// offset alone, and SetStatus patches a record's status in place once its response is
// read. Close removes the file.
type Spool struct {
	mu sync.Mutex
	f  *os.File
	// buf holds the bytes not yet written to f, which holds the first flushed.
	buf     []byte
	flushed int64
}

// spoolBuffer is how many bytes a Spool holds before it writes them to its file.
const spoolBuffer = 1 << 20

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
	return &Spool{f: f, buf: make([]byte, 0, spoolBuffer)}, nil
}

// Put appends raw and returns where it is.
func (s *Spool) Put(raw []byte) (Extent, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	off, err := s.put(raw)
	return Extent{Off: off, Len: len(raw)}, err
}

func (s *Spool) put(raw []byte) (int64, error) {
	if s.f == nil {
		return 0, fmt.Errorf("spool: closed")
	}
	off := s.flushed + int64(len(s.buf))
	if len(s.buf)+len(raw) > cap(s.buf) {
		if err := s.flush(); err != nil {
			return 0, err
		}
	}
	if len(raw) > cap(s.buf) {
		if _, err := s.f.WriteAt(raw, off); err != nil {
			return 0, fmt.Errorf("spool %s: %w", s.f.Name(), err)
		}
		s.flushed += int64(len(raw))
		return off, nil
	}
	s.buf = append(s.buf, raw...)
	return off, nil
}

func (s *Spool) flush() error {
	if _, err := s.f.WriteAt(s.buf, s.flushed); err != nil {
		return fmt.Errorf("spool %s: %w", s.f.Name(), err)
	}
	s.flushed += int64(len(s.buf))
	s.buf = s.buf[:0]
	return nil
}

// Read returns a copy of the bytes at e.
func (s *Spool) Read(e Extent) ([]byte, error) {
	b := make([]byte, e.Len)
	return b, s.readAt(b, e.Off)
}

// readAt fills b from off, from the buffer or the file.
func (s *Spool) readAt(b []byte, off int64) error {
	s.mu.Lock()
	if s.f == nil {
		s.mu.Unlock()
		return fmt.Errorf("spool: closed")
	}
	f := s.f
	var err error
	if off+int64(len(b)) > s.flushed {
		err = s.flush()
	}
	s.mu.Unlock()
	if err != nil {
		return err
	}
	if _, err := f.ReadAt(b, off); err != nil {
		return fmt.Errorf("spool %s: expected %d byte(s) at offset %d: %w", f.Name(), len(b), off, err)
	}
	return nil
}

// A record is a message in a Spool: a header of recordHeader bytes (the length of
// what follows it, the offset of the previous record of its chain plus one, 0 for
// none, and the status, which SetStatus patches), then Seq, the time in Unix
// nanoseconds and RetransmissionOf as varints, then Name, Transport, Peer, Local,
// Method, Identity and the message's bytes, each its length as a uvarint and its bytes.
const (
	recordHeader = 4 + 8 + 2
	statusAt     = 12
	// maxRecord bounds the record Chain reads, so that a damaged spool is an error,
	// not an allocation of its corrupt length.
	maxRecord = 1 << 26
)

// NoRecord is the offset of the record before the first of a chain.
const NoRecord = -1

// Append writes m (its metadata and Raw) as a record after the record at prev
// (NoRecord for the first of a chain) and returns the record's offset. A record that
// fits the buffer is written straight into it.
func (s *Spool) Append(m *Message, prev int64) (int64, error) {
	most := recordHeader + 10*binary.MaxVarintLen64 + len(m.Name) + len(m.Transport) + len(m.Peer) + len(m.Local) + len(m.Method) + len(m.Identity) + len(m.Raw)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.f == nil {
		return 0, fmt.Errorf("spool: closed")
	}
	if most > cap(s.buf) {
		return s.put(appendRecord(nil, m, prev))
	}
	if len(s.buf)+most > cap(s.buf) {
		if err := s.flush(); err != nil {
			return 0, err
		}
	}
	off := s.flushed + int64(len(s.buf))
	s.buf = appendRecord(s.buf, m, prev)
	return off, nil
}

// appendRecord appends m's record to b.
func appendRecord(b []byte, m *Message, prev int64) []byte {
	start := len(b)
	b = append(b, make([]byte, recordHeader)...)
	binary.LittleEndian.PutUint64(b[start+4:], uint64(prev+1))
	binary.LittleEndian.PutUint16(b[start+statusAt:], uint16(m.Status))
	b = binary.AppendVarint(b, int64(m.Seq))
	b = binary.AppendVarint(b, m.Time.UnixNano())
	b = binary.AppendVarint(b, int64(m.RetransmissionOf))
	for _, f := range [...]string{m.Name, m.Transport, m.Peer, m.Local, m.Method, m.Identity} {
		b = binary.AppendUvarint(b, uint64(len(f)))
		b = append(b, f...)
	}
	b = binary.AppendUvarint(b, uint64(len(m.Raw)))
	b = append(b, m.Raw...)
	binary.LittleEndian.PutUint32(b[start:], uint32(len(b)-start-4))
	return b
}

// SetStatus sets the status of the record at off.
func (s *Spool) SetStatus(off int64, status int) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.f == nil {
		return fmt.Errorf("spool: closed")
	}
	var b [2]byte
	binary.LittleEndian.PutUint16(b[:], uint16(status))
	if at := off + statusAt - s.flushed; at >= 0 {
		copy(s.buf[at:], b[:])
		return nil
	}
	if _, err := s.f.WriteAt(b[:], off+statusAt); err != nil {
		return fmt.Errorf("spool %s: %w", s.f.Name(), err)
	}
	return nil
}

// Chain reads the chain of records ending at last, oldest first: each message whole,
// its Spooled naming where its bytes are. A record the spool does not hold whole is
// an error.
func (s *Spool) Chain(last int64) ([]*Message, error) {
	var msgs []*Message
	for off := last; off != NoRecord; {
		m, prev, err := s.record(off)
		if err != nil {
			return nil, err
		}
		if prev >= off {
			return nil, fmt.Errorf("spool: the record at offset %d names a later one (%d) as its previous", off, prev)
		}
		msgs = append(msgs, m)
		off = prev
	}
	slices.Reverse(msgs)
	return msgs, nil
}

// record reads the record at off and the offset of the one before it.
func (s *Spool) record(off int64) (*Message, int64, error) {
	var head [recordHeader]byte
	if err := s.readAt(head[:], off); err != nil {
		return nil, 0, err
	}
	n := binary.LittleEndian.Uint32(head[:])
	if n < recordHeader-4 || n > maxRecord {
		return nil, 0, fmt.Errorf("spool: expected a record at offset %d, saw a length of %d", off, n)
	}
	body := make([]byte, int(n)-(recordHeader-4))
	if err := s.readAt(body, off+recordHeader); err != nil {
		return nil, 0, err
	}
	d := decoder{b: body}
	m := &Message{Status: int(binary.LittleEndian.Uint16(head[statusAt:]))}
	m.Seq = int(d.varint())
	m.Time = time.Unix(0, d.varint()).UTC()
	m.RetransmissionOf = int(d.varint())
	for _, f := range []*string{&m.Name, &m.Transport, &m.Peer, &m.Local, &m.Method, &m.Identity} {
		*f = string(d.bytes())
	}
	m.Raw = d.bytes()
	if d.err || len(d.b) != 0 {
		return nil, 0, fmt.Errorf("spool: the record at offset %d is damaged", off)
	}
	m.Size = len(m.Raw)
	if len(m.Raw) > 0 {
		m.Spooled = Extent{Off: off + recordHeader + int64(len(body)-len(m.Raw)), Len: len(m.Raw)} // the bytes end the record
	}
	return m, int64(binary.LittleEndian.Uint64(head[4:])) - 1, nil
}

// decoder reads a record's fields; err is set once one does not fit.
type decoder struct {
	b   []byte
	err bool
}

func (d *decoder) varint() int64 {
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.err = true
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) bytes() []byte {
	v, n := binary.Uvarint(d.b)
	if n <= 0 || v > uint64(len(d.b)-n) {
		d.err = true
		return nil
	}
	b := d.b[n : n+int(v) : n+int(v)]
	d.b = d.b[n+int(v):]
	return b
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
