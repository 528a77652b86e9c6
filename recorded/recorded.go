// Package recorded reads traffic recorded earlier — a folder of raw requests, one raw
// request file, or a pcap/pcapng capture — into the messages a live run would have
// received, so that the validators judge a vendor's capture exactly as they judge a
// live run. Responses in the recording tell which request was answered with what;
// TCP streams are reassembled; damage is named by file or frame and never stops the
// frames that can be read from being judged.
package recorded

import (
	"fmt"
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
	Messages []*capture.Message
	// Damaged are requests the recording does not hold whole.
	Damaged []run.Damage
	// Notes tell a person what else the recording held and what could not be read.
	Notes []string
	// Responses counts the SIP responses read.
	Responses int
	// Started and Finished are the times of the first and last message, zero when the
	// recording has none.
	Started, Finished time.Time
}

// Read reads path: a folder of raw messages (*.sip, with the index.json capture.Store
// writes, if any), a pcap or pcapng file, or one raw message file. Errors are for a
// path that cannot be read at all; damage inside it is in the Recording's notes.
func Read(path string) (*Recording, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("capture: %w", err)
	}
	if info.IsDir() {
		return readDir(path)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("capture: %w", err)
	}
	if isPcap(data) {
		return ReadPcap(filepath.Base(path), data), nil
	}
	rec, err := readFiles(filepath.Dir(path), []string{filepath.Base(path)}, nil)
	if err == nil {
		rec.Source = "capture file " + filepath.Base(path)
	}
	return rec, err
}

// ReadPcap reads a pcap or pcapng file held in data; name is its file name, used to
// name frames ("run.pcapng#frame-12").
func ReadPcap(name string, data []byte) *Recording {
	name = safeName(name)
	var n notes
	pkts, frames := decodeFrames(name, data, &n)
	a := newAssembler(&n)
	a.packets(name, pkts)
	rec := a.recording(&n)
	kind := "pcap"
	if len(data) >= 4 && data[0] == 0x0a && data[1] == 0x0d {
		kind = "pcapng"
	}
	rec.Source = fmt.Sprintf("capture %s (%s, %d frames)", name, kind, frames)
	return rec
}

// Run is the recording as a run to judge: one client per client under test, or only
// the one sel names (its address of record or source address; "" for all), with the
// recording's notes and run.Split's. A recording without times starts now.
func (r *Recording) Run(sel string) (*run.Run, error) {
	clients, notes, err := run.Split(r.Messages, r.Damaged, sel)
	if err != nil {
		return nil, err
	}
	out := &run.Run{Source: r.Source, Started: r.Started, Finished: r.Finished, Clients: clients,
		Notes: slices.Concat(r.Notes, notes, []string{fmt.Sprintf("%d request(s) and %d response(s) read from the capture; the bytes of every request are in captures/", len(r.Messages), r.Responses)})}
	if out.Started.IsZero() {
		out.Started = time.Now().UTC()
	}
	return out, nil
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
