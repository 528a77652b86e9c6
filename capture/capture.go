// Package capture keeps the exact bytes of every message the suite receives, before any
// check looks at them, and reads them back: the evidence behind every verdict.
package capture

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/mcptt-conformance/mcptt-conformance/wire/sipmsg"
)

// Message is one received message, byte for byte, with where and when it came from.
type Message struct {
	Seq       int       `json:"seq"`
	Name      string    `json:"name"` // file name under the capture folder; the verdicts' "message"
	Time      time.Time `json:"time"`
	Transport string    `json:"transport"` // udp, tcp, tls, or file for recorded input
	Peer      string    `json:"peer"`      // host:port of the sender
	Local     string    `json:"local"`     // host:port it was received on
	Method    string    `json:"method"`    // request method, or "" when the start line is unreadable
	Raw       []byte    `json:"-"`
	// Status is the status code the suite answered with, 0 when it sent no answer.
	Status int `json:"status,omitempty"`
	// RetransmissionOf is the Seq of the request this one repeats (same transaction),
	// 0 for a new request. A retransmission is kept but not judged again.
	RetransmissionOf int `json:"retransmission_of,omitempty"`
	// TLS describes the TLS session a message arrived in (transport tls), nil otherwise.
	TLS *TLS `json:"tls,omitempty"`
	// Spooled is where the bytes are in the Spool of a recording read from a file, Raw
	// being nil until they are loaded to be judged; zero (Len 0) for a message held in
	// memory.
	Spooled Extent `json:"-"`
	// Identity is the address of record of the client a spooled request comes from,
	// read once from its bytes, so that a recording is split per client without them.
	Identity string `json:"-"`
}

// TLS is what the handshake of a TLS connection settled; Raw holds the decrypted bytes.
type TLS struct {
	Version     string `json:"version"`      // "TLS 1.2" or "TLS 1.3"
	CipherSuite string `json:"cipher_suite"` // the IANA name, e.g. TLS_AES_128_GCM_SHA256
	// SNI is the server name the client asked for, "" when it sent none.
	SNI string `json:"sni"`
	// ClientSubject is the subject of the certificate the client presented (mutual
	// TLS), "" when it presented none.
	ClientSubject string `json:"client_subject,omitempty"`
}

// The index files a Store writes beside the messages.
const (
	// IndexFile lists every message (a JSON array of Message), written once by Close.
	IndexFile = "index.json"
	// LogFile is the append-only log the Store writes as the run goes: one JSON Message
	// per line, a message's line written again whenever its status or retransmission
	// mark is set; the last line of a Seq holds its final state. A run that never
	// reaches Close leaves its index here.
	LogFile = "index.jsonl"
)

// Store writes each message to a folder as it arrives, numbered in arrival order, and
// an index that names peer, transport, time and status for every file: appended to
// LogFile as each message or status comes (a cost per message that does not grow with
// the run), and written whole to IndexFile by Close.
type Store struct {
	dir  string
	mu   sync.Mutex
	msgs []*Message
	log  *os.File
}

// NewStore creates dir (and its parents) and empties it of an earlier run's captures.
func NewStore(dir string) (*Store, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("capture folder: %w", err)
	}
	old, _ := filepath.Glob(filepath.Join(dir, "*.sip"))
	for _, f := range append(old, filepath.Join(dir, IndexFile), filepath.Join(dir, LogFile)) {
		os.Remove(f)
	}
	log, err := os.OpenFile(filepath.Join(dir, LogFile), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("capture index: %w", err)
	}
	return &Store{dir: dir, log: log}, nil
}

// Dir is the folder the store writes to.
func (s *Store) Dir() string { return s.dir }

// Add numbers m, names it, writes its bytes to disk and returns it. The file is written
// before Add returns, so a check that crashes later cannot lose it.
func (s *Store) Add(m *Message) (*Message, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m.Seq = len(s.msgs) + 1
	if m.Method == "" {
		m.Method = sipmsg.MethodOf(m.Raw)
	}
	what := m.Method
	if what == "" {
		what = "UNPARSED"
	}
	peer := strings.NewReplacer(":", "_", "[", "", "]", "").Replace(m.Peer)
	m.Name = fmt.Sprintf("%04d-%s-%s-%s.sip", m.Seq, what, m.Transport, peer)
	s.msgs = append(s.msgs, m)
	if err := os.WriteFile(filepath.Join(s.dir, m.Name), m.Raw, 0o644); err != nil {
		return m, fmt.Errorf("capture %s: %w", m.Name, err)
	}
	return m, s.logState(m)
}

// SetStatus records the status code the suite answered m with.
func (s *Store) SetStatus(m *Message, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m.Status = status
	s.logState(m)
}

// MarkRetransmission records that m repeats the request numbered first.
func (s *Store) MarkRetransmission(m *Message, first int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m.RetransmissionOf = first
	s.logState(m)
}

// Messages returns the messages stored so far, in arrival order.
func (s *Store) Messages() []*Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*Message(nil), s.msgs...)
}

// logState appends m's state to the log: one write of one line.
func (s *Store) logState(m *Message) error {
	if s.log == nil {
		return fmt.Errorf("capture index %s: the store is closed", LogFile)
	}
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	if _, err := s.log.Write(append(b, '\n')); err != nil {
		return fmt.Errorf("capture index: %w", err)
	}
	return nil
}

// Close writes IndexFile from every message stored and closes the log. Messages added
// after Close are refused.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.log == nil {
		return nil
	}
	err := s.log.Close()
	s.log = nil
	b, merr := json.MarshalIndent(s.msgs, "", "  ")
	if merr != nil {
		return merr
	}
	if werr := os.WriteFile(filepath.Join(s.dir, IndexFile), b, 0o644); werr != nil {
		return fmt.Errorf("capture index: %w", werr)
	}
	return err
}

// ReadLog reads a LogFile: the final state of every message it names, in Seq order.
func ReadLog(r io.Reader) ([]*Message, error) {
	bySeq := map[int]*Message{}
	dec := json.NewDecoder(r)
	for line := 1; ; line++ {
		var m Message
		err := dec.Decode(&m)
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s entry %d: expected one JSON message per line: %v", LogFile, line, err)
		}
		bySeq[m.Seq] = &m
	}
	msgs := make([]*Message, 0, len(bySeq))
	for _, m := range bySeq {
		msgs = append(msgs, m)
	}
	slices.SortFunc(msgs, func(a, b *Message) int { return a.Seq - b.Seq })
	return msgs, nil
}
