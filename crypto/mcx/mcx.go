// Package mcx holds the TS 33.180 pieces MIKEY-SAKKE uses in mission
// critical services: the UID of an identity for a key period (Annex F.2.1),
// the TS 33.220 Annex B key derivation function with the XML protection
// keys of Annex F.1.4, and 32-bit key identifiers with their purpose tag.
package mcx

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"math/big"
	"time"
)

// NTPOffset is the number of seconds from the NTP epoch (1900) to the Unix
// epoch (1970).
const NTPOffset = 2208988800

// NTPSeconds returns the NTP time of t in whole seconds.
func NTPSeconds(t time.Time) uint64 { return uint64(t.Unix() + NTPOffset) }

// KeyPeriod describes how a KMS divides time into key periods.
type KeyPeriod struct {
	Length uint64 // user key period, seconds (> 0)
	Offset uint64 // user key offset, seconds (< Length)
}

// Validate checks that the length is positive and the offset below it
// (TS 33.180 F.2.1).
func (kp KeyPeriod) Validate() error {
	if kp.Length == 0 {
		return errors.New("mcx: key period length is 0")
	}
	if kp.Offset >= kp.Length {
		return fmt.Errorf("mcx: key period offset %d must be less than the period length %d", kp.Offset, kp.Length)
	}
	return nil
}

// Number returns the key period number of the NTP time ntp:
// floor((ntp - offset) / length).
func (kp KeyPeriod) Number(ntp uint64) (uint64, error) {
	if kp.Length == 0 {
		return 0, errors.New("mcx: key period length is 0")
	}
	if ntp < kp.Offset {
		return 0, fmt.Errorf("mcx: NTP time %d is before the key period offset %d", ntp, kp.Offset)
	}
	return (ntp - kp.Offset) / kp.Length, nil
}

// minimal returns v as minimal big-endian octets, 0 being one 0x00 octet.
func minimal(v uint64) []byte {
	b := new(big.Int).SetUint64(v).Bytes()
	if len(b) == 0 {
		return []byte{0}
	}
	return b
}

// KDF is the TS 33.220 Annex B key derivation function:
// HMAC-SHA-256(key, FC ‖ P0 ‖ L0 ‖ P1 ‖ L1 ‖ ...), each Li a 2-octet length.
func KDF(key []byte, fc byte, params ...[]byte) ([]byte, error) {
	s, err := kdfInput(fc, params)
	if err != nil {
		return nil, err
	}
	m := hmac.New(sha256.New, key)
	m.Write(s)
	return m.Sum(nil), nil
}

func kdfInput(fc byte, params [][]byte) ([]byte, error) {
	s := []byte{fc}
	for i, p := range params {
		if len(p) > math.MaxUint16 {
			return nil, fmt.Errorf("mcx: KDF parameter P%d is %d octets, more than a 2-octet length allows", i, len(p))
		}
		s = append(s, p...)
		s = binary.BigEndian.AppendUint16(s, uint16(len(p)))
	}
	return s, nil
}

// UID returns the MIKEY-SAKKE UID of uri (TS 33.180 F.2.1): SHA-256 of
// 0x00 ‖ "MIKEY-SAKKE-UID" ‖ L0 ‖ uri ‖ L1 ‖ kmsURI ‖ L2 ‖ period length ‖
// L3 ‖ period offset ‖ L4 ‖ period number ‖ L5. It hashes whatever it is
// given; KeyPeriod.Validate checks the period itself.
func UID(uri, kmsURI string, kp KeyPeriod, number uint64) ([]byte, error) {
	s, err := kdfInput(0x00, [][]byte{
		[]byte("MIKEY-SAKKE-UID"), []byte(uri), []byte(kmsURI),
		minimal(kp.Length), minimal(kp.Offset), minimal(number),
	})
	if err != nil {
		return nil, err
	}
	h := sha256.Sum256(s)
	return h[:], nil
}

// FC values of TS 33.180 F.1.4.
const (
	FCConfidentiality byte = 0x51 // XML encryption key
	FCIntegrity       byte = 0x52 // XML signature key
)

// XMLKey derives the 128-bit key for XML encryption (fc = FCConfidentiality)
// or XML signatures (fc = FCIntegrity) from the XPK (here the CSK): the KDF
// with P0 = the MC service user ID and P1 = the XPK-ID, keeping the last 16
// octets (the least significant 128 bits) of the output.
func XMLKey(xpk []byte, fc byte, userID string, xpkID KeyID) ([]byte, error) {
	out, err := KDF(xpk, fc, []byte(userID), xpkID.Bytes())
	if err != nil {
		return nil, err
	}
	return out[len(out)-16:], nil
}

// Purpose is the purpose tag in the 4 most significant bits of a key
// identifier (TS 33.180 Annex G).
type Purpose uint8

// Purpose tags of TS 33.180 Annex G.
const (
	PurposeGMK   Purpose = 0
	PurposePCK   Purpose = 1
	PurposeCSK   Purpose = 2
	PurposeSPK   Purpose = 3
	PurposeMKFC  Purpose = 4
	PurposeMSCCK Purpose = 5
	PurposeMuSiK Purpose = 6
)

var purposeNames = map[Purpose]string{
	PurposeGMK: "GMK", PurposePCK: "PCK", PurposeCSK: "CSK", PurposeSPK: "SPK",
	PurposeMKFC: "MKFC", PurposeMSCCK: "MSCCK", PurposeMuSiK: "MuSiK",
}

func (p Purpose) String() string {
	if n, ok := purposeNames[p]; ok {
		return n
	}
	return fmt.Sprintf("purpose %d", uint8(p))
}

// KeyID is a 32-bit key identifier (GMK-ID, CSK-ID, ...).
type KeyID uint32

// Purpose returns the purpose tag, the 4 most significant bits.
func (id KeyID) Purpose() Purpose { return Purpose(id >> 28) }

// Bytes returns the 4-octet big-endian form.
func (id KeyID) Bytes() []byte { return binary.BigEndian.AppendUint32(nil, uint32(id)) }

func (id KeyID) String() string { return fmt.Sprintf("%08x", uint32(id)) }

// NewKeyID draws a key identifier with the given purpose tag and 28 random
// bits.
func NewKeyID(p Purpose, random io.Reader) (KeyID, error) {
	if p > 15 {
		return 0, fmt.Errorf("mcx: purpose tag %d does not fit in 4 bits", p)
	}
	if random == nil {
		random = rand.Reader
	}
	var b [4]byte
	if _, err := io.ReadFull(random, b[:]); err != nil {
		return 0, fmt.Errorf("mcx: drawing key identifier: %w", err)
	}
	return KeyID(binary.BigEndian.Uint32(b[:])&0x0FFFFFFF | uint32(p)<<28), nil
}
