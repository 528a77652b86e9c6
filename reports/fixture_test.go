package reports

import (
	"bytes"
	"testing"
	"time"

	"github.com/mcptt-conformance/mcptt-conformance/verdict"
)

// token is an access token that must never appear in a redacted report. Its
// characters need escaping in JSON, XML and HTML, so that an escaped form slipping
// through would be caught too: every form contains tokenCore.
const (
	tokenCore = "eyJhbGciOiJSUzI1NiJ9TOKEN"
	token     = tokenCore + `&<q>"'`
)

var (
	started  = time.Date(2026, 11, 25, 11, 0, 0, 0, time.FixedZone("CET", 3600))
	finished = started.Add(3*time.Second + 250*time.Millisecond)
)

// byVerdict names, for each verdict, the case of sampleRun that has it.
var byVerdict = map[verdict.Verdict]string{
	verdict.Pass:          "7.2.1-02",
	verdict.Fail:          "7.2.1-08",
	verdict.Inconclusive:  "7.2.2-16",
	verdict.NotApplicable: "7.2.1-10",
	verdict.NotTested:     "7.2.1-05",
	verdict.Error:         "MIME-02",
}

// sampleRun has one case of every verdict, over three clauses, with the token in a
// detail, an evidence value, a suite error and a note.
func sampleRun() Run {
	return Run{
		Suite: "mcptt-conformance", Version: "0.1.0",
		Profile: "fixtures/profiles/plain-register.yaml", Source: "live udp:127.0.0.1:5060",
		Started: started, Finished: finished,
		CaptureDir: "captures",
		Secrets:    []string{token, ""},
		Notes:      []string{"2 unexpected OPTIONS requests answered 405", "client exited with status 0"},
		Cases: []Case{
			{
				ID: "7.2.1-02", Clause: "7.2.1", Title: "Contact carries g.3gpp.mcptt",
				Requirement: "carry the g.3gpp.mcptt media feature tag in Contact",
				Verdict:     verdict.Pass, Duration: 2 * time.Millisecond,
				Results: []verdict.Result{
					{Requirement: "7.2.1-02", Clause: "7.2.1", Verdict: verdict.Pass, Message: "register-001.sip", Detail: "Contact carries +g.3gpp.mcptt"},
					{Requirement: "7.2.1-02", Clause: "7.2.1", Verdict: verdict.Pass, Message: "register-002.sip", Detail: "Contact carries +g.3gpp.mcptt"},
				},
			},
			{
				ID: "7.2.1-08", Clause: "7.2.1", Title: "mcptt-access-token equals the token",
				Requirement: "<mcptt-access-token> equal to the token",
				Verdict:     verdict.Fail, Duration: time.Millisecond,
				Results: []verdict.Result{
					{Requirement: "7.2.1-08", Clause: "7.2.1", Verdict: verdict.Pass, Message: "register-001.sip", Detail: "mcptt-access-token equals the token"},
					{
						Requirement: "7.2.1-08", Clause: "7.2.1", Verdict: verdict.Fail, Message: "register-002.sip",
						Detail:   "mcptt-access-token is " + token + "x, expected " + token,
						Expected: "<mcptt-access-token> set to the access token " + token, Actual: token + "x",
						Evidence: map[string]any{"line": 14, "seen": token + "x", "nested": []any{map[string]string{"value": token}}},
					},
				},
			},
			{
				ID: "7.2.1-10", Clause: "7.2.1", Title: "application/mikey body",
				Requirement: "carry an application/mikey body",
				Verdict:     verdict.NotApplicable,
				Results: []verdict.Result{
					{Requirement: "7.2.1-10", Clause: "7.2.1", Verdict: verdict.NotApplicable, Detail: "the profile declares neither confidentiality nor integrity protection"},
				},
			},
			{
				ID: "7.2.1-05", Clause: "7.2.1", Title: "Service continuity",
				Requirement: "follow TS 24.237 clause 6.2.2",
				Verdict:     verdict.NotTested,
				Results: []verdict.Result{
					{Requirement: "7.2.1-05", Clause: "7.2.1", Verdict: verdict.NotTested, Detail: "TS 24.237 is a referenced spec this suite does not cover"},
				},
			},
			{
				ID: "7.2.2-16", Clause: "7.2.2", Title: "Not authorised after a rejected PUBLISH",
				Requirement: "the client considers itself not authorised",
				Verdict:     verdict.Inconclusive,
				Results: []verdict.Result{
					{Requirement: "7.2.2-16", Clause: "7.2.2", Verdict: verdict.Inconclusive, Message: "publish-003.sip, register-004.sip", Detail: "no request after the 403 showed whether the client went on"},
				},
			},
			{
				ID: "MIME-02", Clause: "MIME", Title: "XML bodies well-formed",
				Requirement: "be well-formed XML in UTF-8",
				Verdict:     verdict.Error,
				Error:       "panic in the XML check: token " + token,
			},
		},
	}
}

// render runs one writer into a buffer.
func render(t *testing.T, write func(*bytes.Buffer, Run) error, r Run) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := write(&b, r); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// writers lists the three writers by file name.
var writers = []struct {
	name  string
	write func(*bytes.Buffer, Run) error
}{
	{"verdicts.json", func(b *bytes.Buffer, r Run) error { return WriteJSON(b, r) }},
	{"junit.xml", func(b *bytes.Buffer, r Run) error { return WriteJUnit(b, r) }},
	{"report.html", func(b *bytes.Buffer, r Run) error { return WriteHTML(b, r) }},
}
