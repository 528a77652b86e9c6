package contact

import (
	"reflect"
	"strings"
	"testing"

	"github.com/mcptt-conformance/mcptt-conformance/wire/sipmsg"
)

const icsi = "urn:urn-7:3gpp-service.ims.icsi.mcptt"

// contactOf parses one Contact header value written on line 9.
func contactOf(t *testing.T, value string) ([]Contact, []sipmsg.Problem) {
	t.Helper()
	return Parse([]sipmsg.Header{{Name: "Contact", Key: "contact", Value: value, Line: 9}})
}

func TestConformantContact(t *testing.T) {
	cs, ps := contactOf(t, `<sip:alice@198.51.100.7:5070;transport=udp>;+g.3gpp.mcptt;+g.3gpp.icsi-ref="urn%3Aurn-7%3A3gpp-service.ims.icsi.mcptt";+sip.instance="<urn:gsma:imei:49015420-323751-0>";expires=600`)
	if len(ps) != 0 || len(cs) != 1 {
		t.Fatalf("contacts %+v, problems %v", cs, ps)
	}
	c := cs[0]
	if c.URI != "sip:alice@198.51.100.7:5070;transport=udp" || c.Line != 9 || len(c.Params) != 4 {
		t.Errorf("contact %+v", c)
	}
	if _, ok := c.Tag("transport"); ok {
		t.Error("a URI parameter was taken for a header parameter")
	}
	mcptt, ok := c.Tag("g.3gpp.mcptt")
	if want := (Tag{Name: "g.3gpp.mcptt", Plus: true, Bool: true, Encoded: true, Raw: "+g.3gpp.mcptt"}); !ok || !reflect.DeepEqual(mcptt, want) {
		t.Errorf("mcptt tag %+v, want %+v", mcptt, want)
	}
	ref, ok := c.Tag("+G.3GPP.ICSI-REF")
	if !ok || !ref.Plus || !ref.Quoted || !ref.Encoded || ref.Bool || !reflect.DeepEqual(ref.Values, []string{icsi}) || ref.BadEscape != "" {
		t.Errorf("icsi-ref tag %+v", ref)
	}
	inst, ok := c.Tag("sip.instance")
	if !ok || !reflect.DeepEqual(inst.Values, []string{"<urn:gsma:imei:49015420-323751-0>"}) || !inst.Encoded {
		t.Errorf("sip.instance tag %+v", inst)
	}
}

// TestTagVariations checks each legal or lenient spelling of the two MCPTT tags.
func TestTagVariations(t *testing.T) {
	tests := []struct {
		name, value, tag string
		want             Tag
	}{
		{"flag", `<sip:a@b>;+g.3gpp.mcptt`, "g.3gpp.mcptt",
			Tag{Name: "g.3gpp.mcptt", Plus: true, Bool: true, Encoded: true, Raw: "+g.3gpp.mcptt"}},
		{"quoted TRUE", `<sip:a@b>;+g.3gpp.mcptt="TRUE"`, "g.3gpp.mcptt",
			Tag{Name: "g.3gpp.mcptt", Plus: true, Bool: true, HasValue: true, Quoted: true, Values: []string{"TRUE"}, Encoded: true, Raw: `+g.3gpp.mcptt="TRUE"`}},
		{"quoted true", `<sip:a@b>;+g.3gpp.mcptt="true"`, "g.3gpp.mcptt",
			Tag{Name: "g.3gpp.mcptt", Plus: true, Bool: true, HasValue: true, Quoted: true, Values: []string{"true"}, Encoded: true, Raw: `+g.3gpp.mcptt="true"`}},
		{"no plus", `<sip:a@b>;g.3gpp.mcptt`, "+g.3gpp.mcptt",
			Tag{Name: "g.3gpp.mcptt", Bool: true, Encoded: true, Raw: "g.3gpp.mcptt"}},
		{"upper-case name", `<sip:a@b>;+G.3GPP.MCPTT`, "g.3gpp.mcptt",
			Tag{Name: "g.3gpp.mcptt", Plus: true, Bool: true, Encoded: true, Raw: "+G.3GPP.MCPTT"}},
		{"LWS around ; and =", "<sip:a@b> ;\t+g.3gpp.icsi-ref = \"urn%3Aurn-7%3A3gpp-service.ims.icsi.mcptt\"", "g.3gpp.icsi-ref",
			Tag{Name: "g.3gpp.icsi-ref", Plus: true, HasValue: true, Quoted: true, Values: []string{icsi}, Encoded: true, Raw: "+g.3gpp.icsi-ref = \"urn%3Aurn-7%3A3gpp-service.ims.icsi.mcptt\""}},
		{"lower-case escapes", `<sip:a@b>;+g.3gpp.icsi-ref="urn%3aurn-7%3a3gpp-service.ims.icsi.mcptt"`, "g.3gpp.icsi-ref",
			Tag{Name: "g.3gpp.icsi-ref", Plus: true, HasValue: true, Quoted: true, Values: []string{icsi}, Encoded: true, Raw: `+g.3gpp.icsi-ref="urn%3aurn-7%3a3gpp-service.ims.icsi.mcptt"`}},
		{"literal colons", `<sip:a@b>;+g.3gpp.icsi-ref="urn:urn-7:3gpp-service.ims.icsi.mcptt"`, "g.3gpp.icsi-ref",
			Tag{Name: "g.3gpp.icsi-ref", Plus: true, HasValue: true, Quoted: true, Values: []string{icsi}, Raw: `+g.3gpp.icsi-ref="urn:urn-7:3gpp-service.ims.icsi.mcptt"`}},
		{"two ICSIs", `<sip:a@b>;+g.3gpp.icsi-ref="urn%3Aurn-7%3A3gpp-service.ims.icsi.mcptt,urn%3Aurn-7%3A3gpp-service.ims.icsi.mcvideo"`, "g.3gpp.icsi-ref",
			Tag{Name: "g.3gpp.icsi-ref", Plus: true, HasValue: true, Quoted: true, Values: []string{icsi, "urn:urn-7:3gpp-service.ims.icsi.mcvideo"}, Encoded: true, Raw: `+g.3gpp.icsi-ref="urn%3Aurn-7%3A3gpp-service.ims.icsi.mcptt,urn%3Aurn-7%3A3gpp-service.ims.icsi.mcvideo"`}},
		{"unquoted", `<sip:a@b>;+g.3gpp.icsi-ref=urn%3Aurn-7%3A3gpp-service.ims.icsi.mcptt`, "g.3gpp.icsi-ref",
			Tag{Name: "g.3gpp.icsi-ref", Plus: true, HasValue: true, Values: []string{icsi}, Encoded: true, Raw: `+g.3gpp.icsi-ref=urn%3Aurn-7%3A3gpp-service.ims.icsi.mcptt`}},
		{"plus form wins", `<sip:a@b>;g.3gpp.mcptt="FALSE";+g.3gpp.mcptt`, "g.3gpp.mcptt",
			Tag{Name: "g.3gpp.mcptt", Plus: true, Bool: true, Encoded: true, Raw: "+g.3gpp.mcptt"}},
		{"bare addr-spec params are header params", `sip:a@b;+g.3gpp.mcptt`, "g.3gpp.mcptt",
			Tag{Name: "g.3gpp.mcptt", Plus: true, Bool: true, Encoded: true, Raw: "+g.3gpp.mcptt"}},
		{"numeric", `<sip:a@b>;+x.count="#>=5,!#<=2"`, "x.count",
			Tag{Name: "x.count", Plus: true, HasValue: true, Quoted: true, Values: []string{"#>=5", "!#<=2"}, Encoded: true, Raw: `+x.count="#>=5,!#<=2"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cs, ps := contactOf(t, tt.value)
			if len(ps) != 0 || len(cs) != 1 {
				t.Fatalf("contacts %+v, problems %v", cs, ps)
			}
			got, ok := cs[0].Tag(tt.tag)
			if !ok || !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Tag(%q) = %+v, %v\nwant %+v", tt.tag, got, ok, tt.want)
			}
		})
	}
}

func TestTagAbsent(t *testing.T) {
	cs, _ := contactOf(t, `<sip:a@b;+g.3gpp.mcptt>;expires=5`)
	if _, ok := cs[0].Tag("g.3gpp.mcptt"); ok {
		t.Error("found a tag that is only a URI parameter")
	}
}

func TestBadEscapeKeepsContact(t *testing.T) {
	cs, ps := contactOf(t, `<sip:a@b>;+g.3gpp.mcptt;+g.3gpp.icsi-ref="urn%ZZbad"`)
	if len(cs) != 1 || len(ps) != 1 || ps[0].Line != 9 || !strings.Contains(ps[0].Error(), "%ZZ") {
		t.Fatalf("contacts %+v, problems %v", cs, ps)
	}
	ref, ok := cs[0].Tag("g.3gpp.icsi-ref")
	if !ok || ref.BadEscape != "%ZZ" || !reflect.DeepEqual(ref.Values, []string{"urn%ZZbad"}) {
		t.Errorf("icsi-ref %+v", ref)
	}
	if _, ok := cs[0].Tag("g.3gpp.mcptt"); !ok {
		t.Error("the mcptt tag was lost with the bad escape")
	}
}

func TestSeveralContacts(t *testing.T) {
	hs := []sipmsg.Header{
		{Name: "Contact", Key: "contact", Value: `"Alice, MCPTT" <sip:a@b>;+g.3gpp.mcptt, <sip:a@b;transport=tcp>;+sip.instance="<urn:uuid:1,2>";q=0.5`, Line: 3},
		{Name: "m", Key: "contact", Value: `sip:c@d;expires=0`, Line: 4},
	}
	cs, ps := Parse(hs)
	if len(ps) != 0 || len(cs) != 3 {
		t.Fatalf("contacts %+v, problems %v", cs, ps)
	}
	want := []struct {
		uri, display string
		line, params int
	}{{"sip:a@b", `"Alice, MCPTT"`, 3, 1}, {"sip:a@b;transport=tcp", "", 3, 2}, {"sip:c@d", "", 4, 1}}
	for i, w := range want {
		if c := cs[i]; c.URI != w.uri || c.Display != w.display || c.Line != w.line || len(c.Params) != w.params {
			t.Errorf("contact %d = %+v, want %+v", i, c, w)
		}
	}
}

func TestProblems(t *testing.T) {
	tests := []struct{ name, value, want string }{
		{"unclosed <", `<sip:a@b;+g.3gpp.mcptt`, "'>' closing the URI"},
		{"no scheme", `<alice>;+g.3gpp.mcptt`, "a URI with a scheme"},
		{"unclosed quote", `<sip:a@b>;+g.3gpp.icsi-ref="urn%3A`, "quoted value closed"},
		{"escape at end", `<sip:a@b>;+g.3gpp.icsi-ref="urn%3"`, "%3 in"},
		{"escape without plus", `<sip:a@b>;g.3gpp.icsi-ref="urn%G1"`, "%G1 in"},
		{"empty header", ``, "a contact address"},
		{"star with others", `*, <sip:a@b>`, "'*' as the only Contact"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, ps := contactOf(t, tt.value)
			if len(ps) != 1 || !strings.Contains(ps[0].Error(), tt.want) || ps[0].Line != 9 {
				t.Errorf("problems %+v, want one on line 9 containing %q", ps, tt.want)
			}
		})
	}
}

func TestStar(t *testing.T) {
	cs, ps := contactOf(t, "*")
	if len(ps) != 0 || len(cs) != 1 || !cs[0].Star {
		t.Errorf("contacts %+v, problems %v", cs, ps)
	}
}

// TestFromMessage reads the Contact of a whole message, compact and folded.
func TestFromMessage(t *testing.T) {
	m, err := sipmsg.Parse([]byte("REGISTER sip:x SIP/2.0\nm: <sip:a@b>\n ;+g.3gpp.mcptt\n\t;+g.3gpp.icsi-ref=\"urn%3Aurn-7%3A3gpp-service.ims.icsi.mcptt\"\n\n"))
	if err != nil {
		t.Fatal(err)
	}
	cs, ps := Parse(m.Get("contact"))
	if len(ps) != 0 || len(cs) != 1 || cs[0].Line != 2 {
		t.Fatalf("contacts %+v, problems %v", cs, ps)
	}
	if ref, ok := cs[0].Tag("g.3gpp.icsi-ref"); !ok || ref.Values[0] != icsi {
		t.Errorf("icsi-ref %+v", ref)
	}
}
