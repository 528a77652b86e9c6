package kms

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mcptt-conformance/mcptt-conformance/crypto/eccsi"
	"github.com/mcptt-conformance/mcptt-conformance/crypto/mcx"
)

func newTestKMS(t *testing.T) *KMS {
	t.Helper()
	k, err := New("kms.example.org", mcx.KeyPeriod{Length: 2592000}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestIssueAndReadBack(t *testing.T) {
	k := newTestKMS(t)
	dir := t.TempDir()
	kf, err := k.KeyFile("sip:mdsi@example.org", "sip:alice@example.org", 7)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "keys.json")
	if err := kf.Write(path); err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(path)
	if !strings.Contains(string(raw), "TEST-ONLY") {
		t.Error("key file does not say it is test-only")
	}
	var fields map[string]any
	if err := json.Unmarshal(raw, &fields); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"kms_uri", "user_key_period", "user_key_offset", "key_period_no", "kms_public_enc_key_Z", "kms_public_auth_key_KPAK", "responder_uri", "responder_rsk", "initiator_uri"} {
		if _, ok := fields[name]; !ok {
			t.Errorf("key file lacks contract field %q", name)
		}
	}
	back, err := ReadKeyFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := back.ValidateRSK(7); err != nil {
		t.Errorf("RSK of the written key file: %v", err)
	}
	if err := back.ValidateRSK(8); err == nil {
		t.Error("RSK validated for another key period")
	}

	ck, err := k.ClientKeys("sip:alice@example.org", "sip:mdsi@example.org", 7, nil)
	if err != nil {
		t.Fatal(err)
	}
	cpath := filepath.Join(dir, "client.json")
	if err := ck.Write(cpath); err != nil {
		t.Fatal(err)
	}
	cback, err := ReadClientKeys(cpath)
	if err != nil {
		t.Fatal(err)
	}
	u, err := cback.UserKey()
	if err != nil {
		t.Fatalf("client SSK/PVT do not validate: %v", err)
	}
	sig, err := u.Sign([]byte("m"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := eccsi.Verify([]byte("m"), sig, cback.UserUID, back.KPAK); err != nil {
		t.Errorf("signature with the client keys does not verify with the key file's KPAK: %v", err)
	}
}

func TestSaveLoad(t *testing.T) {
	k := newTestKMS(t)
	dir := t.TempDir()
	if err := k.Save(dir); err != nil {
		t.Fatal(err)
	}
	back, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !back.Z().Equal(k.Z()) || !bytes.Equal(back.KPAK(), k.KPAK()) || back.URI != k.URI || back.Period != k.Period {
		t.Error("loaded KMS differs from the saved one")
	}
	// A file whose public key does not match its secret is refused.
	path := filepath.Join(dir, SecretsFile)
	raw, _ := os.ReadFile(path)
	var s map[string]any
	if err := json.Unmarshal(raw, &s); err != nil {
		t.Fatal(err)
	}
	s["eccsi_master_secret_ksak"] = "05"
	raw, _ = json.Marshal(s)
	if err := os.WriteFile(path, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(dir); err == nil {
		t.Error("Load accepted a KSAK that does not match KPAK")
	}
}

// The example in shared/examples/protected: its key file and client keys.
func TestSharedExample(t *testing.T) {
	kf, err := ReadKeyFile("testdata/keys.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := kf.ValidateRSK(*kf.KeyPeriodNo); err != nil {
		t.Errorf("example RSK: %v", err)
	}
	uid, err := kf.UID(kf.ResponderURI, 1534)
	if err != nil || hex.EncodeToString(uid) != "71eabe150267ea2d2ed83f471a5da1af016485bfeb283878beb0562cd73da652" {
		t.Errorf("UID(MDSI) = %x, %v", uid, err)
	}
	ck, err := ReadClientKeys("testdata/client-keys.json")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ck.UserKey(); err != nil {
		t.Errorf("example client SSK/PVT: %v", err)
	}
}

func TestParseKeyFileRejects(t *testing.T) {
	good, err := os.ReadFile("testdata/keys.json")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, field string
		value       any
		want        string
	}{
		{"missing RSK", "responder_rsk", "", "missing fields responder_rsk"},
		{"Z off the curve", "kms_public_enc_key_Z", "04" + strings.Repeat("11", 256), "kms_public_enc_key_Z"},
		{"KPAK short", "kms_public_auth_key_KPAK", "0411", "kms_public_auth_key_KPAK"},
		{"offset not below period", "user_key_offset", 2592000, "offset"},
		{"not hex", "responder_rsk", "zz", "hex"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var m map[string]any
			if err := json.Unmarshal(good, &m); err != nil {
				t.Fatal(err)
			}
			m[tt.field] = tt.value
			b, _ := json.Marshal(m)
			_, err := ParseKeyFile(b)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want one mentioning %q", err, tt.want)
			}
		})
	}
}
