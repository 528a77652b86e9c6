package recorded

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/mcptt-conformance/mcptt-conformance/pcapng"
)

// No bytes make the capture reader panic or hang, and every message read has a name
// of its own.
func FuzzReadPcap(f *testing.F) {
	f.Add([]byte{0x0a, 0x0d, 0x0d, 0x0a, 28, 0, 0, 0, 0x4d, 0x3c, 0x2b, 0x1a})
	f.Add([]byte{0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0})
	var b bytes.Buffer
	at := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	err := pcapng.Write(&b, []pcapng.Packet{
		{Time: at, Transport: "udp", From: "192.0.2.7:5070", To: "198.51.100.1:5060", Payload: []byte(sipMessage(1, "one"))},
		{Time: at, Transport: "tcp", From: "[2001:db8::7]:40001", To: "[2001:db8::1]:5060", Payload: []byte(sipMessage(2, strings.Repeat("z", 2000)))},
		{Time: at, Transport: "tcp", From: "[2001:db8::1]:5060", To: "[2001:db8::7]:40001", Payload: []byte("SIP/2.0 200 OK\r\nCall-ID: c2\r\nCSeq: 2 REGISTER\r\nContent-Length: 0\r\n\r\n")},
	})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b.Bytes())
	f.Fuzz(func(t *testing.T, data []byte) {
		rec := ReadPcap("fuzz.pcapng", data)
		seen := map[string]bool{}
		for _, m := range rec.Messages {
			if seen[m.Name] {
				t.Fatalf("two messages named %s", m.Name)
			}
			seen[m.Name] = true
			if !bytes.Contains(data, m.Raw[:min(len(m.Raw), 8)]) {
				t.Fatalf("message %s holds bytes that are not in the file", m.Name)
			}
		}
	})
}
