package mikey

import (
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"time"

	"github.com/mcptt-conformance/mcptt-conformance/crypto/eccsi"
	"github.com/mcptt-conformance/mcptt-conformance/crypto/mcx"
	"github.com/mcptt-conformance/mcptt-conformance/crypto/sakke"
)

// CSIDCSK is the crypto session ID of the CSK in the GENERIC-ID map
// (TS 33.180 E.4.2, TS 36.579-1 5.5.9.1).
const CSIDCSK = 6

// SAKKEIDScheme is the SAKKE payload's identifier scheme for the TS 33.180
// hashed UID.
const SAKKEIDScheme = 2

// BuildParams is what a client needs to build the I_MESSAGE that carries its
// CSK to the MCX server (TS 33.180 5.4, Annex E).
type BuildParams struct {
	CSK          []byte    // 16 octets
	CSKID        mcx.KeyID // purpose tag 2 for a conformant message
	InitiatorURI string    // the MC service user ID
	ResponderURI string    // the server's MDSI
	KMSURI       string
	Period       mcx.KeyPeriod
	Signer       *eccsi.UserKey // SSK/PVT for UID(InitiatorURI) in the period of Time
	Z            sakke.Point    // the KMS's SAKKE public key
	Time         time.Time      // the T payload; also selects the key period
	Random       io.Reader      // RAND and the ECCSI j; nil means crypto/rand

	// HideIdentities writes IDRi/IDRr with roles 8/9 carrying the UIDs
	// (TS 33.180 E.7) instead of roles 1/2 carrying the URIs.
	HideIdentities bool
	// SignWithoutHeader signs the message without the SIGN payload header,
	// a non-conformant reading some implementations use.
	SignWithoutHeader bool
}

// Build returns the signed I_MESSAGE: HDR (data type 26, PRF-HMAC-SHA-256,
// CSB-ID = CSK-ID, one GENERIC-ID crypto session), T (NTP-UTC), RAND (16
// octets), IDRi, IDRr, IDRkmsi, IDRkmsr, SAKKE and SIGN (ECCSI).
func Build(p BuildParams) ([]byte, error) {
	if len(p.CSK) != sakke.N {
		return nil, fmt.Errorf("mikey: CSK must be %d octets, got %d", sakke.N, len(p.CSK))
	}
	if p.Signer == nil {
		return nil, errors.New("mikey: no signing key")
	}
	random := p.Random
	if random == nil {
		random = rand.Reader
	}
	ntp := mcx.NTPSeconds(p.Time)
	number, err := p.Period.Number(ntp)
	if err != nil {
		return nil, err
	}
	initUID, err := mcx.UID(p.InitiatorURI, p.KMSURI, p.Period, number)
	if err != nil {
		return nil, err
	}
	respUID, err := mcx.UID(p.ResponderURI, p.KMSURI, p.Period, number)
	if err != nil {
		return nil, err
	}
	encapsulated, err := sakke.Encapsulate(p.CSK, respUID, p.Z)
	if err != nil {
		return nil, err
	}
	randValue := make([]byte, 16)
	if _, err := io.ReadFull(random, randValue); err != nil {
		return nil, fmt.Errorf("mikey: drawing RAND: %w", err)
	}

	id := p.CSKID.Bytes()
	b := []byte{1, DataTypeSAKKE, TypeT, 1}
	b = append(b, id...)
	b = append(b, 1, MapGenericID, CSIDCSK, 0, 1, 0, 0, 0, byte(len(id)))
	b = append(b, id...)

	frac := uint64(p.Time.Nanosecond()) << 32 / uint64(time.Second)
	b = append(b, TypeRAND, 0)
	b = binary.BigEndian.AppendUint64(b, ntp<<32|frac)
	b = append(b, TypeIDR, byte(len(randValue)))
	b = append(b, randValue...)

	initRole, initValue := byte(RoleInitiator), []byte(p.InitiatorURI)
	respRole, respValue := byte(RoleResponder), []byte(p.ResponderURI)
	if p.HideIdentities {
		initRole, initValue = RoleUIDInitiator, initUID
		respRole, respValue = RoleUIDResponder, respUID
	}
	for _, idr := range []struct {
		next, role byte
		value      []byte
	}{
		{TypeIDR, initRole, initValue},
		{TypeIDR, respRole, respValue},
		{TypeIDR, RoleKMSInitiator, []byte(p.KMSURI)},
		{TypeSAKKE, RoleKMSResponder, []byte(p.KMSURI)},
	} {
		if len(idr.value) > math.MaxUint16 {
			return nil, fmt.Errorf("mikey: identity of %d octets does not fit an IDR payload", len(idr.value))
		}
		b = append(b, idr.next, idr.role, IDTypeURI)
		b = binary.BigEndian.AppendUint16(b, uint16(len(idr.value)))
		b = append(b, idr.value...)
	}
	b = append(b, TypeSIGN, sakke.ParamsID, SAKKEIDScheme)
	b = binary.BigEndian.AppendUint16(b, uint16(len(encapsulated)))
	b = append(b, encapsulated...)

	signOffset := len(b)
	b = binary.BigEndian.AppendUint16(b, SignTypeECCSI<<12|eccsi.SignatureLen)
	span := b
	if p.SignWithoutHeader {
		span = b[:signOffset]
	}
	sig, err := p.Signer.Sign(span, random)
	if err != nil {
		return nil, err
	}
	return append(b, sig...), nil
}
