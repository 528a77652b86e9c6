package sakke

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"math/big"
)

// Errors of decapsulation, so that a caller can tell them apart.
var (
	// ErrEncapsulatedData: the data is not 0x04 ‖ R ‖ H of the right length
	// or R is not a point of the curve.
	ErrEncapsulatedData = errors.New("sakke: malformed encapsulated data")
	// ErrDecapsulation: the final check R = [r]([b]P + Z) failed, so the
	// data was not made for this identifier and KMS, or was altered.
	ErrDecapsulation = errors.New("sakke: decapsulation check failed")
	// ErrRSK: a receiver secret key fails validation (RFC 6508 6.1.2).
	ErrRSK = errors.New("sakke: invalid receiver secret key")
)

// HashToIntegerRange implements RFC 6508 5.1 with SHA-256: it maps s to an
// integer in [0, n).
func HashToIntegerRange(s []byte, n *big.Int) *big.Int {
	a := sha256.Sum256(s)
	var h [sha256.Size]byte
	l := (n.BitLen() + 255) / 256
	buf := make([]byte, 0, l*sha256.Size)
	for range l {
		h = sha256.Sum256(h[:])
		v := sha256.Sum256(append(h[:], a[:]...))
		buf = append(buf, v[:]...)
	}
	v := new(big.Int).SetBytes(buf)
	return v.Mod(v, n)
}

var two128 = new(big.Int).Lsh(big.NewInt(1), 8*N)

// MasterKey is a KMS's SAKKE master secret z and public key Z = [z]P.
type MasterKey struct {
	z   *big.Int
	pub Point
}

// GenerateMasterKey draws z uniformly from [1, q).
func GenerateMasterKey(random io.Reader) (*MasterKey, error) {
	if random == nil {
		random = rand.Reader
	}
	z, err := rand.Int(random, params.qMinus1)
	if err != nil {
		return nil, fmt.Errorf("sakke: drawing master secret: %w", err)
	}
	return NewMasterKey(z.Add(z, big.NewInt(1)))
}

// NewMasterKey returns the master key for the secret z, which must be in [1, q).
func NewMasterKey(z *big.Int) (*MasterKey, error) {
	if z.Sign() <= 0 || z.Cmp(params.q) >= 0 {
		return nil, fmt.Errorf("sakke: master secret must be in [1, q), got %d bits", z.BitLen())
	}
	return &MasterKey{z: new(big.Int).Set(z), pub: ScalarMult(params.pt, z)}, nil
}

// Secret returns a copy of z.
func (k *MasterKey) Secret() *big.Int { return new(big.Int).Set(k.z) }

// PublicKey returns Z.
func (k *MasterKey) PublicKey() Point { return k.pub }

// RSK returns the receiver secret key K = [(b + z)^-1 mod q]P for the
// identifier id (RFC 6508 6.1.1), b being id read as a big-endian integer.
func (k *MasterKey) RSK(id []byte) (Point, error) {
	e := new(big.Int).SetBytes(id)
	e.Add(e, k.z)
	e.Mod(e, params.q)
	if e.ModInverse(e, params.q) == nil {
		return Point{}, errors.New("sakke: identifier + master secret is 0 mod q; no RSK exists")
	}
	return ScalarMult(params.pt, e), nil
}

// receiverPoint returns [b]P + Z.
func receiverPoint(id []byte, z Point) Point {
	return Add(ScalarMult(params.pt, new(big.Int).SetBytes(id)), z)
}

// ValidateRSK checks <[b]P + Z, K> = g (RFC 6508 6.1.2).
func ValidateRSK(id []byte, z, rsk Point) error {
	if !rsk.onCurve() || !z.onCurve() {
		return fmt.Errorf("%w: point not on the curve", ErrRSK)
	}
	w, err := pairing(receiverPoint(id, z), rsk)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrRSK, err)
	}
	if w.Cmp(params.g) != 0 {
		return fmt.Errorf("%w: <[b]P + Z, K> is not g", ErrRSK)
	}
	return nil
}

// G returns g = <P, P>.
func G() *big.Int { return new(big.Int).Set(params.g) }

// Encapsulate encrypts the 16-octet ssv to the identifier id under the KMS
// public key z (RFC 6508 6.2.1) and returns R ‖ H (273 octets).
func Encapsulate(ssv, id []byte, z Point) ([]byte, error) {
	if len(ssv) != N {
		return nil, fmt.Errorf("sakke: SSV must be %d octets, got %d", N, len(ssv))
	}
	if !z.onCurve() {
		return nil, errors.New("sakke: KMS public key Z is not on the curve")
	}
	r := HashToIntegerRange(append(append([]byte{}, ssv...), id...), params.q)
	bigR := ScalarMult(receiverPoint(id, z), r)
	if bigR.IsInfinity() {
		return nil, errors.New("sakke: R is the point at infinity")
	}
	gr, err := PFpExp(params.g, r)
	if err != nil {
		return nil, err
	}
	out := append(bigR.Bytes(), make([]byte, N)...)
	h := out[1+2*L:]
	mask := HashToIntegerRange(gr.FillBytes(make([]byte, L)), two128).FillBytes(make([]byte, N))
	subtle.XORBytes(h, ssv, mask)
	return out, nil
}
