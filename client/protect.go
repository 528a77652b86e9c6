package client

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"strings"
	"time"

	"github.com/mcptt-conformance/mcptt-conformance/crypto/eccsi"
	"github.com/mcptt-conformance/mcptt-conformance/crypto/mcx"
	"github.com/mcptt-conformance/mcptt-conformance/crypto/xmlprotect"
	"github.com/mcptt-conformance/mcptt-conformance/mikey"
	"github.com/mcptt-conformance/mcptt-conformance/wire/xmldoc"
)

// Media types of the protected modes.
const (
	TypeMIKEY = "application/mikey"
)

// modifiedComment is what the modified-after-signing mutant adds to the signed
// mcptt-info body.
const modifiedComment = "<!-- modified after signing -->"

// protection is the key material of one protected request: a fresh CSK and CSK-ID
// (TS 33.180 5.4), and the keys derived from them.
type protection struct {
	cfg  *Config
	keys xmlprotect.Keys
	err  error // the first encryption error
}

func newProtection(cfg *Config) (*protection, error) {
	csk := make([]byte, 16)
	rand.Read(csk) // never fails (crypto/rand)
	purpose := mcx.PurposeCSK
	if cfg.mutates("purpose-tag") {
		purpose = mcx.PurposeGMK
	}
	id, err := mcx.NewKeyID(purpose, nil)
	if err != nil {
		return nil, err
	}
	return &protection{cfg: cfg, keys: xmlprotect.NewKeys(csk, id, cfg.MCPTTID)}, nil
}

func (c *Config) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

// otherMDSI is the MDSI of the other-mdsi mutant: sip:other-mdsi@ the domain of mdsi.
func otherMDSI(mdsi string) string {
	a, _ := parseAOR(mdsi)
	return a.scheme + ":other-mdsi@" + a.domain
}

// imessages returns the application/mikey bodies: the I_MESSAGE to the MDSI and, with
// --second-mdsi, one with the same CSK to the second MDSI (under the same KMS: the
// client needs only the KMS's public Z to encapsulate to any MDSI of it).
func (p *protection) imessages() ([][]byte, error) {
	cfg := p.cfg
	targets := []string{cfg.MDSI}
	switch {
	case cfg.mutates("no-mikey"):
		return nil, nil
	case cfg.mutates("other-mdsi"):
		targets = []string{otherMDSI(cfg.MDSI)}
	case cfg.mutates("same-mdsi-twice"):
		targets = append(targets, cfg.MDSI)
	case cfg.SecondMDSI != "":
		targets = append(targets, cfg.SecondMDSI)
	}
	keys := cfg.Keys
	now := cfg.now()
	number, err := keys.KeyPeriod().Number(mcx.NTPSeconds(now))
	if err != nil {
		return nil, fmt.Errorf("--keys: %v", err)
	}
	if number != keys.KeyPeriodNo {
		return nil, fmt.Errorf("--keys holds keys for key period %d, but the current key period (at %s) is %d: issue keys for it",
			keys.KeyPeriodNo, now.UTC().Format(time.RFC3339), number)
	}
	signer, err := p.signer(number)
	if err != nil {
		return nil, err
	}
	z, err := keys.PublicZ()
	if err != nil {
		return nil, fmt.Errorf("--keys: SAKKE public key Z: %v", err)
	}
	var msgs [][]byte
	for _, mdsi := range targets {
		msg, err := mikey.Build(mikey.BuildParams{
			CSK: p.keys.CSK, CSKID: p.keys.CSKID, InitiatorURI: cfg.MCPTTID, ResponderURI: mdsi,
			KMSURI: keys.KMSURI, Period: keys.KeyPeriod(), Signer: signer, Z: z, Time: now,
			HideIdentities:    cfg.HideIdentities,
			SignWithoutHeader: cfg.mutates("sign-without-header"),
		})
		if err != nil {
			return nil, err
		}
		msgs = append(msgs, msg)
	}
	msgs[0], err = p.mutateIMessage(msgs[0], signer)
	return msgs, err
}

// signer returns the ECCSI key the I_MESSAGE is signed with.
func (p *protection) signer(number uint64) (*eccsi.UserKey, error) {
	cfg := p.cfg
	switch {
	case cfg.mutates("other-identity"):
		return cfg.OtherKeys.UserKey()
	case cfg.mutates("other-kms"):
		other, err := eccsi.GenerateKMSKey(nil)
		if err != nil {
			return nil, err
		}
		uid, err := mcx.UID(cfg.MCPTTID, cfg.Keys.KMSURI, cfg.Keys.KeyPeriod(), number)
		if err != nil {
			return nil, err
		}
		return other.Issue(uid, nil)
	}
	k, err := cfg.Keys.UserKey()
	if err != nil {
		return nil, fmt.Errorf("--keys: %v", err)
	}
	return k, nil
}

// mutateIMessage makes the I_MESSAGE mutants: a bit flipped in SAKKE H or R (and the
// message signed again, so that only the SAKKE payload is wrong) or in the signature's s.
func (p *protection) mutateIMessage(msg []byte, signer *eccsi.UserKey) ([]byte, error) {
	cfg := p.cfg
	if !cfg.mutates("sakke-h") && !cfg.mutates("sakke-r") && !cfg.mutates("bad-mikey-signature") {
		return msg, nil
	}
	m, err := mikey.Parse(msg)
	if err != nil {
		return nil, err
	}
	signed := m.Sign.Offset + 2 // the signature covers the SIGN payload header
	if cfg.mutates("bad-mikey-signature") {
		msg[signed+eccsi.N+eccsi.N/2] ^= 0x01 // within s
		return msg, nil
	}
	sed := m.SAKKE.Offset + 5 // next payload, params, ID scheme, 2-octet length
	if !bytes.Equal(msg[sed:sed+len(m.SAKKE.Data)], m.SAKKE.Data) {
		return nil, fmt.Errorf("the SAKKE data is not where it was expected in the I_MESSAGE")
	}
	if cfg.mutates("sakke-h") {
		msg[sed+len(m.SAKKE.Data)-1] ^= 0x01 // H is the last 16 octets
	} else {
		msg[sed+10] ^= 0x01 // within R's x coordinate
	}
	sig, err := signer.Sign(msg[:signed], nil)
	if err != nil {
		return nil, err
	}
	return append(msg[:signed:signed], sig...), nil
}

// encrypts reports whether the element is sent encrypted.
func (p *protection) encrypts(local string) bool {
	return p != nil && p.cfg.Confidentiality && !(local == "mcptt-access-token" && p.cfg.mutates("token-in-clear"))
}

// encrypt returns the EncryptedData markup of the content <child>value</child> of the
// element local; the access token carries the encryption mutants.
func (p *protection) encrypt(local, child, value string) string {
	opts := xmlprotect.EncryptOptions{RawCSK: p.cfg.mutates("raw-csk-encryption")}
	if local == "mcptt-access-token" {
		switch p.cfg.Mutant {
		case "token-other-key":
			opts.Key = make([]byte, 16)
			rand.Read(opts.Key) // never fails (crypto/rand)
		case "tampered-ciphertext":
			opts.Tamper = xmlprotect.TamperCiphertext
		case "tampered-tag":
			opts.Tamper = xmlprotect.TamperTag
		case "key-name-other":
			opts.KeyName = base64.StdEncoding.EncodeToString((p.keys.CSKID ^ 1).Bytes())
		}
	}
	s, err := xmlprotect.Encrypt(p.keys, xmlprotect.Fragment(xmldoc.NSMCPTTInfo, child, value), opts)
	if err != nil && p.err == nil {
		p.err = err
	}
	return s
}

// contentID returns the Content-ID (without <>) of a signed body.
func (p *protection) contentID(name string) string {
	a, _ := parseAOR(p.cfg.MCPTTID)
	return name + "-" + p.keys.CSKID.String() + "@" + a.domain
}

// protectedBody returns the multipart body of a protected request: the application/mikey
// bodies, the mcptt-info body (elements encrypted under confidentiality), for a PUBLISH
// the poc-settings body, and under integrity the signatures over the XML bodies.
func protectedBody(cfg *Config, kind Kind) (string, string, error) {
	p, err := newProtection(cfg)
	if err != nil {
		return "", "", err
	}
	msgs, err := p.imessages()
	if err != nil {
		return "", "", err
	}
	var parts []bodyPart
	for _, m := range msgs {
		parts = append(parts, bodyPart{ctype: mediaType(cfg, TypeMIKEY), content: string(m)})
	}
	var signed []bodyPart
	switch {
	case kind == Publish && !cfg.breaks("7.2.2-02"):
		signed = append(signed, bodyPart{mediaType(cfg, xmldoc.TypeMCPTTInfo), registerInfo(cfg, p), p.contentID("mcptt-info")})
	case kind == Register && cfg.Mode == ModeRegister && !cfg.breaks("7.2.1-06"):
		signed = append(signed, bodyPart{mediaType(cfg, xmldoc.TypeMCPTTInfo), registerInfo(cfg, p), p.contentID("mcptt-info")})
	case kind == Register && cfg.Mode == ModeMigration:
		signed = append(signed, bodyPart{mediaType(cfg, xmldoc.TypeMCPTTInfo), migrationInfo(cfg, p), p.contentID("mcptt-info")})
	}
	if kind == Publish {
		signed = append(signed, bodyPart{mediaType(cfg, xmldoc.TypePoCSettings), pocSettings(cfg), p.contentID("poc-settings")})
	}
	if p.err != nil {
		return "", "", p.err
	}
	if !cfg.Integrity {
		for i := range signed {
			signed[i].contentID = ""
		}
		return multipartBody(cfg, append(parts, signed...))
	}
	var refs []xmlprotect.Ref
	for _, s := range signed {
		refs = append(refs, xmlprotect.Ref{ContentID: s.contentID, Body: []byte(s.content)})
	}
	var signatures []byte
	if len(refs) > 0 && !cfg.mutates("no-signature-body") {
		if signatures, err = xmlprotect.Sign(p.keys, refs, xmlprotect.SignOptions{RawCSK: cfg.mutates("raw-csk-signature")}); err != nil {
			return "", "", err
		}
	}
	if cfg.mutates("modified-after-signing") {
		signed[0].content = strings.Replace(signed[0].content, "?>\r\n", "?>\r\n"+modifiedComment, 1)
	}
	parts = append(parts, signed...)
	if signatures != nil {
		parts = append(parts, bodyPart{ctype: mediaType(cfg, xmldoc.TypeMCPTTSigned), content: string(signatures)})
	}
	return multipartBody(cfg, parts)
}
