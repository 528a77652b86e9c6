// Package capture keeps the exact bytes of every message the suite receives, before any
// check looks at them, and reads them back: the evidence behind every verdict.
package capture

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
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
}

// Store writes each message to a folder as it arrives, numbered in arrival order, plus
// an index (index.json) that names peer, transport and time for every file.
type Store struct {
	dir  string
	mu   sync.Mutex
	msgs []*Message
}

// NewStore creates dir (and its parents) and empties it of an earlier run's captures.
func NewStore(dir string) (*Store, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("capture folder: %w", err)
	}
	old, _ := filepath.Glob(filepath.Join(dir, "*.sip"))
	for _, f := range append(old, filepath.Join(dir, "index.json")) {
		os.Remove(f)
	}
	return &Store{dir: dir}, nil
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
	return m, s.writeIndex()
}

// SetStatus records the status code the suite answered m with.
func (s *Store) SetStatus(m *Message, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m.Status = status
	s.writeIndex()
}

// MarkRetransmission records that m repeats the request numbered first.
func (s *Store) MarkRetransmission(m *Message, first int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m.RetransmissionOf = first
	s.writeIndex()
}

// Messages returns the messages stored so far, in arrival order.
func (s *Store) Messages() []*Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*Message(nil), s.msgs...)
}

func (s *Store) writeIndex() error {
	b, err := json.MarshalIndent(s.msgs, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(s.dir, "index.json"), b, 0o644)
}
