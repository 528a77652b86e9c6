package baseline

import (
	"slices"
	"testing"

	"github.com/mcptt-conformance/mcptt-conformance/verdict"
)

func row(id string, v verdict.Verdict, message string) Row {
	return Row{Result: verdict.Result{Requirement: id, Verdict: v, Message: message, Detail: "what was seen"}}
}

func clientRow(id string, v verdict.Verdict, message, client string) Row {
	r := row(id, v, message)
	r.Result.Client = client
	return r
}

func TestStableMessages(t *testing.T) {
	cases := []struct {
		name string
		rows []Row
		want []string
	}{
		{"recorded file names and run stay as they are",
			[]Row{row("7.2.1-01", verdict.Pass, "register-001.sip"), row("7.2.1-04", verdict.Pass, "run")},
			[]string{"register-001.sip", "run"}},
		{"ordinal per method in arrival order",
			[]Row{
				row("7.2.1-01", verdict.Pass, "0003-PUBLISH-udp-127.0.0.1_54321.sip"),
				row("7.2.1-01", verdict.Pass, "0004-REGISTER-udp-127.0.0.1_54321.sip"),
				row("7.2.1-01", verdict.Pass, "0001-REGISTER-udp-127.0.0.1_54321.sip"),
				row("7.2.1-02", verdict.Fail, "0004-REGISTER-udp-127.0.0.1_54321.sip"),
			},
			[]string{"PUBLISH#1", "REGISTER#2", "REGISTER#1", "REGISTER#2"}},
		{"the port and the arrival number do not matter, only the order",
			[]Row{
				row("7.2.1-01", verdict.Pass, "0002-REGISTER-tcp-127.0.0.1_40000.sip"),
				row("7.2.1-01", verdict.Pass, "0007-REGISTER-tcp-127.0.0.1_40001.sip"),
			},
			[]string{"REGISTER#1", "REGISTER#2"}},
		{"IPv6 senders and unreadable start lines",
			[]Row{
				row("7.2.1-01", verdict.Pass, "0001-REGISTER-udp-::1_5070.sip"),
				row("7.2.1-01", verdict.Fail, "0002-UNPARSED-udp-::1_5070.sip"),
			},
			[]string{"REGISTER#1", "UNPARSED#1"}},
		{"each client counts its own requests",
			[]Row{
				clientRow("7.2.1-01", verdict.Pass, "0001-REGISTER-udp-127.0.0.1_5001.sip", "sip:alice@example.org"),
				clientRow("7.2.1-01", verdict.Pass, "0002-REGISTER-udp-127.0.0.1_5002.sip", "sip:bob@example.org"),
				clientRow("7.2.1-01", verdict.Pass, "0003-REGISTER-udp-127.0.0.1_5001.sip", "sip:alice@example.org"),
			},
			[]string{"REGISTER#1", "REGISTER#1", "REGISTER#2"}},
		{"a run-level row names each request stably",
			[]Row{
				row("7.2.1-01", verdict.Pass, "0001-REGISTER-udp-127.0.0.1_5001.sip"),
				row("7.2.2-16", verdict.Fail, "0002-PUBLISH-udp-127.0.0.1_5001.sip, 0003-REGISTER-udp-127.0.0.1_5001.sip"),
			},
			[]string{"REGISTER#1", "PUBLISH#1, REGISTER#2"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := StableMessages(c.rows); !slices.Equal(got, c.want) {
				t.Fatalf("expected %q, saw %q", c.want, got)
			}
		})
	}
}

// TestStableMessagesAcrossRuns: the same client on the next run, from another port and
// after an extra request, gives the same names.
func TestStableMessagesAcrossRuns(t *testing.T) {
	first := []Row{
		row("7.2.1-02", verdict.Pass, "0001-REGISTER-udp-127.0.0.1_54321.sip"),
		row("7.2.1-02", verdict.Fail, "0002-REGISTER-udp-127.0.0.1_54321.sip"),
	}
	next := []Row{
		row("7.2.1-02", verdict.Pass, "0002-REGISTER-udp-127.0.0.1_60001.sip"),
		row("7.2.1-02", verdict.Fail, "0004-REGISTER-udp-127.0.0.1_60001.sip"),
	}
	if a, b := StableMessages(first), StableMessages(next); !slices.Equal(a, b) {
		t.Fatalf("expected the same stable names on both runs, saw %q and %q", a, b)
	}
}
