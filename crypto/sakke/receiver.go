package sakke

import (
	"crypto/subtle"
	"errors"
	"fmt"
	"math/big"
)

// line is a Miller-loop line normalised so that, at ψ(x, y) = (-x, i·y), it
// evaluates to (a·x + b) + i·y.
type line struct{ a, b fe }

// combTeeth is the number of teeth of the fixed-base comb for [r]([b]P + Z).
const combTeeth = 8

// Receiver holds what a receiver precomputes once for its identifier and
// keys, so that each decapsulation costs one pairing evaluation and one
// fixed-base scalar multiplication (RFC 6508 6.2.2).
type Receiver struct {
	id    []byte
	lines []line              // Miller loop of <K, ·> over the bits of q-1
	comb  [1 << combTeeth]jac // sums of [2^(i·d)]([b]P + Z)
	span  int                 // d, the comb's bits per tooth
}

// NewReceiver prepares decapsulation for the identifier id under the KMS
// public key z with the receiver secret key rsk. It does not validate rsk
// (see ValidateRSK); with a wrong rsk every decapsulation fails its check.
func NewReceiver(id []byte, z, rsk Point) (*Receiver, error) {
	if !z.onCurve() {
		return nil, errors.New("sakke: KMS public key Z is not on the curve")
	}
	if !rsk.onCurve() {
		return nil, fmt.Errorf("%w: not on the curve", ErrRSK)
	}
	r := &Receiver{id: append([]byte{}, id...), lines: millerLines(rsk)}
	r.buildComb(receiverPoint(id, z))
	return r, nil
}

// millerLines runs the Miller loop of RFC 6508 3.2 on k and returns its lines,
// normalised with one batched inversion.
func millerLines(k Point) []line {
	base := k.jac()
	c := base
	n := params.qMinus1
	var lines []line
	var scale []fe // the coefficient of i·y of each line, divided out below
	var t fe
	for i := n.BitLen() - 2; i >= 0; i-- {
		var l line
		var s fe
		oldX := c.x
		d := c.double(&c)
		feMul(&l.a, &d.alpha, &d.delta)
		feMul(&l.b, &d.alpha, &oldX)
		feAdd(&t, &d.gamma, &d.gamma)
		feSub(&l.b, &l.b, &t)
		feMul(&s, &c.z, &d.delta)
		lines, scale = append(lines, l), append(scale, s)
		if n.Bit(i) == 1 {
			num := c.add(&c, &base)
			l.a = num
			feMul(&l.b, &num, &base.x)
			feMul(&t, &base.y, &c.z)
			feSub(&l.b, &l.b, &t)
			lines, scale = append(lines, l), append(scale, c.z)
		}
	}
	inv := batchInvert(scale)
	for i := range lines {
		feMul(&lines[i].a, &lines[i].a, &inv[i])
		feMul(&lines[i].b, &lines[i].b, &inv[i])
	}
	return lines
}

// batchInvert returns the inverses of xs with one field inversion
// (Montgomery's trick); a zero element gives zero.
func batchInvert(xs []fe) []fe {
	prefix := make([]fe, len(xs))
	acc := feOne
	for i := range xs {
		prefix[i] = acc
		if !xs[i].isZero() {
			feMul(&acc, &acc, &xs[i])
		}
	}
	var inv fe
	feInv(&inv, &acc)
	out := make([]fe, len(xs))
	for i := len(xs) - 1; i >= 0; i-- {
		if xs[i].isZero() {
			continue
		}
		feMul(&out[i], &inv, &prefix[i])
		feMul(&inv, &inv, &xs[i])
	}
	return out
}

// pairWith returns <K, r> from the precomputed lines. For K and r in the
// order-q subgroup it equals <r, K>, since the pairing with the distortion map
// is symmetric there; decapsulation's final check makes sure r is in it.
func (rc *Receiver) pairWith(r Point) (*big.Int, error) {
	rx, ry := feFromBig(r.x), feFromBig(r.y)
	v := fe2{a: feOne}
	n := params.qMinus1
	next := 0
	step := func() {
		l := &rc.lines[next]
		next++
		var la, ac, bd, s, t fe
		feMul(&la, &l.a, &rx)
		feAdd(&la, &la, &l.b)
		// v · (la + i·ry)
		feMul(&ac, &v.a, &la)
		feMul(&bd, &v.b, &ry)
		feAdd(&s, &v.a, &v.b)
		feAdd(&t, &la, &ry)
		feMul(&s, &s, &t)
		feSub(&v.a, &ac, &bd)
		feSub(&s, &s, &ac)
		feSub(&v.b, &s, &bd)
	}
	for i := n.BitLen() - 2; i >= 0; i-- {
		v.sqr(&v)
		step()
		if n.Bit(i) == 1 {
			step()
		}
	}
	v.exp(&v, params.cofactor)
	return v.pfp()
}

func (rc *Receiver) buildComb(p Point) {
	rc.span = (params.q.BitLen() + combTeeth - 1) / combTeeth
	var teeth [combTeeth]jac
	teeth[0] = p.jac()
	for i := 1; i < combTeeth; i++ {
		teeth[i] = teeth[i-1]
		for range rc.span {
			teeth[i].double(&teeth[i])
		}
	}
	for m := 1; m < len(rc.comb); m++ {
		top := 0
		for m>>(top+1) != 0 {
			top++
		}
		rc.comb[m].add(&rc.comb[m&^(1<<top)], &teeth[top])
	}
}

// mulBase returns [k]([b]P + Z) for 0 ≤ k < 2^(combTeeth·span).
func (rc *Receiver) mulBase(k *big.Int) Point {
	var acc jac
	for j := rc.span - 1; j >= 0; j-- {
		acc.double(&acc)
		idx := 0
		for i := range combTeeth {
			idx |= int(k.Bit(i*rc.span+j)) << i
		}
		if idx != 0 {
			acc.add(&acc, &rc.comb[idx])
		}
	}
	return acc.affine()
}

// Decapsulate recovers the SSV from R ‖ H (RFC 6508 6.2.2), including the
// final check R = [r]([b]P + Z).
func (rc *Receiver) Decapsulate(data []byte) ([]byte, error) {
	if len(data) != EncapsulatedLen {
		return nil, fmt.Errorf("%w: expected %d octets (R ‖ H), got %d", ErrEncapsulatedData, EncapsulatedLen, len(data))
	}
	bigR, err := ParsePoint(data[:1+2*L])
	if err != nil {
		return nil, fmt.Errorf("%w: R: %v", ErrEncapsulatedData, err)
	}
	w, err := rc.pairWith(bigR)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrDecapsulation, err)
	}
	mask := HashToIntegerRange(w.FillBytes(make([]byte, L)), two128).FillBytes(make([]byte, N))
	ssv := make([]byte, N)
	subtle.XORBytes(ssv, data[1+2*L:], mask)
	r := HashToIntegerRange(append(append([]byte{}, ssv...), rc.id...), params.q)
	if !rc.mulBase(r).Equal(bigR) {
		return nil, fmt.Errorf("%w: R ≠ [r]([b]P + Z) for the recovered SSV (wrong identifier, wrong key or altered data)", ErrDecapsulation)
	}
	return ssv, nil
}

// Decapsulate is NewReceiver followed by one Decapsulate; keep the Receiver
// to open several messages for the same identifier.
func Decapsulate(data, id []byte, z, rsk Point) ([]byte, error) {
	rc, err := NewReceiver(id, z, rsk)
	if err != nil {
		return nil, err
	}
	return rc.Decapsulate(data)
}
