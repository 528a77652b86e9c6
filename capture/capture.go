// Package capture keeps the exact bytes of every message the suite receives, before any
// check looks at them, and reads them back: the evidence behind every verdict.
package capture

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
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
	// Size is the number of bytes of Raw. In DataFile, a message's bytes follow those of
	// the messages numbered before it.
	Size int `json:"size"`
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
	// Damage says why the server did not read this message whole (a message over its
	// size limit, a connection that ended in the middle of a message); nil when it did.
	Damage *Damage `json:"damage,omitempty"`
}

// Damage is why a live capture does not hold a message whole.
type Damage struct {
	Reason string `json:"reason"`
	// ClientFault is true when the client's own sending breaks a rule (a connection it
	// closed in the middle of a message), false when the suite stopped reading.
	ClientFault bool `json:"client_fault,omitempty"`
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
	// DataFile holds, for a spooled store (NewSpooledStore), the bytes of every message
	// while the run goes, one after the other in Seq order, each appended with one write
	// before the message is answered or checked. Close writes each message to a file of
	// its own (Message.Name) and removes it; a run that never reaches Close leaves the
	// bytes here, and Recover writes the files from them.
	DataFile = "messages.raw"
)

// Store keeps each message on disk as it arrives, numbered in arrival order, and an
// index that names peer, transport, time and status for every message: its bytes in a
// file of its own (or, spooled, appended to DataFile) and its entry appended to
// LogFile as each message or status comes (a cost per message that does not grow with
// the run); Close writes IndexFile (and, spooled, the file of each message).
type Store struct {
	dir  string
	mu   sync.Mutex
	msgs []*Message
	log  *os.File
	data *os.File // the spool, nil when each message is written to its file at once
	// fresh counts the messages per method that are not retransmissions.
	fresh map[string]int
}

// NewStore creates dir (and its parents) and empties it of an earlier run's captures.
// Each message is written to its file as it is added.
func NewStore(dir string) (*Store, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("capture folder: %w", err)
	}
	old, _ := filepath.Glob(filepath.Join(dir, "*.sip"))
	for _, f := range append(old, filepath.Join(dir, IndexFile), filepath.Join(dir, LogFile), filepath.Join(dir, DataFile)) {
		os.Remove(f)
	}
	log, err := os.OpenFile(filepath.Join(dir, LogFile), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("capture index: %w", err)
	}
	return &Store{dir: dir, log: log, fresh: map[string]int{}}, nil
}

// NewSpooledStore is NewStore for a live run at volume: each message's bytes are
// appended to DataFile (one write, where creating a file per message costs a quarter
// of a millisecond and more), and Close writes the file of each message.
func NewSpooledStore(dir string) (*Store, error) {
	s, err := NewStore(dir)
	if err != nil {
		return nil, err
	}
	if s.data, err = os.OpenFile(filepath.Join(dir, DataFile), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644); err != nil {
		s.log.Close()
		return nil, fmt.Errorf("capture data: %w", err)
	}
	return s, nil
}

// Dir is the folder the store writes to.
func (s *Store) Dir() string { return s.dir }

// Add numbers m, names it, writes its bytes to disk and returns it. The bytes are
// written before Add returns, so a check that crashes later cannot lose them.
func (s *Store) Add(m *Message) (*Message, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.log == nil {
		return m, fmt.Errorf("capture: the store is closed")
	}
	m.Seq = len(s.msgs) + 1
	m.Size = len(m.Raw)
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
	s.fresh[m.Method]++
	var err error
	if s.data != nil {
		_, err = s.data.Write(m.Raw)
	} else {
		err = os.WriteFile(filepath.Join(s.dir, m.Name), m.Raw, 0o644)
	}
	if err != nil {
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
	if m.RetransmissionOf == 0 {
		s.fresh[m.Method]--
	}
	m.RetransmissionOf = first
	s.logState(m)
}

// Messages returns the messages stored so far, in arrival order.
func (s *Store) Messages() []*Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*Message(nil), s.msgs...)
}

// Count is how many messages of method were stored so far that are not
// retransmissions: a cost that does not grow with the run.
func (s *Store) Count(method string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.fresh[method]
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

// Close writes IndexFile from every message stored, closes the log and, for a spooled
// store, writes each message's file and removes DataFile. Messages added after Close
// are refused.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.log == nil {
		return nil
	}
	err := s.log.Close()
	s.log = nil
	if s.data != nil {
		err = errors.Join(err, s.data.Close())
		if werr := writeFiles(s.dir, s.msgs); werr != nil {
			return errors.Join(err, werr)
		}
		if err == nil {
			err = os.Remove(filepath.Join(s.dir, DataFile))
		}
	}
	return errors.Join(err, writeIndex(s.dir, s.msgs))
}

func writeIndex(dir string, msgs []*Message) error {
	b, err := json.MarshalIndent(msgs, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, IndexFile), b, 0o644); err != nil {
		return fmt.Errorf("capture index: %w", err)
	}
	return nil
}

// Recover finishes the folder of a spooled store that never reached Close (the run
// was killed): it writes each message LogFile names to its file, from DataFile, and
// IndexFile, then removes DataFile. A folder without DataFile is left as it is.
func Recover(dir string) error {
	data, err := os.ReadFile(filepath.Join(dir, DataFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("capture data: %w", err)
	}
	f, err := os.Open(filepath.Join(dir, LogFile))
	if err != nil {
		return fmt.Errorf("capture index: %w", err)
	}
	defer f.Close()
	msgs, err := ReadLog(f)
	if err != nil {
		return err
	}
	at := 0
	for _, m := range msgs {
		if at+m.Size > len(data) {
			return fmt.Errorf("capture data %s: expected the %d bytes of %s at offset %d, saw the file end at %d", DataFile, m.Size, m.Name, at, len(data))
		}
		m.Raw, at = data[at:at+m.Size], at+m.Size
	}
	if err := writeFiles(dir, msgs); err != nil {
		return err
	}
	if err := writeIndex(dir, msgs); err != nil {
		return err
	}
	return os.Remove(filepath.Join(dir, DataFile))
}

// writeFiles writes every message to its file in dir, on as many goroutines as there
// are processors.
func writeFiles(dir string, msgs []*Message) error {
	next := make(chan *Message)
	errs := make(chan error, 1)
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for m := range next {
				if err := os.WriteFile(filepath.Join(dir, m.Name), m.Raw, 0o644); err != nil {
					select {
					case errs <- fmt.Errorf("capture %s: %w", m.Name, err):
					default:
					}
				}
			}
		}()
	}
	for _, m := range msgs {
		next <- m
	}
	close(next)
	wg.Wait()
	select {
	case err := <-errs:
		return err
	default:
		return nil
	}
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
