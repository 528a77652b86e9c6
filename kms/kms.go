package kms

import (
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"os"
	"path/filepath"
	"time"

	"github.com/mcptt-conformance/mcptt-conformance/crypto/eccsi"
	"github.com/mcptt-conformance/mcptt-conformance/crypto/mcx"
	"github.com/mcptt-conformance/mcptt-conformance/crypto/sakke"
)

// SecretsFile is the name of the KMS's own file in its folder.
const SecretsFile = "kms.json"

// KMS is a test KMS: its URI, key period, and SAKKE and ECCSI master keys.
type KMS struct {
	URI    string
	Period mcx.KeyPeriod
	sakke  *sakke.MasterKey
	eccsi  *eccsi.KMSKey
}

// New creates a KMS with fresh master secrets drawn from random (nil means
// crypto/rand).
func New(uri string, period mcx.KeyPeriod, random io.Reader) (*KMS, error) {
	if uri == "" {
		return nil, fmt.Errorf("kms: empty KMS URI")
	}
	if err := period.Validate(); err != nil {
		return nil, err
	}
	sk, err := sakke.GenerateMasterKey(random)
	if err != nil {
		return nil, err
	}
	ek, err := eccsi.GenerateKMSKey(random)
	if err != nil {
		return nil, err
	}
	return &KMS{URI: uri, Period: period, sakke: sk, eccsi: ek}, nil
}

// secrets is the JSON form of SecretsFile.
type secrets struct {
	TestOnly      string `json:"test_only"`
	KMSURI        string `json:"kms_uri"`
	UserKeyPeriod uint64 `json:"user_key_period"`
	UserKeyOffset uint64 `json:"user_key_offset"`
	Z             Hex    `json:"sakke_master_secret_z"`
	KSAK          Hex    `json:"eccsi_master_secret_ksak"`
	PublicZ       Hex    `json:"kms_public_enc_key_Z"`
	KPAK          Hex    `json:"kms_public_auth_key_KPAK"`
	CreatedAt     string `json:"created_at"`
}

// Save writes the KMS, master secrets included, to dir/kms.json (mode 0600),
// creating dir if needed.
func (k *KMS) Save(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("kms: %w", err)
	}
	s := secrets{
		TestOnly: TestOnlyNote, KMSURI: k.URI,
		UserKeyPeriod: k.Period.Length, UserKeyOffset: k.Period.Offset,
		Z: k.sakke.Secret().Bytes(), KSAK: k.eccsi.KSAK().Bytes(),
		PublicZ: k.sakke.PublicKey().Bytes(), KPAK: k.eccsi.KPAK(),
		CreatedAt: time.Now().UTC().Format(time.RFC3339),
	}
	return writeJSON(filepath.Join(dir, SecretsFile), s, 0o600)
}

// Load reads the KMS saved in dir and checks that its public keys match its
// secrets.
func Load(dir string) (*KMS, error) {
	data, err := os.ReadFile(filepath.Join(dir, SecretsFile))
	if err != nil {
		return nil, fmt.Errorf("kms: %w", err)
	}
	var s secrets
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, fmt.Errorf("kms: %s: %w", SecretsFile, err)
	}
	period := mcx.KeyPeriod{Length: s.UserKeyPeriod, Offset: s.UserKeyOffset}
	if err := period.Validate(); err != nil {
		return nil, err
	}
	sk, err := sakke.NewMasterKey(new(big.Int).SetBytes(s.Z))
	if err != nil {
		return nil, err
	}
	ek, err := eccsi.NewKMSKey(new(big.Int).SetBytes(s.KSAK))
	if err != nil {
		return nil, err
	}
	if string(sk.PublicKey().Bytes()) != string(s.PublicZ) || string(ek.KPAK()) != string(s.KPAK) {
		return nil, fmt.Errorf("kms: %s: the public keys do not match the master secrets", SecretsFile)
	}
	return &KMS{URI: s.KMSURI, Period: period, sakke: sk, eccsi: ek}, nil
}

// Z returns the SAKKE public key.
func (k *KMS) Z() sakke.Point { return k.sakke.PublicKey() }

// KPAK returns the ECCSI public key.
func (k *KMS) KPAK() []byte { return k.eccsi.KPAK() }

// UID returns the UID of uri in key period number.
func (k *KMS) UID(uri string, number uint64) ([]byte, error) {
	return mcx.UID(uri, k.URI, k.Period, number)
}

// PeriodAt returns the key period number in force at t.
func (k *KMS) PeriodAt(t time.Time) (uint64, error) { return k.Period.Number(mcx.NTPSeconds(t)) }

// KeyFile issues the RSK of responderURI for key period number and returns
// the suite's key file. initiatorURI may be empty.
func (k *KMS) KeyFile(responderURI, initiatorURI string, number uint64) (*KeyFile, error) {
	uid, err := k.UID(responderURI, number)
	if err != nil {
		return nil, err
	}
	rsk, err := k.sakke.RSK(uid)
	if err != nil {
		return nil, err
	}
	n := number
	kf := &KeyFile{
		KMSURI: k.URI, UserKeyPeriod: k.Period.Length, UserKeyOffset: k.Period.Offset,
		KeyPeriodNo: &n, Z: k.Z().Bytes(), KPAK: k.KPAK(),
		ResponderURI: responderURI, ResponderRSK: rsk.Bytes(), InitiatorURI: initiatorURI,
		TestOnly: TestOnlyNote, GeneratedAt: time.Now().UTC().Format(time.RFC3339),
	}
	if err := kf.check(); err != nil {
		return nil, err
	}
	return kf, nil
}

// ClientKeys is the provisioning material of a client for one key period,
// in the JSON form of shared/examples/protected/client-keys.json.
type ClientKeys struct {
	TestOnly      string `json:"test_only,omitempty"`
	KMSURI        string `json:"kms_uri"`
	UserKeyPeriod uint64 `json:"user_key_period"`
	UserKeyOffset uint64 `json:"user_key_offset"`
	KeyPeriodNo   uint64 `json:"key_period_no"`
	Z             Hex    `json:"kms_public_enc_key_Z"`
	KPAK          Hex    `json:"kms_public_auth_key_KPAK"`
	UserURI       string `json:"user_uri"`
	UserUID       Hex    `json:"user_uid"`
	UserSSK       Hex    `json:"user_ssk"`
	UserPVT       Hex    `json:"user_pvt"`
	UserHS        Hex    `json:"user_hs"`
	ResponderURI  string `json:"responder_uri,omitempty"`
	ResponderUID  Hex    `json:"responder_uid,omitempty"`
	GeneratedAt   string `json:"generated_at,omitempty"`
}

// ClientKeys issues the SSK and PVT of userURI for key period number.
// responderURI (the MDSI the client encrypts to) may be empty.
func (k *KMS) ClientKeys(userURI, responderURI string, number uint64, random io.Reader) (*ClientKeys, error) {
	uid, err := k.UID(userURI, number)
	if err != nil {
		return nil, err
	}
	u, err := k.eccsi.Issue(uid, random)
	if err != nil {
		return nil, err
	}
	ck := &ClientKeys{
		TestOnly: TestOnlyNote, KMSURI: k.URI,
		UserKeyPeriod: k.Period.Length, UserKeyOffset: k.Period.Offset, KeyPeriodNo: number,
		Z: k.Z().Bytes(), KPAK: k.KPAK(), UserURI: userURI, UserUID: uid,
		UserSSK: u.SSK().FillBytes(make([]byte, eccsi.N)), UserPVT: u.PVT(), UserHS: u.HS(),
		ResponderURI: responderURI, GeneratedAt: time.Now().UTC().Format(time.RFC3339),
	}
	if responderURI != "" {
		if ck.ResponderUID, err = k.UID(responderURI, number); err != nil {
			return nil, err
		}
	}
	return ck, nil
}

// ReadClientKeys reads a client provisioning file.
func ReadClientKeys(path string) (*ClientKeys, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("kms: %w", err)
	}
	var ck ClientKeys
	if err := json.Unmarshal(data, &ck); err != nil {
		return nil, fmt.Errorf("kms: client keys: %w", err)
	}
	return &ck, nil
}

// Write writes the provisioning file to path.
func (c *ClientKeys) Write(path string) error { return writeJSON(path, c, 0o600) }

// KeyPeriod returns the KMS's key period.
func (c *ClientKeys) KeyPeriod() mcx.KeyPeriod {
	return mcx.KeyPeriod{Length: c.UserKeyPeriod, Offset: c.UserKeyOffset}
}

// UserKey checks the SSK and PVT (RFC 6507 5.1.2) against UID(user_uri)
// and returns the signing key.
func (c *ClientKeys) UserKey() (*eccsi.UserKey, error) {
	uid, err := mcx.UID(c.UserURI, c.KMSURI, c.KeyPeriod(), c.KeyPeriodNo)
	if err != nil {
		return nil, err
	}
	return eccsi.NewUserKey(uid, new(big.Int).SetBytes(c.UserSSK), c.UserPVT, c.KPAK)
}

// PublicZ parses the SAKKE public key.
func (c *ClientKeys) PublicZ() (sakke.Point, error) { return sakke.ParsePoint(c.Z) }
