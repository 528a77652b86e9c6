package baseline

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

// catalogue stands in for the suite's: these IDs exist.
func catalogue(id string) bool {
	return slices.Contains([]string{"7.2.1-01", "7.2.1-02", "7.2.1-03", "7.2.1-05", "7.2.2-01", "7.2.2-16"}, id)
}

// today is the day the tests read baselines on, late in the evening away from UTC.
var today = time.Date(2026, 11, 25, 23, 30, 0, 0, time.FixedZone("UTC-8", -8*3600))

func TestRead(t *testing.T) {
	b, err := Read(strings.NewReader(`# a baseline
requirements: [7.2.1-01, 7.2.1-02, 7.2.2-16]
known:
  - requirement: 7.2.1-02
    message: REGISTER#2 # 0003-REGISTER-udp-127.0.0.1_54321.sip
    client: sip:alice@example.org
    detail: 'Contact has no g.3gpp.mcptt feature tag'
    reason: vendor ticket 4711
    until: 2026-11-25
  - requirement: 7.2.2-16
    message: run
    reason: not observable with this client
`), catalogue, today)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(b.Requirements, []string{"7.2.1-01", "7.2.1-02", "7.2.2-16"}) {
		t.Fatalf("expected the three requirements, saw %q", b.Requirements)
	}
	want := []Entry{
		{Requirement: "7.2.1-02", Message: "REGISTER#2", Client: "sip:alice@example.org", Detail: "Contact has no g.3gpp.mcptt feature tag",
			Reason: "vendor ticket 4711", Until: time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC), Line: 4},
		{Requirement: "7.2.2-16", Message: "run", Reason: "not observable with this client", Line: 10},
	}
	if !slices.Equal(b.Known, want) {
		t.Fatalf("expected entries\n%+v\nsaw\n%+v", want, b.Known)
	}
}

func TestReadEmptyKnown(t *testing.T) {
	for _, in := range []string{"requirements: [7.2.1-01]\nknown: []\n", "requirements: [7.2.1-01]\nknown:\n", "requirements: [7.2.1-01]\n"} {
		b, err := Read(strings.NewReader(in), catalogue, today)
		if err != nil || len(b.Known) != 0 {
			t.Errorf("expected no entries from %q, saw %v, %v", in, b, err)
		}
	}
}

// entry is the start of a valid file with one entry whose fields follow at line 4.
const entry = "requirements: [7.2.1-01, 7.2.1-02]\nknown:\n  - requirement: 7.2.1-02\n"

func TestReadRefuses(t *testing.T) {
	cases := []struct {
		name string
		in   string
		want []string // one per problem, each with its line
	}{
		{"not YAML", "requirements: [7.2.1-01\nknown: {", []string{"expected a YAML baseline: yaml: line"}},
		{"a tab where YAML allows none", "requirements: [7.2.1-01]\nknown:\n\t- requirement: 7.2.1-02\n", []string{"yaml: line 3"}},
		{"empty", "", []string{"line 1: expected a mapping with requirements and known, saw an empty file"}},
		{"a list at the top", "- 7.2.1-01\n", []string{"line 1: expected a mapping with requirements and known, saw a list"}},
		{"no requirements", "known: []\n", []string{"line 1: expected requirements"}},
		{"an unknown top field", "requirements: []\nknwon: []\n", []string{`line 2: expected the field requirements or known, saw "knwon"`}},
		{"requirements not a list", "requirements: 7.2.1-01\n", []string{`line 1: expected requirements to be a list of requirement IDs, saw "7.2.1-01"`}},
		{"an unknown ID in requirements", "requirements:\n  - 7.2.1-01\n  - 7.2.1-99\n", []string{`line 3: expected a requirement ID of the catalogue, saw "7.2.1-99"`}},
		{"known not a list", "requirements: []\nknown:\n  requirement: 7.2.1-02\n", []string{"line 3: expected known to be a list of entries, saw a mapping"}},
		{"an entry that is not a mapping", "requirements: []\nknown:\n  - 7.2.1-02\n", []string{`line 3: expected an entry with the fields requirement, message, client, detail, reason, until, saw "7.2.1-02"`}},
		{"an unknown requirement ID",
			"requirements: [7.2.1-01]\nknown:\n  - requirement: 7.2.1-42\n    message: run\n    reason: r\n",
			[]string{`line 3: expected a requirement ID of the catalogue, saw "7.2.1-42"`}},
		{"no requirement", "requirements: []\nknown:\n  - message: run\n    reason: r\n",
			[]string{"line 3: expected the entry's requirement, saw none"}},
		{"no message", entry + "    reason: r\n", []string{"line 3: expected the entry's message"}},
		{"a capture name as message", entry + "    message: 0003-REGISTER-udp-127.0.0.1_54321.sip\n    reason: r\n",
			[]string{`line 4: expected the message in its stable form such as REGISTER#1 (a capture's name changes from run to run), saw "0003-REGISTER-udp-127.0.0.1_54321.sip"`}},
		{"no reason", entry + "    message: run\n", []string{"line 3: expected a reason why the failure is accepted, saw none"}},
		{"an empty reason", entry + "    message: run\n    reason:\n", []string{"line 3: expected a reason why the failure is accepted, saw none"}},
		{"a reason that is a list", entry + "    message: run\n    reason: [a, b]\n",
			[]string{"line 5: expected reason text, saw a list", "line 3: expected a reason why the failure is accepted, saw none"}},
		{"an unknown field", entry + "    message: run\n    reason: r\n    reasn: typo\n",
			[]string{`line 6: expected a field among requirement, message, client, detail, reason, until, saw "reasn"`}},
		{"a field twice", entry + "    message: run\n    reason: r\n    message: REGISTER#1\n",
			[]string{"line 6: expected message once, saw it again (first at line 4)"}},
		{"until past", entry + "    message: run\n    reason: r\n    until: 2026-11-24\n",
			[]string{"line 6: expected until to be today (2026-11-25) or later, saw 2026-11-24: the accepted failure has expired"}},
		{"until not a date", entry + "    message: run\n    reason: r\n    until: next spring\n",
			[]string{`line 6: expected until to be a date YYYY-MM-DD, saw "next spring"`}},
		{"until not a calendar date", entry + "    message: run\n    reason: r\n    until: 2026-02-30\n",
			[]string{`line 6: expected until to be a date YYYY-MM-DD, saw "2026-02-30"`}},
		{"the same failure twice",
			entry + "    message: REGISTER#1\n    reason: r\n  - requirement: 7.2.1-02\n    message: REGISTER#1\n    reason: again\n",
			[]string{"line 6: expected each failure once, saw 7.2.1-02 REGISTER#1 again (first at line 3)"}},
		{"every problem at once",
			"requirements: [7.2.1-01]\nknown:\n  - requirement: 7.2.1-77\n    message: run\n    reason: \"\"\n  - requirement: 7.2.1-01\n    message: run\n    reason: r\n    until: 2020-01-01\n",
			[]string{"line 3: expected a requirement ID", "line 3: expected a reason", "line 9: expected until to be today"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b, err := Read(strings.NewReader(c.in), catalogue, today)
			if err == nil {
				t.Fatalf("expected errors %q, saw none and %+v", c.want, b)
			}
			if b != nil {
				t.Errorf("expected no baseline beside the error, saw %+v", b)
			}
			got := strings.Split(err.Error(), "\n")
			if len(got) != len(c.want) {
				t.Fatalf("expected %d problems %q, saw %d: %q", len(c.want), c.want, len(got), got)
			}
			for i, w := range c.want {
				if !strings.Contains(got[i], w) {
					t.Errorf("expected problem %d to contain %q, saw %q", i+1, w, got[i])
				}
			}
		})
	}
}

func TestReadErrorsCarryTheLine(t *testing.T) {
	_, err := Read(strings.NewReader(entry+"    message: 0003-REGISTER-udp-127.0.0.1_54321.sip\n    reason: r\n"), catalogue, today)
	var le *LineError
	if !errors.As(err, &le) || le.Line != 4 {
		t.Fatalf("expected a *LineError at line 4, saw %#v", err)
	}
}

func TestUntilIsInclusive(t *testing.T) {
	in := entry + "    message: run\n    reason: r\n    until: 2026-11-25\n"
	for _, day := range []struct {
		when    time.Time
		expired bool
	}{
		{time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC), false},
		{time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC), false},
		{today, false}, // 2026-11-25 where the reader is, though already the 26th in UTC
		{time.Date(2026, 11, 26, 0, 0, 1, 0, time.UTC), true},
	} {
		_, err := Read(strings.NewReader(in), catalogue, day.when)
		if (err != nil) != day.expired {
			t.Errorf("on %s expected expired=%t, saw %v", day.when, day.expired, err)
		}
	}
}
