// Package run holds what one run of the suite collected, live or read back from a
// recording, ready to be judged: the requests of each client under test, the requests
// that did not arrive whole, the suite's key material, and the notes a person reads
// beside the verdicts. A live run is one client holding every message received (the
// suite takes all traffic on its ports to come from the client under test); a
// recording is split per client by address of record (Split).
package run

import (
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

// Load reads the bytes of c's spooled messages back into their Raw, to judge c.
func (r *Run) Load(c *Client) error {
	for _, m := range c.Messages {
		if m.Spooled.Len == 0 || m.Raw != nil {
			continue
		}
		raw, err := r.Spool.Bytes(m)
		if err != nil {
			return err
		}
		m.Raw = raw
	}
	return nil
}

// Release drops the bytes Load read, once c is judged.
func (r *Run) Release(c *Client) {
	for _, m := range c.Messages {
		if m.Spooled.Len > 0 {
			m.Raw = nil
		}
	}
}

// Client is the traffic of one client under test.
type Client struct {
	// ID is the client's address of record: the To URI of its REGISTERs, or the From URI
	// of its other requests; "" for the one client of a live run, or of a recording in
	// which no REGISTER or PUBLISH named a client.
	ID string
	// Addrs are the source addresses (host:port) it sent from, in order of first use.
	Addrs    []string
	Messages []*capture.Message
	Damaged  []Damage
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
