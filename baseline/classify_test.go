package baseline

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"github.com/mcptt-conformance/mcptt-conformance/verdict"
)

func TestClassify(t *testing.T) {
	b := &Baseline{
		Requirements: []string{"7.2.1-01", "7.2.1-02", "7.2.1-03"},
		Known: []Entry{
			{Requirement: "7.2.1-02", Message: "REGISTER#1", Reason: "r", Line: 3},
			{Requirement: "7.2.1-03", Message: "REGISTER#1", Reason: "r", Line: 7},
			{Requirement: "7.2.1-03", Message: "REGISTER#2", Reason: "r", Line: 11},
			{Requirement: "7.2.2-16", Message: "run", Reason: "added by hand", Line: 15},
		},
	}
	rows := []Row{
		row("7.2.1-01", verdict.Pass, "0001-REGISTER-udp-127.0.0.1_6000.sip"),         // pass
		row("7.2.1-01", verdict.Fail, "0002-REGISTER-udp-127.0.0.1_6000.sip"),         // regression
		row("7.2.1-02", verdict.Fail, "0001-REGISTER-udp-127.0.0.1_6000.sip"),         // known
		row("7.2.1-02", verdict.Pass, "0002-REGISTER-udp-127.0.0.1_6000.sip"),         // pass
		row("7.2.1-03", verdict.Pass, "0001-REGISTER-udp-127.0.0.1_6000.sip"),         // fixed
		row("7.2.1-03", verdict.Inconclusive, "0002-REGISTER-udp-127.0.0.1_6000.sip"), // entry unmatched
		row("7.2.2-16", verdict.Fail, "run"),                                          // known: an entry covers its requirement
		row("7A.2.1-01", verdict.Fail, "0002-REGISTER-udp-127.0.0.1_6000.sip"),        // new
		row("7A.2.1-02", verdict.Pass, "0002-REGISTER-udp-127.0.0.1_6000.sip"),        // new
		row("7.2.1-05", verdict.NotTested, "run"),                                     // new
	}
	c := Classify(b, rows)
	want := []Class{"", Regression, Known, "", Fixed, "", Known, New, New, New}
	var got []Class
	for _, cr := range c.Rows {
		got = append(got, cr.Class)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("expected classes %q, saw %q", want, got)
	}
	for i, cr := range c.Rows {
		if cr.Row.Result.Requirement != rows[i].Result.Requirement || cr.Row.Result.Message != rows[i].Result.Message {
			t.Errorf("row %d: expected the run's row, saw %+v", i, cr.Row)
		}
		if (cr.Entry != nil) != (cr.Class == Known || cr.Class == Fixed) {
			t.Errorf("row %d (%s): expected an entry exactly for known and fixed, saw %+v", i, cr.Class, cr.Entry)
		}
	}
	if c.Rows[2].Entry.Line != 3 || c.Rows[4].Entry.Line != 7 || c.Rows[6].Entry.Line != 15 {
		t.Errorf("expected the rows matched to the entries at lines 3, 7, 15, saw %+v %+v %+v", c.Rows[2].Entry, c.Rows[4].Entry, c.Rows[6].Entry)
	}
	if len(c.Fixed) != 1 || c.Fixed[0].Line != 7 {
		t.Errorf("expected the entry at line 7 fixed, saw %+v", c.Fixed)
	}
	if len(c.Unmatched) != 1 || c.Unmatched[0].Line != 11 {
		t.Errorf("expected the entry at line 11 unmatched, saw %+v", c.Unmatched)
	}
}

func TestClassifyByClient(t *testing.T) {
	b := &Baseline{
		Requirements: []string{"7.2.1-02"},
		Known:        []Entry{{Requirement: "7.2.1-02", Message: "REGISTER#1", Client: "sip:alice@example.org", Reason: "r"}},
	}
	rows := []Row{
		clientRow("7.2.1-02", verdict.Fail, "0001-REGISTER-udp-127.0.0.1_5001.sip", "sip:alice@example.org"),
		clientRow("7.2.1-02", verdict.Fail, "0002-REGISTER-udp-127.0.0.1_5002.sip", "sip:bob@example.org"),
	}
	c := Classify(b, rows)
	if c.Rows[0].Class != Known || c.Rows[1].Class != Regression {
		t.Fatalf("expected alice's fail known and bob's a regression, saw %s and %s", c.Rows[0].Class, c.Rows[1].Class)
	}
}

func TestOutcomeWithBaseline(t *testing.T) {
	b := &Baseline{
		Requirements: []string{"7.2.1-01", "7.2.1-02"},
		Known:        []Entry{{Requirement: "7.2.1-02", Message: "register-001.sip", Reason: "r"}},
	}
	one := verdict.Requests{"REGISTER": 1}
	cases := []struct {
		name    string
		rows    []Row
		arrived verdict.Requests
		want    verdict.Outcome
	}{
		{"known fails only", []Row{row("7.2.1-01", verdict.Pass, "register-001.sip"), row("7.2.1-02", verdict.Fail, "register-001.sip")}, one, verdict.OutcomeConformant},
		{"fixed", []Row{row("7.2.1-01", verdict.Pass, "register-001.sip"), row("7.2.1-02", verdict.Pass, "register-001.sip")}, one, verdict.OutcomeConformant},
		{"a regression", []Row{row("7.2.1-01", verdict.Fail, "register-001.sip"), row("7.2.1-02", verdict.Fail, "register-001.sip")}, one, verdict.OutcomeNonConformant},
		{"a new requirement fails", []Row{row("7.2.1-02", verdict.Fail, "register-001.sip"), row("7.2.1-03", verdict.Fail, "register-001.sip")}, one, verdict.OutcomeNonConformant},
		{"a new requirement passes", []Row{row("7.2.1-02", verdict.Fail, "register-001.sip"), row("7.2.1-03", verdict.Pass, "register-001.sip")}, one, verdict.OutcomeConformant},
		{"known fail and inconclusive", []Row{row("7.2.1-01", verdict.Inconclusive, "run"), row("7.2.1-02", verdict.Fail, "register-001.sip")}, one, verdict.OutcomeInconclusive},
		{"known fail, request missing", []Row{row("7.2.1-02", verdict.Fail, "register-001.sip")}, nil, verdict.OutcomeInconclusive},
		{"known fail and a suite error", []Row{row("7.2.1-01", verdict.Error, "run"), row("7.2.1-02", verdict.Fail, "register-001.sip")}, one, verdict.OutcomeError},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := Classify(b, c.rows).Outcome(one, c.arrived); got != c.want {
				t.Fatalf("expected %s, saw %s", c.want, got)
			}
		})
	}
}

// TestAcceptance is issue 13's sequence over synthetic rows of a live run, each run
// from a new source port: a client that sends nothing, one fail, that run's baseline
// (reasons filled in), the baseline on a clean run, a second different fail with the
// baseline, a malformed baseline.
func TestAcceptance(t *testing.T) {
	awaited := verdict.Requests{"REGISTER": 1}
	live := func(port string, v01, v02, v03 verdict.Verdict) []Row {
		name := "0001-REGISTER-udp-127.0.0.1_" + port + ".sip"
		return []Row{row("7.2.1-01", v01, name), row("7.2.1-02", v02, name), row("7.2.1-03", v03, name),
			row("7.2.1-05", verdict.NotTested, "run"), row("7.2.2-01", verdict.NotApplicable, "run")}
	}
	results := func(rows []Row) []verdict.Result {
		var rs []verdict.Result
		for _, r := range rows {
			rs = append(rs, r.Result)
		}
		return rs
	}

	silent := []Row{row("7.2.1-01", verdict.Inconclusive, "run"), row("7.2.1-02", verdict.Inconclusive, "run")}
	if o := verdict.OutcomeOf(results(silent), awaited, nil); o != verdict.OutcomeInconclusive || o.ExitCode() != 3 {
		t.Fatalf("a client that sends nothing: expected inconclusive, exit 3, saw %s, exit %d", o, o.ExitCode())
	}

	failing := live("54321", verdict.Pass, verdict.Fail, verdict.Pass)
	arrived := verdict.Requests{"REGISTER": 1}
	if o := verdict.OutcomeOf(results(failing), awaited, arrived); o.ExitCode() != 1 {
		t.Fatalf("one fail: expected exit 1, saw %s, exit %d", o, o.ExitCode())
	}

	var file bytes.Buffer
	if err := Write(&file, failing); err != nil {
		t.Fatal(err)
	}
	if b, err := Read(bytes.NewReader(file.Bytes()), catalogue, today); err != nil || Classify(b, failing).Outcome(awaited, arrived).ExitCode() != 0 {
		t.Fatalf("the written baseline as it is: expected it read and the same run to pass the gate, saw %v", err)
	}
	filled := strings.ReplaceAll(file.String(), "reason: "+Placeholder, "reason: vendor ticket 4711")
	b, err := Read(strings.NewReader(filled), catalogue, today)
	if err != nil {
		t.Fatalf("the baseline with its reasons filled in: %v\n%s", err, filled)
	}

	again := live("40000", verdict.Pass, verdict.Fail, verdict.Pass)
	c := Classify(b, again)
	if o := c.Outcome(awaited, arrived); o.ExitCode() != 0 {
		t.Fatalf("the run's baseline: expected exit 0, saw %s, exit %d", o, o.ExitCode())
	}
	if c.Rows[1].Class != Known || c.Rows[1].Entry.Reason != "vendor ticket 4711" {
		t.Fatalf("the run's baseline: expected the known failure listed with its reason, saw %+v", c.Rows[1])
	}

	clean := live("40001", verdict.Pass, verdict.Pass, verdict.Pass)
	c = Classify(b, clean)
	if o := c.Outcome(awaited, arrived); o.ExitCode() != 0 {
		t.Fatalf("the baseline on a clean run: expected exit 0, saw %s, exit %d", o, o.ExitCode())
	}
	if len(c.Fixed) != 1 || c.Fixed[0].Requirement != "7.2.1-02" || c.Rows[1].Class != Fixed {
		t.Fatalf("the baseline on a clean run: expected 7.2.1-02 listed fixed, saw %+v", c.Fixed)
	}

	other := live("40002", verdict.Pass, verdict.Pass, verdict.Fail)
	c = Classify(b, other)
	if o := c.Outcome(awaited, arrived); o.ExitCode() != 1 {
		t.Fatalf("a second, different fail: expected exit 1, saw %s, exit %d", o, o.ExitCode())
	}
	if c.Rows[2].Class != Regression {
		t.Fatalf("a second, different fail: expected a regression, saw %q", c.Rows[2].Class)
	}

	malformed := strings.Replace(filled, "requirement: 7.2.1-02", "requirement: [7.2.1-02", 1)
	if _, err := Read(strings.NewReader(malformed), catalogue, today); err == nil || !strings.Contains(err.Error(), "line") {
		t.Fatalf("a malformed baseline: expected an error naming the line (exit %d), saw %v", verdict.ExitUsage, err)
	}
}

func TestWrite(t *testing.T) {
	rows := []Row{
		row("7.2.1-01", verdict.Pass, "0001-REGISTER-udp-127.0.0.1_54321.sip"),
		row("7.2.1-02", verdict.Fail, "0003-REGISTER-udp-127.0.0.1_54321.sip"),
		clientRow("7.2.2-16", verdict.Fail, "run", "sip:alice@example.org"),
		row("7.2.1-03", verdict.Inconclusive, "run"),
	}
	rows[1].Result.Detail = `Contact has no g.3gpp.mcptt feature tag (Contact: <sip:alice@198.51.100.7:5070>;+g.3gpp.icsi-ref="urn%3Aurn-7%3A3gpp-service.ims.icsi.mcptt")`
	rows[2].Result.Detail = "#1: looks like a comment"
	var out bytes.Buffer
	if err := Write(&out, rows); err != nil {
		t.Fatal(err)
	}
	want := `# Expected failures for mcptt-conformance --baseline (docs/baseline.md).
# Every entry needs a reason: replace each TODO with why the failure is accepted
# (the reports list an entry left so as unexplained). An entry may end on a date: add until: YYYY-MM-DD.
requirements: [7.2.1-01, 7.2.1-02, 7.2.2-16, 7.2.1-03]
known:
  - requirement: 7.2.1-02
    message: REGISTER#2 # 0003-REGISTER-udp-127.0.0.1_54321.sip
    detail: 'Contact has no g.3gpp.mcptt feature tag (Contact: <sip:alice@198.51.100.7:5070>;+g.3gpp.icsi-ref="urn%3Aurn-7%3A3gpp-service.ims.icsi.mcptt")'
    reason: TODO
  - requirement: 7.2.2-16
    message: run
    client: sip:alice@example.org
    detail: '#1: looks like a comment'
    reason: TODO
`
	if out.String() != want {
		t.Fatalf("expected\n%s\nsaw\n%s", want, out.String())
	}
}

// TestWriteReadRoundTrip: every fail Write writes, Read gives back as the same entry,
// and the same run classifies every fail known.
func TestWriteReadRoundTrip(t *testing.T) {
	rows := []Row{
		row("7.2.1-01", verdict.Fail, "0001-REGISTER-udp-[::1]_5070.sip"),
		row("7.2.1-01", verdict.Fail, "0001-REGISTER-udp-[::1]_5070.sip"), // a repeat: one entry
		clientRow("7.2.1-02", verdict.Fail, "0002-REGISTER-udp-127.0.0.1_5001.sip, 0004-REGISTER-udp-127.0.0.1_5001.sip", "sip:bob@example.org"),
		row("7.2.1-03", verdict.Fail, "register 001.sip"),
		row("7.2.2-16", verdict.Fail, "run"),
	}
	rows[3].Result.Detail = "line one\nline two: 'quoted' \"too\""
	var out bytes.Buffer
	if err := Write(&out, rows); err != nil {
		t.Fatal(err)
	}
	filled := strings.ReplaceAll(out.String(), "reason: "+Placeholder, "reason: accepted")
	b, err := Read(strings.NewReader(filled), catalogue, today)
	if err != nil {
		t.Fatalf("%v\n%s", err, filled)
	}
	if len(b.Known) != 4 {
		t.Fatalf("expected 4 entries, saw %+v", b.Known)
	}
	if b.Known[2].Detail != rows[3].Result.Detail || b.Known[1].Client != "sip:bob@example.org" {
		t.Fatalf("expected detail and client read back as written, saw %+v", b.Known)
	}
	c := Classify(b, rows)
	for i, cr := range c.Rows {
		if cr.Class != Known {
			t.Errorf("row %d: expected known, saw %q", i, cr.Class)
		}
	}
	if len(c.Fixed) != 0 || len(c.Unmatched) != 0 {
		t.Errorf("expected nothing fixed or unmatched, saw %+v %+v", c.Fixed, c.Unmatched)
	}
}

func TestWriteCleanRun(t *testing.T) {
	var out bytes.Buffer
	if err := Write(&out, []Row{row("7.2.1-01", verdict.Pass, "run")}); err != nil {
		t.Fatal(err)
	}
	b, err := Read(&out, catalogue, today)
	if err != nil || len(b.Known) != 0 || !slices.Equal(b.Requirements, []string{"7.2.1-01"}) {
		t.Fatalf("expected a baseline of one requirement and no entries, saw %+v, %v", b, err)
	}
}
