package recorded

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

func sipMessage(n int, body string) string {
	return fmt.Sprintf("REGISTER sip:mcptt.example.com SIP/2.0\r\nCall-ID: c%d\r\nCSeq: %d REGISTER\r\nContent-Length: %d\r\n\r\n%s", n, n, len(body), body)
}

// seg is a segment of a test stream: the bytes [from, to) of it, sent at seq isn+1+from.
type seg struct {
	from, to int
	flags    string // "S" SYN, "F" FIN
}

// reassemble feeds segments of data (after a SYN at isn) and returns what came out.
func reassemble(data string, isn uint32, segs []seg) (msgs []string, damage []string) {
	s := &stream{emit: func(d delivery) {
		if d.damage != "" {
			damage = append(damage, d.damage)
			return
		}
		msgs = append(msgs, string(d.raw))
	}}
	for i, g := range segs {
		p := packet{frame: i + 1, seq: isn + 1 + uint32(g.from), payload: []byte(data[g.from:g.to])}
		if strings.Contains(g.flags, "S") {
			p.seq, p.syn, p.payload = isn, true, nil
		}
		p.fin = strings.Contains(g.flags, "F")
		s.add(p)
	}
	s.finish(len(segs), time.Time{}, false)
	return msgs, damage
}

func TestStreamReassembly(t *testing.T) {
	a, b, c := sipMessage(1, "body one"), sipMessage(2, ""), sipMessage(3, strings.Repeat("x", 3000))
	all := a + b + c
	la, lb := len(a), len(a)+len(b)
	syn := seg{flags: "S"}
	whole := []string{a, b, c}
	for _, tt := range []struct {
		name   string
		isn    uint32
		segs   []seg
		msgs   []string
		damage string
	}{
		{"several messages in one segment", 1000, []seg{syn, {0, len(all), ""}}, whole, ""},
		{"one message across segments", 1000, []seg{syn, {0, 10, ""}, {10, la + 5, ""}, {la + 5, lb + 1000, ""}, {lb + 1000, len(all), ""}}, whole, ""},
		{"retransmitted segments", 1000, []seg{syn, {0, la, ""}, {0, la, ""}, {la, len(all), ""}, {la, lb, ""}}, whole, ""},
		{"overlapping retransmission", 1000, []seg{syn, {0, 20, ""}, {10, la + 30, ""}, {la + 30, len(all), ""}}, whole, ""},
		{"out of order", 1000, []seg{syn, {la, lb, ""}, {lb, len(all), ""}, {0, la, ""}}, whole, ""},
		{"sequence numbers wrap", 0xffffff00, []seg{syn, {0, 100, ""}, {100, len(all), ""}}, whole, ""},
		{"capture starts mid-connection", 5, []seg{{0, la, ""}, {la, len(all), ""}}, whole, ""},
		{"a segment missing", 1000, []seg{syn, {0, la + 10, ""}, {la + 20, lb, ""}, {lb, len(all), ""}}, []string{a, c}, "10 byte(s) of the TCP stream before frame 3 are missing"},
		{"capture ends inside a message", 1000, []seg{syn, {0, lb + 10, ""}}, []string{a, b}, "the capture ends inside this message"},
		{"connection closed inside a message", 1000, []seg{syn, {0, lb + 10, "F"}}, []string{a, b, all[lb : lb+10]}, ""},
		{"keep-alive CRLFs between messages", 1000, []seg{syn, {0, la, ""}}, []string{a}, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			msgs, damage := reassemble(all, tt.isn, tt.segs)
			if strings.Join(msgs, "|") != strings.Join(tt.msgs, "|") {
				t.Errorf("expected %d messages %.60q, saw %d: %.60q", len(tt.msgs), tt.msgs, len(msgs), msgs)
			}
			if d := strings.Join(damage, "\n"); tt.damage == "" && d != "" || !strings.Contains(d, tt.damage) {
				t.Errorf("expected damage %q, saw %q", tt.damage, d)
			}
		})
	}
}

// Bytes that cannot be framed end the stream as one unreadable message, as the live
// server keeps them before closing the connection.
func TestStreamGarbage(t *testing.T) {
	a := sipMessage(1, "")
	stream := a + "\x00\x01 not SIP\r\n\r\n" + a
	msgs, _ := reassemble(stream, 1, []seg{{flags: "S"}, {0, len(stream), ""}})
	if len(msgs) != 2 || msgs[0] != a || msgs[1] != stream[len(a):] {
		t.Fatalf("expected the message, then the rest as one unreadable message, saw %q", msgs)
	}
}

// Any order, duplication and cutting of a stream's segments gives back its messages.
func FuzzStream(f *testing.F) {
	f.Add([]byte{10, 200, 3, 50}, uint32(1000), uint8(3))
	f.Add([]byte{1}, uint32(0xfffffff0), uint8(0))
	f.Fuzz(func(t *testing.T, cuts []byte, isn uint32, shuffle uint8) {
		whole := []string{sipMessage(1, "one"), sipMessage(2, strings.Repeat("y", 700)), sipMessage(3, "")}
		stream := strings.Join(whole, "")
		segs := []seg{{flags: "S"}}
		at := 0
		for _, c := range cuts {
			next := min(at+int(c)+1, len(stream))
			segs = append(segs, seg{at, next, ""})
			at = next
		}
		if at < len(stream) {
			segs = append(segs, seg{at, len(stream), ""})
		}
		// Move some segments later, and send some twice.
		for i := 1; i < len(segs) && shuffle > 0; i++ {
			if int(shuffle)%(i+1) == 0 {
				segs = append(segs, segs[i])
				if shuffle%2 == 0 {
					segs = append(segs[:i], segs[i+1:]...)
				}
			}
		}
		msgs, damage := reassemble(stream, isn, segs)
		if len(damage) > 0 || strings.Join(msgs, "") != stream {
			t.Fatalf("expected the stream back, saw %q (damage %q)", msgs, damage)
		}
	})
}
