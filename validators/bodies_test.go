package validators

import (
	"fmt"
	"reflect"
	"sync"
	"testing"

	"github.com/mcptt-conformance/mcptt-conformance/wire/xmldoc"
)

// memoBodies are bodies of every outcome: valid (TS 24.379 Annex F.1), not valid
// against the schema, in another namespace, not well-formed, with a document type
// declaration, and not UTF-8.
var memoBodies = []struct {
	name string
	kind xmldoc.Kind
	body string
}{
	{"valid", xmldoc.MCPTTInfo, `<?xml version="1.0" encoding="UTF-8"?>
<mcpttinfo xmlns="urn:3gpp:ns:mcpttInfo:1.0"><mcptt-Params>
<mcptt-access-token type="Normal"><mcpttString>token</mcpttString></mcptt-access-token>
</mcptt-Params></mcpttinfo>`},
	{"not valid", xmldoc.MCPTTInfo, `<mcpttinfo xmlns="urn:3gpp:ns:mcpttInfo:1.0"><no-such-element/></mcpttinfo>`},
	{"other namespace", xmldoc.PoCSettings, `<mcpttinfo xmlns="urn:3gpp:ns:mcpttInfo:1.0"/>`},
	{"not well-formed", xmldoc.MCPTTInfo, `<mcpttinfo xmlns="urn:3gpp:ns:mcpttInfo:1.0"><a></b></mcpttinfo>`},
	{"doctype", xmldoc.MCPTTInfo, `<!DOCTYPE x [<!ENTITY e "e">]><mcpttinfo xmlns="urn:3gpp:ns:mcpttInfo:1.0">&e;</mcpttinfo>`},
	{"latin-1", xmldoc.MCPTTInfo, "<mcpttinfo xmlns=\"urn:3gpp:ns:mcpttInfo:1.0\">\xe9</mcpttinfo>"},
	{"unknown kind", xmldoc.Kind(99), `<mcpttinfo xmlns="urn:3gpp:ns:mcpttInfo:1.0"/>`},
}

// A memoised body gives what a fresh parse and check of the same bytes give, the first
// time and every time after, whatever buffer the bytes come in.
func TestBodyMemoGivesFreshResults(t *testing.T) {
	m := newBodyMemo()
	for _, c := range memoBodies {
		t.Run(c.name, func(t *testing.T) {
			wantDoc, wantErr := xmldoc.Parse([]byte(c.body))
			wantWF, wantSchema := checkXML(c.kind, []byte(c.body))
			for i := range 3 {
				b := m.of([]byte(c.body))
				doc, err := b.document()
				wf, schema := b.checked(c.kind)
				if !reflect.DeepEqual(doc, wantDoc) || fmt.Sprint(err) != fmt.Sprint(wantErr) {
					t.Errorf("look-up %d: expected the tree and error of a fresh parse (%v), saw %v", i, wantErr, err)
				}
				if !reflect.DeepEqual(wf, wantWF) || !reflect.DeepEqual(schema, wantSchema) {
					t.Errorf("look-up %d: expected the problems of a fresh check\n%v\n%v\nsaw\n%v\n%v", i, wantWF, wantSchema, wf, schema)
				}
			}
		})
	}
}

// The same bytes share one body; other bytes, even of the same length, do not; the
// memo keeps its own copy of the bytes.
func TestBodyMemoKeysByExactBytes(t *testing.T) {
	m := newBodyMemo()
	buf := []byte("<a>1</a>")
	first := m.of(buf)
	if m.of([]byte("<a>1</a>")) != first {
		t.Error("expected the same bytes to give the same body, saw a new one")
	}
	if m.of([]byte("<a>2</a>")) == first {
		t.Error("expected other bytes to give another body, saw the same")
	}
	buf[3] = '3'
	if string(first.content) != "<a>1</a>" {
		t.Errorf("expected the memo to keep its own copy of the bytes, saw %q", first.content)
	}
}

// The memo holds at most two generations, each of maxBodyEntries bodies and
// maxBodyBytes bytes, and never keeps a body larger than maxMemoBody.
func TestBodyMemoIsBounded(t *testing.T) {
	m := newBodyMemo()
	for i := range 5 * maxBodyEntries {
		m.of(fmt.Appendf(nil, "<a>%d</a>", i))
	}
	if n := len(m.cur) + len(m.prev); n > 2*maxBodyEntries {
		t.Errorf("expected at most %d bodies held, saw %d", 2*maxBodyEntries, n)
	}
	big := make([]byte, maxBodyBytes/4)
	for i := range 20 {
		big[0] = byte(i)
		m.of(big)
	}
	held := 0
	for _, gen := range []map[uint64][]*xmlBody{m.cur, m.prev} {
		for _, bs := range gen {
			for _, b := range bs {
				held += len(b.content)
			}
		}
	}
	if held > 2*maxBodyBytes {
		t.Errorf("expected at most %d bytes held, saw %d", 2*maxBodyBytes, held)
	}
	huge := make([]byte, maxMemoBody+1)
	if m.of(huge) == m.of(huge) {
		t.Error("expected a body larger than maxMemoBody not to be kept, saw it kept")
	}
}

// Judges on several goroutines share the memo (run with -race).
func TestBodyMemoConcurrent(t *testing.T) {
	m := newBodyMemo()
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 200 {
				c := memoBodies[(g+i)%len(memoBodies)]
				b := m.of([]byte(c.body))
				b.document()
				b.checked(c.kind)
			}
		})
	}
	wg.Wait()
}
