// Package inspect is the MIKEY inspector's command line (shared/contract/mikey-keys.md):
// it opens one MIKEY-SAKKE I_MESSAGE with a key file and prints what it holds as one
// JSON object on stdout. Main returns 0 when the message parsed, its signature
// verified and its SAKKE payload decrypted, and 1 otherwise.
//
// Usage (bin/mikey-inspect, or bin/mcptt-conformance inspect):
//
//	mikey-inspect -keys KEYFILE MESSAGE
//
// MESSAGE is raw binary, or base64 text with or without a "mikey " prefix.
package inspect

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/mcptt-conformance/mcptt-conformance/kms"
	"github.com/mcptt-conformance/mcptt-conformance/mikey"
)

type identity struct {
	Role  uint8  `json:"role"`
	Value string `json:"value"`
}

type payload struct {
	Type   string `json:"type"`
	Offset int    `json:"offset"`
	Length int    `json:"length"`
}

// report is the contract's JSON object; key_period_no, encoding and notes
// are additions.
type report struct {
	Payloads          []payload `json:"payloads"`
	CSBID             string    `json:"csb_id,omitempty"`
	CSKID             string    `json:"csk_id,omitempty"`
	PurposeTag        *uint8    `json:"purpose_tag,omitempty"`
	Initiator         *identity `json:"initiator,omitempty"`
	Responder         *identity `json:"responder,omitempty"`
	SignatureValid    bool      `json:"signature_valid"`
	SignatureCoverage string    `json:"signature_coverage,omitempty"`
	CSK               string    `json:"csk,omitempty"`
	Errors            []string  `json:"errors"`
	Notes             []string  `json:"notes,omitempty"`
	KeyPeriodNo       *uint64   `json:"key_period_no,omitempty"`
	Encoding          string    `json:"encoding,omitempty"`
}

// Main runs the inspector with the command-line words args (without the program's
// name) and returns its exit status.
func Main(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("mikey-inspect", flag.ContinueOnError)
	fs.SetOutput(stderr)
	keysPath := fs.String("keys", "", "key file (shared/contract/mikey-keys.md)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: mikey-inspect -keys KEYFILE MESSAGE\n\nMESSAGE is a MIKEY I_MESSAGE, raw binary or base64 (optionally prefixed \"mikey \").\nPrints one JSON object; exits 0 when the message parsed, the ECCSI signature\nverified and the SAKKE payload decrypted, 1 otherwise.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *keysPath == "" || fs.NArg() != 1 {
		fs.Usage()
		return 2
	}
	rep, ok := inspect(fs.Arg(0), *keysPath)
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(rep); err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	if !ok {
		return 1
	}
	return 0
}

func inspect(msgPath, keysPath string) (report, bool) {
	rep := report{Payloads: []payload{}, Errors: []string{}}
	raw, err := os.ReadFile(msgPath)
	if err != nil {
		rep.Errors = append(rep.Errors, err.Error())
		return rep, false
	}
	msg, encoding := decode(raw)
	rep.Encoding = encoding
	keys, err := kms.ReadKeyFile(keysPath)
	if err != nil {
		rep.Errors = append(rep.Errors, err.Error())
		if m, perr := mikey.Parse(msg); perr == nil {
			rep.Payloads = payloads(m)
		}
		return rep, false
	}
	o, err := mikey.Open(msg, keys, mikey.Options{})
	if err != nil {
		rep.Errors = append(rep.Errors, err.Error())
		return rep, false
	}
	rep.Payloads = payloads(o.Message)
	rep.CSBID, rep.CSKID = o.CSBID.String(), o.CSKID.String()
	tag := uint8(o.Purpose)
	rep.PurposeTag = &tag
	rep.Initiator, rep.Responder = describe(o.Initiator), describe(o.Responder)
	rep.SignatureValid, rep.SignatureCoverage = o.SignatureValid, string(o.SignatureCoverage)
	if o.CSK != nil {
		rep.CSK = hex.EncodeToString(o.CSK)
	}
	n := o.KeyPeriodNo
	rep.KeyPeriodNo = &n
	for _, p := range o.Problems {
		if p.Lenient {
			rep.Notes = append(rep.Notes, p.String())
		} else {
			rep.Errors = append(rep.Errors, p.String())
		}
	}
	return rep, o.SignatureValid && o.CSK != nil
}

// decode accepts raw binary or base64 text (optionally "mikey "-prefixed).
func decode(raw []byte) ([]byte, string) {
	text := bytes.TrimSpace(raw)
	text = bytes.TrimPrefix(text, []byte("mikey "))
	if b, err := base64.StdEncoding.DecodeString(string(bytes.Join(bytes.Fields(text), nil))); err == nil && len(b) > 0 {
		return b, "base64"
	}
	return raw, "binary"
}

func payloads(m *mikey.Message) []payload {
	out := make([]payload, len(m.Payloads))
	for i, p := range m.Payloads {
		out[i] = payload{p.Type, p.Offset, p.Length}
	}
	return out
}

func describe(idr *mikey.IDR) *identity {
	if idr == nil {
		return nil
	}
	if idr.Role == mikey.RoleUIDInitiator || idr.Role == mikey.RoleUIDResponder {
		return &identity{idr.Role, hex.EncodeToString(idr.Value)}
	}
	return &identity{idr.Role, string(idr.Value)}
}
