package client

import (
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/mcptt-conformance/mcptt-conformance/wire/xmldoc"
)

const (
	testToken    = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJhbGljZSJ9."
	testClientID = "urn:uuid:5f1b1c44-43b4-4a54-9c3e-8b5a9f9a1a01"
	testPartner  = "partner-token-1"
	testPrimary  = "sip:alice@primary.example.com"
	testPSI      = "sip:mcptt-server@mcptt.example.com"
)

// Paths of facts in the XML bodies (see xmlFacts).
const (
	pParams    = "mi:mcpttinfo/mi:mcptt-Params"
	pToken     = pParams + "/mi:mcptt-access-token/mi:mcpttString"
	pClient    = pParams + "/mi:mcptt-client-id/mi:mcpttString"
	pReqURI    = pParams + "/mi:mcptt-request-uri/mi:mcpttURI"
	pIndex     = pParams + "/mi:anyExt/mi:selected-user-profile-index/mi:user-profile-index"
	pEntity    = "ps:poc-settings/ps:entity"
	pAnswer    = pEntity + "/ps:am-settings/ps:answer-mode"
	pPoCIndex  = pEntity + "/ms:selected-user-profile-index/ms:user-profile-index"
	pMultiplex = pEntity + "/ms:multiplex-support"
)

func testConfig(mode Mode) Config {
	cfg := Config{Server: "127.0.0.1:5060", Transport: "udp", Local: "127.0.0.1", Mode: mode,
		MCPTTID: "sip:alice@mcptt.example.com", Timeout: time.Second, ProfileIndex: -1}
	switch mode {
	case ModeRegister:
		cfg.Token, cfg.ClientID = testToken, testClientID
	case ModePublish:
		cfg.Token, cfg.ClientID, cfg.PSI = testToken, testClientID, testPSI
		cfg.ProfileIndex, cfg.AnswerMode, cfg.Multiplex = 3, AutoAnswer, true
	case ModeMigration:
		cfg.PartnerToken, cfg.PrimaryMCPTTID, cfg.ProfileIndex = testPartner, testPrimary, 3
	}
	return cfg
}

// kinds lists the requests each mode can send.
var kinds = map[Mode][]Kind{
	ModeRegister:  {Register, Logoff},
	ModePublish:   {Register, Deregister, Publish, Invite, Ack},
	ModeMigration: {Register},
}

func testLeg(kind Kind) Leg {
	leg := Leg{Local: "127.0.0.1:5070", CallID: "call-1@127.0.0.1", FromTag: "tag1", CSeq: 2, Branch: "z9hG4bKtest1"}
	if kind == Ack {
		leg.ToTag = "srv1"
	}
	return leg
}

func build(t *testing.T, cfg Config, kind Kind) []byte {
	t.Helper()
	b, err := Build(&cfg, kind, testLeg(kind))
	if err != nil {
		t.Fatalf("Build(%s): %v", kind, err)
	}
	return b
}

// TestBuildConformant checks the facts of every request of every mode without breaks.
func TestBuildConformant(t *testing.T) {
	instance := "<" + testClientID + ">"
	want := map[Mode]map[Kind]map[string]string{
		ModeRegister: {
			Register: {
				"request": "REGISTER sip:mcptt.example.com", "max-forwards": "70", "via": "SIP/2.0/UDP 127.0.0.1:5070",
				"from": "<sip:alice@mcptt.example.com>", "to": "<sip:alice@mcptt.example.com>", "expires": "600",
				"user-agent": UserAgent, "contact": "<sip:alice@127.0.0.1:5070;transport=udp>",
				"contact.+g.3gpp.mcptt": "(flag)", "contact.+g.3gpp.icsi-ref": icsiMCPTT, "contact.+sip.instance": instance,
				"content-type": xmldoc.TypeMCPTTInfo, "length-ok": "true", "mi:mcpttinfo?encoding": "UTF-8",
				pParams + "#children":                   "mi:mcptt-access-token,mi:mcptt-client-id",
				pParams + "/mi:mcptt-access-token@type": "Normal",
				pToken:                                  testToken,
				pParams + "/mi:mcptt-client-id@type":    "Normal",
				pClient:                                 testClientID,
			},
			Logoff: {
				"request": "REGISTER sip:mcptt.example.com", "max-forwards": "70", "expires": "600",
				"contact.+g.3gpp.mcptt": absent, "contact.+g.3gpp.icsi-ref": absent, "contact.+sip.instance": instance,
				"content-type": absent, "length-ok": "true",
			},
		},
		ModePublish: {
			Register: {
				"request": "REGISTER sip:mcptt.example.com", "max-forwards": "70", "expires": "600",
				"contact.+g.3gpp.mcptt": "(flag)", "contact.+g.3gpp.icsi-ref": icsiMCPTT, "content-type": absent,
			},
			Deregister: {
				"request": "REGISTER sip:mcptt.example.com", "expires": "0",
				"contact.+g.3gpp.mcptt": "(flag)", "contact.+g.3gpp.icsi-ref": icsiMCPTT, "content-type": absent,
			},
			Publish: {
				"request": "PUBLISH " + testPSI, "max-forwards": "70", "to": "<sip:alice@mcptt.example.com>",
				"event": "poc-settings", "expires": "4294967295", "p-preferred-service": icsiMCPTT,
				"accept-contact": "*", "accept-contact.+g.3gpp.mcptt": "(flag)",
				"accept-contact.require": "(flag)", "accept-contact.explicit": "(flag)", "contact": absent,
				"content-type": "multipart/mixed", "parts": xmldoc.TypeMCPTTInfo + "," + xmldoc.TypePoCSettings, "length-ok": "true",
				pParams + "#children": "mi:mcptt-access-token,mi:mcptt-client-id", pToken: testToken, pClient: testClientID,
				"mi:mcpttinfo?encoding": "UTF-8", "ps:poc-settings?encoding": "UTF-8",
				pEntity + "@id":       testClientID,
				pEntity + "#children": "ps:am-settings,ms:selected-user-profile-index,ms:multiplex-support",
				pAnswer:               "automatic", pPoCIndex: "3", pMultiplex: "true",
			},
			Invite: {
				"request": "INVITE " + testPSI, "to": "<" + testPSI + ">", "p-preferred-service": icsiMCPTT,
				"accept-contact": "*", "accept-contact.+g.3gpp.icsi-ref": icsiMCPTT,
				"accept-contact.require": "(flag)", "accept-contact.explicit": "(flag)",
				"contact.+g.3gpp.mcptt": "(flag)", "content-type": xmldoc.TypeMCPTTInfo,
				pParams + "#children":        "mi:session-type,mi:mcptt-request-uri,mi:mcptt-client-id",
				pParams + "/mi:session-type": "private", pReqURI: "sip:mcptt-peer@mcptt.example.com",
			},
			Ack: {"request": "ACK " + testPSI, "to": "<" + testPSI + ">;tag=srv1", "contact": absent, "content-type": absent},
		},
		ModeMigration: {
			Register: {
				"request": "REGISTER sip:mcptt.example.com", "max-forwards": "70", "expires": "600",
				"contact.+g.3gpp.mcptt": "(flag)", "contact.+g.3gpp.icsi-ref": icsiMCPTT, "contact.+sip.instance": absent,
				"content-type":        xmldoc.TypeMCPTTInfo,
				pParams + "#children": "mi:mcptt-access-token,mi:mcptt-request-uri,mi:anyExt",
				pToken:                testPartner, pReqURI: testPrimary, pIndex: "3",
				pParams + "/mi:anyExt#children": "mi:selected-user-profile-index",
			},
		},
	}
	for mode, byKind := range want {
		for _, kind := range kinds[mode] {
			t.Run(string(mode)+"/"+kind.String(), func(t *testing.T) {
				got := observe(t, build(t, testConfig(mode), kind))
				for k, v := range byKind[kind] {
					g, ok := got[k]
					if !ok {
						g = absent
					}
					if g != v {
						t.Errorf("%s: got %q, want %q", k, g, v)
					}
				}
			})
		}
	}
}

// change is a set of expected fact changes for one kind of request. A key ending in "*"
// stands for every fact with that prefix (at least one), all taking the value.
type change map[string]string

// checkDiff fails unless got holds exactly the changes of want.
func checkDiff(t *testing.T, got map[string]string, want change) {
	t.Helper()
	left := map[string]string{}
	for k, v := range got {
		left[k] = v
	}
	for k, v := range want {
		if prefix, ok := strings.CutSuffix(k, "*"); ok {
			n := 0
			for gk, gv := range left {
				if strings.HasPrefix(gk, prefix) {
					n++
					if gv != v {
						t.Errorf("%s: got %q, want %q", gk, gv, v)
					}
					delete(left, gk)
				}
			}
			if n == 0 {
				t.Errorf("%s: no fact changed, want every one to be %q", k, v)
			}
			continue
		}
		if g, ok := left[k]; !ok || g != v {
			t.Errorf("%s: got change %q (changed: %v), want %q", k, g, ok, v)
		}
		delete(left, k)
	}
	keys := make([]string, 0, len(left))
	for k := range left {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		t.Errorf("unexpected change of %s to %q", k, left[k])
	}
}

// optionCase is one --break ID or --variant name in one mode, with the fact changes it
// must cause and the text it must put on the wire (for changes facts do not show).
type optionCase struct {
	name    string
	variant bool
	mode    Mode
	want    map[Kind]change
	markers map[Kind][]string
}

var optionCases = []optionCase{
	{name: "7.2.1-01", mode: ModeRegister, want: map[Kind]change{Register: {"max-forwards": absent}, Logoff: {"max-forwards": absent}}},
	{name: "7.2.1-01", mode: ModePublish, want: map[Kind]change{Register: {"max-forwards": absent}, Deregister: {"max-forwards": absent}}},
	{name: "7.2.1-02", mode: ModeRegister, want: map[Kind]change{Register: {"contact.+g.3gpp.mcptt": absent}}},
	{name: "7.2.1-02", mode: ModePublish, want: map[Kind]change{Register: {"contact.+g.3gpp.mcptt": absent}, Deregister: {"contact.+g.3gpp.mcptt": absent}}},
	{name: "7.2.1-03", mode: ModeRegister, want: map[Kind]change{Register: {"contact.+g.3gpp.icsi-ref": icsiVideo}}},
	{name: "7.2.1-03", mode: ModePublish, want: map[Kind]change{Register: {"contact.+g.3gpp.icsi-ref": icsiVideo}, Deregister: {"contact.+g.3gpp.icsi-ref": icsiVideo}}},
	{name: "7.2.1-04", mode: ModeRegister, want: map[Kind]change{Logoff: {"contact.+g.3gpp.icsi-ref": icsiMCPTT}}},
	{name: "7.2.1-06", mode: ModeRegister, want: map[Kind]change{Register: {"content-type": absent, "mi:*": absent}}},
	{name: "7.2.1-07", mode: ModeRegister, want: map[Kind]change{Register: {pParams + "#children": "mi:mcptt-client-id,mi:mcptt-access-token"}}},
	{name: "7.2.1-08", mode: ModeRegister, want: map[Kind]change{Register: {pToken: testToken + "-x"}}},
	{name: "7.2.1-09", mode: ModeRegister, want: map[Kind]change{Register: {pClient: testClientID + "-x"}}},
	{name: "7.2.2-01", mode: ModePublish, want: map[Kind]change{Publish: {"accept-contact*": absent}}},
	{name: "7.2.2-02", mode: ModePublish, want: map[Kind]change{Publish: {"content-type": xmldoc.TypePoCSettings, "parts": absent, "mi:*": absent}}},
	{name: "7.2.2-08", mode: ModePublish, want: map[Kind]change{Publish: {pClient: testClientID + "-x"}}},
	{name: "7.2.2-09", mode: ModePublish, want: map[Kind]change{Publish: {pParams + "#children": "mi:mcptt-client-id,mi:mcptt-access-token"}}},
	{name: "7.2.2-10", mode: ModePublish, want: map[Kind]change{Publish: {
		pEntity + "#children":          "ps:am-settings,ps:bogus,ms:selected-user-profile-index,ms:multiplex-support",
		pEntity + "/ps:bogus#children": "",
	}}},
	{name: "7.2.2-11", mode: ModePublish, want: map[Kind]change{Publish: {pAnswer: "manual"}}},
	{name: "7.2.2-12", mode: ModePublish, want: map[Kind]change{Publish: {pPoCIndex: "4"}}},
	{name: "7.2.2-13", mode: ModePublish, want: map[Kind]change{Publish: {
		pEntity + "#children": "ps:am-settings,ms:selected-user-profile-index", pMultiplex + "*": absent,
	}}},
	{name: "7.2.2-15", mode: ModePublish, want: map[Kind]change{Publish: {"max-forwards": absent}}},
	{name: "7.2.2-16", mode: ModePublish}, // the flow changes, not the bytes: TestRunPublishRejected
	{name: "7A.2.1-01", mode: ModeMigration, want: map[Kind]change{Register: {"max-forwards": absent}}},
	{name: "7A.2.1-02", mode: ModeMigration, want: map[Kind]change{Register: {"contact.+g.3gpp.mcptt": absent}}},
	{name: "7A.2.1-03", mode: ModeMigration, want: map[Kind]change{Register: {"contact.+g.3gpp.icsi-ref": icsiVideo}}},
	{name: "7A.2.1-05", mode: ModeMigration, want: map[Kind]change{Register: {pToken: testPartner + "-x"}}},
	{name: "7A.2.1-06", mode: ModeMigration, want: map[Kind]change{Register: {pReqURI: "sip:x-alice@primary.example.com"}}},
	{name: "7A.2.1-07", mode: ModeMigration, want: map[Kind]change{Register: {pIndex: "4"}}},
	{name: "MIME-01", mode: ModePublish, want: map[Kind]change{Publish: {"content-type": "multipart/related", "content-type.type": xmldoc.TypeMCPTTInfo}}},
	{name: "MIME-02", mode: ModeRegister, want: map[Kind]change{Register: {"mi:mcpttinfo?encoding": "ISO-8859-1"}}},
	{name: "MIME-02", mode: ModePublish, want: map[Kind]change{
		Publish: {"mi:mcpttinfo?encoding": "ISO-8859-1", "ps:poc-settings?encoding": "ISO-8859-1"},
		Invite:  {"mi:mcpttinfo?encoding": "ISO-8859-1"},
	}},
	{name: "MIME-02", mode: ModeMigration, want: map[Kind]change{Register: {"mi:mcpttinfo?encoding": "ISO-8859-1"}}},
	{name: "MIME-03", mode: ModePublish, want: map[Kind]change{
		Register: {"length-ok": "false"}, Deregister: {"length-ok": "false"}, Publish: {"length-ok": "false"},
		Invite: {"length-ok": "false"}, Ack: {"length-ok": "false"},
	}},

	{name: "compact-headers", variant: true, mode: ModePublish, markers: map[Kind][]string{
		Register: {"\r\nv: ", "\r\nf: ", "\r\nt: ", "\r\ni: ", "\r\nm: ", "\r\nl: "},
		Publish:  {"\r\nc: ", "\r\no: poc-settings", "\r\na: *"},
	}},
	{name: "folded-headers", variant: true, mode: ModeRegister, markers: map[Kind][]string{
		Register: {"127.0.0.1:5070\r\n ;branch=", "transport=udp>\r\n ;+g.3gpp.mcptt\r\n ;+g.3gpp.icsi-ref="},
	}},
	{name: "upper-case", variant: true, mode: ModePublish, markers: map[Kind][]string{
		Register: {";+G.3GPP.MCPTT;+G.3GPP.ICSI-REF="},
		Publish:  {"*;+G.3GPP.MCPTT;", "MULTIPART/MIXED", "APPLICATION/VND.3GPP.MCPTT-INFO+XML", "APPLICATION/POC-SETTINGS+XML"},
	}},
	{name: "lower-case-percent", variant: true, mode: ModeMigration, markers: map[Kind][]string{Register: {`="urn%3aurn-7%3a3gpp-service.ims.icsi.mcptt"`}}},
	{name: "several-icsi", variant: true, mode: ModeRegister, want: map[Kind]change{
		Register: {"contact.+g.3gpp.icsi-ref": icsiMCPTT + "," + icsiVideo},
	}},
	{name: "ns-prefix", variant: true, mode: ModePublish, markers: map[Kind][]string{
		Publish: {`<mi:mcpttinfo xmlns:mi="` + xmldoc.NSMCPTTInfo, `<ps:poc-settings xmlns:ps="` + xmldoc.NSPoCSettings},
	}},
	{name: "xml-comments-cdata", variant: true, mode: ModeMigration, markers: map[Kind][]string{
		Register: {"<![CDATA[" + testPartner + "]]>", "<!-- "},
	}},
	{name: "quoted-boundary", variant: true, mode: ModePublish, markers: map[Kind][]string{
		Publish: {`; boundary="` + quotedBoundary + `"`, "\r\n\r\n" + multipartPreface + "--" + quotedBoundary, "--\r\n" + multipartTail},
	}},
	{name: "extensions", variant: true, mode: ModeRegister, want: map[Kind]change{
		Register: {"contact.x-refclient-ext": "1", pParams + "#children": "mi:mcptt-access-token,mi:mcptt-client-id,mi:anyExt", pParams + "/mi:anyExt#children": ""},
		Logoff:   {"contact.x-refclient-ext": "1"},
	}, markers: map[Kind][]string{Register: {"<anyExt><ext:vendor-info xmlns:ext="}}},
	{name: "extensions", variant: true, mode: ModeMigration, want: map[Kind]change{
		Register: {"contact.x-refclient-ext": "1"},
	}, markers: map[Kind][]string{Register: {"</selected-user-profile-index><ext:vendor-info xmlns:ext="}}},
	{name: "extensions", variant: true, mode: ModePublish, want: map[Kind]change{
		Register:   {"contact.x-refclient-ext": "1"},
		Deregister: {"contact.x-refclient-ext": "1"},
		Invite:     {"contact.x-refclient-ext": "1", pParams + "#children": "mi:session-type,mi:mcptt-request-uri,mi:mcptt-client-id,mi:anyExt", pParams + "/mi:anyExt#children": ""},
		Publish:    {pParams + "#children": "mi:mcptt-access-token,mi:mcptt-client-id,mi:anyExt", pParams + "/mi:anyExt#children": ""},
	}, markers: map[Kind][]string{Publish: {"</mcs10Set:multiplex-support><ext:vendor-info xmlns:ext="}}},
	{name: "several-contacts", variant: true, mode: ModeRegister, want: map[Kind]change{
		Register: {"contacts": "2"}, Logoff: {"contacts": "2"},
	}, markers: map[Kind][]string{
		Register: {";transport=udp>;+g.3gpp.mcvideo;+g.3gpp.icsi-ref=\"urn%3Aurn-7%3A3gpp-service.ims.icsi.mcvideo\", <sip:"},
		Logoff:   {";+g.3gpp.mcvideo;"},
	}},
	{name: "several-services", variant: true, mode: ModeRegister, want: map[Kind]change{
		Register: {"content-type": "multipart/mixed", "parts": xmldoc.TypeMCPTTInfo + "," + typeMCVideoInfo, "?encoding": "UTF-8"},
	}, markers: map[Kind][]string{
		Register: {"Content-Type: " + typeMCVideoInfo + "\r\n\r\n" + mcvideoInfo},
	}},
	{name: "several-services", variant: true, mode: ModePublish, want: map[Kind]change{
		Publish: {"parts": xmldoc.TypeMCPTTInfo + "," + xmldoc.TypePoCSettings + "," + typeMCVideoInfo, "?encoding": "UTF-8"},
	}, markers: map[Kind][]string{
		Publish: {"Content-Type: " + typeMCVideoInfo + "\r\n\r\n" + mcvideoInfo},
	}},
	{name: "nested-multipart", variant: true, mode: ModeRegister, want: map[Kind]change{
		Register: {"content-type": "multipart/mixed", "parts": "multipart/mixed[" + xmldoc.TypeMCPTTInfo + "]," + typeMCDataInfo, "?encoding": "UTF-8"},
	}, markers: map[Kind][]string{
		Register: {"Content-Type: multipart/mixed;boundary=" + innerBoundary + "\r\n\r\n--" + innerBoundary + "\r\nContent-Type: " + xmldoc.TypeMCPTTInfo, "Content-Type: " + typeMCDataInfo},
	}},
	{name: "nested-multipart", variant: true, mode: ModePublish, want: map[Kind]change{
		Publish: {"parts": "multipart/mixed[" + xmldoc.TypeMCPTTInfo + "," + xmldoc.TypePoCSettings + "]," + typeMCDataInfo, "?encoding": "UTF-8"},
	}, markers: map[Kind][]string{
		Publish: {"--" + innerBoundary + "\r\nContent-Type: " + xmldoc.TypePoCSettings, "Content-Type: " + typeMCDataInfo},
	}},
}

// TestBuildOptions checks that each break changes exactly the facts of its requirement,
// and each variant changes no fact beyond the ones it must (a listed parameter or list)
// while putting its form on the wire.
func TestBuildOptions(t *testing.T) {
	for _, c := range optionCases {
		t.Run(c.name+"/"+string(c.mode), func(t *testing.T) {
			cfg := testConfig(c.mode)
			if c.variant {
				cfg.Variants = []string{c.name}
			} else {
				cfg.Break = c.name
			}
			for _, kind := range kinds[c.mode] {
				base, broken := build(t, testConfig(c.mode), kind), build(t, cfg, kind)
				t.Run(kind.String(), func(t *testing.T) {
					checkDiff(t, diff(observe(t, base), observe(t, broken)), c.want[kind])
					for _, m := range c.markers[kind] {
						if strings.Contains(string(base), m) || !strings.Contains(string(broken), m) {
							t.Errorf("want %q on the wire only with the option:\n%s", m, broken)
						}
					}
				})
			}
		})
	}
}

// TestOptionsCovered makes sure every --break ID and --variant name has a case above
// that expects something of it.
func TestOptionsCovered(t *testing.T) {
	covered := map[string]bool{"7.2.2-16": true, "publish-refresh": true} // behavioural: TestRunPublishRejected, TestRunPublishRefresh
	for _, c := range optionCases {
		if len(c.want)+len(c.markers) > 0 {
			covered[c.name] = true
		}
	}
	for _, o := range append(append([]Option(nil), Breaks...), Variants...) {
		if !covered[o.Name] {
			t.Errorf("%s has no case in optionCases", o.Name)
		}
	}
}
