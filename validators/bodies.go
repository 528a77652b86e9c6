package validators

import (
	"bytes"
	"hash/maphash"
	"slices"
	"sync"

	"github.com/mcptt-conformance/mcptt-conformance/wire/xmldoc"
)

// A client sends the same XML body on every re-REGISTER and re-PUBLISH, so what the
// checks read of a body (its element tree, its well-formedness and schema problems)
// is kept by the body's exact bytes and shared by every request that carries them:
// a body is parsed and validated once however many times it is sent. The results are
// those of a fresh parse and validation of the same bytes, which depend on nothing
// else; nothing reading them changes them.

// The bounds of the memo of bodies: a generation holds at most maxBodyEntries bodies
// and maxBodyBytes bytes of content, and two generations are kept (the current one and
// the one before it), so the memo never holds more than twice that. A body larger than
// maxMemoBody is judged afresh each time it is seen.
const (
	maxBodyEntries = 512
	maxBodyBytes   = 2 << 20
	maxMemoBody    = 64 << 10
)

// xmlBody is what the checks read of one XML body: its tree (xmldoc.Parse), parsed
// once, and its problems (xmldoc's Check with the suite's schemas) under each kind it
// is judged as, found once per kind.
type xmlBody struct {
	content []byte // the body's own bytes, copied: the key, and what doc refers to

	docOnce sync.Once
	doc     *xmldoc.Element
	docErr  error

	checks [xmldoc.MCPTTSigned + 1]checkOnce // by kind
}

type checkOnce struct {
	once               sync.Once
	wellFormed, schema []xmldoc.Problem
}

// document is the body parsed as XML, once.
func (b *xmlBody) document() (*xmldoc.Element, error) {
	b.docOnce.Do(func() { b.doc, b.docErr = xmldoc.Parse(b.content) })
	return b.doc, b.docErr
}

// checked is checkXML of the body as a k, once per kind. The problems are clipped, so
// that a caller appending to them cannot write into what another request reads.
func (b *xmlBody) checked(k xmldoc.Kind) (wellFormed, schema []xmldoc.Problem) {
	if k < 0 || int(k) >= len(b.checks) {
		return checkXML(k, b.content)
	}
	c := &b.checks[k]
	c.once.Do(func() {
		wf, s := checkXML(k, b.content)
		c.wellFormed, c.schema = slices.Clip(wf), slices.Clip(s)
	})
	return c.wellFormed, c.schema
}

// bodyMemo keys xmlBodies by their exact bytes: a 64-bit hash picks the candidates,
// compared byte for byte. It is safe for concurrent use by the per-client judges.
type bodyMemo struct {
	seed maphash.Seed

	mu        sync.Mutex
	cur, prev map[uint64][]*xmlBody
	curN      int // bodies in cur
	curBytes  int // bytes of content in cur
}

var bodies = newBodyMemo()

func newBodyMemo() *bodyMemo { return &bodyMemo{seed: maphash.MakeSeed()} }

// of returns the xmlBody of content, from the memo when the same bytes were seen
// lately. The caller may reuse content afterwards: the memo keeps a copy.
func (m *bodyMemo) of(content []byte) *xmlBody {
	if len(content) > maxMemoBody {
		return &xmlBody{content: content}
	}
	h := maphash.Bytes(m.seed, content)
	m.mu.Lock()
	defer m.mu.Unlock()
	if b := find(m.cur[h], content); b != nil {
		return b
	}
	b := find(m.prev[h], content)
	if b == nil {
		b = &xmlBody{content: bytes.Clone(content)}
	}
	if m.cur == nil || m.curN >= maxBodyEntries || m.curBytes+len(content) > maxBodyBytes {
		m.prev, m.cur, m.curN, m.curBytes = m.cur, make(map[uint64][]*xmlBody), 0, 0
	}
	m.cur[h] = append(m.cur[h], b)
	m.curN++
	m.curBytes += len(b.content)
	return b
}

func find(candidates []*xmlBody, content []byte) *xmlBody {
	for _, b := range candidates {
		if bytes.Equal(b.content, content) {
			return b
		}
	}
	return nil
}
