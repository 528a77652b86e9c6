package sakke

import (
	"bytes"
	"encoding/hex"
	"errors"
	"math/big"
	"strings"
	"testing"
)

// RFC 6508 Appendix A values.
const (
	rfcB    = "323031312D30320074656C3A2B34343737303039303031323300"
	rfcZ    = "AFF429D35F84B110D094803B3595A6E2998BC99F"
	rfcZx   = "5958EF1B1679BF099B3A030DF255AA6A23C1D8F143D4D23F753E69BD27A832F38CB4AD53DDEF4260B0FE8BB45C4C1FF510EFFE300367A37B61F701D914AEF09724825FA0707D61A6DFF4FBD7273566CDDE352A0B04B7C16A78309BE640697DE747613A5FC195E8B9F328852A579DB8F99B1D0034479EA9C5595F47C4B2F54FF2"
	rfcZy   = "1508D37514DCF7A8E143A6058C09A6BF2C9858CA37C258065AE6BF7532BC8B5B63383866E0753C5AC0E72709F8445F2E6178E065857E0EDA10F68206B63505ED87E534FB2831FF957FB7DC619DAE61301EEACC2FDA3680EA4999258A833CEA8FC67C6D19487FB449059F26CC8AAB655AB58B7CC796E24E9A394095754F5F8BAE"
	rfcKx   = "93AF67E5007BA6E6A80DA793DA300FA4B52D0A74E25E6E7B2B3D6EE9D18A9B5C5023597BD82D8062D34019563BA1D25C0DC56B7B979D74AA50F29FBF11CC2C93F5DFCA615E609279F6175CEADB00B58C6BEE1E7A2A47C4F0C456F05259A6FA94A634A40DAE1DF593D4FECF688D5FC678BE7EFC6DF3D6835325B83B2C6E69036B"
	rfcKy   = "155F0A27241094B04BFB0BDFAC6C670A65C325D39A069F03659D44CA27D3BE8DF311172B554160181CBE94A2A783320CED590BC42644702CF371271E496BF20F588B78A1BC01ECBB6559934BDD2FB65D2884318A33D1A42ADF5E33CC5800280B28356497F87135BAB9612A17260424409AC15FEE996B744C332151235DECB0F5"
	rfcSSV  = "123456789ABCDEF0123456789ABCDEF0"
	rfcR    = "13EE3E1B8DAC5DB168B1CEB32F0566A4C273693F78BAFFA2A2EE6A686E6BD90F8206CCAB84E7F42ED39BD4FB131012ECCA2ECD2119414560C17CAB46B956A80F58A3302EB3E2C9A228FBA7ED34D8ACA2392DA1FFB0B17B2320AE09AAEDFD0235F6FE0EB65337A63F9CC97728B8E5AD0460FADE144369AA5B2166213247712096"
	rfcRbx  = "44E8AD44AB8592A6A5A3DDCA5CF896C718043606A01D650DEF37A01F37C228C332FC317354E2C274D4DAF8AD001054C76CE57971C6F4486D5723043261C506EBF5BE438F53DE04F067C776E0DD3B71A6290133283725A532F21AF145126DC1D777ECC27BE50835BD28098B8A73D9F801D893793A41FF5C49B87E79F2BE4D56CE"
	rfcRby  = "557E134AD85BB1D4B9CE4F8BE4B08A12BABF55B1D6F1D7A638019EA28E15AB1C9F76375FDD1210D4F4351B9A009486B7F3ED46C965DED2D80DADE4F38C6721D52C3AD103A10EBD2959248B4EF006836BF097448E6107C9EDEE9FB704823DF199F832C905AE45F8A247A072D8EF729EABC5E27574B07739B34BE74A532F747B86"
	rfcGr   = "7D2A8438E6291C649B6579EB3B79EAE948B1DE9E5F7D1F4070A08F8DB6B3C5156F2201AFFBB5CB9D82AA3EC0D0398B89ABC78A13A760C0BF3F77E63D0DF3F1A341A41B8811DF197FD6CD0F003125606F4F109F400F7292A10D255E3C0EBCCB4253FB182C68F09CF6CD9C4A53DA6C74AD007AF36B8BCA979D5895E282F483FCD6"
	rfcMask = "9BD4EA1E801D37E62AD2FAB0D4F5BBF7"
	rfcH    = "89E0BC661AA1E91638E6ACC84E496507"
)

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ToLower(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func point(x, y string) Point { return Point{x: mustHex(x), y: mustHex(y)} }

func rfcEncapsulated(t testing.TB) []byte {
	return append(point(rfcRbx, rfcRby).Bytes(), unhex(t, rfcH)...)
}

// RFC 6509 Appendix A: parameter set 1 facts.
func TestParameterSet1(t *testing.T) {
	if params.p.Bit(0) != 1 || params.p.Bit(1) != 1 {
		t.Error("p ≢ 3 mod 4")
	}
	if params.cofactor.Int64() != 4 || new(big.Int).Mul(params.cofactor, params.q).Cmp(new(big.Int).Add(params.p, big.NewInt(1))) != 0 {
		t.Errorf("(p+1)/q = %v, want exactly 4", params.cofactor)
	}
	if !params.pt.onCurve() {
		t.Error("P not on the curve")
	}
	if !ScalarMult(params.pt, params.q).IsInfinity() {
		t.Error("[q]P ≠ O")
	}
	g, err := Pairing(params.pt, params.pt)
	if err != nil || g.Cmp(params.g) != 0 {
		t.Errorf("<P,P> = %x, %v; want g = %s", g, err, hexG)
	}
}

// RFC 6508 Appendix A: Z, RSK, r, R, g^r, mask, H.
func TestRFC6508AppendixA(t *testing.T) {
	b := unhex(t, rfcB)
	mk, err := NewMasterKey(mustHex(rfcZ))
	if err != nil {
		t.Fatal(err)
	}
	if !mk.PublicKey().Equal(point(rfcZx, rfcZy)) {
		t.Errorf("Z = %x, want RFC 6508 App. A Z_S", mk.PublicKey().Bytes())
	}
	rsk, err := mk.RSK(b)
	if err != nil || !rsk.Equal(point(rfcKx, rfcKy)) {
		t.Errorf("RSK = %x, %v; want RFC 6508 App. A K_(b,S)", rsk.Bytes(), err)
	}
	if err := ValidateRSK(b, mk.PublicKey(), rsk); err != nil {
		t.Errorf("ValidateRSK: %v", err)
	}
	ssv := unhex(t, rfcSSV)
	if r := HashToIntegerRange(append(append([]byte{}, ssv...), b...), params.q); r.Cmp(mustHex(rfcR)) != 0 {
		t.Errorf("r = %X, want %s", r, rfcR)
	}
	gr, err := PFpExp(params.g, mustHex(rfcR))
	if err != nil || gr.Cmp(mustHex(rfcGr)) != 0 {
		t.Errorf("g^r = %X, %v; want %s", gr, err, rfcGr)
	}
	w, err := Pairing(point(rfcRbx, rfcRby), rsk)
	if err != nil || w.Cmp(mustHex(rfcGr)) != 0 {
		t.Errorf("<R, K> = %X, %v; want g^r", w, err)
	}
	rc, err := NewReceiver(b, mk.PublicKey(), rsk)
	if err != nil {
		t.Fatal(err)
	}
	if w, err := rc.pairWith(point(rfcRbx, rfcRby)); err != nil || w.Cmp(mustHex(rfcGr)) != 0 {
		t.Errorf("<K, R> from precomputed lines = %X, %v; want g^r", w, err)
	}
	if k := mustHex(rfcR); !rc.mulBase(k).Equal(point(rfcRbx, rfcRby)) {
		t.Error("comb [r]([b]P + Z) ≠ R_(b,S)")
	}
	if m := HashToIntegerRange(mustHex(rfcGr).FillBytes(make([]byte, L)), two128); m.Cmp(mustHex(rfcMask)) != 0 {
		t.Errorf("mask = %X, want %s", m, rfcMask)
	}
	enc, err := Encapsulate(ssv, b, mk.PublicKey())
	if err != nil || !bytes.Equal(enc, rfcEncapsulated(t)) {
		t.Errorf("Encapsulate = %x, %v; want 04 ‖ R_(b,S) ‖ H", enc, err)
	}
	got, err := Decapsulate(rfcEncapsulated(t), b, mk.PublicKey(), rsk)
	if err != nil || !bytes.Equal(got, ssv) {
		t.Errorf("Decapsulate = %x, %v; want SSV %s", got, err, rfcSSV)
	}
}

func TestDecapsulateRejects(t *testing.T) {
	b := unhex(t, rfcB)
	z, rsk := point(rfcZx, rfcZy), point(rfcKx, rfcKy)
	good := rfcEncapsulated(t)
	mutate := func(f func([]byte) []byte) []byte { return f(append([]byte{}, good...)) }
	tests := []struct {
		name string
		data []byte
		id   []byte
		want error
	}{
		{"bit flipped in H", mutate(func(d []byte) []byte { d[len(d)-1] ^= 1; return d }), b, ErrDecapsulation},
		{"R off the curve", mutate(func(d []byte) []byte { d[10] ^= 1; return d }), b, ErrEncapsulatedData},
		{"R another valid point", mutate(func(d []byte) []byte { copy(d, params.pt.Bytes()); return d }), b, ErrDecapsulation},
		{"wrong identifier", good, append([]byte{1}, b...), ErrDecapsulation},
		{"truncated", good[:len(good)-1], b, ErrEncapsulatedData},
		{"not uncompressed", mutate(func(d []byte) []byte { d[0] = 2; return d }), b, ErrEncapsulatedData},
		{"coordinate ≥ p", mutate(func(d []byte) []byte {
			for i := 1; i <= L; i++ {
				d[i] = 0xff
			}
			return d
		}), b, ErrEncapsulatedData},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Decapsulate(tt.data, tt.id, z, rsk)
			if !errors.Is(err, tt.want) {
				t.Errorf("err = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestValidateRSKRejectsOtherIdentity(t *testing.T) {
	z, rsk := point(rfcZx, rfcZy), point(rfcKx, rfcKy)
	if err := ValidateRSK([]byte("someone else"), z, rsk); !errors.Is(err, ErrRSK) {
		t.Errorf("err = %v, want ErrRSK", err)
	}
}

func TestRoundTripGeneratedKey(t *testing.T) {
	mk, err := GenerateMasterKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	id := []byte("an identifier")
	rsk, err := mk.RSK(id)
	if err != nil {
		t.Fatal(err)
	}
	ssv := []byte("0123456789abcdef")
	enc, err := Encapsulate(ssv, id, mk.PublicKey())
	if err != nil {
		t.Fatal(err)
	}
	got, err := Decapsulate(enc, id, mk.PublicKey(), rsk)
	if err != nil || !bytes.Equal(got, ssv) {
		t.Errorf("Decapsulate = %q, %v; want %q", got, err, ssv)
	}
}

func TestParsePointRoundTrip(t *testing.T) {
	p, err := ParsePoint(params.pt.Bytes())
	if err != nil || !p.Equal(params.pt) {
		t.Errorf("ParsePoint(P.Bytes()) = %v, %v", p, err)
	}
}

// BenchmarkDecapsulate measures one decapsulation with the receiver's
// precomputation done, as when the suite opens messages with loaded keys.
func BenchmarkDecapsulate(b *testing.B) {
	rc, err := NewReceiver(unhex(b, rfcB), point(rfcZx, rfcZy), point(rfcKx, rfcKy))
	if err != nil {
		b.Fatal(err)
	}
	data := rfcEncapsulated(b)
	for b.Loop() {
		if _, err := rc.Decapsulate(data); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkNewReceiver measures the one-off precomputation per key.
func BenchmarkNewReceiver(b *testing.B) {
	id, z, rsk := unhex(b, rfcB), point(rfcZx, rfcZy), point(rfcKx, rfcKy)
	for b.Loop() {
		if _, err := NewReceiver(id, z, rsk); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkPairing(b *testing.B) {
	r, k := point(rfcRbx, rfcRby), point(rfcKx, rfcKy)
	for b.Loop() {
		if _, err := Pairing(r, k); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkFieldMul(b *testing.B) {
	x := feFromBig(mustHex(rfcKx))
	y := feFromBig(mustHex(rfcKy))
	for b.Loop() {
		feMul(&x, &x, &y)
	}
}
