package xmlprotect

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strings"

	"github.com/mcptt-conformance/mcptt-conformance/wire/xmldoc"
)

// NSExcC14N is the namespace of the exclusive canonicalisation's
// InclusiveNamespaces element.
const NSExcC14N = ExcC14N

// SignatureResult is the verdict on one ds:Signature of a signed body.
type SignatureResult struct {
	ContentID string    // the Content-ID the Reference names (without cid: and <>), or its URI as written when it names no body
	Readings  []Reading // non-preferred readings taken
	Err       error     // nil when the signature verifies; else an *Error
	Line      int       // line of the ds:Signature in the signed body
}

// VerifySignatures verifies every ds:Signature of an
// application/vnd.3gpp.mcptt-signed+xml body (<signatures> in the
// urn:3gpp:ns:mcpttSignedDoc:1.0 namespace). bodies maps each Content-ID of
// the request (without the angle brackets) to the exact bytes of its MIME
// body. Each signature must use HMAC-SHA-256 under the key derived from the
// CSK (the raw CSK: ReadingRawCSK), canonicalise SignedInfo with the method
// it names (exclusive or inclusive c14n 1.0, or c14n 1.1, with or without
// comments), and hold one Reference "cid:<Content-ID>" (the bare Content-ID:
// ReadingBareContentID) with a SHA-256 DigestValue over the body's bytes as
// received (over its exclusive or inclusive canonical form:
// ReadingCanonicalDigest); Transforms are not applied. A KeyName, when
// present, must be base64 of the CSK-ID. It returns an error only when the
// signed body itself is unusable: not XML, another root, or no Signature.
func VerifySignatures(signed []byte, bodies map[string][]byte, k Keys) ([]SignatureResult, error) {
	root, err := xmldoc.Parse(signed)
	if err != nil {
		return nil, fmt.Errorf("xmlprotect: signed body: %w", err)
	}
	if root.Space != xmldoc.NSMCPTTSigned || root.Local != "signatures" {
		return nil, &Error{Kind: KindFormat, Expected: "root element <signatures> in " + xmldoc.NSMCPTTSigned,
			Saw: fmt.Sprintf("<%s> in %q", root.Local, root.Space), Line: root.Line}
	}
	var sigs []*xmldoc.Element
	for _, c := range root.Children {
		if c.Space == xmldoc.NSXMLDSig && c.Local == "Signature" {
			sigs = append(sigs, c)
		}
	}
	if len(sigs) == 0 {
		return nil, &Error{Kind: KindFormat, Expected: "at least one ds:Signature in <signatures>", Saw: "none", Line: root.Line}
	}
	doc, err := parseC14N(signed)
	if err != nil {
		return nil, fmt.Errorf("xmlprotect: signed body: %w", err)
	}
	defer doc.free()
	// libxml2 finds a SignedInfo by its rank among all of them.
	rank := map[*xmldoc.Element]int{}
	for i, si := range root.Find(xmldoc.NSXMLDSig, "SignedInfo") {
		rank[si] = i
	}
	v := &verifier{doc: doc, bodies: bodies, k: k, rank: rank}
	results := make([]SignatureResult, len(sigs))
	for i, sig := range sigs {
		results[i] = v.verify(sig)
	}
	return results, nil
}

type verifier struct {
	doc    c14nDoc
	bodies map[string][]byte
	k      Keys
	rank   map[*xmldoc.Element]int
}

func (v *verifier) verify(sig *xmldoc.Element) SignatureResult {
	r := SignatureResult{Line: sig.Line}
	fail := func(el *xmldoc.Element, kind, expected, saw string) SignatureResult {
		r.Err = &Error{Kind: kind, Expected: expected, Saw: saw, Line: el.Line}
		return r
	}
	si := sig.Child(xmldoc.NSXMLDSig, "SignedInfo")
	if si == nil {
		return fail(sig, KindFormat, "a ds:SignedInfo in ds:Signature", "none")
	}
	cm := si.Child(xmldoc.NSXMLDSig, "CanonicalizationMethod")
	if cm == nil {
		return fail(si, KindFormat, "a ds:CanonicalizationMethod in ds:SignedInfo", "none")
	}
	alg, _ := cm.Attr("", "Algorithm")
	method, ok := c14nMethods[alg]
	if !ok {
		return fail(cm, KindAlgorithm, "CanonicalizationMethod Algorithm one of "+strings.Join(sortedKeys(c14nMethods), ", "), fmt.Sprintf("%q", alg))
	}
	var prefixes []string
	if inc := cm.Child(NSExcC14N, "InclusiveNamespaces"); inc != nil {
		list, _ := inc.Attr("", "PrefixList")
		prefixes = strings.Fields(list)
	}
	sm := si.Child(xmldoc.NSXMLDSig, "SignatureMethod")
	if sm == nil {
		return fail(si, KindFormat, "a ds:SignatureMethod in ds:SignedInfo", "none")
	}
	if alg, _ := sm.Attr("", "Algorithm"); alg != HMACSHA256 {
		return fail(sm, KindAlgorithm, "SignatureMethod Algorithm "+HMACSHA256, fmt.Sprintf("%q", alg))
	}
	var refs []*xmldoc.Element
	for _, c := range si.Children {
		if c.Space == xmldoc.NSXMLDSig && c.Local == "Reference" {
			refs = append(refs, c)
		}
	}
	if len(refs) != 1 {
		return fail(si, KindFormat, "exactly one ds:Reference in ds:SignedInfo (one signature per signed body)", fmt.Sprintf("%d", len(refs)))
	}
	ref := refs[0]
	uri, ok := ref.Attr("", "URI")
	if !ok {
		return fail(ref, KindFormat, "a URI attribute on ds:Reference", "none")
	}
	dm := ref.Child(xmldoc.NSXMLDSig, "DigestMethod")
	if dm == nil {
		return fail(ref, KindFormat, "a ds:DigestMethod in ds:Reference", "none")
	}
	if alg, _ := dm.Attr("", "Algorithm"); alg != SHA256 {
		return fail(dm, KindAlgorithm, "DigestMethod Algorithm "+SHA256, fmt.Sprintf("%q", alg))
	}
	dv := ref.Child(xmldoc.NSXMLDSig, "DigestValue")
	if dv == nil {
		return fail(ref, KindFormat, "a ds:DigestValue in ds:Reference", "none")
	}
	digest, err := decodeBase64(dv.Text)
	if err == nil && len(digest) != sha256.Size {
		err = fmt.Errorf("%d octets", len(digest))
	}
	if err != nil {
		return fail(dv, KindFormat, "a base64 DigestValue of 32 octets", err.Error())
	}
	sv := sig.Child(xmldoc.NSXMLDSig, "SignatureValue")
	if sv == nil {
		return fail(sig, KindFormat, "a ds:SignatureValue in ds:Signature", "none")
	}
	mac, err := decodeBase64(sv.Text)
	if err != nil {
		return fail(sv, KindFormat, "a base64 SignatureValue", err.Error())
	}
	reading, err := checkKeyName(sig, v.k)
	if err != nil {
		r.Err = err
		return r
	}
	if reading != nil {
		r.Readings = append(r.Readings, *reading)
	}

	id, body, bare, ok := v.resolve(uri)
	r.ContentID = id
	if !ok {
		return fail(ref, KindReference, "a Reference URI \"cid:<Content-ID>\" naming a body of the request ("+v.contentIDs()+")", fmt.Sprintf("URI %q", uri))
	}
	if bare {
		r.Readings = append(r.Readings, ReadingBareContentID)
	}

	canonical, err := v.doc.canonical(&subtree{xmldoc.NSXMLDSig, "SignedInfo", v.rank[si]}, method, prefixes)
	if err != nil {
		return fail(si, KindFormat, "a SignedInfo libxml2 can canonicalise", err.Error())
	}
	switch {
	case hmacEqual(v.k.Sig, canonical, mac):
	case len(v.k.CSK) == keySize && hmacEqual(v.k.CSK, canonical, mac):
		r.Readings = append(r.Readings, ReadingRawCSK)
	default:
		return fail(sv, KindSignature, fmt.Sprintf("SignatureValue = HMAC-SHA-256 of the canonical SignedInfo under the key derived from the CSK of CSK-ID %s", v.k.CSKID),
			fmt.Sprintf("%q, which matches neither that key nor the raw CSK", strings.TrimSpace(sv.Text)))
	}

	sum := sha256.Sum256(body)
	switch {
	case bytes.Equal(sum[:], digest):
	case canonicalDigestMatches(body, digest):
		r.Readings = append(r.Readings, ReadingCanonicalDigest)
	default:
		return fail(dv, KindDigest, fmt.Sprintf("DigestValue %s, the SHA-256 of body <%s> as received (%d octets)", base64.StdEncoding.EncodeToString(sum[:]), id, len(body)),
			fmt.Sprintf("%s, which matches neither its bytes nor their canonical form", strings.TrimSpace(dv.Text)))
	}
	return r
}

// resolve finds the body a Reference URI names: "cid:" and a Content-ID,
// percent-encoded or not (RFC 2392), or the bare Content-ID.
func (v *verifier) resolve(uri string) (id string, body []byte, bare, ok bool) {
	id, hasCID := strings.CutPrefix(uri, "cid:")
	if body, ok := v.bodies[id]; ok {
		return id, body, !hasCID, true
	}
	if u, err := url.PathUnescape(id); err == nil {
		if body, ok := v.bodies[u]; ok {
			return u, body, !hasCID, true
		}
	}
	return uri, nil, false, false
}

func (v *verifier) contentIDs() string {
	if len(v.bodies) == 0 {
		return "none has a Content-ID"
	}
	ids := sortedKeys(v.bodies)
	for i, id := range ids {
		ids[i] = "cid:" + id
	}
	return strings.Join(ids, ", ")
}

func hmacEqual(key, msg, mac []byte) bool {
	if len(key) == 0 {
		return false
	}
	m := hmac.New(sha256.New, key)
	m.Write(msg)
	return hmac.Equal(m.Sum(nil), mac)
}

// canonicalDigestMatches reports whether digest is the SHA-256 of body's
// exclusive or inclusive canonical form (c14n 1.0, without comments).
func canonicalDigestMatches(body, digest []byte) bool {
	if _, err := xmldoc.Parse(body); err != nil {
		return false // also refuses a document type declaration before libxml2 sees it
	}
	doc, err := parseC14N(body)
	if err != nil {
		return false
	}
	defer doc.free()
	for _, m := range []c14nMethod{c14nMethods[ExcC14N], c14nMethods[C14N10]} {
		c, err := doc.canonical(nil, m, nil)
		if err != nil {
			continue
		}
		if sum := sha256.Sum256(c); bytes.Equal(sum[:], digest) {
			return true
		}
	}
	return false
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Ref is one body a signature covers.
type Ref struct {
	ContentID string // without the angle brackets
	Body      []byte // the exact bytes of the MIME body
}

// SignOptions choose how Sign writes the signatures. The zero value gives
// the preferred form: exclusive c14n, the derived key, Reference URI
// "cid:<Content-ID>", KeyName = base64 CSK-ID.
type SignOptions struct {
	Canonicalization string // CanonicalizationMethod URI; "" means ExcC14N
	Key              []byte // sign with this key instead (a key the server cannot know)
	RawCSK           bool   // sign with the raw CSK (ReadingRawCSK)
	KeyName          string // "" means base64 of the CSK-ID
	OmitKeyName      bool   // no KeyInfo (ReadingNoKeyName)
	BareContentID    bool   // Reference URI without "cid:" (ReadingBareContentID)
}

// Sign returns an application/vnd.3gpp.mcptt-signed+xml body with one
// ds:Signature per ref, in order: HMAC-SHA-256 over SignedInfo canonicalised
// by libxml2 with the chosen method, one Reference per signature whose
// SHA-256 DigestValue covers the ref's exact bytes.
func Sign(k Keys, refs []Ref, opts SignOptions) ([]byte, error) {
	if len(refs) == 0 {
		return nil, errors.New("xmlprotect: nothing to sign")
	}
	alg := opts.Canonicalization
	if alg == "" {
		alg = ExcC14N
	}
	method, ok := c14nMethods[alg]
	if !ok {
		return nil, fmt.Errorf("xmlprotect: expected a canonicalisation method (%s), got %q", strings.Join(sortedKeys(c14nMethods), ", "), alg)
	}
	key := k.builderKey(k.Sig, opts.Key, opts.RawCSK)
	if len(key) == 0 {
		return nil, errors.New("xmlprotect: no signing key")
	}
	values := make([]string, len(refs))
	draft := writeSignatures(k, refs, opts, alg, values)
	doc, err := parseC14N(draft)
	if err != nil {
		return nil, fmt.Errorf("xmlprotect: the signatures document: %w", err)
	}
	defer doc.free()
	for i := range refs {
		c, err := doc.canonical(&subtree{xmldoc.NSXMLDSig, "SignedInfo", i}, method, nil)
		if err != nil {
			return nil, fmt.Errorf("xmlprotect: signature %d: %w", i+1, err)
		}
		m := hmac.New(sha256.New, key)
		m.Write(c)
		values[i] = base64.StdEncoding.EncodeToString(m.Sum(nil))
	}
	return writeSignatures(k, refs, opts, alg, values), nil
}

// writeSignatures writes the signatures document with the given
// SignatureValues. SignedInfo is written in its exclusive canonical form, so
// with the default method the HMAC input is its bytes as sent.
func writeSignatures(k Keys, refs []Ref, opts SignOptions, alg string, values []string) []byte {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\r\n")
	b.WriteString(`<signatures xmlns="` + xmldoc.NSMCPTTSigned + `">` + "\r\n")
	for i, ref := range refs {
		uri := "cid:" + ref.ContentID
		if opts.BareContentID {
			uri = ref.ContentID
		}
		sum := sha256.Sum256(ref.Body)
		b.WriteString(`  <ds:Signature xmlns:ds="` + xmldoc.NSXMLDSig + `">`)
		b.WriteString(`<ds:SignedInfo xmlns:ds="` + xmldoc.NSXMLDSig + `">`)
		b.WriteString(`<ds:CanonicalizationMethod Algorithm="` + escapeAttr(alg) + `"></ds:CanonicalizationMethod>`)
		b.WriteString(`<ds:SignatureMethod Algorithm="` + HMACSHA256 + `"></ds:SignatureMethod>`)
		b.WriteString(`<ds:Reference URI="` + escapeAttr(uri) + `">`)
		b.WriteString(`<ds:DigestMethod Algorithm="` + SHA256 + `"></ds:DigestMethod>`)
		b.WriteString(`<ds:DigestValue>` + base64.StdEncoding.EncodeToString(sum[:]) + `</ds:DigestValue>`)
		b.WriteString(`</ds:Reference></ds:SignedInfo>`)
		b.WriteString(`<ds:SignatureValue>` + values[i] + `</ds:SignatureValue>`)
		if !opts.OmitKeyName {
			name := opts.KeyName
			if name == "" {
				name = k.KeyName()
			}
			b.WriteString(`<ds:KeyInfo><ds:KeyName>` + escapeAttr(name) + `</ds:KeyName></ds:KeyInfo>`)
		}
		b.WriteString("</ds:Signature>\r\n")
	}
	b.WriteString("</signatures>")
	return []byte(b.String())
}
