// Command refclient is the suite's reference MCPTT client. It sends the REGISTER and
// PUBLISH requests of TS 24.379 clauses 7.2.1, 7.2.2 and 7A.2.1 to the suite, in plaintext
// or with confidentiality and/or integrity protection, answering digest challenges, and
// can break exactly one requirement on request (--break, --mutant) or vary the wire format
// in legal ways (--variant).
//
// Usage:
//
//	refclient --server HOST:PORT --mode register|publish|migration --mcptt-id URI [flags]
//	refclient --break list
//	refclient --variant list
//	refclient --mutant list
package main

import (
	"context"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"time"

	"github.com/mcptt-conformance/mcptt-conformance/client"
	"github.com/mcptt-conformance/mcptt-conformance/kms"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// errList means the command printed a list and has nothing to run.
var errList = errors.New("list printed")

// parse turns the command line into a Config, or prints a list for "--break list" and
// "--variant list" and returns errList.
func parse(args []string, stdout, stderr io.Writer) (client.Config, error) {
	var cfg client.Config
	fs := flag.NewFlagSet("refclient", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), `refclient: the suite's reference MCPTT client (TS 24.379 7.2.1, 7.2.2, 7A.2.1)

Usage:
  refclient --server HOST:PORT --mode register|publish|migration --mcptt-id URI [flags]
  refclient --break list      print the requirement IDs --break accepts
  refclient --variant list    print the variants --variant accepts
  refclient --mutant list     print the protected-mode defects --mutant accepts

Flows:
  register   REGISTER with the MCPTT feature tags and an mcptt-info body (token, client ID) -> 200;
             with --logoff then a re-REGISTER without the tags
  publish    REGISTER with the feature tags and no body -> 200, then PUBLISH (Event: poc-settings)
             with mcptt-info and poc-settings bodies; if the PUBLISH is rejected (3xx-6xx) the
             client reports the failure, de-registers (Expires: 0) and exits 0
  migration  REGISTER with the feature tags and an mcptt-info body (partner token, primary
             MCPTT ID, selected user-profile-index) -> 200

Protection: with --confidentiality and/or --integrity (which need --mdsi and --keys), the
mode's REGISTER (register, migration) or its PUBLISH is multipart/mixed with a fresh CSK in
a MIKEY-SAKKE I_MESSAGE (application/mikey, raw binary) to the MDSI, the mcptt-info body
with its elements encrypted (AES-128-GCM, key derived from the CSK) under confidentiality,
and under integrity an application/vnd.3gpp.mcptt-signed+xml body signing the XML bodies.
With --second-mdsi a second I_MESSAGE carries the same CSK to another MDSI of the same KMS
(encapsulating to it needs only the KMS's public key Z, already in --keys).

It exits 0 when the flow ended as it should, 1 on timeout or an unexpected response, and
2 on a usage error.

Flags:
`)
		fs.PrintDefaults()
	}
	fs.StringVar(&cfg.Server, "server", "", "the suite's address `HOST:PORT` (required)")
	fs.StringVar(&cfg.Transport, "transport", "udp", "transport: `udp|tcp|tls`")
	ca := fs.String("ca", "", "tls: the PEM `FILE` of the CAs the server's certificate must chain to (default the system's), e.g. the suite's {ca_file}")
	fs.StringVar(&cfg.Local, "local", "127.0.0.1", "local `IP` address to bind")
	mode := fs.String("mode", "register", "flow to run: `register|publish|migration`")
	fs.StringVar(&cfg.MCPTTID, "mcptt-id", "", "the user's MCPTT ID `URI`, e.g. sip:alice@mcptt.example.com (From, To; the IMPU)")
	fs.StringVar(&cfg.ClientID, "client-id", "", "MCPTT client ID `URN`, e.g. urn:uuid:… (register, publish; also the Contact's +sip.instance)")
	fs.StringVar(&cfg.Token, "token", "", "the access token as `TEXT` (register, publish)")
	fs.StringVar(&cfg.PartnerToken, "partner-token", "", "migration: the access token from the partner IdM as `TEXT`")
	fs.StringVar(&cfg.PrimaryMCPTTID, "primary-mcptt-id", "", "migration: the user's MCPTT ID `URI` in the primary system")
	fs.IntVar(&cfg.ProfileIndex, "profile-index", -1, "selected user-profile-index `N` (publish, migration; required there)")
	fs.StringVar(&cfg.AnswerMode, "answer-mode", "", "publish: answer mode `auto-answer|manual-answer` (sent as automatic|manual)")
	multiplex := fs.String("multiplex", "false", "publish: multiplex-support `true|false`")
	fs.StringVar(&cfg.PSI, "psi", "", "publish: PUBLISH Request-URI, the server's PSI `URI`, e.g. sip:mcptt-server@mcptt.example.com")
	fs.StringVar(&cfg.Registrar, "registrar", "", "REGISTER Request-URI `URI` (default sip:<domain of --mcptt-id>)")
	fs.StringVar(&cfg.User, "user", "", "digest user `NAME`, to answer 401/407 challenges (with --password)")
	fs.StringVar(&cfg.Password, "password", "", "digest password `PW` (with --user)")
	fs.BoolVar(&cfg.Logoff, "logoff", false, "register: after registering, log off from MCPTT while staying registered: re-REGISTER with the same Call-ID, CSeq+1, Expires>0 and a Contact without both feature tags (TS 24.379 7.2.1 NOTE 1)")
	fs.StringVar(&cfg.Break, "break", "", "send requests that break exactly the requirement `ID`; \"list\" prints the IDs")
	fs.Func("variant", "legal wire-format variation `NAME` that must break nothing (repeatable); \"list\" prints the names", func(v string) error {
		cfg.Variants = append(cfg.Variants, v)
		return nil
	})
	fs.BoolVar(&cfg.Confidentiality, "confidentiality", false, "encrypt the access token, client ID, request URI and profile index with the CSK (needs --mdsi, --keys)")
	fs.BoolVar(&cfg.Integrity, "integrity", false, "sign the XML bodies with the CSK (needs --mdsi, --keys)")
	fs.BoolVar(&cfg.HideIdentities, "hide-identities", false, "protected modes: IDRi and IDRr carry the UIDs (roles 8 and 9) instead of the URIs (TS 33.180 identity hiding)")
	fs.StringVar(&cfg.MDSI, "mdsi", "", "the server's MDSI `URI`, to which the I_MESSAGE carries the CSK")
	fs.StringVar(&cfg.SecondMDSI, "second-mdsi", "", "also send the CSK to this MDSI `URI` in a second application/mikey body")
	keys := fs.String("keys", "", "the client's provisioning `FILE` from the test KMS (SSK, PVT, KPAK, Z, KMS URI, key period)")
	otherKeys := fs.String("other-keys", "", "another identity's provisioning `FILE` from the same KMS, for --mutant other-identity")
	fs.StringVar(&cfg.Mutant, "mutant", "", "make the protected-mode defect `NAME`; \"list\" prints the names with the requirement each fails")
	fs.DurationVar(&cfg.Timeout, "timeout", 5*time.Second, "overall time limit of the run `DURATION`")
	verbose := fs.Bool("v", false, "print every message sent and received to stderr")

	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	if fs.NArg() > 0 {
		return cfg, fmt.Errorf("unexpected argument %q: every setting is a flag", fs.Arg(0))
	}
	if cfg.Break == "list" {
		client.WriteList(stdout, client.Breaks)
		return cfg, errList
	}
	for _, v := range cfg.Variants {
		if v == "list" {
			client.WriteList(stdout, client.Variants)
			return cfg, errList
		}
	}
	if cfg.Mutant == "list" {
		client.WriteMutants(stdout)
		return cfg, errList
	}
	for _, f := range []struct {
		flag, path string
		dst        **kms.ClientKeys
	}{{"--keys", *keys, &cfg.Keys}, {"--other-keys", *otherKeys, &cfg.OtherKeys}} {
		if f.path == "" {
			continue
		}
		k, err := kms.ReadClientKeys(f.path)
		if err != nil {
			return cfg, fmt.Errorf("%s: %v", f.flag, err)
		}
		*f.dst = k
	}
	if *ca != "" {
		pem, err := os.ReadFile(*ca)
		if err != nil {
			return cfg, fmt.Errorf("--ca: %v", err)
		}
		cfg.CA = x509.NewCertPool()
		if !cfg.CA.AppendCertsFromPEM(pem) {
			return cfg, fmt.Errorf("--ca %s: expected PEM certificates, saw none", *ca)
		}
	}
	cfg.Mode = client.Mode(*mode)
	if *multiplex != "true" && *multiplex != "false" {
		return cfg, fmt.Errorf("--multiplex %q: expected true or false", *multiplex)
	}
	cfg.Multiplex = *multiplex == "true"
	cfg.Log = stdout
	if *verbose {
		cfg.Trace = stderr
	}
	return cfg, cfg.Validate()
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cfg, err := parse(args, stdout, stderr)
	switch {
	case errors.Is(err, errList):
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case err != nil:
		fmt.Fprintf(stderr, "refclient: %v\n", err)
		return 2
	}
	if err := client.Run(ctx, cfg); err != nil {
		fmt.Fprintf(stderr, "refclient: %v\n", err)
		return 1
	}
	return 0
}
