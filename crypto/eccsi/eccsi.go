// Package eccsi implements ECCSI (RFC 6507) on NIST P-256 with SHA-256, as
// MIKEY-SAKKE (RFC 6509, TS 33.180) uses it: the KMS key pair (KSAK/KPAK),
// issuing and validating a user's secret signing key (SSK) and public
// validation token (PVT), signing and verifying.
//
// It is not constant time: the package is meant for conformance testing.
package eccsi

import (
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"math/big"
)

// N is the size of a scalar or coordinate in octets.
const N = 32

// PointLen is the length of an encoded point 0x04 ‖ x ‖ y.
const PointLen = 1 + 2*N

// SignatureLen is the length of r ‖ s ‖ PVT.
const SignatureLen = 2*N + PointLen

var curve = elliptic.P256()

// order returns q, the order of G.
func order() *big.Int { return curve.Params().N }

// Errors of key validation and verification, so that a caller can tell
// them apart.
var (
	// ErrSignatureFormat: the signature is not r ‖ s ‖ PVT of the right
	// length, or PVT is not an uncompressed point.
	ErrSignatureFormat = errors.New("eccsi: malformed signature")
	// ErrPVT: the PVT is not a point of P-256 (RFC 6507 5.2.2 step 1).
	ErrPVT = errors.New("eccsi: PVT is not on the curve")
	// ErrScalarRange: r or s is outside its range (0 < s < q, 0 < r < p).
	ErrScalarRange = errors.New("eccsi: signature scalar out of range")
	// ErrVerify: J is the point at infinity or its x coordinate is not r
	// (RFC 6507 5.2.2 step 6): wrong signer, key, message or span.
	ErrVerify = errors.New("eccsi: signature does not verify")
	// ErrUserKey: an SSK/PVT pair fails validation (RFC 6507 5.1.2).
	ErrUserKey = errors.New("eccsi: invalid SSK/PVT")
)

type point struct{ x, y *big.Int }

func (p point) infinity() bool { return p.x.Sign() == 0 && p.y.Sign() == 0 }

func (p point) bytes() []byte {
	b := make([]byte, PointLen)
	b[0] = 4
	p.x.FillBytes(b[1 : 1+N])
	p.y.FillBytes(b[1+N:])
	return b
}

// parsePoint decodes 0x04 ‖ x ‖ y and checks the point is on P-256.
func parsePoint(b []byte) (point, error) {
	if len(b) != PointLen || b[0] != 4 {
		return point{}, fmt.Errorf("expected %d octets starting 0x04, got %d octets", PointLen, len(b))
	}
	p := point{new(big.Int).SetBytes(b[1 : 1+N]), new(big.Int).SetBytes(b[1+N:])}
	if !curve.IsOnCurve(p.x, p.y) {
		return point{}, errors.New("point is not on P-256")
	}
	return p, nil
}

func scalar(k *big.Int) []byte {
	return new(big.Int).Mod(k, order()).FillBytes(make([]byte, N))
}

func baseMult(k *big.Int) point {
	x, y := curve.ScalarBaseMult(scalar(k))
	return point{x, y}
}

func mult(p point, k *big.Int) point {
	x, y := curve.ScalarMult(p.x, p.y, scalar(k))
	return point{x, y}
}

func add(a, b point) point {
	x, y := curve.Add(a.x, a.y, b.x, b.y)
	return point{x, y}
}

func randScalar(random io.Reader) (*big.Int, error) {
	if random == nil {
		random = rand.Reader
	}
	k, err := rand.Int(random, new(big.Int).Sub(order(), big.NewInt(1)))
	if err != nil {
		return nil, err
	}
	return k.Add(k, big.NewInt(1)), nil
}

// ParsePublicKey checks that kpak is an encoded point of P-256.
func ParsePublicKey(kpak []byte) error {
	if _, err := parsePoint(kpak); err != nil {
		return fmt.Errorf("eccsi: KPAK: %v", err)
	}
	return nil
}

// HS returns hash(G ‖ KPAK ‖ ID ‖ PVT) (RFC 6507 5.1.1 step 3).
func HS(id, pvt, kpak []byte) []byte {
	g := point{curve.Params().Gx, curve.Params().Gy}
	h := sha256.New()
	h.Write(g.bytes())
	h.Write(kpak)
	h.Write(id)
	h.Write(pvt)
	return h.Sum(nil)
}

// KMSKey is a KMS's ECCSI secret authentication key KSAK and public
// authentication key KPAK = [KSAK]G.
type KMSKey struct {
	ksak *big.Int
	kpak point
}

// GenerateKMSKey draws KSAK uniformly from [1, q).
func GenerateKMSKey(random io.Reader) (*KMSKey, error) {
	k, err := randScalar(random)
	if err != nil {
		return nil, fmt.Errorf("eccsi: drawing KSAK: %w", err)
	}
	return NewKMSKey(k)
}

// NewKMSKey returns the KMS key for KSAK, which must be in [1, q).
func NewKMSKey(ksak *big.Int) (*KMSKey, error) {
	if ksak.Sign() <= 0 || ksak.Cmp(order()) >= 0 {
		return nil, errors.New("eccsi: KSAK must be in [1, q)")
	}
	return &KMSKey{ksak: new(big.Int).Set(ksak), kpak: baseMult(ksak)}, nil
}

// KSAK returns a copy of the secret.
func (k *KMSKey) KSAK() *big.Int { return new(big.Int).Set(k.ksak) }

// KPAK returns the public key as 0x04 ‖ x ‖ y.
func (k *KMSKey) KPAK() []byte { return k.kpak.bytes() }

// Issue makes the SSK and PVT of id with a random v (RFC 6507 5.1.1).
func (k *KMSKey) Issue(id []byte, random io.Reader) (*UserKey, error) {
	for {
		v, err := randScalar(random)
		if err != nil {
			return nil, fmt.Errorf("eccsi: drawing v: %w", err)
		}
		u, err := k.IssueWithV(id, v)
		if err == nil || !errors.Is(err, errZeroSSK) {
			return u, err
		}
	}
}

var errZeroSSK = errors.New("eccsi: SSK is zero for this v")

// IssueWithV makes the SSK and PVT of id with the given ephemeral v, as in
// RFC 6507 Appendix A; use Issue otherwise.
func (k *KMSKey) IssueWithV(id []byte, v *big.Int) (*UserKey, error) {
	pvt := baseMult(v).bytes()
	hs := HS(id, pvt, k.KPAK())
	ssk := new(big.Int).SetBytes(hs)
	ssk.Mul(ssk, v)
	ssk.Add(ssk, k.ksak)
	ssk.Mod(ssk, order())
	if ssk.Sign() == 0 {
		return nil, errZeroSSK
	}
	return &UserKey{id: append([]byte{}, id...), ssk: ssk, pvt: pvt, kpak: k.KPAK(), hs: hs}, nil
}

// UserKey is a user's SSK and PVT for an identifier, under a KPAK.
type UserKey struct {
	id, pvt, kpak, hs []byte
	ssk               *big.Int
}

// NewUserKey validates ssk and pvt for id under kpak (RFC 6507 5.1.2:
// [SSK]G = KPAK + [HS]PVT) and returns the key.
func NewUserKey(id []byte, ssk *big.Int, pvt, kpak []byte) (*UserKey, error) {
	pv, err := parsePoint(pvt)
	if err != nil {
		return nil, fmt.Errorf("%w: PVT: %v", ErrUserKey, err)
	}
	kp, err := parsePoint(kpak)
	if err != nil {
		return nil, fmt.Errorf("%w: KPAK: %v", ErrUserKey, err)
	}
	if ssk.Sign() <= 0 || ssk.Cmp(order()) >= 0 {
		return nil, fmt.Errorf("%w: SSK must be in [1, q)", ErrUserKey)
	}
	hs := HS(id, pvt, kpak)
	lhs := baseMult(ssk)
	rhs := add(kp, mult(pv, new(big.Int).SetBytes(hs)))
	if lhs.x.Cmp(rhs.x) != 0 || lhs.y.Cmp(rhs.y) != 0 {
		return nil, fmt.Errorf("%w: [SSK]G ≠ KPAK + [HS]PVT (SSK, PVT, identifier or KPAK do not belong together)", ErrUserKey)
	}
	return &UserKey{id: append([]byte{}, id...), ssk: new(big.Int).Set(ssk), pvt: append([]byte{}, pvt...), kpak: append([]byte{}, kpak...), hs: hs}, nil
}

// ID returns the identifier the key was issued for.
func (u *UserKey) ID() []byte { return append([]byte{}, u.id...) }

// SSK returns a copy of the secret signing key.
func (u *UserKey) SSK() *big.Int { return new(big.Int).Set(u.ssk) }

// PVT returns the public validation token.
func (u *UserKey) PVT() []byte { return append([]byte{}, u.pvt...) }

// KPAK returns the KMS public key the key belongs to.
func (u *UserKey) KPAK() []byte { return append([]byte{}, u.kpak...) }

// HS returns hash(G ‖ KPAK ‖ ID ‖ PVT).
func (u *UserKey) HS() []byte { return append([]byte{}, u.hs...) }

// Sign signs msg with a random j (RFC 6507 5.2.1) and returns r ‖ s ‖ PVT.
func (u *UserKey) Sign(msg []byte, random io.Reader) ([]byte, error) {
	for {
		j, err := randScalar(random)
		if err != nil {
			return nil, fmt.Errorf("eccsi: drawing j: %w", err)
		}
		sig, err := u.SignWithJ(msg, j)
		if err == nil || !errors.Is(err, errRetryJ) {
			return sig, err
		}
	}
}

var errRetryJ = errors.New("eccsi: this j gives no signature")

// SignWithJ signs msg with the given ephemeral j, as in RFC 6507 Appendix A;
// use Sign otherwise.
func (u *UserKey) SignWithJ(msg []byte, j *big.Int) ([]byte, error) {
	q := order()
	jp := baseMult(j)
	r := new(big.Int).Set(jp.x)
	if new(big.Int).Mod(r, q).Sign() == 0 {
		return nil, errRetryJ
	}
	rb := r.FillBytes(make([]byte, N))
	he := new(big.Int).SetBytes(hashHE(u.hs, rb, msg))
	t := new(big.Int).Mul(r, u.ssk)
	t.Add(t, he)
	t.Mod(t, q)
	if t.ModInverse(t, q) == nil {
		return nil, errRetryJ
	}
	s := t.Mul(t, j)
	s.Mod(s, q)
	if s.Sign() == 0 {
		return nil, errRetryJ
	}
	sig := append(rb, s.FillBytes(make([]byte, N))...)
	return append(sig, u.pvt...), nil
}

func hashHE(hs, r, msg []byte) []byte {
	h := sha256.New()
	h.Write(hs)
	h.Write(r)
	h.Write(msg)
	return h.Sum(nil)
}

// Verify checks sig = r ‖ s ‖ PVT over msg for the identifier id under kpak
// with every check of RFC 6507 5.2.2: PVT on the curve, 0 < r < p and
// 0 < s < q, J not the point at infinity and J_x = r.
func Verify(msg, sig, id, kpak []byte) error {
	if len(sig) != SignatureLen {
		return fmt.Errorf("%w: expected %d octets (r ‖ s ‖ PVT), got %d", ErrSignatureFormat, SignatureLen, len(sig))
	}
	kp, err := parsePoint(kpak)
	if err != nil {
		return fmt.Errorf("eccsi: KPAK: %v", err)
	}
	rb, sb, pvt := sig[:N], sig[N:2*N], sig[2*N:]
	if pvt[0] != 4 {
		return fmt.Errorf("%w: PVT must start 0x04 (uncompressed), got 0x%02x", ErrSignatureFormat, pvt[0])
	}
	pv, err := parsePoint(pvt)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrPVT, err)
	}
	r, s := new(big.Int).SetBytes(rb), new(big.Int).SetBytes(sb)
	if s.Sign() == 0 || s.Cmp(order()) >= 0 {
		return fmt.Errorf("%w: s must satisfy 0 < s < q", ErrScalarRange)
	}
	if r.Sign() == 0 || r.Cmp(curve.Params().P) >= 0 {
		return fmt.Errorf("%w: r must satisfy 0 < r < p", ErrScalarRange)
	}
	hs := HS(id, pvt, kpak)
	he := new(big.Int).SetBytes(hashHE(hs, rb, msg))
	y := add(mult(pv, new(big.Int).SetBytes(hs)), kp)
	j := baseMult(he)
	if !y.infinity() {
		j = add(j, mult(y, r))
	}
	if !j.infinity() {
		j = mult(j, s)
	}
	if j.infinity() {
		return fmt.Errorf("%w: J is the point at infinity", ErrVerify)
	}
	if j.x.Cmp(r) != 0 {
		return fmt.Errorf("%w: J_x ≠ r", ErrVerify)
	}
	return nil
}
