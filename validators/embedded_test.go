package validators_test

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/mcptt-conformance/mcptt-conformance/capture"
	"github.com/mcptt-conformance/mcptt-conformance/client"
	"github.com/mcptt-conformance/mcptt-conformance/validators"
	"github.com/mcptt-conformance/mcptt-conformance/verdict"
	"github.com/mcptt-conformance/mcptt-conformance/wire/sipmsg"
)

// imsRegister is a client's REGISTER as it reaches the S-CSCF through a P-CSCF,
// written from TS 24.229 5.1.1.2 and TS 24.379 7.2.1 (not by the reference client):
// the P-CSCF's Via and Path, digest credentials, the MCPTT feature tags and the
// mcptt-info body of Annex F.1. {cl} is the body's length; edit rewrites the text
// before that.
func imsRegister(edit ...func(string) string) string {
	const info = `<?xml version="1.0" encoding="UTF-8"?>
<mcpttinfo xmlns="urn:3gpp:ns:mcpttInfo:1.0">
 <mcptt-Params>
  <mcptt-access-token type="Normal"><mcpttString>eyJhbGciOiJub25lIn0.eyJzdWIiOiJhbGljZSJ9.</mcpttString></mcptt-access-token>
  <mcptt-client-id type="Normal"><mcpttString>urn:uuid:6f1c2e2a-4b7d-4d0e-9a51-2c3d4e5f6a7b</mcpttString></mcptt-client-id>
 </mcptt-Params>
</mcpttinfo>
`
	s := `REGISTER sip:mcptt.example.com SIP/2.0
Via: SIP/2.0/UDP pcscf.mcptt.example.com:5060;branch=z9hG4bK-pcscf-77
Via: SIP/2.0/UDP [2001:db8::7]:5060;received=2001:db8::7;branch=z9hG4bK-ue-41;rport=5060
Max-Forwards: 69
Path: <sip:term@pcscf.mcptt.example.com;lr>
From: <sip:alice@mcptt.example.com>;tag=ue-4711
To: <sip:alice@mcptt.example.com>
Call-ID: ue-reg-1@2001:db8::7
CSeq: 2 REGISTER
Contact: <sip:alice@[2001:db8::7]:5060>;expires=600;+sip.instance="<urn:uuid:6f1c2e2a-4b7d-4d0e-9a51-2c3d4e5f6a7b>";+g.3gpp.mcptt;+g.3gpp.icsi-ref="urn%3Aurn-7%3A3gpp-service.ims.icsi.mcptt"
Authorization: Digest username="alice", realm="mcptt.example.com", nonce="4e6f6e6365", uri="sip:mcptt.example.com", response="0123456789abcdef0123456789abcdef", algorithm=MD5, qop=auth, nc=00000001, cnonce="c0ffee"
Supported: path, gruu
P-Access-Network-Info: 3GPP-E-UTRAN-FDD; utran-cell-id-3gpp=2620100001234567
Content-Type: application/vnd.3gpp.mcptt-info+xml
Content-Length: {cl}

` + info
	for _, e := range edit {
		s = e(s)
	}
	s = strings.ReplaceAll(s, "\n", "\r\n")
	_, body, _ := strings.Cut(s, "\r\n\r\n")
	return strings.Replace(s, "{cl}", fmt.Sprint(len(body)), 1)
}

func replace(old, new string) func(string) string {
	return func(s string) string { return strings.Replace(s, old, new, 1) }
}

// The 200 OK the S-CSCF answers the client's REGISTER with, for IncludeRegisterResponse.
const scscfOK = "SIP/2.0 200 OK\r\n" +
	"Via: SIP/2.0/UDP pcscf.mcptt.example.com:5060;branch=z9hG4bK-pcscf-77\r\n" +
	"Via: SIP/2.0/UDP [2001:db8::7]:5060;received=2001:db8::7;branch=z9hG4bK-ue-41;rport=5060\r\n" +
	"From: <sip:alice@mcptt.example.com>;tag=ue-4711\r\n" +
	"To: <sip:alice@mcptt.example.com>;tag=scscf-9\r\n" +
	"Call-ID: ue-reg-1@2001:db8::7\r\n" +
	"CSeq: 2 REGISTER\r\n" +
	"Contact: <sip:alice@[2001:db8::7]:5060>;expires=600\r\n" +
	"Content-Length: 0\r\n\r\n"

// The service information an iFC may add (TS 29.228 ServiceInfo, TS 24.229 7.6).
const serviceInfo = `<?xml version="1.0" encoding="UTF-8"?>` + "\r\n" +
	`<ims-3gpp version="1"><service-info>mcptt-as-1</service-info></ims-3gpp>`

// thirdParty is the third-party REGISTER an S-CSCF sends the AS (TS 24.229 5.4.1.7):
// Request-URI the AS, From and Contact the S-CSCF, To the user's public identity,
// Expires the registration's, the body parts given (media type, bytes) as message/sip
// alone or multipart/mixed.
func thirdParty(edit func(string) string, parts ...[2]string) []byte {
	head := "REGISTER sip:mcptt-as.mcptt.example.com SIP/2.0\n" +
		"Via: SIP/2.0/UDP scscf.mcptt.example.com:6060;branch=z9hG4bK-scscf-3rd-1\n" +
		"Max-Forwards: 70\n" +
		"From: <sip:scscf.mcptt.example.com:6060>;tag=scscf-3rd\n" +
		"To: <sip:alice@mcptt.example.com>\n" +
		"Call-ID: scscf-3rd-1@scscf.mcptt.example.com\n" +
		"CSeq: 101 REGISTER\n" +
		"Contact: <sip:scscf.mcptt.example.com:6060>\n" +
		"Expires: 600\n"
	var ctype, body string
	if len(parts) == 1 {
		ctype, body = parts[0][0], parts[0][1]
	} else {
		ctype = "multipart/mixed;boundary=scscf-b1"
		for _, p := range parts {
			body += "--scscf-b1\r\nContent-Type: " + p[0] + "\r\n\r\n" + p[1] + "\r\n"
		}
		body += "--scscf-b1--\r\n"
	}
	head += "Content-Type: " + ctype + "\nContent-Length: {cl}\n"
	if edit != nil {
		head = edit(head)
	}
	head = strings.ReplaceAll(head, "\n", "\r\n")
	return []byte(strings.Replace(head, "{cl}", fmt.Sprint(len(body)), 1) + "\r\n" + body)
}

func msip(s string) [2]string { return [2]string{"message/sip", s} }

// judgeMessages judges raw requests in order, each answered 200, under the plaintext
// REGISTER profile without a declared log-off.
func judgeMessages(t testing.TB, logoff bool, raws ...[]byte) map[string][]verdict.Result {
	p := load(t, profiles[client.ModeRegister])
	p.Logoff = logoff
	return judgeAll(validators.NewRun(p, captures(raws...), false))
}

func captures(raws ...[]byte) []*capture.Message {
	var msgs []*capture.Message
	for i, raw := range raws {
		method := sipmsg.MethodOf(raw)
		msgs = append(msgs, &capture.Message{Seq: i + 1, Name: fmt.Sprintf("%04d-%s-udp.sip", i+1, method), Transport: "udp", Raw: raw, Status: 200, Method: method})
	}
	return msgs
}

// asDirect turns the rows of a run of third-party REGISTERs into those of the direct
// run of the REGISTERs they carry: the third-party REGISTER's own well-formedness row
// (which must pass) dropped, "#embedded" dropped from the names.
func asDirect(t *testing.T, res map[string][]verdict.Result) map[string][]verdict.Result {
	t.Helper()
	out := map[string][]verdict.Result{}
	for id, rs := range res {
		for _, r := range rs {
			if r.Message != "run" && !strings.Contains(r.Message, validators.EmbeddedSuffix) {
				if r.Verdict != verdict.Pass {
					t.Errorf("%s on the third-party REGISTER %s: expected pass, saw %s: %s", id, r.Message, r.Verdict, r.Detail)
				}
				continue
			}
			r.Message = strings.ReplaceAll(r.Message, validators.EmbeddedSuffix, "")
			out[id] = append(out[id], r)
		}
	}
	return out
}

// shapes are the legal third-party REGISTERs of TS 24.229 5.4.1.7 carrying reg: the
// REGISTER alone, with the S-CSCF's 200 OK, with service information, with both.
func shapes(reg string) map[string][]byte {
	return map[string][]byte{
		"message/sip":                        thirdParty(nil, msip(reg)),
		"request and response":               thirdParty(nil, msip(reg), msip(scscfOK)),
		"service-info and request":           thirdParty(nil, [2]string{"application/3gpp-ims+xml", serviceInfo}, msip(reg)),
		"service-info, request and response": thirdParty(nil, [2]string{"application/3gpp-ims+xml", serviceInfo}, msip(reg), msip(scscfOK)),
		"response first":                     thirdParty(nil, msip(scscfOK), msip(reg)),
	}
}

// Each legal shape of third-party REGISTER is judged exactly like the REGISTER it
// carries, sent directly: the same rows, each naming the carried REGISTER, and one
// more pass for the third-party REGISTER's own well-formedness.
func TestThirdPartyJudgedLikeDirect(t *testing.T) {
	reg := imsRegister()
	direct := judgeMessages(t, false, []byte(reg))
	if f := failing(direct); len(f) > 0 {
		t.Fatalf("the direct REGISTER: expected no failure, saw %v\n%s", f, describe(direct, f...))
	}
	for name, raw := range shapes(reg) {
		t.Run(name, func(t *testing.T) {
			res := judgeMessages(t, false, raw)
			got := asDirect(t, res)
			for _, id := range slices.Sorted(maps.Keys(direct)) {
				if !slices.EqualFunc(got[id], direct[id], sameRow) {
					t.Errorf("%s: expected the direct rows\n%s\nsaw\n%s", id, describe(direct, id), describe(res, id))
				}
			}
			if rs := res["7.2.1-01"]; len(rs) != 2 || !strings.Contains(rs[0].Detail, "third-party REGISTER") {
				t.Errorf("7.2.1-01: expected the third-party REGISTER's row then the carried one's, saw\n%s", describe(res, "7.2.1-01"))
			}
		})
	}
}

func sameRow(a, b verdict.Result) bool {
	a.Message = strings.Replace(a.Message, "0001-REGISTER-udp.sip", "", 1)
	b.Message = strings.Replace(b.Message, "0001-REGISTER-udp.sip", "", 1)
	return a.Verdict == b.Verdict && a.Message == b.Message && a.Detail == b.Detail && a.Expected == b.Expected && a.Actual == b.Actual
}

// Each defect of the carried REGISTER fails exactly its requirement, as it does sent
// directly, whatever the shape of the third-party REGISTER.
func TestThirdPartyDefectFailsItsRequirement(t *testing.T) {
	cases := []struct {
		name, id string
		edit     func(string) string
	}{
		{"no g.3gpp.mcptt", "7.2.1-02", replace(";+g.3gpp.mcptt;", ";")},
		{"other ICSI", "7.2.1-03", replace("icsi.mcptt\"", "icsi.mmtel\"")},
		{"no body", "7.2.1-06", func(s string) string {
			head, _, _ := strings.Cut(s, "\n\n")
			return strings.Replace(head, "Content-Type: application/vnd.3gpp.mcptt-info+xml\n", "", 1) + "\n\n"
		}},
		{"element outside the schema", "7.2.1-07", replace("</mcptt-Params>", "<mcptt-extra/></mcptt-Params>")},
		{"other token", "7.2.1-08", replace("eyJzdWIiOiJhbGljZSJ9.<", "eyJzdWIiOiJldmUifQ.<")},
		{"other client ID", "7.2.1-09", replace("4e5f6a7b</mcpttString>", "4e5f6a7c</mcpttString>")},
		{"no Call-ID", "7.2.1-01", replace("Call-ID: ue-reg-1@2001:db8::7\n", "")},
		{"Content-Length short", "MIME-03", replace("Content-Length: {cl}", "Content-Length: {cl}\nX-Pad: {cl}")},
		{"XML not well-formed", "MIME-02", replace("</mcpttinfo>", "</mcptt-info>")},
		{"broken multipart", "MIME-01", func(s string) string {
			head, body, _ := strings.Cut(s, "\n\n")
			head = strings.Replace(head, "application/vnd.3gpp.mcptt-info+xml", "multipart/mixed;boundary=ue-b", 1)
			return head + "\n\n--ue-b\nContent-Type: application/vnd.3gpp.mcptt-info+xml\n\n" + body
		}},
	}
	for _, c := range cases {
		reg := imsRegister(c.edit)
		if c.id == "MIME-03" {
			reg = shorten(reg)
		}
		direct := judgeMessages(t, false, []byte(reg))
		if got := failing(direct); !slices.Equal(got, []string{c.id}) {
			t.Fatalf("%s sent directly: expected only %s to fail, saw %v\n%s", c.name, c.id, got, describe(direct, got...))
		}
		for shape, raw := range shapes(reg) {
			t.Run(c.name+"/"+shape, func(t *testing.T) {
				res := judgeMessages(t, false, raw)
				if got := failing(res); !slices.Equal(got, []string{c.id}) {
					t.Fatalf("expected only %s to fail, saw %v\n%s", c.id, got, describe(res, append(got, c.id)...))
				}
				for _, r := range res[c.id] {
					if r.Verdict == verdict.Fail && !strings.HasSuffix(r.Message, validators.EmbeddedSuffix) {
						t.Errorf("the fail names %s, expected the carried REGISTER (…%s)", r.Message, validators.EmbeddedSuffix)
					}
				}
			})
		}
	}
}

// shorten makes the REGISTER's Content-Length one less than its body (the X-Pad
// header only keeps the header section's length).
func shorten(reg string) string {
	_, body, _ := strings.Cut(reg, "\r\n\r\n")
	return strings.Replace(strings.Replace(reg, fmt.Sprintf("Content-Length: %d", len(body)), fmt.Sprintf("Content-Length: %d", len(body)-1), 1), "X-Pad: ", "X-Pad: 1", 1)
}

// A third-party REGISTER that TS 24.229 5.4.1.7 does not build, or whose message/sip
// body cannot be judged as the client's REGISTER, fails the well-formedness
// requirement only, with its reason, and the run goes on.
func TestThirdPartyBadInput(t *testing.T) {
	reg := imsRegister()
	invite := strings.Replace(strings.Replace(reg, "REGISTER sip:mcptt.example.com", "INVITE sip:bob@mcptt.example.com", 1), "CSeq: 2 REGISTER", "CSeq: 2 INVITE", 1)
	cut := reg[:len(reg)-40]
	nested := string(thirdParty(nil, msip(reg)))
	cases := []struct {
		name, want string
		raw        []byte
	}{
		{"garbage", "bytes that cannot be read as SIP", thirdParty(nil, msip("\x00\x01 not SIP at all \xff"))},
		{"not a REGISTER", "a SIP INVITE request", thirdParty(nil, msip(invite))},
		{"cut short", "cut short by the end of the message/sip body", thirdParty(nil, msip(cut))},
		{"nested message/sip", "message/sip nested inside the carried message/sip", thirdParty(nil, msip(nested))},
		{"only a response", "a message/sip body carrying the client's SIP REGISTER", thirdParty(nil, msip(scscfOK), [2]string{"application/3gpp-ims+xml", serviceInfo})},
		{"Contact the client's", "the S-CSCF's URI as in From", thirdParty(replace("Contact: <sip:scscf.mcptt.example.com:6060>", "Contact: <sip:alice@[2001:db8::7]:5060>"), msip(reg))},
		{"response to another request", "the carried response to answer the carried REGISTER", thirdParty(nil, msip(reg), msip(strings.Replace(scscfOK, "CSeq: 2", "CSeq: 3", 1)))},
		{"outer Content-Length", "body bytes, as Content-Length declares", thirdParty(replace("Content-Length: {cl}", "Content-Length: 9{cl}"), msip(reg))},
		{"outer multipart unclosed", "closing delimiter", []byte(strings.TrimSuffix(string(thirdParty(nil, msip(reg), msip(scscfOK))), "--scscf-b1--\r\n"))},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := judgeMessages(t, false, c.raw)
			if got := failing(res); !slices.Equal(got, []string{"7.2.1-01"}) {
				t.Fatalf("expected only 7.2.1-01 to fail, saw %v\n%s", got, describe(res, got...))
			}
			var details []string
			for _, r := range res["7.2.1-01"] {
				if r.Verdict == verdict.Fail {
					details = append(details, r.Detail)
					if r.Expected == "" || r.Actual == "" {
						t.Errorf("the fail has no expected and actual: %s", r.Detail)
					}
				}
			}
			if !strings.Contains(strings.Join(details, "\n"), c.want) {
				t.Errorf("expected a fail saying %q, saw\n%s", c.want, describe(res, "7.2.1-01"))
			}
		})
	}
}

// A third-party REGISTER whose To is another public user identity than the carried
// REGISTER's passes under a named lenient reading (it may be one of the implicit
// registration set) and fails under --strict.
func TestThirdPartyToReading(t *testing.T) {
	raw := thirdParty(replace("To: <sip:alice@mcptt.example.com>", "To: <sip:alice.work@mcptt.example.com>"), msip(imsRegister()))
	p := load(t, profiles[client.ModeRegister])
	p.Logoff = false
	for _, strict := range []bool{false, true} {
		res := judgeAll(validators.NewRun(p, captures(raw), strict))
		want := []string(nil)
		if strict {
			want = []string{"7.2.1-01"}
		}
		if got := failing(res); !slices.Equal(got, want) || !strings.Contains(describe(res, "7.2.1-01"), "implicit registration set") {
			t.Errorf("strict=%t: expected failing %v and the reading named, saw %v\n%s", strict, want, got, describe(res, "7.2.1-01"))
		}
	}
}

// Through the core over time: a registration, the log-off of 7.2.1 NOTE 1 and a
// de-registration, each a third-party REGISTER, are classified by the carried
// REGISTER, so the log-off is judged under 7.2.1-04.
func TestThirdPartyLogoffAndDeregistration(t *testing.T) {
	logoff := imsRegister(replace(";+g.3gpp.mcptt;+g.3gpp.icsi-ref=\"urn%3Aurn-7%3A3gpp-service.ims.icsi.mcptt\"", ""), replace("CSeq: 2", "CSeq: 3"))
	dereg := imsRegister(replace("expires=600", "expires=0"), replace("CSeq: 2", "CSeq: 4"))
	res := judgeMessages(t, true,
		thirdParty(nil, msip(imsRegister())),
		thirdParty(replace("Expires: 600", "Expires: 600"), msip(logoff), msip(strings.Replace(scscfOK, "CSeq: 2", "CSeq: 3", 1))),
		thirdParty(replace("Expires: 600", "Expires: 0"), msip(dereg)))
	if f := failing(res); len(f) > 0 {
		t.Fatalf("expected no failure, saw %v\n%s", f, describe(res, f...))
	}
	if rs := res["7.2.1-04"]; len(rs) != 1 || rs[0].Verdict != verdict.Pass || rs[0].Message != "0002-REGISTER-udp.sip#embedded" {
		t.Errorf("7.2.1-04: expected a pass on the carried log-off, saw\n%s", describe(res, "7.2.1-04"))
	}
	if rs := res["7.2.1-02"]; len(rs) != 1 {
		t.Errorf("7.2.1-02: expected one row (the registration; not the log-off, not the de-registration), saw\n%s", describe(res, "7.2.1-02"))
	}
}

// A PUBLISH the S-CSCF routed (its Via and Record-Route on top, P-Asserted-Identity in
// place of the client's P-Preferred-Identity, Max-Forwards decremented) is judged as
// the direct PUBLISH.
func TestRoutedPublishJudgedLikeDirect(t *testing.T) {
	p := load(t, profiles[client.ModePublish])
	raw, err := client.Build(config(t, p, client.ModePublish), client.Publish, client.Leg{
		Local: "127.0.0.1:5071", CallID: "call-1", FromTag: "tag-1", CSeq: 1, Branch: "z9hG4bK-1",
	})
	if err != nil {
		t.Fatal(err)
	}
	s := string(raw)
	routed := "PUBLISH" + strings.Replace(strings.TrimPrefix(s, "PUBLISH"), "\r\nVia: ", "\r\nVia: SIP/2.0/UDP scscf.mcptt.example.com:6060;branch=z9hG4bK-scscf-pub\r\n"+
		"Record-Route: <sip:scscf.mcptt.example.com:6060;lr>\r\nP-Asserted-Identity: <sip:alice@mcptt.example.com>\r\nVia: ", 1)
	routed = strings.Replace(routed, "Max-Forwards: 70", "Max-Forwards: 69", 1)
	judgeOne := func(raw string) map[string][]verdict.Result {
		return judgeAll(validators.NewRun(p, captures([]byte(raw)), false))
	}
	direct, got := judgeOne(s), judgeOne(routed)
	for _, id := range slices.Sorted(maps.Keys(direct)) {
		if !slices.EqualFunc(got[id], direct[id], sameRow) {
			t.Errorf("%s: expected the direct rows\n%s\nsaw\n%s", id, describe(direct, id), describe(got, id))
		}
	}
}

// BenchmarkThirdPartyRegister measures a third-party REGISTER carrying the client's
// REGISTER and the S-CSCF's 200 OK through every check; BenchmarkDirectRegister the
// REGISTER it carries, sent directly. The budget is 1.5 times.
func BenchmarkThirdPartyRegister(b *testing.B) {
	benchmarkRegisters(b, thirdParty(nil, msip(imsRegister()), msip(scscfOK)))
}

func BenchmarkDirectRegister(b *testing.B) { benchmarkRegisters(b, []byte(imsRegister())) }

func benchmarkRegisters(b *testing.B, raw []byte) {
	p := load(b, profiles[client.ModeRegister])
	p.Logoff = false
	benchmarkRun(b, p, captures(raw), nil)
}
