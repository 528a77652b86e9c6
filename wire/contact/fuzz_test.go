package contact

import (
	"testing"

	"github.com/mcptt-conformance/mcptt-conformance/wire/sipmsg"
)

const typical = `<sip:alice@198.51.100.7:5070;transport=udp>;+g.3gpp.mcptt;+g.3gpp.icsi-ref="urn%3Aurn-7%3A3gpp-service.ims.icsi.mcptt";+sip.instance="<urn:gsma:imei:49015420-323751-0>";expires=600`

func FuzzParse(f *testing.F) {
	f.Add(typical)
	f.Add(`"A, \"B\"" <sip:a@b>;g.3gpp.mcptt="TRUE", *, sip:c@d;+x="#>=5,!a%2"`)
	f.Add(`<sip:a@b>;+g.3gpp.icsi-ref="urn%ZZ`)
	f.Fuzz(func(t *testing.T, value string) {
		cs, _ := Parse([]sipmsg.Header{{Name: "Contact", Key: "contact", Value: value, Line: 1}})
		for _, c := range cs {
			for _, p := range c.Params {
				tag, ok := c.Tag(p.Name)
				if !ok {
					t.Fatalf("Tag(%q) not found among %+v", p.Name, c.Params)
				}
				if tag.BadEscape != "" && tag.BadEscape[0] != '%' {
					t.Fatalf("BadEscape %q", tag.BadEscape)
				}
			}
		}
	})
}

func BenchmarkParseTags(b *testing.B) {
	hs := []sipmsg.Header{{Name: "Contact", Key: "contact", Value: typical, Line: 8}}
	for b.Loop() {
		cs, ps := Parse(hs)
		if len(ps) != 0 || len(cs) != 1 {
			b.Fatal(cs, ps)
		}
		if _, ok := cs[0].Tag("g.3gpp.mcptt"); !ok {
			b.Fatal("no mcptt tag")
		}
		if _, ok := cs[0].Tag("g.3gpp.icsi-ref"); !ok {
			b.Fatal("no icsi-ref tag")
		}
	}
}
