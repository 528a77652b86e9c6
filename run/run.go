// Package run holds what one run of the suite collected, live or read back from a
// recording, ready to be judged: the requests of each client under test, the requests
// that did not arrive whole, the suite's key material, and the notes a person reads
// beside the verdicts. A live run is one client holding every message received (the
// suite takes all traffic on its ports to come from the client under test); a
// recording is split per client by address of record (Split).
package run

import (
	"fmt"
	"slices"
	"time"

	"github.com/mcptt-conformance/mcptt-conformance/capture"
	"github.com/mcptt-conformance/mcptt-conformance/kms"
)

// Run is one run under judgement.
type Run struct {
	// Source describes where the traffic came from, for the reports ("live udp+tcp
	// 127.0.0.1:5070", "capture run.pcapng (pcapng, 42 frames)").
	Source string
	// Started and Finished bound the run.
	Started, Finished time.Time
	// Clients are the clients under test, each judged as a run of its own, in order of
	// each one's first message. Every request carries the status the suite (or the
	// recorded server) answered it with (capture.Message.Status).
	Clients []*Client
	// Keys is the suite's key material for its MDSI in a protected run; nil for a
	// plaintext run.
	Keys *kms.KeyFile
	// ClientStatus says how the client command ended ("exit status 0"…); empty when no
	// command was started (manual mode, a recording).
	ClientStatus string
	// Notes tell a person what else happened: traffic the checks do not judge, the
	// client's exit, retransmissions, what a recording held besides.
	Notes []string
	// Spool holds the bytes of the spooled messages (capture.Message.Spooled) of a
	// recording read from a file; nil when every message is in memory (a live run).
	Spool *capture.Spool
}

// Load reads c's messages chained in the run's spool (Source.Chained) into
// c.Messages, in order, to judge c; a retransmission takes the status of the request
// it repeats when the recording holds no answer of its own. A client held in memory
// is left as it is.
func (r *Run) Load(c *Client) error {
	if !c.chained() {
		return nil
	}
	var msgs []*capture.Message
	for _, s := range c.Sources {
		if !s.Chained {
			msgs = append(msgs, s.Messages...)
			continue
		}
		if r.Spool == nil {
			return fmt.Errorf("client %s: its requests are spooled, but there is no spool", c.ID)
		}
		chain, err := r.Spool.Chain(s.Last)
		if err != nil {
			return fmt.Errorf("client %s, requests from %s: %w", c.ID, s.Peer, err)
		}
		msgs = append(msgs, chain...)
	}
	slices.SortFunc(msgs, func(a, b *capture.Message) int { return a.Seq - b.Seq })
	status := make(map[int]int, len(msgs))
	for _, m := range msgs {
		if m.RetransmissionOf != 0 && m.Status == 0 {
			m.Status = status[m.RetransmissionOf] // answered again with the same response
		}
		status[m.Seq] = m.Status
	}
	c.Messages = msgs
	return nil
}

// Release drops the messages Load read, once c is judged.
func (r *Run) Release(c *Client) {
	if c.chained() {
		c.Messages = nil
	}
}

// Client is the traffic of one client under test.
type Client struct {
	// ID is the client's address of record: the To URI of its REGISTERs, or the From URI
	// of its other requests; "" for the one client of a live run, or of a recording in
	// which no REGISTER or PUBLISH named a client.
	ID string
	// Addrs are the source addresses (host:port) it sent from, in order of first use.
	Addrs []string
	// Messages are its requests, in order; for a client of chained sources, only
	// between Run.Load and Run.Release.
	Messages []*capture.Message
	Damaged  []Damage
	// Sources are the parties its requests came from, in a recording (GroupSources).
	Sources []*Source
}

// chained reports whether some of c's messages are in the spool.
func (c *Client) chained() bool {
	return slices.ContainsFunc(c.Sources, func(s *Source) bool { return s.Chained })
}

// Counts adds up what c sent: its sources' counts in a recording, its messages'
// otherwise.
func (c *Client) Counts() Counts {
	if c.Sources == nil {
		return Total(Sources(c.Messages))
	}
	return Total(c.Sources)
}

// Damage is a request, or bytes sent to a SIP port, that a recording does not hold
// whole.
type Damage struct {
	Name      string // the frame or file, as in capture.Message.Name
	Time      time.Time
	Transport string
	Peer      string // host:port of the sender, "" when unknown
	Local     string
	Raw       []byte // what the recording holds of it (may be empty)
	Reason    string
	// ClientFault is true when the client's own sending breaks a rule (a UDP request
	// in IP fragments, RFC 3261 18.1.1), false when the capture lost the bytes.
	ClientFault bool
}
