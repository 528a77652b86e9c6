package eccsi

import (
	"bytes"
	"encoding/hex"
	"errors"
	"math/big"
	"strings"
	"testing"
)

// RFC 6507 Appendix A values.
const (
	rfcID   = "323031312D30320074656C3A2B34343737303039303031323300" // "2011-02\0tel:+447700900123\0"
	rfcKSAK = "12345"
	rfcKPAK = "0450D4670BDE75244F28D2838A0D25558A7A72686D4522D4C8273FB6442AEBFA93DBDD37551AFD263B5DFD617F3960C65A8C298850FF99F20366DCE7D4367217F4"
	rfcV    = "23456"
	rfcPVT  = "04758A142779BE89E829E71984CB40EF758CC4AD775FC5B9A3E1C8ED52F6FA36D9A79D247692F4EDA3A6BDAB77D6AA6474A464AE4934663C5265BA7018BA091F79"
	rfcHS   = "490F3FEBBC1C902F6289723D7F8CBF79DB88930849D19F38F0295B5C276C14D1"
	rfcSSK  = "23F374AE1F4033F3E9DBDDAAEF20F4CF0B86BBD5A138A5AE9E7E006B34489A0D"
	rfcJ    = "34567"
	rfcM    = "6D65737361676500" // "message\0"
	rfcR    = "269D4C8FDEB66A74E4EF8C0D5DCC597DDFE6029C2AFFC4936008CD2CC1045D81"
	rfcS    = "E09B528D0EF8D6DF1AA3ECBF80110CFCEC9FC68252CEBB679F4134846940CCFD"
)

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ToLower(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func num(s string) *big.Int {
	v, _ := new(big.Int).SetString(s, 16)
	return v
}

func rfcSignature(t testing.TB) []byte {
	return unhex(t, rfcR+rfcS+rfcPVT)
}

// RFC 6507 Appendix A: KPAK, PVT, HS, SSK and the signature.
func TestRFC6507AppendixA(t *testing.T) {
	id := unhex(t, rfcID)
	kms, err := NewKMSKey(num(rfcKSAK))
	if err != nil {
		t.Fatal(err)
	}
	if got := kms.KPAK(); !bytes.Equal(got, unhex(t, rfcKPAK)) {
		t.Errorf("KPAK = %X, want %s", got, rfcKPAK)
	}
	u, err := kms.IssueWithV(id, num(rfcV))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(u.PVT(), unhex(t, rfcPVT)) {
		t.Errorf("PVT = %X, want %s", u.PVT(), rfcPVT)
	}
	if !bytes.Equal(u.HS(), unhex(t, rfcHS)) {
		t.Errorf("HS = %X, want %s", u.HS(), rfcHS)
	}
	if u.SSK().Cmp(num(rfcSSK)) != 0 {
		t.Errorf("SSK = %X, want %s", u.SSK(), rfcSSK)
	}
	if _, err := NewUserKey(id, num(rfcSSK), unhex(t, rfcPVT), unhex(t, rfcKPAK)); err != nil {
		t.Errorf("NewUserKey (RFC 6507 5.1.2 validation): %v", err)
	}
	sig, err := u.SignWithJ(unhex(t, rfcM), num(rfcJ))
	if err != nil || !bytes.Equal(sig, rfcSignature(t)) {
		t.Errorf("signature = %X, %v; want r ‖ s ‖ PVT of RFC 6507 App. A", sig, err)
	}
	if err := Verify(unhex(t, rfcM), rfcSignature(t), id, unhex(t, rfcKPAK)); err != nil {
		t.Errorf("Verify: %v", err)
	}
}

func TestVerifyRejects(t *testing.T) {
	id, kpak, msg := unhex(t, rfcID), unhex(t, rfcKPAK), unhex(t, rfcM)
	other, err := NewKMSKey(big.NewInt(7))
	if err != nil {
		t.Fatal(err)
	}
	otherUser, err := other.IssueWithV(id, big.NewInt(11))
	if err != nil {
		t.Fatal(err)
	}
	q := order().FillBytes(make([]byte, N))
	withPart := func(off int, part []byte) []byte {
		sig := rfcSignature(t)
		copy(sig[off:], part)
		return sig
	}
	tests := []struct {
		name         string
		msg, sig, id []byte
		kpak         []byte
		want         error
	}{
		{"wrong message", []byte("massage\x00"), rfcSignature(t), id, kpak, ErrVerify},
		{"wrong identifier", msg, rfcSignature(t), []byte("someone else"), kpak, ErrVerify},
		{"other KMS (wrong KPAK)", msg, rfcSignature(t), id, other.KPAK(), ErrVerify},
		{"PVT from another user", msg, withPart(2*N, otherUser.PVT()), id, kpak, ErrVerify},
		{"PVT off the curve", msg, withPart(2*N+5, []byte{0xAA}), id, kpak, ErrPVT},
		{"PVT compressed", msg, withPart(2*N, []byte{2}), id, kpak, ErrSignatureFormat},
		{"s = 0", msg, withPart(N, make([]byte, N)), id, kpak, ErrScalarRange},
		{"s = q", msg, withPart(N, q), id, kpak, ErrScalarRange},
		{"r = 0", msg, withPart(0, make([]byte, N)), id, kpak, ErrScalarRange},
		{"r = q", msg, withPart(0, q), id, kpak, ErrVerify},
		{"truncated", msg, rfcSignature(t)[:SignatureLen-1], id, kpak, ErrSignatureFormat},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := Verify(tt.msg, tt.sig, tt.id, tt.kpak); !errors.Is(err, tt.want) {
				t.Errorf("err = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestNewUserKeyRejects(t *testing.T) {
	id, kpak, pvt := unhex(t, rfcID), unhex(t, rfcKPAK), unhex(t, rfcPVT)
	tests := []struct {
		name string
		id   []byte
		ssk  *big.Int
	}{
		{"SSK off by one", id, new(big.Int).Add(num(rfcSSK), big.NewInt(1))},
		{"other identifier", []byte("x"), num(rfcSSK)},
		{"SSK zero", id, new(big.Int)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := NewUserKey(tt.id, tt.ssk, pvt, kpak); !errors.Is(err, ErrUserKey) {
				t.Errorf("err = %v, want ErrUserKey", err)
			}
		})
	}
}

func TestSignVerifyRandom(t *testing.T) {
	kms, err := GenerateKMSKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	u, err := kms.Issue([]byte("alice"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := NewUserKey(u.ID(), u.SSK(), u.PVT(), u.KPAK()); err != nil {
		t.Fatalf("issued key does not validate: %v", err)
	}
	sig, err := u.Sign([]byte("hello"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := Verify([]byte("hello"), sig, []byte("alice"), kms.KPAK()); err != nil {
		t.Errorf("Verify: %v", err)
	}
}

func BenchmarkVerify(b *testing.B) {
	id, kpak, msg, sig := unhex(b, rfcID), unhex(b, rfcKPAK), unhex(b, rfcM), rfcSignature(b)
	for b.Loop() {
		if err := Verify(msg, sig, id, kpak); err != nil {
			b.Fatal(err)
		}
	}
}
