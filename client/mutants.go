package client

import (
	"fmt"
	"io"
	"strings"
)

// Protection needs of a mutant.
const (
	needsProtection      = "conf or integ"
	needsConfidentiality = "conf"
	needsIntegrity       = "integ"
)

// Mutant is one --mutant NAME: a defect of the protected modes (or, marked
// StrictOnly, a lenient reading) and the requirement it fails in each mode.
type Mutant struct {
	Name       string
	Needs      string          // which protection must be on: conf or integ, conf, integ
	Fails      map[Mode]string // the requirement the suite fails, per mode
	StrictOnly bool            // a lenient reading: passes, named, and fails only under --strict
	Doc        string
}

// Requirements of the protected modes, per mode.
var (
	failsNoMIKEY    = map[Mode]string{ModeRegister: "7.2.1-10", ModePublish: "7.2.2-03", ModeMigration: "7A.2.1-08"}
	failsOtherMDSI  = map[Mode]string{ModeRegister: "7.2.1-11", ModePublish: "7.2.2-03", ModeMigration: "7A.2.1-08"}
	failsSameMDSI   = map[Mode]string{ModeRegister: "7.2.1-12", ModePublish: "7.2.2-04", ModeMigration: "7A.2.1-08"}
	failsIMessage   = map[Mode]string{ModeRegister: "7.2.1-13", ModePublish: "7.2.2-05", ModeMigration: "7A.2.1-08"}
	failsEncryption = map[Mode]string{ModeRegister: "7.2.1-14", ModePublish: "7.2.2-06", ModeMigration: "7A.2.1-09"}
	failsSignature  = map[Mode]string{ModeRegister: "7.2.1-17", ModePublish: "7.2.2-14", ModeMigration: "7A.2.1-13"}
)

// Mutants lists the names --mutant accepts. Each changes the protected
// request (the mode's REGISTER, or the PUBLISH) so that the suite fails
// exactly the listed requirement.
var Mutants = []Mutant{
	{"no-mikey", needsProtection, failsNoMIKEY, false, "no application/mikey body"},
	{"other-mdsi", needsProtection, failsOtherMDSI, false, "the only I_MESSAGE is addressed (IDRr) to sip:other-mdsi@<domain of --mdsi> instead of --mdsi"},
	{"same-mdsi-twice", needsProtection, failsSameMDSI, false, "two application/mikey bodies, both addressed to --mdsi"},
	{"sakke-h", needsProtection, failsIMessage, false, "one bit of the SAKKE H flipped, then the message signed again"},
	{"sakke-r", needsProtection, failsIMessage, false, "one bit of the SAKKE R flipped, then the message signed again"},
	{"bad-mikey-signature", needsProtection, failsIMessage, false, "one bit of the ECCSI signature's s flipped"},
	{"other-identity", needsProtection, failsIMessage, false, "the I_MESSAGE (IDRi = --mcptt-id) signed with the key of another identity of the same KMS (--other-keys)"},
	{"other-kms", needsProtection, failsIMessage, false, "the I_MESSAGE signed with a key for --mcptt-id issued by another KMS (a fresh KPAK)"},
	{"purpose-tag", needsProtection, failsIMessage, false, "the CSK-ID has purpose tag 0 (GMK) instead of 2 (CSK)"},
	{"token-other-key", needsConfidentiality, failsEncryption, false, "the access token encrypted with a random key instead of the CSK's"},
	{"tampered-ciphertext", needsConfidentiality, failsEncryption, false, "one bit of the access token's ciphertext flipped after encryption"},
	{"tampered-tag", needsConfidentiality, failsEncryption, false, "one bit of the access token's GCM tag flipped after encryption"},
	{"token-in-clear", needsConfidentiality, failsEncryption, false, `the access token in clear (type="Normal") under confidentiality protection`},
	{"key-name-other", needsConfidentiality, failsEncryption, false, "the access token's KeyName names another key (the CSK-ID with its last bit flipped)"},
	{"no-signature-body", needsIntegrity, failsSignature, false, "no application/vnd.3gpp.mcptt-signed+xml body under integrity protection"},
	{"modified-after-signing", needsIntegrity, failsSignature, false, "a comment added to the mcptt-info body after it was signed"},
	{"raw-csk-encryption", needsConfidentiality, failsEncryption, true, "elements encrypted with the raw CSK instead of the key derived from it (a lenient reading)"},
	{"raw-csk-signature", needsIntegrity, failsSignature, true, "signatures made with the raw CSK instead of the key derived from it (a lenient reading)"},
	{"sign-without-header", needsProtection, failsIMessage, true, "the ECCSI signature covers the I_MESSAGE without the SIGN payload header (a lenient reading)"},
}

func lookupMutant(name string) (Mutant, bool) {
	for _, m := range Mutants {
		if m.Name == name {
			return m, true
		}
	}
	return Mutant{}, false
}

// allows reports whether the mutant applies with these protections.
func (m Mutant) allows(confidentiality, integrity bool) bool {
	switch m.Needs {
	case needsConfidentiality:
		return confidentiality
	case needsIntegrity:
		return integrity
	}
	return confidentiality || integrity
}

// WriteMutants writes one line per mutant: name, protection it needs, the
// requirement it fails per mode, what it does.
func WriteMutants(w io.Writer) error {
	for _, m := range Mutants {
		var fails []string
		for _, mode := range Modes {
			fails = append(fails, string(mode)+" "+m.Fails[mode])
		}
		f := strings.Join(fails, ", ")
		if m.StrictOnly {
			f = "passes (named); fails under --strict: " + f
		}
		if _, err := fmt.Fprintf(w, "%-22s %-14s %s\n%22s %s\n", m.Name, m.Needs, f, "", m.Doc); err != nil {
			return err
		}
	}
	return nil
}
