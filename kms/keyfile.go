// Package kms is a test KMS for MIKEY-SAKKE (TS 33.180): it creates master
// secrets, issues ECCSI and SAKKE key material for a key period, and reads
// and writes the suite's key file (shared/contract/mikey-keys.md) and the
// client's provisioning file. Every key it makes is for testing only.
package kms

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"sync"

	"github.com/mcptt-conformance/mcptt-conformance/crypto/eccsi"
	"github.com/mcptt-conformance/mcptt-conformance/crypto/mcx"
	"github.com/mcptt-conformance/mcptt-conformance/crypto/sakke"
)

// TestOnlyNote is written into every file this package makes.
const TestOnlyNote = "TEST-ONLY keys from the mcptt-conformance test KMS: never use them to protect real traffic"

// Hex is a byte string written as hex in JSON; reading accepts either case.
type Hex []byte

// MarshalJSON writes lowercase hex.
func (h Hex) MarshalJSON() ([]byte, error) { return json.Marshal(hex.EncodeToString(h)) }

// UnmarshalJSON reads hex of either case.
func (h *Hex) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("expected a hex string: %w", err)
	}
	v, err := hex.DecodeString(strings.TrimSpace(s))
	if err != nil {
		return fmt.Errorf("expected hex: %w", err)
	}
	*h = v
	return nil
}

// KeyFile is the suite's key material for the identity it plays (the MDSI),
// field for field as shared/contract/mikey-keys.md defines it; the fields
// after InitiatorURI are additions the contract allows.
type KeyFile struct {
	KMSURI        string  `json:"kms_uri"`
	UserKeyPeriod uint64  `json:"user_key_period"`
	UserKeyOffset uint64  `json:"user_key_offset"`
	KeyPeriodNo   *uint64 `json:"key_period_no,omitempty"`
	Z             Hex     `json:"kms_public_enc_key_Z"`
	KPAK          Hex     `json:"kms_public_auth_key_KPAK"`
	ResponderURI  string  `json:"responder_uri"`
	ResponderRSK  Hex     `json:"responder_rsk"`
	InitiatorURI  string  `json:"initiator_uri,omitempty"`

	TestOnly    string `json:"test_only,omitempty"`
	GeneratedAt string `json:"generated_at,omitempty"`

	z, rsk sakke.Point

	mu        sync.Mutex
	receivers map[string]*sakke.Receiver
}

// ParseKeyFile reads and checks a key file: required fields present, the
// key period valid, Z and the RSK points of the SAKKE curve, KPAK a point of
// P-256.
func ParseKeyFile(data []byte) (*KeyFile, error) {
	var k KeyFile
	if err := json.Unmarshal(data, &k); err != nil {
		return nil, fmt.Errorf("kms: key file: %w", err)
	}
	if err := k.check(); err != nil {
		return nil, fmt.Errorf("kms: key file: %w", err)
	}
	return &k, nil
}

// ReadKeyFile reads the key file at path.
func ReadKeyFile(path string) (*KeyFile, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("kms: %w", err)
	}
	return ParseKeyFile(data)
}

func (k *KeyFile) check() error {
	var missing []string
	for name, v := range map[string]string{"kms_uri": k.KMSURI, "responder_uri": k.ResponderURI} {
		if v == "" {
			missing = append(missing, name)
		}
	}
	for name, v := range map[string][]byte{"kms_public_enc_key_Z": k.Z, "kms_public_auth_key_KPAK": k.KPAK, "responder_rsk": k.ResponderRSK} {
		if len(v) == 0 {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("missing fields %s", strings.Join(missing, ", "))
	}
	if err := k.KeyPeriod().Validate(); err != nil {
		return err
	}
	var err error
	if k.z, err = sakke.ParsePoint(k.Z); err != nil {
		return fmt.Errorf("kms_public_enc_key_Z: %w", err)
	}
	if k.rsk, err = sakke.ParsePoint(k.ResponderRSK); err != nil {
		return fmt.Errorf("responder_rsk: %w", err)
	}
	if err := eccsi.ParsePublicKey(k.KPAK); err != nil {
		return fmt.Errorf("kms_public_auth_key_KPAK: %w", err)
	}
	return nil
}

// Marshal returns the file as indented JSON.
func (k *KeyFile) Marshal() ([]byte, error) {
	b, err := json.MarshalIndent(k, "", "  ")
	return append(b, '\n'), err
}

// Write writes the file to path.
func (k *KeyFile) Write(path string) error { return writeJSON(path, k, 0o644) }

func writeJSON(path string, v any, mode os.FileMode) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(path, append(b, '\n'), mode); err != nil {
		return fmt.Errorf("kms: %w", err)
	}
	return nil
}

// KeyPeriod returns the KMS's key period.
func (k *KeyFile) KeyPeriod() mcx.KeyPeriod {
	return mcx.KeyPeriod{Length: k.UserKeyPeriod, Offset: k.UserKeyOffset}
}

// PublicZ returns the SAKKE public key Z.
func (k *KeyFile) PublicZ() sakke.Point { return k.z }

// RSK returns the responder's receiver secret key.
func (k *KeyFile) RSK() sakke.Point { return k.rsk }

// UID returns the UID of uri in key period number under this KMS.
func (k *KeyFile) UID(uri string, number uint64) ([]byte, error) {
	return mcx.UID(uri, k.KMSURI, k.KeyPeriod(), number)
}

// Receiver returns the SAKKE receiver for the responder in key period
// number, made once and kept for later messages.
func (k *KeyFile) Receiver(number uint64) (*sakke.Receiver, error) {
	uid, err := k.UID(k.ResponderURI, number)
	if err != nil {
		return nil, err
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if rc, ok := k.receivers[string(uid)]; ok {
		return rc, nil
	}
	rc, err := sakke.NewReceiver(uid, k.z, k.rsk)
	if err != nil {
		return nil, err
	}
	if k.receivers == nil {
		k.receivers = map[string]*sakke.Receiver{}
	}
	k.receivers[string(uid)] = rc
	return rc, nil
}

// ValidateRSK checks the responder's RSK against Z for key period number
// (RFC 6508 6.1.2).
func (k *KeyFile) ValidateRSK(number uint64) error {
	uid, err := k.UID(k.ResponderURI, number)
	if err != nil {
		return err
	}
	return sakke.ValidateRSK(uid, k.z, k.rsk)
}
