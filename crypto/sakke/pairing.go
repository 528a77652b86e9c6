package sakke

import (
	"errors"
	"math/big"
)

// fe2 is a + i·b in F_p² = F_p[i]/(i²+1) (valid because p ≡ 3 mod 4).
type fe2 struct{ a, b fe }

// sqr sets z = x² = (a+b)(a-b) + i·2ab.
func (z *fe2) sqr(x *fe2) {
	var s, d, t fe
	feAdd(&s, &x.a, &x.b)
	feSub(&d, &x.a, &x.b)
	feMul(&t, &x.a, &x.b)
	feMul(&z.a, &s, &d)
	feAdd(&z.b, &t, &t)
}

// mul sets z = x·y with three multiplications.
func (z *fe2) mul(x, y *fe2) {
	var ac, bd, s, t fe
	feMul(&ac, &x.a, &y.a)
	feMul(&bd, &x.b, &y.b)
	feAdd(&s, &x.a, &x.b)
	feAdd(&t, &y.a, &y.b)
	feMul(&s, &s, &t)
	feSub(&z.a, &ac, &bd)
	feSub(&s, &s, &ac)
	feSub(&z.b, &s, &bd)
}

// exp sets z = x^k for k ≥ 0.
func (z *fe2) exp(x *fe2, k *big.Int) {
	base := *x
	acc := fe2{a: feOne}
	for i := k.BitLen() - 1; i >= 0; i-- {
		acc.sqr(&acc)
		if k.Bit(i) == 1 {
			acc.mul(&acc, &base)
		}
	}
	*z = acc
}

// pfp returns the PF_p representative b/a of the class of a + i·b.
func (z *fe2) pfp() (*big.Int, error) {
	if z.a.isZero() {
		return nil, errors.New("sakke: pairing value has no PF_p representative (real part zero)")
	}
	var inv, r fe
	feInv(&inv, &z.a)
	feMul(&r, &z.b, &inv)
	return r.big(), nil
}

// pairing returns the reduced Tate-Lichtenbaum pairing <r, q> of RFC 6508
// 3.2 as an element of PF_p: a Miller loop over the bits of q-1 on r, with
// lines evaluated at the distorted point ψ(q) = (-q_x, i·q_y), then the
// exponent c = (p+1)/q. Lines are scaled by elements of F_p, which the class
// in PF_p ignores, so no inversion is needed inside the loop.
func pairing(r, q Point) (*big.Int, error) {
	if r.IsInfinity() || q.IsInfinity() {
		return nil, errors.New("sakke: pairing of the point at infinity")
	}
	qx, qy := feFromBig(q.x), feFromBig(q.y)
	base := r.jac()
	var qxPlusRx fe
	feAdd(&qxPlusRx, &qx, &base.x)
	c := base
	v := fe2{a: feOne}
	var l fe2
	var t fe
	n := params.qMinus1
	for i := n.BitLen() - 2; i >= 0; i-- {
		// Tangent at C: (3x²-3z⁴)(q_x z² + x) - 2y² + i·(2yz)z²·q_y.
		oldX := c.x
		d := c.double(&c)
		feMul(&t, &qx, &d.delta)
		feAdd(&t, &t, &oldX)
		feMul(&l.a, &d.alpha, &t)
		feAdd(&t, &d.gamma, &d.gamma)
		feSub(&l.a, &l.a, &t)
		feMul(&t, &c.z, &d.delta)
		feMul(&l.b, &t, &qy)
		v.sqr(&v)
		v.mul(&v, &l)
		if n.Bit(i) == 1 {
			// Chord through C and R: r(q_x + R_x) - R_y z3 + i·q_y z3.
			num := c.add(&c, &base)
			feMul(&l.a, &num, &qxPlusRx)
			feMul(&t, &base.y, &c.z)
			feSub(&l.a, &l.a, &t)
			feMul(&l.b, &qy, &c.z)
			v.mul(&v, &l)
		}
	}
	v.exp(&v, params.cofactor)
	return v.pfp()
}

// Pairing returns <r, q> (RFC 6508 3.2) as the PF_p representative.
func Pairing(r, q Point) (*big.Int, error) { return pairing(r, q) }

// PFpExp returns x^k in PF_p, where x stands for the class of 1 + i·x.
func PFpExp(x, k *big.Int) (*big.Int, error) {
	e := fe2{a: feOne, b: feFromBig(new(big.Int).Mod(x, params.p))}
	e.exp(&e, k)
	return e.pfp()
}
