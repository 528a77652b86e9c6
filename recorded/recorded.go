// Package recorded reads traffic recorded earlier — a folder of raw requests, one raw
// request file, or a pcap/pcapng capture — into the messages a live run would have
// received, so that the validators judge a vendor's capture exactly as they judge a
// live run. Responses in the recording tell which request was answered with what;
// TCP streams are reassembled; damage is named by file or frame and never stops the
// frames that can be read from being judged.
package recorded

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/mcptt-conformance/mcptt-conformance/capture"
	"github.com/mcptt-conformance/mcptt-conformance/run"
)

// Recording is what a recorded capture holds; Run splits it into the run to judge.
type Recording struct {
	// Source describes what was read, for the reports ("capture run.pcapng (pcapng, 42
	// frames)").
	Source string
	// Messages are the requests and the unreadable payloads sent to a SIP port, in the
	// order they were completed, numbered from 1 (Seq), named for the file or frame
	// they came from (Name), with the status of the response that answered them
	// (Status) and retransmissions marked (RetransmissionOf). Responses are not in it.
	// A capture file's messages are not held here but chained in the Spool, per
	// source (All reads them back).
	Messages []*capture.Message
	// Sources are the messages grouped by source address and address of record, with
	// their counts: in memory, or chained in the Spool.
	Sources []*run.Source
	// Requests counts the messages.
	Requests int
	// Damaged are requests the recording does not hold whole.
	Damaged []run.Damage
	// Notes tell a person what else the recording held and what could not be read.
	Notes []string
	// Responses counts the SIP responses read.
	Responses int
	// Started and Finished are the times of the first and last message, zero when the
	// recording has none.
	Started, Finished time.Time
	// Spool holds the messages of a capture file (capture.Spool.Append), chained per
	// source, nil when every message is in memory; Run hands it to the run, and
	// whoever ends the run closes it.
	Spool *capture.Spool
}

// Read reads path: a folder of raw messages (*.sip, with the index.json capture.Store
// writes, if any), a pcap or pcapng file, or one raw message file. A pcap or pcapng
// file is read as a stream, twice (the first pass finds the ports SIP is on), never
// whole into memory. Errors are for a path that cannot be read at all; damage inside
// it is in the Recording's notes. progress, when not nil, is told how the read of a
// capture file goes every few seconds. A capture file's messages go to a temporary
// spool file (Recording.Spool) as they are read, not to memory: what stays is per
// source, per open TCP stream and per transaction of the window.
func Read(path string, progress io.Writer) (*Recording, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("capture: %w", err)
	}
	if info.IsDir() {
		return readDir(path)
	}
	pcap, err := IsPcap(path)
	if err != nil {
		return nil, err
	}
	if pcap {
		open := func() (io.ReadCloser, error) { return os.Open(path) }
		spool, err := capture.NewSpool("")
		if err != nil {
			return nil, err
		}
		rec, err := readPcap(filepath.Base(path), open, info.Size(), progress, spool)
		if err != nil {
			spool.Close()
		}
		return rec, err
	}
	rec, err := readFiles(filepath.Dir(path), []string{filepath.Base(path)}, nil)
	if err == nil {
		rec.Source = "capture file " + filepath.Base(path)
	}
	return rec, err
}

// IsPcap reports whether the file at path starts with a pcap or pcapng magic number,
// reading only those bytes.
func IsPcap(path string) (bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return false, fmt.Errorf("capture: %w", err)
	}
	defer f.Close()
	magic := make([]byte, 4)
	if _, err := io.ReadFull(f, magic); err != nil {
		return false, nil // shorter than a magic number: a raw message file, if anything
	}
	return isPcap(magic), nil
}

// ReadPcap reads a pcap or pcapng file held in data; name is its file name, used to
// name frames ("run.pcapng#frame-12").
func ReadPcap(name string, data []byte) *Recording {
	open := func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }
	rec, _ := readPcap(name, open, int64(len(data)), nil, nil) // reading memory does not fail
	return rec
}

// readPcap reads the pcap or pcapng stream open gives twice: once for the ports SIP is
// seen on, once to assemble the messages; size is its length in bytes, for progress;
// spool, when not nil, takes the requests' bytes.
func readPcap(name string, open func() (io.ReadCloser, error), size int64, progress io.Writer, spool *capture.Spool) (*Recording, error) {
	name = safeName(name)
	ports := sipPorts()
	err := eachFrame(open, progress, size, "pass 1 of 2 (finding the SIP ports)", nil, func(r io.Reader) {
		eachPacket(name, r, &notes{}, func(p packet) { portsSeen(ports, p) })
	})
	if err != nil {
		return nil, err
	}
	var n notes
	a := newAssembler(&n)
	a.spool, a.window = spool, transactionWindow
	ps := a.packets(name, ports)
	var frames int
	var kind string
	err = eachFrame(open, progress, size, "pass 2 of 2", a, func(r io.Reader) {
		frames, kind = eachPacket(name, r, &n, ps.add)
	})
	if err != nil {
		return nil, err
	}
	ps.finish()
	if a.err != nil {
		return nil, a.err
	}
	rec := a.recording(&n)
	rec.Source = fmt.Sprintf("capture %s (%s, %d frames)", name, kind, frames)
	return rec, nil
}

// eachFrame opens the stream and hands it to read, metered for progress.
func eachFrame(open func() (io.ReadCloser, error), progress io.Writer, size int64, pass string, a *assembler, read func(io.Reader)) error {
	f, err := open()
	if err != nil {
		return fmt.Errorf("capture: %w", err)
	}
	defer f.Close()
	m := &meter{r: f, w: progress, size: size, pass: pass, a: a, start: time.Now()}
	read(m)
	m.report(true)
	return nil
}

// Run is the recording as a run to judge: one client per client under test, or only
// the one sel names (its address of record or source address; "" for all), of those
// shard holds, with the recording's notes and run.Split's, and the recording's spool.
// A recording without times starts now.
func (r *Recording) Run(sel string, shard run.Shard) (*run.Run, error) {
	clients, notes, err := run.Split(r.Sources, r.Damaged, sel)
	if err != nil {
		return nil, err
	}
	clients, note := shard.Clients(clients)
	if note != "" {
		notes = append(notes, note)
	}
	out := &run.Run{Source: r.Source, Started: r.Started, Finished: r.Finished, Clients: clients, Spool: r.Spool,
		Notes: slices.Concat(r.Notes, notes, []string{fmt.Sprintf("%d request(s) and %d response(s) read from the capture", r.Requests, r.Responses)})}
	if out.Started.IsZero() {
		out.Started = time.Now().UTC()
	}
	return out, nil
}

// All is every message of the recording, in order: Messages, or the spool's chains
// read back whole.
func (r *Recording) All() ([]*capture.Message, error) {
	if r.Spool == nil {
		return r.Messages, nil
	}
	c := &run.Client{Sources: r.Sources}
	if err := (&run.Run{Spool: r.Spool}).Load(c); err != nil {
		return nil, err
	}
	return c.Messages, nil
}

// safeName keeps a file name usable inside a verdict's message, which lists names
// separated by commas and spaces.
func safeName(name string) string {
	return strings.Map(func(r rune) rune {
		if r == ',' || r == ' ' || r == '\t' || r == '/' || r == '\\' {
			return '_'
		}
		return r
	}, name)
}

// notes collects the recording's notes; notes about single frames are capped so that a
// capture full of other traffic does not flood the report.
type notes struct {
	lines  []string
	frames int
}

const maxFrameNotes = 20

func (n *notes) add(format string, a ...any) { n.lines = append(n.lines, fmt.Sprintf(format, a...)) }

func (n *notes) frame(name string, frame int, why string) {
	n.frames++
	if n.frames <= maxFrameNotes {
		n.add("%s#frame-%d: %s", name, frame, why)
	}
}

func (n *notes) list() []string {
	if n.frames > maxFrameNotes {
		return append(n.lines, fmt.Sprintf("%d more frame(s) not read, as above", n.frames-maxFrameNotes))
	}
	return n.lines
}
