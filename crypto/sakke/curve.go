package sakke

import (
	"errors"
	"fmt"
	"math/big"
)

// Point is an affine point of E: y² = x³ - 3x over F_p. The zero value is the
// point at infinity.
type Point struct{ x, y *big.Int }

// IsInfinity reports whether p is the point at infinity.
func (p Point) IsInfinity() bool { return p.x == nil }

// X returns a copy of the x coordinate (nil at infinity).
func (p Point) X() *big.Int { return copyInt(p.x) }

// Y returns a copy of the y coordinate (nil at infinity).
func (p Point) Y() *big.Int { return copyInt(p.y) }

func copyInt(v *big.Int) *big.Int {
	if v == nil {
		return nil
	}
	return new(big.Int).Set(v)
}

// Equal reports whether p and o are the same point.
func (p Point) Equal(o Point) bool {
	if p.IsInfinity() || o.IsInfinity() {
		return p.IsInfinity() && o.IsInfinity()
	}
	return p.x.Cmp(o.x) == 0 && p.y.Cmp(o.y) == 0
}

// Bytes encodes p as 0x04 ‖ x ‖ y with 128-octet coordinates (RFC 6508 2.1).
// The point at infinity, which has no such encoding, gives a single 0x00.
func (p Point) Bytes() []byte {
	if p.IsInfinity() {
		return []byte{0}
	}
	b := make([]byte, 1+2*L)
	b[0] = 4
	p.x.FillBytes(b[1 : 1+L])
	p.y.FillBytes(b[1+L:])
	return b
}

// ErrPointEncoding is returned by ParsePoint for malformed input.
var ErrPointEncoding = errors.New("sakke: invalid point encoding")

// ParsePoint decodes 0x04 ‖ x ‖ y and checks that 0 ≤ x, y < p and that the
// point is on the curve.
func ParsePoint(b []byte) (Point, error) {
	if len(b) != 1+2*L {
		return Point{}, fmt.Errorf("%w: expected %d octets, got %d", ErrPointEncoding, 1+2*L, len(b))
	}
	if b[0] != 4 {
		return Point{}, fmt.Errorf("%w: expected first octet 0x04 (uncompressed), got 0x%02x", ErrPointEncoding, b[0])
	}
	x := new(big.Int).SetBytes(b[1 : 1+L])
	y := new(big.Int).SetBytes(b[1+L:])
	if x.Cmp(params.p) >= 0 || y.Cmp(params.p) >= 0 {
		return Point{}, fmt.Errorf("%w: coordinate not below p", ErrPointEncoding)
	}
	p := Point{x: x, y: y}
	if !p.onCurve() {
		return Point{}, fmt.Errorf("%w: point is not on the curve y² = x³ - 3x", ErrPointEncoding)
	}
	return p, nil
}

func (p Point) onCurve() bool {
	if p.IsInfinity() {
		return false
	}
	lhs := new(big.Int).Mul(p.y, p.y)
	lhs.Mod(lhs, params.p)
	rhs := new(big.Int).Mul(p.x, p.x)
	rhs.Sub(rhs, big.NewInt(3))
	rhs.Mul(rhs, p.x)
	rhs.Mod(rhs, params.p)
	return lhs.Cmp(rhs) == 0
}

// jac is a point in Jacobian coordinates (x/z², y/z³); z = 0 is infinity.
type jac struct{ x, y, z fe }

func (p Point) jac() jac {
	if p.IsInfinity() {
		return jac{}
	}
	return jac{x: feFromBig(p.x), y: feFromBig(p.y), z: feOne}
}

func (j *jac) affine() Point {
	if j.z.isZero() {
		return Point{}
	}
	var zi, zi2, zi3, x, y fe
	feInv(&zi, &j.z)
	feSqr(&zi2, &zi)
	feMul(&zi3, &zi2, &zi)
	feMul(&x, &j.x, &zi2)
	feMul(&y, &j.y, &zi3)
	return Point{x: x.big(), y: y.big()}
}

// dblTerms are intermediate values of a doubling that the Miller loop reuses
// for its tangent line.
type dblTerms struct{ alpha, gamma, delta fe }

// double sets j = 2a (formula dbl-2001-b for a = -3) and returns its terms.
// j may alias a.
func (j *jac) double(a *jac) dblTerms {
	var t dblTerms
	var beta, s, u fe
	feSqr(&t.delta, &a.z)
	feSqr(&t.gamma, &a.y)
	feMul(&beta, &a.x, &t.gamma)
	feSub(&s, &a.x, &t.delta)
	feAdd(&u, &a.x, &t.delta)
	feMul(&s, &s, &u)
	feMul(&t.alpha, &s, &params.three)
	// z3 = (y+z)² - gamma - delta, computed before x and y are overwritten.
	var z3 fe
	feAdd(&z3, &a.y, &a.z)
	feSqr(&z3, &z3)
	feSub(&z3, &z3, &t.gamma)
	feSub(&z3, &z3, &t.delta)
	// x3 = alpha² - 8 beta
	var b8, x3 fe
	feAdd(&b8, &beta, &beta)
	feAdd(&b8, &b8, &b8) // 4 beta
	var b4 = b8
	feAdd(&b8, &b8, &b8)
	feSqr(&x3, &t.alpha)
	feSub(&x3, &x3, &b8)
	// y3 = alpha(4 beta - x3) - 8 gamma²
	var y3, g2 fe
	feSub(&y3, &b4, &x3)
	feMul(&y3, &y3, &t.alpha)
	feSqr(&g2, &t.gamma)
	feAdd(&g2, &g2, &g2)
	feAdd(&g2, &g2, &g2)
	feAdd(&g2, &g2, &g2)
	feSub(&y3, &y3, &g2)
	j.x, j.y, j.z = x3, y3, z3
	return t
}

// add sets j = a + b (formula add-2007-bl) and returns r = 2(S2 - S1), the
// slope numerator scaled like z3, which the Miller loop uses for its chord.
// j may alias a or b.
func (j *jac) add(a, b *jac) fe {
	var r fe
	if a.z.isZero() {
		*j = *b
		return r
	}
	if b.z.isZero() {
		*j = *a
		return r
	}
	var z1z1, z2z2, u1, u2, s1, s2, h fe
	feSqr(&z1z1, &a.z)
	feSqr(&z2z2, &b.z)
	feMul(&u1, &a.x, &z2z2)
	feMul(&u2, &b.x, &z1z1)
	feMul(&s1, &a.y, &b.z)
	feMul(&s1, &s1, &z2z2)
	feMul(&s2, &b.y, &a.z)
	feMul(&s2, &s2, &z1z1)
	feSub(&h, &u2, &u1)
	feSub(&r, &s2, &s1)
	feAdd(&r, &r, &r)
	if h.isZero() {
		if r.isZero() {
			j.double(a)
			return r
		}
		*j = jac{}
		return r
	}
	var i, jj, v, x3, y3, z3 fe
	feAdd(&i, &h, &h)
	feSqr(&i, &i)
	feMul(&jj, &h, &i)
	feMul(&v, &u1, &i)
	feSqr(&x3, &r)
	feSub(&x3, &x3, &jj)
	feSub(&x3, &x3, &v)
	feSub(&x3, &x3, &v)
	feSub(&y3, &v, &x3)
	feMul(&y3, &y3, &r)
	feMul(&s1, &s1, &jj)
	feAdd(&s1, &s1, &s1)
	feSub(&y3, &y3, &s1)
	feAdd(&z3, &a.z, &b.z)
	feSqr(&z3, &z3)
	feSub(&z3, &z3, &z1z1)
	feSub(&z3, &z3, &z2z2)
	feMul(&z3, &z3, &h)
	j.x, j.y, j.z = x3, y3, z3
	return r
}

// ScalarMult returns [k]p for k ≥ 0 (4-bit fixed window).
func ScalarMult(p Point, k *big.Int) Point {
	if p.IsInfinity() || k.Sign() <= 0 {
		return Point{}
	}
	var table [16]jac
	table[1] = p.jac()
	for i := 2; i < 16; i++ {
		table[i].add(&table[i-1], &table[1])
	}
	var acc jac
	for i := (k.BitLen() + 3) / 4 * 4; i >= 4; i -= 4 {
		for range 4 {
			acc.double(&acc)
		}
		w := k.Bit(i-1)<<3 | k.Bit(i-2)<<2 | k.Bit(i-3)<<1 | k.Bit(i-4)
		if w != 0 {
			acc.add(&acc, &table[w])
		}
	}
	return acc.affine()
}

// Add returns a + b.
func Add(a, b Point) Point {
	ja, jb := a.jac(), b.jac()
	var s jac
	s.add(&ja, &jb)
	return s.affine()
}
