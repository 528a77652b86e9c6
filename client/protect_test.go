package client

import (
	"bytes"
	"io"
	"mime"
	"mime/multipart"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mcptt-conformance/mcptt-conformance/crypto/mcx"
	"github.com/mcptt-conformance/mcptt-conformance/crypto/xmlprotect"
	"github.com/mcptt-conformance/mcptt-conformance/crypto/xmlprotect/xmlsec1test"
	"github.com/mcptt-conformance/mcptt-conformance/kms"
	"github.com/mcptt-conformance/mcptt-conformance/mikey"
	"github.com/mcptt-conformance/mcptt-conformance/schemas"
	"github.com/mcptt-conformance/mcptt-conformance/wire/xmldoc"
)

const (
	testMDSI       = "sip:mdsi@mcptt.example.com"
	testSecondMDSI = "sip:mdsi@partner.example.com"
	testOther      = "sip:mallory@mcptt.example.com"
)

// testKMS is a test KMS for the current key period, with the client's keys, another
// identity's keys, and the server's key files for both MDSIs.
var testKMS = sync.OnceValues(func() (*kmsFixture, error) {
	k, err := kms.New("kms.example.com", mcx.KeyPeriod{Length: 2592000}, nil)
	if err != nil {
		return nil, err
	}
	number, err := k.PeriodAt(time.Now())
	if err != nil {
		return nil, err
	}
	f := &kmsFixture{}
	if f.client, err = k.ClientKeys("sip:alice@mcptt.example.com", testMDSI, number, nil); err != nil {
		return nil, err
	}
	if f.other, err = k.ClientKeys(testOther, testMDSI, number, nil); err != nil {
		return nil, err
	}
	if f.server, err = k.KeyFile(testMDSI, "", number); err != nil {
		return nil, err
	}
	if f.second, err = k.KeyFile(testSecondMDSI, "", number); err != nil {
		return nil, err
	}
	return f, nil
})

type kmsFixture struct {
	client, other  *kms.ClientKeys
	server, second *kms.KeyFile
}

func fixture(t testing.TB) *kmsFixture {
	t.Helper()
	f, err := testKMS()
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func protectedConfig(t testing.TB, mode Mode, conf, integ bool) Config {
	f := fixture(t)
	cfg := testConfig(mode)
	cfg.Confidentiality, cfg.Integrity, cfg.MDSI, cfg.Keys, cfg.OtherKeys = conf, integ, testMDSI, f.client, f.other
	return cfg
}

// protectedKind is the request of a mode that carries the protection.
func protectedKind(mode Mode) Kind {
	if mode == ModePublish {
		return Publish
	}
	return Register
}

// mimePart is one part of a multipart body, its bytes exactly as sent.
type mimePart struct {
	header map[string][]string
	ctype  string
	body   []byte
}

func splitParts(t *testing.T, p parsed) []mimePart {
	t.Helper()
	mt, params, err := mime.ParseMediaType(p.header.Get("Content-Type"))
	if err != nil || mt != "multipart/mixed" {
		t.Fatalf("Content-Type %q: want multipart/mixed (%v)", p.header.Get("Content-Type"), err)
	}
	r := multipart.NewReader(bytes.NewReader(p.body), params["boundary"])
	var parts []mimePart
	for {
		part, err := r.NextRawPart()
		if err == io.EOF {
			return parts
		}
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(part)
		if err != nil {
			t.Fatal(err)
		}
		parts = append(parts, mimePart{part.Header, part.Header.Get("Content-Type"), b})
	}
}

// Verdicts of judge.
const (
	ok           = "ok"
	fail         = "fail"
	lenient      = "lenient" // passes with a lenient reading, fails under --strict
	inconclusive = "inconclusive"
)

// The groups of protected-mode requirements judge reports on; the suite's requirement
// for each group and mode is in the mutants' Fails maps.
const (
	gPresent    = "mikey present"     // failsNoMIKEY
	gToMDSI     = "mikey to the MDSI" // failsOtherMDSI
	gDistinct   = "distinct MDSIs"    // failsSameMDSI
	gIMessage   = "I_MESSAGE valid"   // failsIMessage
	gEncryption = "encryption"        // failsEncryption
	gSignature  = "signature"         // failsSignature
)

// expectedValues are the values each mode encrypts, by element.
func expectedValues(cfg Config) map[string]string {
	if cfg.Mode == ModeMigration {
		return map[string]string{"mcptt-access-token": cfg.PartnerToken, "mcptt-request-uri": cfg.PrimaryMCPTTID, "selected-user-profile-index": "3"}
	}
	return map[string]string{"mcptt-access-token": cfg.Token, "mcptt-client-id": cfg.ClientID}
}

// judge reads a protected request back with mime/multipart, mikey.Open (the server's
// key file) and crypto/xmlprotect, as the suite would, and gives one verdict per group.
func judge(t *testing.T, cfg Config, p parsed) map[string]string {
	t.Helper()
	f := fixture(t)
	v := map[string]string{gPresent: ok, gToMDSI: ok, gDistinct: ok, gIMessage: ok}
	parts := splitParts(t, p)
	var info, signed []byte
	bodies := map[string][]byte{}
	var toMDSI []byte
	seen := map[string]bool{}
	for _, part := range parts {
		switch part.ctype {
		case TypeMIKEY:
			if _, ok := part.header["Content-Transfer-Encoding"]; ok {
				t.Errorf("application/mikey part with Content-Transfer-Encoding")
			}
			m, err := mikey.Parse(part.body)
			if err != nil {
				t.Fatalf("I_MESSAGE: %v", err)
			}
			for _, idr := range m.IDRs {
				if idr.Role == mikey.RoleResponder {
					uri := string(idr.Value)
					if seen[uri] {
						v[gDistinct] = fail
					}
					seen[uri] = true
					if uri == cfg.MDSI {
						toMDSI = part.body
					}
				}
			}
		case xmldoc.TypeMCPTTInfo:
			info = part.body
		case xmldoc.TypeMCPTTSigned:
			signed = part.body
		}
		if id := part.header["Content-Id"]; len(id) > 0 {
			bodies[strings.Trim(id[0], "<>")] = part.body
		}
	}
	var keys *xmlprotect.Keys
	switch {
	case len(seen) == 0:
		v[gPresent], v[gToMDSI], v[gIMessage] = fail, inconclusive, inconclusive
	case toMDSI == nil:
		v[gToMDSI], v[gIMessage] = fail, inconclusive
	default:
		o, err := mikey.Open(toMDSI, f.server, mikey.Options{})
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case !o.OK(false) || !o.SignatureValid || o.CSK == nil || o.Purpose != mcx.PurposeCSK || o.Initiator == nil || string(o.Initiator.Value) != cfg.MCPTTID:
			v[gIMessage] = fail
		case !o.OK(true):
			v[gIMessage] = lenient
		}
		if o.CSK != nil {
			k := xmlprotect.NewKeys(o.CSK, o.CSKID, cfg.MCPTTID)
			keys = &k
		}
	}
	if cfg.Confidentiality {
		v[gEncryption] = judgeEncryption(t, cfg, info, keys)
	}
	if cfg.Integrity {
		v[gSignature] = judgeSignatures(t, cfg, signed, bodies, keys)
	}
	return v
}

func judgeEncryption(t *testing.T, cfg Config, info []byte, keys *xmlprotect.Keys) string {
	if keys == nil {
		return inconclusive
	}
	root, err := xmldoc.Parse(info)
	if err != nil {
		t.Fatalf("mcptt-info: %v", err)
	}
	params := root.Child(xmldoc.NSMCPTTInfo, "mcptt-Params")
	verdict := ok
	for name, want := range expectedValues(cfg) {
		el := params.Child(xmldoc.NSMCPTTInfo, name)
		if el == nil {
			el = params.Child(xmldoc.NSMCPTTInfo, "anyExt").Child(xmldoc.NSMCPTTInfo, name)
		}
		d, err := xmlprotect.Decrypt(el, *keys)
		switch {
		case err != nil || d.Value != want:
			return fail
		case len(want) > 1 && strings.Contains(string(info), want):
			t.Errorf("%s: %q is in clear in the body", name, want)
		}
		for _, r := range d.Readings {
			if r.Lenient {
				verdict = lenient
			}
		}
	}
	if plain, _, err := xmlprotect.DecryptDocument(info, *keys); err != nil {
		t.Errorf("DecryptDocument: %v", err)
	} else if problems := validateInfo(t, plain); len(problems) > 0 {
		t.Errorf("the decrypted mcptt-info body is not schema-valid: %v\n%s", problems, plain)
	}
	return verdict
}

func judgeSignatures(t *testing.T, cfg Config, signed []byte, bodies map[string][]byte, keys *xmlprotect.Keys) string {
	if keys == nil {
		return inconclusive
	}
	if signed == nil {
		return fail
	}
	results, err := xmlprotect.VerifySignatures(signed, bodies, *keys)
	if err != nil {
		return fail
	}
	want := map[string]bool{xmldoc.TypeMCPTTInfo: true, xmldoc.TypePoCSettings: cfg.Mode == ModePublish}
	verdict := ok
	covered := map[string]bool{}
	for _, r := range results {
		if r.Err != nil {
			return fail
		}
		covered[r.ContentID] = true
		for _, rd := range r.Readings {
			if rd.Lenient {
				verdict = lenient
			}
		}
	}
	n := 0
	for _, w := range want {
		if w {
			n++
		}
	}
	if len(covered) != n || len(bodies) != n {
		t.Errorf("signatures cover %v of the bodies with a Content-ID %d, want %d", covered, len(bodies), n)
	}
	return verdict
}

func allOK(cfg Config) map[string]string {
	v := map[string]string{gPresent: ok, gToMDSI: ok, gDistinct: ok, gIMessage: ok}
	if cfg.Confidentiality {
		v[gEncryption] = ok
	}
	if cfg.Integrity {
		v[gSignature] = ok
	}
	return v
}

func sameVerdicts(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, x := range a {
		if b[k] != x {
			return false
		}
	}
	return true
}

// Every mode with every protection sends a request that passes every group.
func TestBuildProtected(t *testing.T) {
	if _, err := testSchemas(); err != nil {
		t.Fatal(err)
	}
	for _, mode := range Modes {
		for _, prot := range []struct{ conf, integ bool }{{true, false}, {false, true}, {true, true}} {
			cfg := protectedConfig(t, mode, prot.conf, prot.integ)
			raw := build(t, cfg, protectedKind(mode))
			p := parseRequest(t, raw)
			if got, want := judge(t, cfg, p), allOK(cfg); !sameVerdicts(got, want) {
				t.Errorf("%s conf=%v integ=%v: %v, want %v", mode, prot.conf, prot.integ, got, want)
			}
			if !prot.conf && !bytes.Contains(p.body, []byte(expectedValues(cfg)["mcptt-access-token"])) {
				t.Errorf("%s integrity only: the token is not in clear", mode)
			}
		}
	}
}

// The unprotected requests of a protected run carry no protection.
func TestBuildProtectedOtherRequests(t *testing.T) {
	for _, c := range []struct {
		mode Mode
		kind Kind
	}{{ModePublish, Register}, {ModePublish, Deregister}, {ModeRegister, Logoff}} {
		cfg := protectedConfig(t, c.mode, true, true)
		if raw := build(t, cfg, c.kind); bytes.Contains(raw, []byte(TypeMIKEY)) {
			t.Errorf("%s %s carries an application/mikey body", c.mode, c.kind)
		}
	}
}

// Each fresh request has its own CSK and CSK-ID with the CSK purpose tag.
func TestBuildProtectedFreshCSK(t *testing.T) {
	cfg := protectedConfig(t, ModeRegister, true, true)
	ids := map[mcx.KeyID]bool{}
	for i := 0; i < 3; i++ {
		p := parseRequest(t, build(t, cfg, Register))
		o, err := mikey.Open(splitParts(t, p)[0].body, fixture(t).server, mikey.Options{})
		if err != nil || o.CSK == nil || o.CSKID.Purpose() != mcx.PurposeCSK {
			t.Fatalf("%v %+v", err, o)
		}
		ids[o.CSKID] = true
	}
	if len(ids) != 3 {
		t.Errorf("CSK-IDs %v, want 3 distinct", ids)
	}
}

// --second-mdsi: a second I_MESSAGE with the same CSK that the second MDSI opens.
func TestBuildSecondMDSI(t *testing.T) {
	f := fixture(t)
	cfg := protectedConfig(t, ModePublish, true, true)
	cfg.SecondMDSI = testSecondMDSI
	p := parseRequest(t, build(t, cfg, Publish))
	if got := judge(t, cfg, p); !sameVerdicts(got, allOK(cfg)) {
		t.Errorf("%v", got)
	}
	parts := splitParts(t, p)
	first, err1 := mikey.Open(parts[0].body, f.server, mikey.Options{})
	second, err2 := mikey.Open(parts[1].body, f.second, mikey.Options{})
	if err1 != nil || err2 != nil || len(second.Problems) > 0 || !bytes.Equal(first.CSK, second.CSK) || first.CSKID != second.CSKID {
		t.Errorf("second I_MESSAGE: %v %v %+v", err1, err2, second)
	}
}

// Each mutant changes exactly its group (and leaves the groups that need what it
// removed inconclusive), in every mode.
func TestBuildMutants(t *testing.T) {
	if _, err := testSchemas(); err != nil {
		t.Fatal(err)
	}
	noCSK := map[string]string{gEncryption: inconclusive, gSignature: inconclusive}
	with := func(base map[string]string, g, v string) map[string]string {
		m := map[string]string{g: v}
		for k, x := range base {
			m[k] = x
		}
		return m
	}
	want := map[string]map[string]string{
		"no-mikey":               with(with(with(noCSK, gPresent, fail), gToMDSI, inconclusive), gIMessage, inconclusive),
		"other-mdsi":             with(with(noCSK, gToMDSI, fail), gIMessage, inconclusive),
		"same-mdsi-twice":        {gDistinct: fail},
		"sakke-h":                with(noCSK, gIMessage, fail),
		"sakke-r":                with(noCSK, gIMessage, fail),
		"bad-mikey-signature":    {gIMessage: fail},
		"other-identity":         {gIMessage: fail},
		"other-kms":              {gIMessage: fail},
		"purpose-tag":            {gIMessage: fail},
		"token-other-key":        {gEncryption: fail},
		"tampered-ciphertext":    {gEncryption: fail},
		"tampered-tag":           {gEncryption: fail},
		"token-in-clear":         {gEncryption: fail},
		"key-name-other":         {gEncryption: fail},
		"no-signature-body":      {gSignature: fail},
		"modified-after-signing": {gSignature: fail},
		"raw-csk-encryption":     {gEncryption: lenient},
		"raw-csk-signature":      {gSignature: lenient},
		"sign-without-header":    {gIMessage: lenient},
	}
	groupOf := map[string]map[Mode]string{gPresent: failsNoMIKEY, gToMDSI: failsOtherMDSI, gDistinct: failsSameMDSI,
		gIMessage: failsIMessage, gEncryption: failsEncryption, gSignature: failsSignature}
	for _, m := range Mutants {
		w, ok := want[m.Name]
		if !ok {
			t.Errorf("mutant %s has no case", m.Name)
			continue
		}
		var failing []string
		for g, v := range w {
			if v == fail || v == lenient {
				failing = append(failing, g)
			}
		}
		if len(failing) != 1 || groupOf[failing[0]][ModeRegister] != m.Fails[ModeRegister] || (w[failing[0]] == lenient) != m.StrictOnly {
			t.Errorf("mutant %s: the test expects %v, the list says %v (strict only %v)", m.Name, w, m.Fails, m.StrictOnly)
		}
		for _, mode := range Modes {
			t.Run(m.Name+"/"+string(mode), func(t *testing.T) {
				cfg := protectedConfig(t, mode, true, true)
				cfg.Mutant = m.Name
				got := judge(t, cfg, parseRequest(t, build(t, cfg, protectedKind(mode))))
				expected := allOK(cfg)
				for g, v := range w {
					expected[g] = v
				}
				if !sameVerdicts(got, expected) {
					t.Errorf("%v, want %v", got, expected)
				}
			})
		}
	}
}

// The mutants that need a protection are refused without it, and vice versa.
func TestValidateProtection(t *testing.T) {
	cases := []struct {
		name    string
		edit    func(*Config)
		wantErr string
	}{
		{"conformant", func(*Config) {}, ""},
		{"no MDSI", func(c *Config) { c.MDSI = "" }, "--mdsi (required with --confidentiality or --integrity)"},
		{"no keys", func(c *Config) { c.Keys = nil }, "--keys is required"},
		{"keys of another user", func(c *Config) { c.Keys = c.OtherKeys }, "--keys holds the keys of sip:mallory@mcptt.example.com"},
		{"second MDSI unprotected", func(c *Config) { c.Confidentiality, c.Integrity, c.SecondMDSI = false, false, testSecondMDSI }, "--second-mdsi needs"},
		{"second MDSI the same", func(c *Config) { c.SecondMDSI = testMDSI }, "--second-mdsi must differ"},
		{"unknown mutant", func(c *Config) { c.Mutant = "x" }, `--mutant "x": unknown mutant`},
		{"mutant and break", func(c *Config) { c.Mutant, c.Break = "no-mikey", "7.2.1-08" }, "one at a time"},
		{"encryption mutant without confidentiality", func(c *Config) { c.Mutant, c.Confidentiality = "tampered-tag", false }, "--mutant tampered-tag needs --confidentiality"},
		{"signature mutant without integrity", func(c *Config) { c.Mutant, c.Integrity = "no-signature-body", false }, "needs --integrity"},
		{"mutant unprotected", func(c *Config) { c.Mutant, c.Confidentiality, c.Integrity = "no-mikey", false, false }, "needs --confidentiality or --integrity"},
		{"other identity without keys", func(c *Config) { c.Mutant, c.OtherKeys = "other-identity", nil }, "needs --other-keys"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := protectedConfig(t, ModeRegister, true, true)
			c.edit(&cfg)
			err := cfg.Validate()
			if c.wantErr == "" && err != nil || c.wantErr != "" && (err == nil || !strings.Contains(err.Error(), c.wantErr)) {
				t.Errorf("got %v, want %q", err, c.wantErr)
			}
		})
	}
}

// Keys of another key period are refused when the request is built.
func TestBuildProtectedKeyPeriod(t *testing.T) {
	cfg := protectedConfig(t, ModeRegister, true, false)
	cfg.Now = func() time.Time { return time.Now().Add(40 * 24 * time.Hour) }
	_, err := Build(&cfg, Register, testLeg(Register))
	if err == nil || !strings.Contains(err.Error(), "issue keys for it") {
		t.Errorf("got %v, want an error about the key period", err)
	}
}

// The protected flows over UDP and TCP through a challenging responder: the binary
// bodies arrive byte-exact and pass every group.
func TestRunProtected(t *testing.T) {
	for _, transport := range []string{"udp", "tcp"} {
		for _, mode := range Modes {
			t.Run(transport+"/"+string(mode), func(t *testing.T) {
				r := newResponder(t, transport, map[string]string{"REGISTER": "200 OK", "PUBLISH": "200 OK"}, false)
				cfg := runConfig(mode, transport, r.addr)
				f := fixture(t)
				cfg.Confidentiality, cfg.Integrity, cfg.MDSI, cfg.Keys = true, true, testMDSI, f.client
				if err := Run(t.Context(), cfg); err != nil {
					t.Fatal(err)
				}
				var last parsed
				for _, req := range r.requests(0) {
					if req.method == protectedKind(mode).method() && req.header.Get("Authorization") != "" {
						last = req
					}
				}
				if got := judge(t, cfg, last); !sameVerdicts(got, allOK(cfg)) {
					t.Errorf("%v", got)
				}
			})
		}
	}
}

// xmlsec1 decrypts every element and verifies every signature of the client's PUBLISH
// and migration REGISTER, with the keys derived from the CSK the server recovers.
func TestProtectedOracle(t *testing.T) {
	xmlsec1test.Require(t)
	for _, mode := range []Mode{ModePublish, ModeMigration} {
		cfg := protectedConfig(t, mode, true, true)
		parts := splitParts(t, parseRequest(t, build(t, cfg, protectedKind(mode))))
		o, err := mikey.Open(parts[0].body, fixture(t).server, mikey.Options{})
		if err != nil || o.CSK == nil {
			t.Fatal(err, o)
		}
		k := xmlprotect.NewKeys(o.CSK, o.CSKID, cfg.MCPTTID)
		bodies := map[string][]byte{}
		var info, signed []byte
		for _, p := range parts {
			if id := p.header["Content-Id"]; len(id) > 0 {
				bodies[strings.Trim(id[0], "<>")] = p.body
			}
			switch p.ctype {
			case xmldoc.TypeMCPTTInfo:
				info = p.body
			case xmldoc.TypeMCPTTSigned:
				signed = p.body
			}
		}
		for i := 1; i <= len(expectedValues(cfg)); i++ {
			if _, err := xmlsec1test.Decrypt(t, k.Enc, k.KeyName(), info, i); err != nil {
				t.Errorf("%s: EncryptedData %d: %v", mode, i, err)
			}
		}
		for i := 1; i <= len(bodies); i++ {
			if err := xmlsec1test.Verify(t, k.Sig, k.KeyName(), signed, bodies, i); err != nil {
				t.Errorf("%s: signature %d: %v", mode, i, err)
			}
		}
		if _, err := xmlsec1test.Decrypt(t, k.CSK, k.KeyName(), info, 1); err == nil {
			t.Errorf("%s: xmlsec1 decrypted with the raw CSK", mode)
		}
	}
}

// testSchemas is the suite's schemas, compiled once for these tests.
var testSchemas = sync.OnceValues(func() (*xmldoc.Validator, error) { return xmldoc.NewValidator(schemas.FS) })

func validateInfo(t *testing.T, body []byte) []xmldoc.Problem {
	v, err := testSchemas()
	if err != nil {
		t.Fatal(err)
	}
	return v.Validate(xmldoc.MCPTTInfo, body)
}
