package validators_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mcptt-conformance/mcptt-conformance/capture"
	"github.com/mcptt-conformance/mcptt-conformance/client"
	"github.com/mcptt-conformance/mcptt-conformance/kms"
	"github.com/mcptt-conformance/mcptt-conformance/profile"
	"github.com/mcptt-conformance/mcptt-conformance/validators"
	"github.com/mcptt-conformance/mcptt-conformance/verdict"
	"github.com/mcptt-conformance/mcptt-conformance/wire/sipmsg"
)

// profiles are the bundled plaintext profiles, one per reference-client mode.
var profiles = map[client.Mode]string{
	client.ModeRegister:  "../fixtures/profiles/plain-register.yaml",
	client.ModePublish:   "../fixtures/profiles/plain-publish.yaml",
	client.ModeMigration: "../fixtures/profiles/plain-migration.yaml",
}

// config is the reference client's configuration for a profile, as its exec line has it.
func config(t testing.TB, p *profile.Profile, mode client.Mode) *client.Config {
	cfg := &client.Config{
		Server: "127.0.0.1:5070", Transport: "udp", Local: "127.0.0.1", Mode: mode,
		MCPTTID: p.Identity.MCPTTID, ClientID: p.Identity.ClientID, Token: p.Identity.AccessToken,
		PartnerToken: p.Identity.PartnerToken, PrimaryMCPTTID: p.Identity.PrimaryMCPTTID,
		ProfileIndex: -1, AnswerMode: p.Settings.AnswerMode, PSI: p.Server.PSI, Timeout: time.Second,
	}
	if v := p.Settings.UserProfileIndex; v != nil {
		cfg.ProfileIndex = *v
	}
	if v := p.Settings.MultiplexSupport; v != nil {
		cfg.Multiplex = *v
	}
	return cfg
}

// exchange is one request of a flow and the status the suite answered it with.
type exchange struct {
	kind   client.Kind
	status int
}

// flow lists what the reference client sends in a mode; rejected means the suite
// answers the PUBLISH with 403.
func flow(cfg *client.Config, rejected bool) []exchange {
	switch cfg.Mode {
	case client.ModePublish:
		if !rejected && slices.Contains(cfg.Variants, "publish-refresh") {
			return []exchange{{client.Register, 200}, {client.Publish, 200}, {client.Refresh, 200}, {client.Removal, 200}}
		}
		if !rejected {
			return []exchange{{client.Register, 200}, {client.Publish, 200}}
		}
		if cfg.Break == "7.2.2-16" {
			return []exchange{{client.Register, 200}, {client.Publish, 403}, {client.Invite, 405}}
		}
		return []exchange{{client.Register, 200}, {client.Publish, 403}, {client.Deregister, 200}}
	case client.ModeRegister:
		if cfg.Logoff || cfg.Break == "7.2.1-04" {
			return []exchange{{client.Register, 200}, {client.Logoff, 200}}
		}
	}
	return []exchange{{client.Register, 200}}
}

// judge builds the flow's requests without sockets, as captures, and judges every
// requirement of the catalogue over them.
func judge(t testing.TB, p *profile.Profile, cfg *client.Config, strict bool) map[string][]verdict.Result {
	t.Helper()
	var msgs []*capture.Message
	for i, x := range flow(cfg, p.Server.PublishResponse != nil) {
		leg := client.Leg{
			Local: "127.0.0.1:5071", CallID: "call-1", FromTag: "tag-1",
			CSeq: uint32(i + 1), Branch: fmt.Sprintf("z9hG4bK-%d", i),
		}
		if x.kind == client.Refresh || x.kind == client.Removal {
			leg.IfMatch = fmt.Sprintf("etag-%d", i) // the tag of the 200 before
		}
		raw, err := client.Build(cfg, x.kind, leg)
		if err != nil {
			t.Fatalf("building %v: %v", x.kind, err)
		}
		m := &capture.Message{Seq: i + 1, Transport: cfg.Transport, Peer: "127.0.0.1:5071", Raw: raw, Status: x.status}
		m.Method = sipmsg.MethodOf(raw)
		m.Name = fmt.Sprintf("%04d-%s.sip", i+1, m.Method)
		msgs = append(msgs, m)
	}
	return judgeAll(validators.NewRun(p, msgs, strict))
}

// judgeAll judges every requirement of the catalogue over a run.
func judgeAll(run *validators.Run) map[string][]verdict.Result {
	out := map[string][]verdict.Result{}
	for _, req := range validators.Catalogue() {
		out[req.ID] = req.Judge(run)
	}
	return out
}

// benchmarkRun measures judging every requirement over fresh runs of msgs.
func benchmarkRun(b *testing.B, p *profile.Profile, msgs []*capture.Message, keys *kms.KeyFile, before ...func()) {
	cat := validators.Catalogue()
	b.ReportAllocs()
	for b.Loop() {
		for _, f := range before {
			f()
		}
		run := validators.NewRun(p, msgs, false)
		run.Keys = keys
		for _, req := range cat {
			req.Judge(run)
		}
	}
}

func worst(rs []verdict.Result) verdict.Verdict {
	var vs []verdict.Verdict
	for _, r := range rs {
		vs = append(vs, r.Verdict)
	}
	return verdict.Worst(vs...)
}

func failing(results map[string][]verdict.Result) []string {
	var ids []string
	for id, rs := range results {
		if worst(rs).Bad() {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return ids
}

func describe(results map[string][]verdict.Result, ids ...string) string {
	var b strings.Builder
	for _, id := range ids {
		for _, r := range results[id] {
			fmt.Fprintf(&b, "  %s %s [%s] %s\n", r.Requirement, r.Verdict, r.Message, r.Detail)
			if r.Expected != "" || r.Actual != "" {
				fmt.Fprintf(&b, "    expected: %s\n    actual:   %s\n", r.Expected, r.Actual)
			}
		}
	}
	return b.String()
}

func load(t testing.TB, path string) *profile.Profile {
	t.Helper()
	p, err := profile.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// The reference client's conformant requests pass in every mode, strict included, with
// a result for every requirement.
func TestConformantRequestsPass(t *testing.T) {
	paths := []string{"../fixtures/profiles/plain-publish-rejected.yaml"}
	for _, p := range profiles {
		paths = append(paths, p)
	}
	for _, path := range paths {
		for _, strict := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/strict=%t", path, strict), func(t *testing.T) {
				p := load(t, path)
				mode := client.Mode(p.Authz)
				if p.Migration {
					mode = client.ModeMigration
				}
				cfg := config(t, p, mode)
				cfg.Logoff = p.Logoff
				res := judge(t, p, cfg, strict)
				if f := failing(res); len(f) > 0 {
					t.Fatalf("expected no failure, saw %v\n%s", f, describe(res, f...))
				}
				for _, req := range validators.Catalogue() {
					if len(res[req.ID]) == 0 {
						t.Errorf("%s has no result", req.ID)
					}
				}
			})
		}
	}
}

// Every defect the reference client can produce fails exactly its requirement.
func TestEachBreakFailsOnlyItsRequirement(t *testing.T) {
	for _, b := range client.Breaks {
		for _, mode := range b.Modes {
			t.Run(b.Name+"/"+string(mode), func(t *testing.T) {
				path := profiles[mode]
				if b.Name == "7.2.2-16" {
					path = "../fixtures/profiles/plain-publish-rejected.yaml"
				}
				p := load(t, path)
				cfg := config(t, p, mode)
				cfg.Break = b.Name
				res := judge(t, p, cfg, false)
				if got := failing(res); !slices.Equal(got, []string{b.Name}) {
					t.Fatalf("--break %s (%s): expected only %s to fail, saw %v\n%s", b.Name, b.Doc, b.Name, got, describe(res, append(got, b.Name)...))
				}
				for _, r := range res[b.Name] {
					if r.Verdict == verdict.Fail && (r.Expected == "" || r.Actual == "") {
						t.Errorf("--break %s: the fail has no specific expectation (expected %q, actual %q): %s", b.Name, r.Expected, r.Actual, r.Detail)
					}
				}
			})
		}
	}
}

// Legal variations of the wire format fail nothing, strict included.
func TestLegalVariationsPass(t *testing.T) {
	for _, v := range client.Variants {
		for _, mode := range v.Modes {
			t.Run(v.Name+"/"+string(mode), func(t *testing.T) {
				p := load(t, profiles[mode])
				cfg := config(t, p, mode)
				cfg.Variants = []string{v.Name}
				res := judge(t, p, cfg, true)
				if f := failing(res); len(f) > 0 {
					t.Fatalf("variant %s: expected no failure, saw %v\n%s", v.Name, f, describe(res, f...))
				}
			})
		}
	}
}

// A requirement whose options the profile does not declare does not apply, with
// every reason in one row; one reason costs no more than the row itself.
func TestNotApplicableSaysWhy(t *testing.T) {
	cases := []struct{ profile, id, why string }{
		{profiles[client.ModeRegister], "7.2.1-10", "does not apply: confidentiality protection is off and integrity protection is off"},
		{profiles[client.ModeRegister], "7.2.2-01", "does not apply: the profile declares service authorisation by REGISTER, not PUBLISH"},
		{profiles[client.ModeMigration], "7.2.1-02", "does not apply: the run is a migration registration, judged under 7A.2.1"},
		{profiles[client.ModeRegister], "7.2.1-05", "does not apply: the profile declares no MCPTT service continuity support (continuity: false)"},
		{profiles[client.ModePublish], "7A.2.1-09", "does not apply: the profile declares service authorisation by PUBLISH, not REGISTER; " +
			"the run is not a migration registration (7A.2.1); confidentiality protection is off and integrity protection is off"},
	}
	for _, c := range cases {
		t.Run(c.id, func(t *testing.T) {
			req, _ := validators.Lookup(c.id)
			run := validators.NewRun(load(t, c.profile), nil, false)
			res := req.Judge(run)
			if len(res) != 1 || res[0].Verdict != verdict.NotApplicable || res[0].Detail != c.why {
				t.Fatalf("expected one not-applicable row %q, saw %v", c.why, res)
			}
			if !strings.Contains(c.why, ";") {
				if n := testing.AllocsPerRun(10, func() { req.Judge(run) }); n > 1 {
					t.Errorf("expected one allocation (the row), saw %.0f", n)
				}
			}
		})
	}
}
