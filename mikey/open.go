package mikey

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/mcptt-conformance/mcptt-conformance/crypto/eccsi"
	"github.com/mcptt-conformance/mcptt-conformance/crypto/mcx"
	"github.com/mcptt-conformance/mcptt-conformance/crypto/sakke"
	"github.com/mcptt-conformance/mcptt-conformance/kms"
)

// Kind classifies a problem so that each maps to the right requirement.
type Kind string

// Problem kinds found by Open.
const (
	KindHeader            Kind = "header"             // HDR version, data type, V or PRF
	KindCSMap             Kind = "cs-map"             // #CS, map type, CS-ID, protocol, SPI
	KindPurposeTag        Kind = "purpose-tag"        // CSB-ID/CSK-ID not tagged CSK (2)
	KindMissingPayload    Kind = "missing-payload"    // a mandatory payload is absent
	KindTimestamp         Kind = "timestamp"          // T type, freshness, key period
	KindRand              Kind = "rand"               // RAND shorter than 128 bits
	KindIDRi              Kind = "idr-initiator"      // IDRi role or identity
	KindIDRr              Kind = "idr-responder"      // IDRr role or identity (not the MDSI)
	KindIDRkms            Kind = "idr-kms"            // IDRkmsi / IDRkmsr not the KMS URI
	KindSAKKEParams       Kind = "sakke-params"       // SAKKE params not 1
	KindSAKKEIDScheme     Kind = "sakke-id-scheme"    // ID scheme not 2
	KindSAKKE             Kind = "sakke"              // malformed or failed decapsulation
	KindKeyFile           Kind = "key-file"           // the key file's RSK does not validate
	KindSignature         Kind = "signature"          // missing, wrong type or not verifying
	KindSignatureCoverage Kind = "signature-coverage" // verifies only without the SIGN header (lenient)
)

// Problem is one finding, naming what was expected and what was seen.
type Problem struct {
	Kind     Kind
	Payload  string // the payload concerned ("HDR", "IDRr", "SAKKE", ...)
	Offset   int    // of that payload in the message; -1 when it is absent
	Expected string
	Seen     string
	// Lenient marks a reading facts.md section 0 accepts, which a strict
	// run fails.
	Lenient bool
	Err     error // the underlying error, if any (eccsi.ErrVerify, sakke.ErrDecapsulation, ...)
}

func (p Problem) String() string {
	s := fmt.Sprintf("%s: %s", p.Kind, p.Payload)
	if p.Offset >= 0 {
		s += fmt.Sprintf(" at offset %d", p.Offset)
	}
	s += fmt.Sprintf(": expected %s, saw %s", p.Expected, p.Seen)
	if p.Err != nil {
		s += fmt.Sprintf(" (%v)", p.Err)
	}
	if p.Lenient {
		s += " [lenient reading]"
	}
	return s
}

// Coverage names the span an ECCSI signature was found to cover.
type Coverage string

// Signature coverages (facts.md section 0).
const (
	CoverageWithHeader    Coverage = "including-sign-header"
	CoverageWithoutHeader Coverage = "excluding-sign-header"
)

// Options tune Open.
type Options struct {
	// Now and MaxSkew, when MaxSkew > 0, require the T payload to be
	// within MaxSkew of Now.
	Now     time.Time
	MaxSkew time.Duration
}

// Opened is a message opened for the server.
type Opened struct {
	Message   *Message
	CSBID     mcx.KeyID
	CSKID     mcx.KeyID // = CSB-ID (TS 36.579-1 5.5.9.1)
	Purpose   mcx.Purpose
	Initiator *IDR // role 1 or 8
	Responder *IDR // role 2 or 9
	// KeyPeriodNo is the key period used for the UIDs: the key file's, or
	// the one of the T payload.
	KeyPeriodNo       uint64
	SignatureValid    bool
	SignatureCoverage Coverage // empty when the signature did not verify
	CSK               []byte   // nil when decapsulation failed
	Problems          []Problem
}

// OK reports whether the message has no problem; with strict, lenient
// readings count as problems too.
func (o *Opened) OK(strict bool) bool {
	for _, p := range o.Problems {
		if strict || !p.Lenient {
			return false
		}
	}
	return true
}

// Open parses msg and opens it as the responder of keys: it checks the
// header and identities, decapsulates the CSK with the responder's RSK and
// verifies the initiator's ECCSI signature. It returns an error only when
// the message cannot be parsed (a *ParseError) or keys is nil; everything
// else is a Problem.
func Open(msg []byte, keys *kms.KeyFile, opts Options) (*Opened, error) {
	if keys == nil {
		return nil, errors.New("mikey: no key file")
	}
	m, err := Parse(msg)
	if err != nil {
		return nil, err
	}
	o := &Opened{Message: m, CSBID: mcx.KeyID(m.Header.CSBID), CSKID: mcx.KeyID(m.Header.CSBID)}
	o.Purpose = o.CSKID.Purpose()
	o.checkHeader()
	period, periodOK := o.checkTime(keys, opts)
	o.checkRand()
	o.checkIdentities(keys, period, periodOK)
	if periodOK {
		o.KeyPeriodNo = period
		o.openSAKKE(keys, period)
		o.verify(keys, period)
	}
	return o, nil
}

func (o *Opened) add(kind Kind, payload string, offset int, expected, seen string, err error) {
	o.Problems = append(o.Problems, Problem{Kind: kind, Payload: payload, Offset: offset, Expected: expected, Seen: seen, Err: err})
}

func (o *Opened) payloadOffset(code uint8) int {
	for _, p := range o.Message.Payloads {
		if p.Code == code && p.Type != "HDR" {
			return p.Offset
		}
	}
	return -1
}

func (o *Opened) checkHeader() {
	h := o.Message.Header
	if h.Version != 1 {
		o.add(KindHeader, "HDR", 0, "version 1", fmt.Sprint(h.Version), nil)
	}
	if h.DataType != DataTypeSAKKE {
		o.add(KindHeader, "HDR", 0, "data type 26 (SAKKE)", fmt.Sprint(h.DataType), nil)
	}
	if h.V {
		o.add(KindHeader, "HDR", 0, "V flag 0 (no verification message)", "1", nil)
	}
	if h.PRF != 1 {
		o.add(KindHeader, "HDR", 0, "PRF function 1 (PRF-HMAC-SHA-256)", fmt.Sprint(h.PRF), nil)
	}
	if o.Purpose != mcx.PurposeCSK {
		o.add(KindPurposeTag, "HDR", 0, "CSB-ID purpose tag 2 (CSK, top nibble 0010)", fmt.Sprintf("%d (%v) in CSB-ID %v", uint8(o.Purpose), o.Purpose, o.CSBID), nil)
	}
	switch {
	case h.NumCS == 0 && h.MapType == MapEmpty:
	case h.NumCS == 1 && h.MapType == MapGenericID:
		cs := h.Generic[0]
		if cs.CSID != CSIDCSK {
			o.add(KindCSMap, "HDR", 0, "CS-ID 6 (CSK)", fmt.Sprint(cs.CSID), nil)
		}
		if cs.ProtType != 0 {
			o.add(KindCSMap, "HDR", 0, "protocol type 0 (SRTP)", fmt.Sprint(cs.ProtType), nil)
		}
		if !bytes.Equal(cs.SPI, o.CSBID.Bytes()) {
			o.add(KindCSMap, "HDR", 0, "SPI = CSK-ID "+o.CSBID.String(), hex.EncodeToString(cs.SPI), nil)
		}
	default:
		o.add(KindCSMap, "HDR", 0, "#CS 1 with map type 2 (GENERIC-ID), or #CS 0 with map type 1 (empty)", fmt.Sprintf("#CS %d with map type %d", h.NumCS, h.MapType), nil)
	}
}

// checkTime returns the key period number for the UIDs.
func (o *Opened) checkTime(keys *kms.KeyFile, opts Options) (uint64, bool) {
	t := o.Message.T
	off := o.payloadOffset(TypeT)
	var ntp uint64
	var fromT bool
	switch {
	case t == nil:
		o.add(KindMissingPayload, "T", -1, "a T payload", "none", nil)
	case t.Type != 0:
		o.add(KindTimestamp, "T", off, "TS type 0 (NTP-UTC)", fmt.Sprint(t.Type), nil)
		ntp, fromT = t.NTPSeconds()
	default:
		ntp, fromT = t.NTPSeconds()
	}
	if fromT && opts.MaxSkew > 0 {
		if d := time.Duration(int64(ntp)-int64(mcx.NTPSeconds(opts.Now))) * time.Second; d > opts.MaxSkew || -d > opts.MaxSkew {
			o.add(KindTimestamp, "T", off, fmt.Sprintf("a time within %v of %s", opts.MaxSkew, opts.Now.UTC().Format(time.RFC3339)), time.Unix(int64(ntp)-mcx.NTPOffset, 0).UTC().Format(time.RFC3339), nil)
		}
	}
	var tPeriod uint64
	var tPeriodErr error = errors.New("no NTP time in the message")
	if fromT {
		tPeriod, tPeriodErr = keys.KeyPeriod().Number(ntp)
	}
	if keys.KeyPeriodNo != nil {
		if tPeriodErr == nil && tPeriod != *keys.KeyPeriodNo {
			o.add(KindTimestamp, "T", off, fmt.Sprintf("a time in key period %d (the key file's)", *keys.KeyPeriodNo), fmt.Sprintf("key period %d", tPeriod), nil)
		}
		return *keys.KeyPeriodNo, true
	}
	if tPeriodErr != nil {
		o.add(KindTimestamp, "T", off, "an NTP time giving the key period (the key file has no key_period_no)", "none", tPeriodErr)
		return 0, false
	}
	return tPeriod, true
}

func (o *Opened) checkRand() {
	switch r := o.Message.Rand; {
	case r == nil && o.payloadOffset(TypeRAND) < 0:
		o.add(KindMissingPayload, "RAND", -1, "a RAND payload", "none", nil)
	case len(r) < 16:
		o.add(KindRand, "RAND", o.payloadOffset(TypeRAND), "at least 16 octets of RAND", fmt.Sprintf("%d octets", len(r)), nil)
	}
}

func (o *Opened) findIDR(roles ...uint8) *IDR {
	for i := range o.Message.IDRs {
		for _, r := range roles {
			if o.Message.IDRs[i].Role == r {
				return &o.Message.IDRs[i]
			}
		}
	}
	return nil
}

// describe renders an IDR value: text for URIs, hex for UIDs.
func describe(idr *IDR) string {
	if idr.Role == RoleUIDInitiator || idr.Role == RoleUIDResponder {
		return fmt.Sprintf("role %d, UID %x", idr.Role, idr.Value)
	}
	return fmt.Sprintf("role %d, %q", idr.Role, idr.Value)
}

// checkIdentity compares an IDR with uri (roles 1/2) or its UID (roles 8/9).
func (o *Opened) checkIdentity(kind Kind, name string, idr *IDR, uri string, keys *kms.KeyFile, period uint64, periodOK bool) {
	if idr.Role == RoleInitiator || idr.Role == RoleResponder {
		if string(idr.Value) != uri {
			o.add(kind, name, idr.Offset, fmt.Sprintf("role %d, %q", idr.Role, uri), describe(idr), nil)
		}
		return
	}
	if !periodOK {
		return
	}
	uid, err := keys.UID(uri, period)
	if err != nil || !bytes.Equal(idr.Value, uid) {
		o.add(kind, name, idr.Offset, fmt.Sprintf("role %d, UID %x of %q in key period %d", idr.Role, uid, uri, period), describe(idr), err)
	}
}

func (o *Opened) checkIdentities(keys *kms.KeyFile, period uint64, periodOK bool) {
	o.Initiator = o.findIDR(RoleInitiator, RoleUIDInitiator)
	o.Responder = o.findIDR(RoleResponder, RoleUIDResponder)
	if o.Initiator == nil {
		o.add(KindMissingPayload, "IDRi", -1, "an IDR payload with role 1 (URI) or 8 (UID)", "none", nil)
	} else if keys.InitiatorURI != "" {
		o.checkIdentity(KindIDRi, "IDRi", o.Initiator, keys.InitiatorURI, keys, period, periodOK)
	}
	if o.Responder == nil {
		o.add(KindMissingPayload, "IDRr", -1, "an IDR payload with role 2 (URI) or 9 (UID)", "none", nil)
	} else {
		o.checkIdentity(KindIDRr, "IDRr", o.Responder, keys.ResponderURI, keys, period, periodOK)
	}
	for _, k := range []struct {
		role uint8
		name string
	}{{RoleKMSInitiator, "IDRkmsi"}, {RoleKMSResponder, "IDRkmsr"}} {
		idr := o.findIDR(k.role)
		switch {
		case idr == nil:
			o.add(KindMissingPayload, k.name, -1, fmt.Sprintf("an IDR payload with role %d", k.role), "none", nil)
		case string(idr.Value) != keys.KMSURI:
			o.add(KindIDRkms, k.name, idr.Offset, fmt.Sprintf("%q", keys.KMSURI), describe(idr), nil)
		}
	}
}

func (o *Opened) openSAKKE(keys *kms.KeyFile, period uint64) {
	s := o.Message.SAKKE
	if s == nil {
		o.add(KindMissingPayload, "SAKKE", -1, "a SAKKE payload", "none", nil)
		return
	}
	if s.Params != sakke.ParamsID {
		o.add(KindSAKKEParams, "SAKKE", s.Offset, "SAKKE params 1 (parameter set 1)", fmt.Sprint(s.Params), nil)
		return
	}
	if s.IDScheme != SAKKEIDScheme {
		o.add(KindSAKKEIDScheme, "SAKKE", s.Offset, "ID scheme 2 (TS 33.180 hashed UID)", fmt.Sprint(s.IDScheme), nil)
		return
	}
	rc, err := keys.Receiver(period)
	if err != nil {
		o.add(KindKeyFile, "SAKKE", s.Offset, "a usable responder RSK", "an unusable one", err)
		return
	}
	csk, err := rc.Decapsulate(s.Data)
	if err != nil {
		o.add(KindSAKKE, "SAKKE", s.Offset, fmt.Sprintf("data encapsulated to UID(%q) for key period %d", keys.ResponderURI, period), "data that does not decapsulate", err)
		if verr := keys.ValidateRSK(period); verr != nil {
			o.add(KindKeyFile, "SAKKE", s.Offset, "an RSK that validates against Z for the responder UID", "one that does not", verr)
		}
		return
	}
	o.CSK = csk
}

func (o *Opened) signerUID(keys *kms.KeyFile, period uint64) ([]byte, error) {
	switch {
	case keys.InitiatorURI != "":
		return keys.UID(keys.InitiatorURI, period)
	case o.Initiator == nil:
		return nil, errors.New("no initiator identity in the key file or the message")
	case o.Initiator.Role == RoleUIDInitiator:
		return o.Initiator.Value, nil
	}
	return keys.UID(string(o.Initiator.Value), period)
}

func (o *Opened) verify(keys *kms.KeyFile, period uint64) {
	s := o.Message.Sign
	if s == nil {
		o.add(KindMissingPayload, "SIGN", -1, "a SIGN payload", "none", nil)
		return
	}
	if s.Type != SignTypeECCSI {
		o.add(KindSignature, "SIGN", s.Offset, "signature type 2 (ECCSI)", fmt.Sprint(s.Type), nil)
		return
	}
	uid, err := o.signerUID(keys, period)
	if err != nil {
		o.add(KindSignature, "SIGN", s.Offset, "a signer identity", "none", err)
		return
	}
	err = eccsi.Verify(o.Message.SignedSpan(true), s.Signature, uid, keys.KPAK)
	if err == nil {
		o.SignatureValid, o.SignatureCoverage = true, CoverageWithHeader
		return
	}
	if eccsi.Verify(o.Message.SignedSpan(false), s.Signature, uid, keys.KPAK) == nil {
		o.SignatureValid, o.SignatureCoverage = true, CoverageWithoutHeader
		o.Problems = append(o.Problems, Problem{
			Kind: KindSignatureCoverage, Payload: "SIGN", Offset: s.Offset, Lenient: true,
			Expected: "an ECCSI signature over the message up to and including the SIGN payload header",
			Seen:     "one over the message without the SIGN payload header",
		})
		return
	}
	o.add(KindSignature, "SIGN", s.Offset, fmt.Sprintf("an ECCSI signature by UID %x under the key file's KPAK", uid), "one that does not verify", err)
}
