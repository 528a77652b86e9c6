package validators_test

import (
	"bytes"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/mcptt-conformance/mcptt-conformance/capture"
	"github.com/mcptt-conformance/mcptt-conformance/client"
	"github.com/mcptt-conformance/mcptt-conformance/validators"
	"github.com/mcptt-conformance/mcptt-conformance/verdict"
	"github.com/mcptt-conformance/mcptt-conformance/wire/sipmsg"
)

// register returns the reference client's conformant plaintext REGISTER.
func register(t testing.TB) []byte {
	p := load(t, profiles[client.ModeRegister])
	raw, err := client.Build(config(t, p, client.ModeRegister), client.Register, client.Leg{
		Local: "127.0.0.1:5071", CallID: "call-1", FromTag: "tag-1", CSeq: 1, Branch: "z9hG4bK-1",
	})
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// judgeRaw judges one REGISTER given as bytes, answered 200.
func judgeRaw(t testing.TB, raw []byte, strict bool) map[string][]verdict.Result {
	p := load(t, profiles[client.ModeRegister])
	p.Logoff = false
	m := &capture.Message{Seq: 1, Name: "0001-REGISTER.sip", Transport: "udp", Raw: raw, Status: 200, Method: sipmsg.MethodOf(raw)}
	return judgeAll(validators.NewRun(p, []*capture.Message{m}, strict))
}

// withBody replaces the REGISTER's body and fixes Content-Length.
func withBody(t testing.TB, raw []byte, body string) []byte {
	head, _, ok := bytes.Cut(raw, []byte("\r\n\r\n"))
	if !ok {
		t.Fatal("no header end")
	}
	var lines []string
	for _, l := range strings.Split(string(head), "\r\n") {
		if strings.HasPrefix(strings.ToLower(l), "content-length:") {
			l = fmt.Sprintf("Content-Length: %d", len(body))
		}
		lines = append(lines, l)
	}
	return []byte(strings.Join(lines, "\r\n") + "\r\n\r\n" + body)
}

// Readings facts.md section 0 accepts as lenient pass with the reading named and fail
// under --strict; readings it refuses fail either way.
func TestReadingsOfFeatureTags(t *testing.T) {
	const tag, icsi = `;+g.3gpp.mcptt;`, `+g.3gpp.icsi-ref="urn%3Aurn-7%3A3gpp-service.ims.icsi.mcptt"`
	cases := []struct {
		name, old, new, id string
		lenient            bool // passes unless strict
	}{
		{"mcptt TRUE", tag, `;+g.3gpp.mcptt="TRUE";`, "7.2.1-02", true},
		{"no plus", tag, `;g.3gpp.mcptt;`, "7.2.1-02", false},
		{"tag as URI parameter", tag, `;`, "7.2.1-02", false},
		{"icsi not encoded", icsi, `+g.3gpp.icsi-ref="urn:urn-7:3gpp-service.ims.icsi.mcptt"`, "7.2.1-03", true},
		{"icsi bad escape", icsi, `+g.3gpp.icsi-ref="urn%ZZurn-7%3A3gpp-service.ims.icsi.mcptt"`, "7.2.1-03", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			raw := register(t)
			if !bytes.Contains(raw, []byte(c.old)) {
				t.Fatalf("the conformant REGISTER no longer holds %q", c.old)
			}
			raw = bytes.Replace(raw, []byte(c.old), []byte(c.new), 1)
			if c.name == "tag as URI parameter" {
				raw = bytes.Replace(raw, []byte(";transport=udp>"), []byte(";transport=udp;+g.3gpp.mcptt>"), 1)
			}
			for _, strict := range []bool{false, true} {
				res := judgeRaw(t, raw, strict)
				want := []string{c.id}
				if c.lenient && !strict {
					want = nil
				}
				if got := failing(res); !slices.Equal(got, want) {
					t.Errorf("strict=%t: expected failures %v, saw %v\n%s", strict, want, got, describe(res, c.id))
				}
				if c.lenient && !strict && !strings.Contains(describe(res, c.id), "lenient") {
					t.Errorf("expected the detail to name the lenient reading, saw\n%s", describe(res, c.id))
				}
			}
		})
	}
}

// Hostile bodies become fails with clear reasons; no file content ever appears in a
// detail, and nothing panics or hangs.
func TestHostileBodies(t *testing.T) {
	passwd, _ := os.ReadFile("/etc/passwd")
	firstLine, _, _ := strings.Cut(string(passwd), "\n")
	const root = `<mcpttinfo xmlns="urn:3gpp:ns:mcpttInfo:1.0"><mcptt-Params><mcptt-access-token type="Normal"><mcpttString>&e;</mcpttString></mcptt-access-token></mcptt-Params></mcpttinfo>`
	cases := map[string]string{
		"external entity": `<?xml version="1.0"?><!DOCTYPE m [<!ENTITY e SYSTEM "file:///etc/passwd">]>` + root,
		"entity bomb": `<?xml version="1.0"?><!DOCTYPE m [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">` +
			`<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;"><!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">]>` + root,
		"deep nesting": strings.Repeat("<a>", 100000) + strings.Repeat("</a>", 100000),
		"not XML":      "\x00\x01\x02 binary",
	}
	for name, body := range cases {
		t.Run(name, func(t *testing.T) {
			raw := withBody(t, register(t), body)
			res := judgeRaw(t, raw, false)
			if v := worst(res["MIME-02"]); v != verdict.Fail {
				t.Errorf("expected MIME-02 to fail, saw %s\n%s", v, describe(res, "MIME-02"))
			}
			all := describe(res, failing(res)...)
			if firstLine != "" && strings.Contains(all, firstLine) {
				t.Fatalf("file content leaked into a detail:\n%s", all)
			}
			for id, rs := range res {
				if worst(rs) == verdict.Error {
					t.Errorf("%s: the check itself failed: %s", id, describe(res, id))
				}
			}
		})
	}
}

// Broken framing and truncated messages are fails, never panics.
func TestBrokenMessages(t *testing.T) {
	raw := register(t)
	cases := map[string]struct {
		raw  []byte
		want string
	}{
		"truncated headers": {raw[:len(raw)/3], "7.2.1-01"},
		"garbage":           {[]byte("\xff\xfe\x00 hello"), "7.2.1-01"},
		"body cut short":    {raw[:len(raw)-20], "MIME-03"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			res := judgeRaw(t, c.raw, false)
			if v := worst(res[c.want]); v != verdict.Fail {
				t.Errorf("expected %s to fail, saw %s\n%s", c.want, v, describe(res, c.want))
			}
		})
	}
}

// BenchmarkRegister measures one plaintext REGISTER through the whole validation path:
// parsing, every requirement of the catalogue, XSD validation included. Its XML body
// is the one of the iteration before, as a client's re-REGISTER carries the body of
// its REGISTER: the body is parsed and validated once (bodies.go).
// BenchmarkRegisterNewBody measures the same REGISTER with a body never seen before.
func BenchmarkRegister(b *testing.B) { benchmarkRegister(b) }

func BenchmarkRegisterNewBody(b *testing.B) { benchmarkRegister(b, validators.ForgetBodies) }

func benchmarkRegister(b *testing.B, before ...func()) {
	raw := register(b)
	p := load(b, profiles[client.ModeRegister])
	p.Logoff = false
	benchmarkRun(b, p, []*capture.Message{{Seq: 1, Name: "r.sip", Transport: "udp", Raw: raw, Status: 200, Method: "REGISTER"}}, nil, before...)
}

// BenchmarkPublish measures one plaintext PUBLISH (two-part body) through the whole
// validation path.
func BenchmarkPublish(b *testing.B) {
	p := load(b, profiles[client.ModePublish])
	raw, err := client.Build(config(b, p, client.ModePublish), client.Publish, client.Leg{
		Local: "127.0.0.1:5071", CallID: "call-1", FromTag: "tag-1", CSeq: 1, Branch: "z9hG4bK-1",
	})
	if err != nil {
		b.Fatal(err)
	}
	benchmarkRun(b, p, []*capture.Message{{Seq: 1, Name: "p.sip", Transport: "udp", Raw: raw, Status: 200, Method: "PUBLISH"}}, nil)
}

// A PUBLISH whose Request-URI is not the server's PSI (a rule known only from secondary
// sources) passes 7.2.2-01 with the reading named, and fails it under --strict.
func TestPublishRequestURIIsLenient(t *testing.T) {
	p := load(t, profiles[client.ModePublish])
	cfg := config(t, p, client.ModePublish)
	cfg.PSI = "sip:somewhere-else@mcptt.example.com"
	for _, strict := range []bool{false, true} {
		res := judge(t, p, cfg, strict)
		want := []string(nil)
		if strict {
			want = []string{"7.2.2-01"}
		}
		if got := failing(res); !slices.Equal(got, want) {
			t.Fatalf("strict=%t: expected failures %v, saw %v\n%s", strict, want, got, describe(res, "7.2.2-01"))
		}
		if !strings.Contains(describe(res, "7.2.2-01"), "is not the server's PSI") {
			t.Errorf("expected the detail to name the Request-URI, saw\n%s", describe(res, "7.2.2-01"))
		}
	}
}
