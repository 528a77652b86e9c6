package sakke

import (
	"math/big"
	"math/bits"
)

// limbs is the number of 64-bit words of an element of F_p (p has 1024 bits).
const limbs = 16

// fe is an element of F_p in Montgomery form (x·2^1024 mod p), least
// significant word first, always fully reduced (< p).
type fe [limbs]uint64

// Montgomery constants, set by initField.
var (
	pLimbs fe       // p itself, in plain (not Montgomery) form
	pInv   uint64   // -p^-1 mod 2^64
	rr     fe       // 2^2048 mod p, converts into Montgomery form
	feOne  fe       // 1 in Montgomery form
	montR  *big.Int // 2^1024 mod p
)

func initField(p *big.Int) {
	pLimbs = limbsOf(p)
	// Newton iteration for p^-1 mod 2^64 (p is odd).
	inv := uint64(1)
	for range 6 {
		inv *= 2 - pLimbs[0]*inv
	}
	pInv = -inv
	r := new(big.Int).Lsh(big.NewInt(1), 64*limbs)
	montR = new(big.Int).Mod(r, p)
	feOne = limbsOf(montR)
	rr = limbsOf(new(big.Int).Mod(new(big.Int).Mul(montR, montR), p))
}

// limbsOf returns the words of x, which must be in [0, 2^1024).
func limbsOf(x *big.Int) fe {
	var z fe
	for i, w := range x.Bits() {
		z[i] = uint64(w)
	}
	return z
}

// feFromBig returns x (in [0, p)) in Montgomery form.
func feFromBig(x *big.Int) fe {
	a := limbsOf(x)
	var z fe
	feMul(&z, &a, &rr)
	return z
}

// big returns the plain value of x.
func (x *fe) big() *big.Int {
	var one fe
	one[0] = 1
	var a fe
	feMul(&a, x, &one)
	words := make([]big.Word, limbs)
	for i := range a {
		words[i] = big.Word(a[i])
	}
	return new(big.Int).SetBits(words)
}

func (x *fe) isZero() bool {
	var acc uint64
	for _, w := range x {
		acc |= w
	}
	return acc == 0
}

// feMul sets z = x·y·2^-1024 mod p (coarsely integrated operand scanning).
// z may alias x or y.
func feMul(z, x, y *fe) {
	var t [limbs + 2]uint64
	for i := range limbs {
		yi := y[i]
		var c uint64
		for j := range limbs {
			hi, lo := bits.Mul64(x[j], yi)
			var cc uint64
			lo, cc = bits.Add64(lo, t[j], 0)
			hi += cc
			lo, cc = bits.Add64(lo, c, 0)
			hi += cc
			t[j] = lo
			c = hi
		}
		var cc uint64
		t[limbs], cc = bits.Add64(t[limbs], c, 0)
		t[limbs+1] = cc

		m := t[0] * pInv
		hi, lo := bits.Mul64(m, pLimbs[0])
		_, cc = bits.Add64(lo, t[0], 0)
		c = hi + cc
		for j := 1; j < limbs; j++ {
			hi, lo := bits.Mul64(m, pLimbs[j])
			lo, cc = bits.Add64(lo, t[j], 0)
			hi += cc
			lo, cc = bits.Add64(lo, c, 0)
			hi += cc
			t[j-1] = lo
			c = hi
		}
		t[limbs-1], cc = bits.Add64(t[limbs], c, 0)
		t[limbs] = t[limbs+1] + cc
	}
	var res fe
	copy(res[:], t[:limbs])
	reduceOnce(z, &res, t[limbs])
}

// reduceOnce sets z = x - p if x + carry·2^1024 >= p, else z = x.
func reduceOnce(z, x *fe, carry uint64) {
	var d fe
	var b uint64
	for i := range limbs {
		d[i], b = bits.Sub64(x[i], pLimbs[i], b)
	}
	// Keep x when the subtraction borrowed and there was no carry in.
	keep := b &^ carry
	mask := -keep
	for i := range limbs {
		z[i] = (x[i] & mask) | (d[i] &^ mask)
	}
}

func feSqr(z, x *fe) { feMul(z, x, x) }

func feAdd(z, x, y *fe) {
	var s fe
	var c uint64
	for i := range limbs {
		s[i], c = bits.Add64(x[i], y[i], c)
	}
	reduceOnce(z, &s, c)
}

func feSub(z, x, y *fe) {
	var d fe
	var b uint64
	for i := range limbs {
		d[i], b = bits.Sub64(x[i], y[i], b)
	}
	mask := -b
	var c uint64
	for i := range limbs {
		z[i], c = bits.Add64(d[i], pLimbs[i]&mask, c)
	}
}

// feInv sets z = x^-1; x must not be zero.
func feInv(z, x *fe) {
	v := x.big()
	v.ModInverse(v, params.p)
	*z = feFromBig(v)
}
