package validators_test

import (
	"encoding/base64"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/mcptt-conformance/mcptt-conformance/capture"
	"github.com/mcptt-conformance/mcptt-conformance/validators"
	"github.com/mcptt-conformance/mcptt-conformance/verdict"
	"github.com/mcptt-conformance/mcptt-conformance/wire/sipmsg"
)

// The requests of this file are written by hand from RFC 3261 (10.2, the REGISTER of
// 24.1), RFC 3903 (4.2 to 4.5), RFC 2045/2046, TS 24.379 7.1 and Annex F.1 and RFC 4354,
// in the shapes real MCX clients and IMS UEs send them; none comes from client.Build.
// Each is written with LF line ends and sent with CRLF; "Content-Length: *" is filled in.

// The profiles' identities (fixtures/profiles/plain-register.yaml, plain-publish.yaml).
const (
	aliceToken  = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJhbGljZSJ9."
	aliceClient = "urn:uuid:6f1c2e2a-4b7d-4d0e-9a51-2c3d4e5f6a7b"
	bobToken    = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJib2IifQ."
	bobClient   = "urn:uuid:0b0e2f5c-3d4a-4e6f-8a7b-9c1d2e3f4a5b"
)

const (
	mcpttContact = `<sip:alice@192.0.2.10:5060>;+g.3gpp.mcptt;+g.3gpp.icsi-ref="urn%3Aurn-7%3A3gpp-service.ims.icsi.mcptt"`
	videoContact = `<sip:alice@192.0.2.10:5060>;+g.3gpp.mcvideo;+g.3gpp.icsi-ref="urn%3Aurn-7%3A3gpp-service.ims.icsi.mcvideo"`
	dataContact  = `<sip:alice@192.0.2.10:5060>;+g.3gpp.mcdata.sds;+g.3gpp.icsi-ref="urn%3Aurn-7%3A3gpp-service.ims.icsi.mcdata.sds"`
)

// fixtureRegister is a REGISTER with its Contact lines, the header lines extra (ending
// in LF) and body.
func fixtureRegister(cseq int, contacts, extra, body string) string {
	return fmt.Sprintf(`REGISTER sip:mcptt.example.com SIP/2.0
Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bKnashds%d
Max-Forwards: 70
To: <sip:alice@mcptt.example.com>
From: <sip:alice@mcptt.example.com>;tag=456248
Call-ID: 843817637684230@998sdasdh09
CSeq: %d REGISTER
%s
Expires: 7200
%sContent-Length: *

%s`, cseq, cseq, contacts, extra, body)
}

func info(token, clientID string) string {
	return `<?xml version="1.0" encoding="UTF-8"?>
<mcpttinfo xmlns="urn:3gpp:ns:mcpttInfo:1.0">
  <mcptt-Params>
    <mcptt-access-token type="Normal"><mcpttString>` + token + `</mcpttString></mcptt-access-token>
    <mcptt-client-id type="Normal"><mcpttURI>` + clientID + `</mcpttURI></mcptt-client-id>
  </mcptt-Params>
</mcpttinfo>`
}

const (
	mcdataInfo  = `<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<mcdatainfo xmlns="urn:3gpp:ns:mcdataInfo:1.0"><mcdata-Params/></mcdatainfo>`
	mcvideoInfo = `<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<mcvideoinfo xmlns="urn:3gpp:ns:mcvideoInfo:1.0"><mcvideo-Params/></mcvideoinfo>`
)

func poc(answerMode string) string {
	return `<?xml version="1.0" encoding="UTF-8"?>
<poc-settings xmlns="urn:oma:params:xml:ns:poc:poc-settings" xmlns:mcs10Set="urn:3gpp:mcsSettings:1.0">
  <entity id="` + bobClient + `">
    <am-settings><answer-mode>` + answerMode + `</answer-mode></am-settings>
    <mcs10Set:selected-user-profile-index><mcs10Set:user-profile-index>1</mcs10Set:user-profile-index></mcs10Set:selected-user-profile-index>
    <mcs10Set:multiplex-support>true</mcs10Set:multiplex-support>
  </entity>
</poc-settings>`
}

// part is one body part: its header lines and content.
type part struct{ header, content string }

// mixed writes a multipart/mixed body (RFC 2046 5.1.1) and its Content-Type.
func mixed(boundary string, parts ...part) (contentType, body string) {
	var b strings.Builder
	for _, p := range parts {
		b.WriteString("--" + boundary + "\n" + p.header + "\n\n" + p.content + "\n")
	}
	b.WriteString("--" + boundary + "--\n")
	return "multipart/mixed;boundary=" + boundary, b.String()
}

func typed(mediaType, content string) part { return part{"Content-Type: " + mediaType, content} }

func plainRegister(cseq int, contacts string, parts ...part) string {
	if len(parts) == 1 {
		return fixtureRegister(cseq, contacts, parts[0].header+"\n", parts[0].content)
	}
	ct, body := mixed("mcx-boundary", parts...)
	return fixtureRegister(cseq, contacts, "Content-Type: "+ct+"\n", body)
}

func publish(cseq int, extra, contentType, body string) string {
	if contentType != "" {
		extra += "Content-Type: " + contentType + "\n"
	}
	return fmt.Sprintf(`PUBLISH sip:mcptt-server@mcptt.example.com SIP/2.0
Via: SIP/2.0/TCP 192.0.2.20:5060;branch=z9hG4bK652hsge%d
Max-Forwards: 70
To: <sip:bob@mcptt.example.com>
From: <sip:bob@mcptt.example.com>;tag=1234wxyz
Call-ID: 81818181@pua.example.com
CSeq: %d PUBLISH
Event: poc-settings
Accept-Contact: *;+g.3gpp.mcptt;require;explicit
P-Preferred-Service: urn:urn-7:3gpp-service.ims.icsi.mcptt
%sContent-Length: *

%s`, cseq, cseq, extra, body)
}

func servicePublish(cseq int, infoBody, pocBody string) string {
	ct, body := mixed("pub-boundary", typed("application/vnd.3gpp.mcptt-info+xml", infoBody), typed("application/poc-settings+xml", pocBody))
	return publish(cseq, "Expires: 3600\n", ct, body)
}

// response is a 200 OK to a PUBLISH with the entity-tag the server issued, as a
// recording of both directions holds it (RFC 3903 4.1).
func response(cseq int, etag string) string {
	return fmt.Sprintf(`SIP/2.0 200 OK
Via: SIP/2.0/TCP 192.0.2.20:5060;branch=z9hG4bK652hsge%d
To: <sip:bob@mcptt.example.com>;tag=srv-1
From: <sip:bob@mcptt.example.com>;tag=1234wxyz
Call-ID: 81818181@pua.example.com
CSeq: %d PUBLISH
SIP-ETag: %s
Expires: 3600
Content-Length: 0

`, cseq, cseq, etag)
}

// wire turns a hand-written request into its bytes: CRLF line ends, Content-Length the
// body's length.
func wire(s string) []byte {
	s = strings.ReplaceAll(s, "\n", "\r\n")
	head, body, _ := strings.Cut(s, "\r\n\r\n")
	return []byte(strings.Replace(head, "Content-Length: *", fmt.Sprintf("Content-Length: %d", len(body)), 1) + "\r\n\r\n" + body)
}

// sent is one message of a fixture run and the status the server answered it with (0:
// a capture without answers).
type fixtureMsg struct {
	text   string
	status int
}

func judgeFixture(t *testing.T, profilePath string, strict bool, msgs []fixtureMsg) map[string][]verdict.Result {
	t.Helper()
	var caps []*capture.Message
	for i, m := range msgs {
		raw := wire(m.text)
		// The fixture arrives over the transport its top Via names, as a recorded file is read.
		transport := "udp"
		if parsed, err := sipmsg.Parse(raw); err == nil && parsed.ViaTransport() != "" {
			transport = strings.ToLower(parsed.ViaTransport())
		}
		c := &capture.Message{Seq: i + 1, Transport: transport, Peer: "192.0.2.10:5060", Raw: raw, Status: m.status, Method: sipmsg.MethodOf(raw)}
		c.Name = fmt.Sprintf("%04d-%s.sip", i+1, c.Method)
		caps = append(caps, c)
	}
	return judgeAll(validators.NewRun(load(t, profilePath), caps, strict))
}

const (
	registerProfile = "../fixtures/profiles/plain-register.yaml"
	publishProfile  = "../fixtures/profiles/plain-publish.yaml"
)

func registered(s string) []fixtureMsg { return []fixtureMsg{{s, 200}} }

var (
	infoPart  = typed("application/vnd.3gpp.mcptt-info+xml", info(aliceToken, aliceClient))
	dataPart  = typed("application/vnd.3gpp.mcdata-info+xml", mcdataInfo)
	videoPart = typed("application/vnd.3gpp.mcvideo-info+xml", mcvideoInfo)
)

func nested(parts ...part) part {
	ct, body := mixed("inner-boundary", parts...)
	return part{"Content-Type: " + ct, strings.TrimSuffix(body, "\n")}
}

func encoded(encoding, content string) part {
	return part{"Content-Type: application/vnd.3gpp.mcptt-info+xml\nContent-Transfer-Encoding: " + encoding, content}
}

func base64Lines(s string) string {
	enc := base64.StdEncoding.EncodeToString([]byte(s))
	var lines []string
	for len(enc) > 76 {
		lines, enc = append(lines, enc[:76]), enc[76:]
	}
	return strings.Join(append(lines, enc), "\n")
}

// quotedPrintable writes s with '=' as =3D and lines kept under 76 characters by soft
// line breaks (RFC 2045 6.7).
func quotedPrintable(s string) string {
	s = strings.ReplaceAll(s, "=", "=3D")
	return strings.ReplaceAll(s, "><", ">=\n<")
}

// TestDeploymentShapes judges requests shaped like real deployments' (issue classes 1 to
// 10): each legal shape passes with no fail, under --strict too unless it is a lenient
// reading (then --strict fails exactly strictFails); each defect fails exactly fails.
func TestDeploymentShapes(t *testing.T) {
	logoffBase := plainRegister(1, "Contact: "+mcpttContact, infoPart)
	tests := []struct {
		class, name string
		profile     string
		msgs        []fixtureMsg
		fails       []string // the defect's requirements; none for a legal shape
		strictFails []string // a lenient reading's requirement under --strict
	}{
		// 1. Several Contacts (TS 24.379 7.1; RFC 3261 10.2.1, 20.10).
		{"contacts", "one comma-separated contact per MC service, MCPTT second", registerProfile,
			registered(plainRegister(1, "Contact: "+videoContact+", "+mcpttContact, infoPart)), nil, nil},
		{"contacts", "one Contact header field per MC service", registerProfile,
			registered(plainRegister(1, "Contact: "+dataContact+"\nContact: "+videoContact+"\nContact: "+mcpttContact, infoPart)), nil, nil},
		{"contacts", "migration: the MCPTT contact after the MCVideo one", "../fixtures/profiles/plain-migration.yaml",
			nil, nil, nil},
		{"contacts", "the MCPTT ICSI on another contact than +g.3gpp.mcptt", registerProfile,
			registered(plainRegister(1, `Contact: <sip:alice@192.0.2.10:5060>;+g.3gpp.mcptt, <sip:alice@192.0.2.10:5060>;+g.3gpp.icsi-ref="urn%3Aurn-7%3A3gpp-service.ims.icsi.mcptt"`, infoPart)),
			nil, []string{"7.2.1-03"}},
		{"contacts", "the MCPTT contact lacks the ICSI, the MCVideo contact has its own", registerProfile,
			registered(plainRegister(1, "Contact: "+videoContact+", <sip:alice@192.0.2.10:5060>;+g.3gpp.mcptt", infoPart)), []string{"7.2.1-03"}, nil},
		// 2. Bodies for several MC services.
		{"bodies", "mcptt-info beside mcdata-info and mcvideo-info", registerProfile,
			registered(plainRegister(1, "Contact: "+dataContact+", "+videoContact+", "+mcpttContact, dataPart, infoPart, videoPart)), nil, nil},
		{"bodies", "two mcptt-info bodies, a stale token in the second", registerProfile,
			registered(plainRegister(1, "Contact: "+mcpttContact, infoPart, typed("application/vnd.3gpp.mcptt-info+xml", info("stale-token", aliceClient)))), []string{"7.2.1-06"}, nil},
		{"bodies", "two poc-settings bodies in a PUBLISH", publishProfile,
			[]fixtureMsg{{func() string {
				ct, body := mixed("pub-boundary", typed("application/vnd.3gpp.mcptt-info+xml", info(bobToken, bobClient)),
					typed("application/poc-settings+xml", poc("automatic")), typed("application/poc-settings+xml", poc("manual")))
				return publish(1, "Expires: 3600\n", ct, body)
			}(), 200}}, []string{"7.2.2-10"}, nil},
		// 3. Nested multipart (RFC 2046 5.1).
		{"nested", "mcptt-info in a multipart/mixed inside the multipart/mixed", registerProfile,
			registered(plainRegister(1, "Contact: "+videoContact+", "+mcpttContact, dataPart, nested(infoPart, videoPart))), nil, nil},
		{"nested", "the nested mcptt-info holds another token", registerProfile,
			registered(plainRegister(1, "Contact: "+mcpttContact, dataPart, nested(typed("application/vnd.3gpp.mcptt-info+xml", info("other-token", aliceClient)), videoPart))), []string{"7.2.1-08"}, nil},
		// 4. Content-Transfer-Encoding on an XML part (RFC 2045 6).
		{"encoding", "base64 mcptt-info", registerProfile,
			registered(plainRegister(1, "Contact: "+mcpttContact, encoded("base64", base64Lines(info(aliceToken, aliceClient))), videoPart)), nil, []string{"MIME-02"}},
		{"encoding", "quoted-printable mcptt-info", registerProfile,
			registered(plainRegister(1, "Contact: "+mcpttContact, encoded("quoted-printable", quotedPrintable(info(aliceToken, aliceClient))), videoPart)), nil, []string{"MIME-02"}},
		{"encoding", "base64 mcptt-info with another client ID", registerProfile,
			registered(plainRegister(1, "Contact: "+mcpttContact, encoded("base64", base64Lines(info(aliceToken, "urn:uuid:00000000-0000-4000-8000-000000000000"))), videoPart)), []string{"7.2.1-09"}, []string{"7.2.1-09", "MIME-02"}},
		// 5. XML values by schema type (XML Schema Part 2, 4.3.6).
		{"values", "the client ID in <mcpttURI> wrapped in white space", registerProfile,
			registered(plainRegister(1, "Contact: "+mcpttContact, typed("application/vnd.3gpp.mcptt-info+xml", info(aliceToken, "\n      "+aliceClient+"\n    ")))), nil, nil},
		{"values", "the token in <mcpttString> wrapped in newlines", registerProfile,
			registered(plainRegister(1, "Contact: "+mcpttContact, typed("application/vnd.3gpp.mcptt-info+xml", info("\n"+aliceToken+"\n", aliceClient)))), []string{"7.2.1-08"}, nil},
		// 6. The client ID as a UUID (RFC 4122 3).
		{"uuid", "upper-case hex in the REGISTER client ID", registerProfile,
			registered(plainRegister(1, "Contact: "+mcpttContact, typed("application/vnd.3gpp.mcptt-info+xml", info(aliceToken, "urn:uuid:"+strings.ToUpper(aliceClient[9:]))))), nil, nil},
		{"uuid", "upper-case URN and hex in the PUBLISH client ID", publishProfile,
			[]fixtureMsg{{servicePublish(1, info(bobToken, strings.ToUpper(bobClient)), poc("automatic")), 200}}, nil, nil},
		{"uuid", "another UUID", registerProfile,
			registered(plainRegister(1, "Contact: "+mcpttContact, typed("application/vnd.3gpp.mcptt-info+xml", info(aliceToken, "urn:uuid:6F1C2E2A-4B7D-4D0E-9A51-2C3D4E5F6A7C")))), []string{"7.2.1-09"}, nil},
		// 7. PUBLISH refresh and removal (RFC 3903 4.3, 4.5).
		{"publish", "initial, refresh and removal, answered", publishProfile,
			[]fixtureMsg{{servicePublish(1, info(bobToken, bobClient), poc("automatic")), 200},
				{publish(2, "SIP-If-Match: srv-etag-1\nExpires: 3600\n", "", ""), 200},
				{publish(3, "SIP-If-Match: srv-etag-2\nExpires: 0\n", "", ""), 200}}, nil, nil},
		{"publish", "initial, refresh and removal, recorded with the responses", publishProfile,
			[]fixtureMsg{{servicePublish(1, info(bobToken, bobClient), poc("automatic")), 0}, {response(1, "srv-etag-1"), 0},
				{publish(2, "SIP-If-Match: srv-etag-1\nExpires: 3600\n", "", ""), 0}, {response(2, "srv-etag-2"), 0},
				{publish(3, "SIP-If-Match: srv-etag-2\nExpires: 0\n", "", ""), 0}, {response(3, "srv-etag-3"), 0}}, nil, nil},
		{"publish", "a refresh the server answered 412 (unknown entity-tag)", publishProfile,
			[]fixtureMsg{{servicePublish(1, info(bobToken, bobClient), poc("automatic")), 200},
				{publish(2, "SIP-If-Match: never-issued\nExpires: 3600\n", "", ""), 412}}, []string{"7.2.2-15"}, nil},
		{"publish", "a recorded refresh naming a tag no response carried", publishProfile,
			[]fixtureMsg{{servicePublish(1, info(bobToken, bobClient), poc("automatic")), 0}, {response(1, "srv-etag-1"), 0},
				{publish(2, "SIP-If-Match: never-issued\nExpires: 3600\n", "", ""), 0}}, []string{"7.2.2-15"}, nil},
		// 8. Log-off in a capture that holds no responses (7.2.1 NOTE 1).
		{"logoff", "re-REGISTER without both tags, no responses", registerProfile,
			[]fixtureMsg{{logoffBase, 0}, {fixtureRegister(2, "Contact: <sip:alice@192.0.2.10:5060>", "", ""), 0}}, nil, nil},
		{"logoff", "re-REGISTER keeping the MCPTT ICSI, no responses", registerProfile,
			[]fixtureMsg{{logoffBase, 0}, {fixtureRegister(2, `Contact: <sip:alice@192.0.2.10:5060>;+g.3gpp.icsi-ref="urn%3Aurn-7%3A3gpp-service.ims.icsi.mcptt"`, "", ""), 0}}, []string{"7.2.1-04"}, nil},
		// 9. Bad bytes in header fields (RFC 3261 25.1).
		{"bytes", "a NUL byte in the To URI", registerProfile,
			registered(strings.Replace(plainRegister(1, "Contact: "+mcpttContact, infoPart), "To: <sip:alice@", "To: <sip:al\x00ice@", 1)), []string{"7.2.1-01"}, nil},
		{"bytes", "invalid UTF-8 in the From display name", registerProfile,
			registered(strings.Replace(plainRegister(1, "Contact: "+mcpttContact, infoPart), "From: <sip:", "From: \"Al\xe9na\" <sip:", 1)), []string{"7.2.1-01"}, nil},
		{"bytes", "UTF-8 in the From display name", registerProfile,
			registered(strings.Replace(plainRegister(1, "Contact: "+mcpttContact, infoPart), "From: <sip:", "From: \"Aléna Søren\" <sip:", 1)), nil, nil},
		// 10. Answer mode words (RFC 4354).
		{"answer-mode", "RFC 4354's word", publishProfile,
			[]fixtureMsg{{servicePublish(1, info(bobToken, bobClient), poc("automatic")), 200}}, nil, nil},
		{"answer-mode", "24.379's word auto-answer, which RFC 4354 does not define", publishProfile,
			// Both fail: the schema (10) has no such value, and the element does not
			// hold the mode in RFC 4354's terms (11).
			[]fixtureMsg{{servicePublish(1, info(bobToken, bobClient), poc("auto-answer")), 200}}, []string{"7.2.2-10", "7.2.2-11"}, nil},
	}
	tests[2].msgs = registered(strings.Replace(plainRegister(1, "Contact: "+videoContact+", "+mcpttContact,
		typed("application/vnd.3gpp.mcptt-info+xml", migrationInfo)), "sip:alice@", "sip:carol@", -1))
	for _, tt := range tests {
		t.Run(tt.class+"/"+tt.name, func(t *testing.T) {
			for _, strict := range []bool{false, true} {
				res := judgeFixture(t, tt.profile, strict, tt.msgs)
				want := tt.fails
				if strict && tt.strictFails != nil {
					want = tt.strictFails
				}
				if got := failing(res); !slices.Equal(got, want) {
					t.Fatalf("strict=%t: expected failing %v, saw %v\n%s", strict, want, got, describe(res, append(got, want...)...))
				}
			}
		})
	}
}

// migrationInfo is a 7A.2.1 mcptt-info body (Annex F.1): the partner token, the MCPTT ID
// in the primary system, and the selected profile index in anyExt.
const migrationInfo = `<?xml version="1.0" encoding="UTF-8"?>
<mcpttinfo xmlns="urn:3gpp:ns:mcpttInfo:1.0">
  <mcptt-Params>
    <mcptt-access-token type="Normal"><mcpttString>eyJhbGciOiJub25lIn0.eyJzdWIiOiJjYXJvbC1wYXJ0bmVyIn0.</mcpttString></mcptt-access-token>
    <mcptt-request-uri type="Normal"><mcpttURI>sip:carol@mcptt.example.com</mcpttURI></mcptt-request-uri>
    <anyExt><selected-user-profile-index><user-profile-index>3</user-profile-index></selected-user-profile-index></anyExt>
  </mcptt-Params>
</mcpttinfo>`

// The rows say what the suite did: the log-off's acceptance assumed, a refresh's body
// requirements not applicable with the reason, both duplicate parts named.
func TestDeploymentDetails(t *testing.T) {
	logoff := judgeFixture(t, registerProfile, false, []fixtureMsg{
		{plainRegister(1, "Contact: "+mcpttContact, infoPart), 0},
		{fixtureRegister(2, "Contact: <sip:alice@192.0.2.10:5060>", "", ""), 0}})
	if rs := logoff["7.2.1-04"]; len(rs) != 1 || rs[0].Verdict != verdict.Pass || !strings.Contains(rs[0].Detail, "acceptance of the registration it logs off from (same Call-ID, lower CSeq) is assumed") {
		t.Errorf("7.2.1-04: expected a pass saying acceptance is assumed, saw %v", rs)
	}
	// Another Call-ID is another registration, not a log-off from this one.
	other := judgeFixture(t, registerProfile, false, []fixtureMsg{
		{plainRegister(1, "Contact: "+mcpttContact, infoPart), 0},
		{strings.Replace(fixtureRegister(2, "Contact: <sip:alice@192.0.2.10:5060>", "", ""), "Call-ID: 8438", "Call-ID: 9438", 1), 0}})
	if got := failing(other); !slices.Contains(got, "7.2.1-02") {
		t.Errorf("a tagless REGISTER of another Call-ID: expected it judged as a registration (7.2.1-02 fails), saw failing %v", got)
	}
	refreshOnly := judgeFixture(t, publishProfile, false, []fixtureMsg{{publish(2, "SIP-If-Match: srv-etag-1\nExpires: 3600\n", "", ""), 200}})
	for _, id := range []string{"7.2.2-02", "7.2.2-08", "7.2.2-10", "7.2.2-11"} {
		if rs := refreshOnly[id]; len(rs) != 1 || rs[0].Verdict != verdict.NotApplicable || !strings.Contains(rs[0].Detail, "refresh PUBLISH (SIP-If-Match, no body, RFC 3903 4.3)") {
			t.Errorf("%s over a refresh: expected not-applicable with the reason, saw %v", id, rs)
		}
	}
	if rs := refreshOnly["7.2.2-15"]; len(rs) != 1 || rs[0].Verdict != verdict.Pass {
		t.Errorf("7.2.2-15 over an answered refresh: expected a pass, saw %v", rs)
	}
	unanswered := judgeFixture(t, publishProfile, false, []fixtureMsg{{publish(2, "SIP-If-Match: srv-etag-1\nExpires: 3600\n", "", ""), 0}})
	if rs := unanswered["7.2.2-15"]; len(rs) != 1 || rs[0].Verdict != verdict.Inconclusive {
		t.Errorf("7.2.2-15 over a refresh with no answer or response captured: expected inconclusive, saw %v", rs)
	}
	dup := judgeFixture(t, registerProfile, false, registered(plainRegister(1, "Contact: "+mcpttContact, infoPart, dataPart, nested(infoPart))))
	if rs := dup["7.2.1-06"]; len(rs) != 1 || !slices.Equal(rs[0].Evidence["parts"].([]string), []string{"part 1", "part 3.1"}) || !strings.Contains(rs[0].Actual, "part 1 and part 3.1") {
		t.Errorf("7.2.1-06 over two mcptt-info parts: expected both named, saw %+v", rs)
	}
}
