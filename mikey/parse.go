// Package mikey parses, builds and opens the MIKEY-SAKKE I_MESSAGE that
// carries a key to the MCX server (RFC 3830, RFC 6043, RFC 6509, TS 33.180
// Annex E). Parse checks every length and offset; Open decrypts and
// verifies a message for the server and lists each problem it finds.
package mikey

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// Payload type codes (RFC 3830 6.1, RFC 6043, RFC 6509).
const (
	TypeLast   = 0
	TypeSIGN   = 4
	TypeT      = 5
	TypeID     = 6
	TypeCERT   = 7
	TypeSP     = 10
	TypeRAND   = 11
	TypeGenExt = 21
	TypeIDR    = 14
	TypeSAKKE  = 26
)

var typeNames = map[uint8]string{
	TypeSIGN: "SIGN", TypeT: "T", TypeID: "ID", TypeCERT: "CERT", TypeSP: "SP",
	TypeRAND: "RAND", TypeGenExt: "GEN-EXT", TypeIDR: "IDR", TypeSAKKE: "SAKKE",
}

// DataTypeSAKKE is the HDR data type of a SAKKE message (RFC 6509).
const DataTypeSAKKE = 26

// CS ID map types (RFC 3830, RFC 4563, RFC 6043).
const (
	MapSRTPID    = 0
	MapEmpty     = 1
	MapGenericID = 2
)

// ID roles of the IDR payload (RFC 6043, RFC 6509, TS 33.180 E.7).
const (
	RoleInitiator    = 1
	RoleResponder    = 2
	RoleKMSInitiator = 6
	RoleKMSResponder = 7
	RoleUIDInitiator = 8
	RoleUIDResponder = 9
)

// IDTypeURI is the IDR ID type of a URI.
const IDTypeURI = 1

// SignTypeECCSI is the SIGN payload's S type for ECCSI (RFC 6509).
const SignTypeECCSI = 2

// Payload locates one payload in the message.
type Payload struct {
	Type   string // "HDR", "T", "RAND", "IDR", "SP", "SAKKE", "GEN-EXT", "SIGN", ...
	Code   uint8  // payload type code; 0 for HDR
	Offset int
	Length int
}

// GenericCS is one crypto session of a GENERIC-ID map (RFC 6043 6.1.2).
type GenericCS struct {
	CSID        uint8
	ProtType    uint8
	S           bool
	Policies    []uint8
	SessionData []byte
	SPI         []byte
}

// Header is the common header payload (RFC 3830 6.1).
type Header struct {
	Version  uint8
	DataType uint8
	V        bool
	PRF      uint8
	CSBID    uint32
	NumCS    uint8
	MapType  uint8
	Map      []byte      // the raw CS ID map info
	Generic  []GenericCS // when MapType is GENERIC-ID
}

// Timestamp is the T payload (RFC 3830 6.6).
type Timestamp struct {
	Type  uint8 // 0 NTP-UTC, 1 NTP, 2 COUNTER
	Value []byte
}

// NTPSeconds returns the seconds part of an NTP timestamp.
func (t Timestamp) NTPSeconds() (uint64, bool) {
	if (t.Type == 0 || t.Type == 1) && len(t.Value) == 8 {
		return uint64(binary.BigEndian.Uint32(t.Value)), true
	}
	return 0, false
}

// IDR is an identity payload with a role (RFC 6043 6.6).
type IDR struct {
	Offset int
	Role   uint8
	IDType uint8
	Value  []byte
}

// PolicyParam is one parameter of an SP payload.
type PolicyParam struct {
	Type  uint8
	Value []byte
}

// Policy is a security policy payload (RFC 3830 6.10).
type Policy struct {
	PolicyNo uint8
	ProtType uint8
	Params   []PolicyParam
}

// SAKKEPayload is the SAKKE payload (RFC 6509 4.2).
type SAKKEPayload struct {
	Offset   int
	Params   uint8
	IDScheme uint8
	Data     []byte
}

// Extension is a General Extension payload (RFC 3830 6.15).
type Extension struct {
	Type uint8
	Data []byte
}

// Sign is the SIGN payload (RFC 3830 6.5); it is always last.
type Sign struct {
	Offset    int // of its 2-octet header
	Type      uint8
	Signature []byte
}

// Message is a parsed MIKEY message. Raw is the input it was parsed from.
type Message struct {
	Raw        []byte
	Payloads   []Payload
	Header     Header
	T          *Timestamp
	Rand       []byte
	IDRs       []IDR
	IDs        [][]byte // ID payloads (RFC 3830 6.7), if any
	Certs      [][]byte // CERT payloads, if any
	Policies   []Policy
	SAKKE      *SAKKEPayload
	Extensions []Extension
	Sign       *Sign
}

// ErrParse wraps every parse error.
var ErrParse = errors.New("mikey: malformed message")

// ParseError says where parsing stopped and why.
type ParseError struct {
	Offset  int
	Payload string
	Reason  string
}

func (e *ParseError) Error() string {
	return fmt.Sprintf("mikey: malformed message: %s payload at offset %d: %s", e.Payload, e.Offset, e.Reason)
}

// Unwrap makes errors.Is(err, ErrParse) hold.
func (e *ParseError) Unwrap() error { return ErrParse }

// reader walks the message with bounds checks.
type reader struct {
	b       []byte
	pos     int
	start   int
	payload string
}

func (r *reader) fail(format string, args ...any) error {
	return &ParseError{Offset: r.start, Payload: r.payload, Reason: fmt.Sprintf(format, args...)}
}

func (r *reader) bytes(n int, what string) ([]byte, error) {
	if n < 0 || len(r.b)-r.pos < n {
		return nil, r.fail("%s needs %d octets at offset %d, only %d remain", what, n, r.pos, len(r.b)-r.pos)
	}
	v := r.b[r.pos : r.pos+n]
	r.pos += n
	return v, nil
}

func (r *reader) u8(what string) (uint8, error) {
	v, err := r.bytes(1, what)
	if err != nil {
		return 0, err
	}
	return v[0], nil
}

func (r *reader) u16(what string) (int, error) {
	v, err := r.bytes(2, what)
	if err != nil {
		return 0, err
	}
	return int(binary.BigEndian.Uint16(v)), nil
}

// Parse parses a MIKEY message: the HDR, then payloads chained by their
// next-payload fields, ending with SIGN or with a next-payload of 0, with no
// octet left over. Arbitrary input gives an error, never a panic.
func Parse(b []byte) (*Message, error) {
	m := &Message{Raw: b}
	r := &reader{b: b, payload: "HDR"}
	next, err := m.parseHeader(r)
	if err != nil {
		return nil, err
	}
	m.Payloads = append(m.Payloads, Payload{Type: "HDR", Offset: 0, Length: r.pos})
	for next != TypeLast {
		name, ok := typeNames[next]
		if !ok {
			name = fmt.Sprintf("type %d", next)
		}
		r.start, r.payload = r.pos, name
		if next == TypeSIGN {
			if err := m.parseSign(r); err != nil {
				return nil, err
			}
			m.Payloads = append(m.Payloads, Payload{Type: name, Code: TypeSIGN, Offset: r.start, Length: r.pos - r.start})
			break
		}
		n, err := r.u8("next payload")
		if err != nil {
			return nil, err
		}
		if err := m.parseBody(r, next); err != nil {
			return nil, err
		}
		m.Payloads = append(m.Payloads, Payload{Type: name, Code: next, Offset: r.start, Length: r.pos - r.start})
		next = n
	}
	if r.pos != len(b) {
		return nil, &ParseError{Offset: r.pos, Payload: "end", Reason: fmt.Sprintf("%d octets follow the last payload", len(b)-r.pos)}
	}
	return m, nil
}

func (m *Message) parseHeader(r *reader) (uint8, error) {
	h := &m.Header
	fixed, err := r.bytes(10, "header")
	if err != nil {
		return 0, err
	}
	h.Version, h.DataType = fixed[0], fixed[1]
	next := fixed[2]
	h.V, h.PRF = fixed[3]&0x80 != 0, fixed[3]&0x7f
	h.CSBID = binary.BigEndian.Uint32(fixed[4:8])
	h.NumCS, h.MapType = fixed[8], fixed[9]
	mapStart := r.pos
	switch h.MapType {
	case MapSRTPID:
		if _, err := r.bytes(9*int(h.NumCS), "SRTP-ID map"); err != nil {
			return 0, err
		}
	case MapEmpty:
	case MapGenericID:
		for i := range int(h.NumCS) {
			cs, err := parseGenericCS(r, i)
			if err != nil {
				return 0, err
			}
			h.Generic = append(h.Generic, cs)
		}
	default:
		return 0, r.fail("unknown CS ID map type %d (expected 0, 1 or 2)", h.MapType)
	}
	h.Map = r.b[mapStart:r.pos]
	return next, nil
}

func parseGenericCS(r *reader, i int) (GenericCS, error) {
	var cs GenericCS
	head, err := r.bytes(3, fmt.Sprintf("GENERIC-ID entry %d", i))
	if err != nil {
		return cs, err
	}
	cs.CSID, cs.ProtType, cs.S = head[0], head[1], head[2]&0x80 != 0
	if cs.Policies, err = r.bytes(int(head[2]&0x7f), "policy numbers"); err != nil {
		return cs, err
	}
	n, err := r.u16("session data length")
	if err != nil {
		return cs, err
	}
	if cs.SessionData, err = r.bytes(n, "session data"); err != nil {
		return cs, err
	}
	spiLen, err := r.u8("SPI length")
	if err != nil {
		return cs, err
	}
	cs.SPI, err = r.bytes(int(spiLen), "SPI")
	return cs, err
}

func (m *Message) parseBody(r *reader, code uint8) error {
	switch code {
	case TypeT:
		return m.parseT(r)
	case TypeRAND:
		n, err := r.u8("RAND length")
		if err != nil {
			return err
		}
		m.Rand, err = r.bytes(int(n), "RAND")
		return err
	case TypeIDR:
		head, err := r.bytes(2, "ID role and type")
		if err != nil {
			return err
		}
		v, err := lengthPrefixed(r, "ID data")
		m.IDRs = append(m.IDRs, IDR{Offset: r.start, Role: head[0], IDType: head[1], Value: v})
		return err
	case TypeID, TypeCERT:
		if _, err := r.u8("ID/CERT type"); err != nil {
			return err
		}
		v, err := lengthPrefixed(r, "ID/CERT data")
		if code == TypeID {
			m.IDs = append(m.IDs, v)
		} else {
			m.Certs = append(m.Certs, v)
		}
		return err
	case TypeSP:
		return m.parseSP(r)
	case TypeSAKKE:
		head, err := r.bytes(2, "SAKKE params and ID scheme")
		if err != nil {
			return err
		}
		v, err := lengthPrefixed(r, "SAKKE data")
		m.SAKKE = &SAKKEPayload{Offset: r.start, Params: head[0], IDScheme: head[1], Data: v}
		return err
	case TypeGenExt:
		t, err := r.u8("extension type")
		if err != nil {
			return err
		}
		v, err := lengthPrefixed(r, "extension data")
		m.Extensions = append(m.Extensions, Extension{Type: t, Data: v})
		return err
	}
	return r.fail("unsupported payload type %d (its length cannot be known)", code)
}

func lengthPrefixed(r *reader, what string) ([]byte, error) {
	n, err := r.u16(what + " length")
	if err != nil {
		return nil, err
	}
	return r.bytes(n, what)
}

func (m *Message) parseT(r *reader) error {
	t, err := r.u8("TS type")
	if err != nil {
		return err
	}
	var n int
	switch t {
	case 0, 1:
		n = 8
	case 2:
		n = 4
	default:
		return r.fail("unknown TS type %d (expected 0 NTP-UTC, 1 NTP or 2 COUNTER)", t)
	}
	v, err := r.bytes(n, "TS value")
	m.T = &Timestamp{Type: t, Value: v}
	return err
}

func (m *Message) parseSP(r *reader) error {
	head, err := r.bytes(2, "policy number and protocol type")
	if err != nil {
		return err
	}
	params, err := lengthPrefixed(r, "policy parameters")
	if err != nil {
		return err
	}
	p := Policy{PolicyNo: head[0], ProtType: head[1]}
	pr := &reader{b: params, start: r.start, payload: r.payload}
	for pr.pos < len(params) {
		hdr, err := pr.bytes(2, "policy parameter type and length")
		if err != nil {
			return err
		}
		v, err := pr.bytes(int(hdr[1]), "policy parameter value")
		if err != nil {
			return err
		}
		p.Params = append(p.Params, PolicyParam{Type: hdr[0], Value: v})
	}
	m.Policies = append(m.Policies, p)
	return nil
}

func (m *Message) parseSign(r *reader) error {
	h, err := r.u16("SIGN header")
	if err != nil {
		return err
	}
	sig, err := r.bytes(h&0x0fff, "signature")
	m.Sign = &Sign{Offset: r.start, Type: uint8(h >> 12), Signature: sig}
	return err
}

// SignedSpan returns the octets the ECCSI signature covers: everything up to
// and including the SIGN payload header, or, with withHeader false, up to
// the SIGN payload only (a reading some implementations use).
func (m *Message) SignedSpan(withHeader bool) []byte {
	if m.Sign == nil {
		return nil
	}
	if withHeader {
		return m.Raw[:m.Sign.Offset+2]
	}
	return m.Raw[:m.Sign.Offset]
}
