package mikey

import (
	"bytes"
	"encoding/hex"
	"errors"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/mcptt-conformance/mcptt-conformance/crypto/eccsi"
	"github.com/mcptt-conformance/mcptt-conformance/crypto/mcx"
	"github.com/mcptt-conformance/mcptt-conformance/crypto/sakke"
	"github.com/mcptt-conformance/mcptt-conformance/kms"
)

func readFile(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func exampleKeys(t testing.TB) *kms.KeyFile {
	t.Helper()
	k, err := kms.ReadKeyFile("testdata/keys.json")
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// The conformant I_MESSAGEs of shared/examples/protected, opened with its
// keys.json; values from its README and walkthrough.json.
func TestOpenSharedExample(t *testing.T) {
	keys := exampleKeys(t)
	tests := []struct {
		file, csk string
		cskID     mcx.KeyID
	}{
		{"testdata/register.mikey", "7e51d42539ebdf29650b21d1b738f1a7", 0x23a80709},
		{"testdata/publish.mikey", "991afe1771074285819f161f8abc5502", 0x22295a21},
	}
	wantPayloads := []Payload{
		{"HDR", 0, 0, 21}, {"T", TypeT, 21, 10}, {"RAND", TypeRAND, 31, 18},
		{"IDR", TypeIDR, 49, 30}, {"IDR", TypeIDR, 79, 31}, {"IDR", TypeIDR, 110, 20}, {"IDR", TypeIDR, 130, 20},
		{"SAKKE", TypeSAKKE, 150, 278}, {"SIGN", TypeSIGN, 428, 131},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			o, err := Open(readFile(t, tt.file), keys, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if len(o.Problems) != 0 {
				t.Errorf("problems: %v", o.Problems)
			}
			if hex.EncodeToString(o.CSK) != tt.csk {
				t.Errorf("CSK = %x, want %s", o.CSK, tt.csk)
			}
			if o.CSKID != tt.cskID || o.CSBID != tt.cskID || o.Purpose != mcx.PurposeCSK {
				t.Errorf("CSK-ID %v, CSB-ID %v, purpose %v; want %v and CSK", o.CSKID, o.CSBID, o.Purpose, tt.cskID)
			}
			if o.Initiator.Role != 1 || string(o.Initiator.Value) != "sip:bob@mcptt.example.com" {
				t.Errorf("initiator = %s", describe(o.Initiator))
			}
			if o.Responder.Role != 2 || string(o.Responder.Value) != "sip:mdsi@mcptt.example.com" {
				t.Errorf("responder = %s", describe(o.Responder))
			}
			if !o.SignatureValid || o.SignatureCoverage != CoverageWithHeader {
				t.Errorf("signature valid %v, coverage %q", o.SignatureValid, o.SignatureCoverage)
			}
			if len(o.Message.Payloads) != len(wantPayloads) {
				t.Fatalf("payloads = %v", o.Message.Payloads)
			}
			for i, p := range o.Message.Payloads {
				if p != wantPayloads[i] {
					t.Errorf("payload %d = %+v, want %+v", i, p, wantPayloads[i])
				}
			}
		})
	}
}

// fixture is a test KMS with the server's key file and a client's keys.
type fixture struct {
	kms    *kms.KMS
	keys   *kms.KeyFile
	signer *eccsi.UserKey
	when   time.Time
	period uint64
}

var (
	fixtureOnce sync.Once
	fixtureVal  *fixture
	fixtureErr  error
)

const (
	aliceURI = "sip:alice@example.org"
	mdsiURI  = "sip:mdsi@example.org"
	kmsURI   = "kms.example.org"
)

func testFixture(t testing.TB) *fixture {
	t.Helper()
	fixtureOnce.Do(func() {
		f := &fixture{when: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
		if f.kms, fixtureErr = kms.New(kmsURI, mcx.KeyPeriod{Length: 2592000}, nil); fixtureErr != nil {
			return
		}
		if f.period, fixtureErr = f.kms.PeriodAt(f.when); fixtureErr != nil {
			return
		}
		if f.keys, fixtureErr = f.kms.KeyFile(mdsiURI, aliceURI, f.period); fixtureErr != nil {
			return
		}
		var ck *kms.ClientKeys
		if ck, fixtureErr = f.kms.ClientKeys(aliceURI, mdsiURI, f.period, nil); fixtureErr != nil {
			return
		}
		f.signer, fixtureErr = ck.UserKey()
		fixtureVal = f
	})
	if fixtureErr != nil {
		t.Fatal(fixtureErr)
	}
	return fixtureVal
}

var testCSK = []byte{0x10, 0x21, 0x32, 0x43, 0x54, 0x65, 0x76, 0x87, 0x98, 0xa9, 0xba, 0xcb, 0xdc, 0xed, 0xfe, 0x0f}

func (f *fixture) params() BuildParams {
	return BuildParams{
		CSK: testCSK, CSKID: 0x2abcdef1,
		InitiatorURI: aliceURI, ResponderURI: mdsiURI, KMSURI: kmsURI,
		Period: f.kms.Period, Signer: f.signer, Z: f.kms.Z(), Time: f.when,
	}
}

func (f *fixture) build(t testing.TB, edit func(*BuildParams)) []byte {
	t.Helper()
	p := f.params()
	if edit != nil {
		edit(&p)
	}
	msg, err := Build(p)
	if err != nil {
		t.Fatal(err)
	}
	return msg
}

// resign replaces the signature so that a mutation breaks only its own rule.
func (f *fixture) resign(t testing.TB, msg []byte) []byte {
	t.Helper()
	m, err := Parse(msg)
	if err != nil {
		t.Fatal(err)
	}
	span := append([]byte{}, m.SignedSpan(true)...)
	sig, err := f.signer.Sign(span, nil)
	if err != nil {
		t.Fatal(err)
	}
	return append(span, sig...)
}

func TestBuildOpenRoundTrip(t *testing.T) {
	f := testFixture(t)
	tests := []struct {
		name     string
		edit     func(*BuildParams)
		roles    [2]uint8
		coverage Coverage
		strictOK bool
	}{
		{"URIs", nil, [2]uint8{1, 2}, CoverageWithHeader, true},
		{"identity hiding", func(p *BuildParams) { p.HideIdentities = true }, [2]uint8{8, 9}, CoverageWithHeader, true},
		{"signed without SIGN header", func(p *BuildParams) { p.SignWithoutHeader = true }, [2]uint8{1, 2}, CoverageWithoutHeader, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, err := Open(f.build(t, tt.edit), f.keys, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(o.CSK, testCSK) || o.CSKID != 0x2abcdef1 {
				t.Errorf("CSK %x, CSK-ID %v", o.CSK, o.CSKID)
			}
			if o.Initiator.Role != tt.roles[0] || o.Responder.Role != tt.roles[1] {
				t.Errorf("roles %d/%d, want %v", o.Initiator.Role, o.Responder.Role, tt.roles)
			}
			if !o.SignatureValid || o.SignatureCoverage != tt.coverage {
				t.Errorf("signature valid %v coverage %q, want %q", o.SignatureValid, o.SignatureCoverage, tt.coverage)
			}
			if !o.OK(false) || o.OK(true) != tt.strictOK {
				t.Errorf("OK(false) %v, OK(true) %v, want true, %v: %v", o.OK(false), o.OK(true), tt.strictOK, o.Problems)
			}
		})
	}
}

// patch returns a copy of msg with b written at off.
func patch(msg []byte, off int, b ...byte) []byte {
	out := append([]byte{}, msg...)
	copy(out[off:], b)
	return out
}

// Negative cases of crypto.md 3.3 that apply to the I_MESSAGE: each breaks
// one rule and must be reported as that rule's kind, and no other.
func TestOpenReportsOneProblem(t *testing.T) {
	f := testFixture(t)
	good := f.build(t, nil)
	m, err := Parse(good)
	if err != nil {
		t.Fatal(err)
	}
	sakkeOff := m.SAKKE.Offset
	dataOff := sakkeOff + 5
	signOff := m.Sign.Offset
	other, err := kms.New(kmsURI, f.kms.Period, nil)
	if err != nil {
		t.Fatal(err)
	}
	otherCK, err := other.ClientKeys(aliceURI, "", f.period, nil)
	if err != nil {
		t.Fatal(err)
	}
	otherSigner, err := otherCK.UserKey()
	if err != nil {
		t.Fatal(err)
	}
	bobCK, err := f.kms.ClientKeys("sip:bob@example.org", "", f.period, nil)
	if err != nil {
		t.Fatal(err)
	}
	q := eccsiOrder()
	tests := []struct {
		name string
		msg  []byte
		opts Options
		want Kind
		err  error
	}{
		{"bit flipped in H", f.resign(t, patch(good, signOff-1, good[signOff-1]^1)), Options{}, KindSAKKE, sakke.ErrDecapsulation},
		{"R off the curve", f.resign(t, patch(good, dataOff+40, good[dataOff+40]^1)), Options{}, KindSAKKE, sakke.ErrEncapsulatedData},
		{"R another valid point", f.resign(t, patch(good, dataOff, sakke.Generator().Bytes()...)), Options{}, KindSAKKE, sakke.ErrDecapsulation},
		{"SAKKE params 2", f.resign(t, patch(good, sakkeOff+1, 2)), Options{}, KindSAKKEParams, nil},
		{"SAKKE ID scheme 1", f.resign(t, patch(good, sakkeOff+2, 1)), Options{}, KindSAKKEIDScheme, nil},
		{"SAKKE data truncated", f.resign(t, truncateSAKKE(good, sakkeOff)), Options{}, KindSAKKE, sakke.ErrEncapsulatedData},
		{"encrypted to another MDSI", f.resign(t, sakkeFrom(t, good, f.build(t, func(p *BuildParams) { p.ResponderURI = "sip:mdsj@example.org" }), sakkeOff)), Options{}, KindSAKKE, sakke.ErrDecapsulation},
		{"encrypted for another key period", f.resign(t, sakkeFrom(t, good, f.build(t, func(p *BuildParams) { p.Time = p.Time.Add(-31 * 24 * time.Hour) }), sakkeOff)), Options{}, KindSAKKE, sakke.ErrDecapsulation},
		{"IDRr not the MDSI", f.resign(t, bytes.Replace(good, []byte(mdsiURI), []byte("sip:mdsj@example.org"), 1)), Options{}, KindIDRr, nil},
		{"IDRi another user", f.resign(t, bytes.Replace(good, []byte(aliceURI), []byte("sip:alicf@example.org"), 1)), Options{}, KindIDRi, nil},
		{"IDRkmsr another KMS", f.resign(t, patch(good, bytes.LastIndex(good, []byte(kmsURI)), 'K')), Options{}, KindIDRkms, nil},
		{"purpose tag 0 (GMK)", f.build(t, func(p *BuildParams) { p.CSKID = 0x0abcdef1 }), Options{}, KindPurposeTag, nil},
		{"SPI differs from CSB-ID", f.resign(t, patch(good, 20, good[20]^1)), Options{}, KindCSMap, nil},
		{"data type 27", f.resign(t, patch(good, 1, 27)), Options{}, KindHeader, nil},
		{"stale timestamp", good, Options{Now: f.when.Add(time.Hour), MaxSkew: time.Minute}, KindTimestamp, nil},
		{"RAND too short", f.resign(t, shortRand(good)), Options{}, KindRand, nil},
		{"signed by another KMS's user", f.build(t, func(p *BuildParams) { p.Signer = otherSigner }), Options{}, KindSignature, eccsi.ErrVerify},
		{"PVT of another user", patch(good, len(good)-eccsi.PointLen, bobCK.UserPVT...), Options{}, KindSignature, eccsi.ErrVerify},
		{"s = 0", patch(good, signOff+2+eccsi.N, make([]byte, eccsi.N)...), Options{}, KindSignature, eccsi.ErrScalarRange},
		{"s = q", patch(good, signOff+2+eccsi.N, q...), Options{}, KindSignature, eccsi.ErrScalarRange},
		{"r = 0", patch(good, signOff+2, make([]byte, eccsi.N)...), Options{}, KindSignature, eccsi.ErrScalarRange},
		{"r = q", patch(good, signOff+2, q...), Options{}, KindSignature, eccsi.ErrVerify},
		{"signature type 1", patch(good, signOff, 1<<4|good[signOff]&0x0f), Options{}, KindSignature, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, err := Open(tt.msg, f.keys, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			if len(o.Problems) != 1 || o.Problems[0].Kind != tt.want {
				t.Fatalf("problems = %v, want exactly one of kind %s", o.Problems, tt.want)
			}
			if tt.err != nil && !errors.Is(o.Problems[0].Err, tt.err) {
				t.Errorf("problem error = %v, want %v", o.Problems[0].Err, tt.err)
			}
		})
	}
}

func eccsiOrder() []byte {
	// q of P-256.
	b, _ := hex.DecodeString("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551")
	return b
}

// truncateSAKKE drops the last octet of the SAKKE data, with a length field
// that agrees.
func truncateSAKKE(msg []byte, off int) []byte {
	out := append([]byte{}, msg[:off+3]...)
	out = append(out, 0x01, 0x10)
	out = append(out, msg[off+5:off+5+sakke.EncapsulatedLen-1]...)
	return append(out, msg[off+5+sakke.EncapsulatedLen:]...)
}

// sakkeFrom copies the SAKKE data of src into msg.
func sakkeFrom(t testing.TB, msg, src []byte, off int) []byte {
	return patch(msg, off+5, src[off+5:off+5+sakke.EncapsulatedLen]...)
}

// shortRand cuts the RAND payload (at offset 31) to 8 octets.
func shortRand(msg []byte) []byte {
	out := append([]byte{}, msg[:32]...)
	out = append(out, 8)
	out = append(out, msg[33:41]...)
	return append(out, msg[49:]...)
}

func TestOpenKeyFileProblems(t *testing.T) {
	f := testFixture(t)
	msg := f.build(t, nil)
	wrongPeriod := *f.keys.KeyPeriodNo + 1
	other, err := f.kms.KeyFile(mdsiURI, aliceURI, wrongPeriod)
	if err != nil {
		t.Fatal(err)
	}
	o, err := Open(msg, other, Options{})
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[Kind]bool{}
	for _, p := range o.Problems {
		kinds[p.Kind] = true
	}
	// The message's time is in another period than the key file's, so the
	// UIDs differ: SAKKE fails and the signature does not verify.
	for _, k := range []Kind{KindTimestamp, KindSAKKE, KindSignature} {
		if !kinds[k] {
			t.Errorf("no %s problem in %v", k, o.Problems)
		}
	}
}

func TestParseErrors(t *testing.T) {
	good := readFile(t, "testdata/register.mikey")
	tests := []struct {
		name string
		msg  []byte
	}{
		{"empty", nil},
		{"trailing octet", append(append([]byte{}, good...), 0)},
		{"unknown map type", patch(good, 9, 9)},
		{"unknown payload type", patch(good, 2, 99)},
		{"SAKKE length past the end", patch(good, 153, 0xff, 0xff)},
		{"SIGN length short", patch(good, 428, 0x20, 0x80)},
		{"unknown TS type", patch(good, 22, 7)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := Parse(tt.msg); !errors.Is(err, ErrParse) {
				t.Errorf("err = %v, want a parse error", err)
			}
		})
	}
	for n := range len(good) {
		if _, err := Parse(good[:n]); err == nil {
			t.Errorf("prefix of %d octets parsed", n)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add(readFile(f, "testdata/register.mikey"))
	f.Add(readFile(f, "testdata/publish.mikey"))
	f.Add([]byte{1, 26, 0, 1, 0, 0, 0, 0, 0, 1})
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := Parse(b)
		if err != nil {
			if !errors.Is(err, ErrParse) {
				t.Fatalf("error %v is not a parse error", err)
			}
			return
		}
		end := 0
		for _, p := range m.Payloads {
			if p.Offset != end || p.Length <= 0 {
				t.Fatalf("payload %+v does not follow offset %d", p, end)
			}
			end += p.Length
		}
		if end != len(b) {
			t.Fatalf("payloads cover %d of %d octets", end, len(b))
		}
	})
}
