package mcx

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"testing"
	"time"
)

func unhex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TS 33.180 F.2.1 UID vectors (published interop vectors and the F.2.1.2
// worked example).
func TestUID(t *testing.T) {
	tests := []struct {
		length, offset, number uint64
		want                   string
	}{
		{2592000, 0, 1, "74e2af803ab5d72841bbced0ce319ffe64f6fe23c88a2d258aabcf6ac5658ef4"},
		{10, 0, 10, "94fb1a697c15d7e9d6b7062066affebda2d9e346e0090d67525c0c3ce666eafa"},
		{25920000, 100, 1, "3c0ad8828cfae1ad1d08b27cc7b61258c6cfcd405081b68cd778f1e1c7f562a7"},
		{25920000, 100, 2048, "c88b3fa5e36a08985d10f7b31a631b0265e8249f0312435e4984dbc3765c7f0c"},
		{25920000, 45920000, 20393844, "8dc05540167345538475101514f4eabd384abd6ba665782abb312ecaf05934e1"},
	}
	for _, tt := range tests {
		got, err := UID("sip:user@example.org", "kms.example.org", KeyPeriod{tt.length, tt.offset}, tt.number)
		if err != nil || hex.EncodeToString(got) != tt.want {
			t.Errorf("UID(%d, %d, %d) = %x, %v; want %s", tt.length, tt.offset, tt.number, got, err, tt.want)
		}
	}
}

// TS 33.180 F.2.1.2 worked example: NTP 3599719634, period 1388.
func TestUIDWorkedExample(t *testing.T) {
	kp := KeyPeriod{Length: 2592000}
	n, err := kp.Number(NTPSeconds(time.Date(2014, 1, 26, 10, 7, 14, 0, time.UTC)))
	if err != nil || n != 1388 {
		t.Fatalf("period number = %d, %v; want 1388", n, err)
	}
	got, err := UID("sip:user@example.org", "kms.example.org", kp, n)
	if err != nil || base64.StdEncoding.EncodeToString(got) != "OoH7FMOx0P5DycV3EE1VptgXiL/S8JdDxFV3RqWgNTs=" {
		t.Errorf("UID = %s, %v", base64.StdEncoding.EncodeToString(got), err)
	}
}

// The example in shared/examples/protected (walkthrough.json requests[0].kdf).
func TestXMLKey(t *testing.T) {
	csk := unhex(t, "7e51d42539ebdf29650b21d1b738f1a7")
	id := KeyID(0x23a80709)
	tests := []struct {
		fc   byte
		want string
	}{
		{FCConfidentiality, "5f5e278ccf709b16e96cfd73b2faa7f2"},
		{FCIntegrity, "79fef51afd21bba07df78202e9b8e10f"},
	}
	for _, tt := range tests {
		got, err := XMLKey(csk, tt.fc, "sip:bob@mcptt.example.com", id)
		if err != nil || !bytes.Equal(got, unhex(t, tt.want)) {
			t.Errorf("XMLKey(FC %#x) = %x, %v; want %s", tt.fc, got, err, tt.want)
		}
	}
}

func TestKeyID(t *testing.T) {
	if p := KeyID(0x23a80709).Purpose(); p != PurposeCSK {
		t.Errorf("purpose of 23a80709 = %v, want CSK", p)
	}
	if p := KeyID(0x03a80709).Purpose(); p != PurposeGMK {
		t.Errorf("purpose of 03a80709 = %v, want GMK", p)
	}
	id, err := NewKeyID(PurposeCSK, bytes.NewReader([]byte{0xff, 0xff, 0xff, 0xff}))
	if err != nil || id != 0x2fffffff {
		t.Errorf("NewKeyID(CSK, ff..) = %v, %v; want 2fffffff", id, err)
	}
	if _, err := NewKeyID(16, nil); err == nil {
		t.Error("NewKeyID accepted purpose 16")
	}
}

func TestKeyPeriodValidate(t *testing.T) {
	if err := (KeyPeriod{Length: 10, Offset: 10}).Validate(); err == nil {
		t.Error("accepted an offset equal to the length")
	}
	if err := (KeyPeriod{Length: 10, Offset: 9}).Validate(); err != nil {
		t.Errorf("rejected a valid period: %v", err)
	}
}

func TestKeyPeriodNumber(t *testing.T) {
	if _, err := (KeyPeriod{Length: 0}).Number(5); err == nil {
		t.Error("accepted a zero period length")
	}
	if _, err := (KeyPeriod{Length: 10, Offset: 8}).Number(5); err == nil {
		t.Error("accepted a time before the offset")
	}
	if n, err := (KeyPeriod{Length: 2592000}).Number(3977467200); err != nil || n != 1534 {
		t.Errorf("Number = %d, %v; want 1534", n, err)
	}
}
