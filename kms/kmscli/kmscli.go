// Package kmscli is the command line of the suite's test KMS for MIKEY-SAKKE (TS
// 33.180), run as bin/kms or bin/mcptt-conformance kms. Its keys are for testing only.
//
//	kms init  -dir DIR [-uri KMS-URI] [-period SECONDS] [-offset SECONDS]
//	kms issue -dir DIR -mdsi URI -client URI [-at RFC3339 | -period-no N]
//	          [-keys FILE] [-client-keys FILE]
//
// init creates the KMS (master secrets, Z, KPAK) in DIR/kms.json. issue
// writes, for one key period, the suite's key file (the MDSI's RSK, as
// shared/contract/mikey-keys.md defines it) and the client's provisioning
// file (its SSK and PVT, with Z and KPAK).
package kmscli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/mcptt-conformance/mcptt-conformance/crypto/mcx"
	"github.com/mcptt-conformance/mcptt-conformance/kms"
)

const usage = `usage:
  kms init  -dir DIR [-uri KMS-URI] [-period SECONDS] [-offset SECONDS]
  kms issue -dir DIR -mdsi URI -client URI [-at RFC3339 | -period-no N]
            [-keys FILE] [-client-keys FILE]

init  creates a test KMS (SAKKE and ECCSI master secrets, Z, KPAK) in DIR/kms.json.
issue issues key material for one key period (default: the period in force now):
      the suite's key file with the MDSI's RSK (default DIR/keys.json) and the
      client's provisioning file with its SSK/PVT (default DIR/client-keys.json).
All keys are TEST-ONLY. Run "kms init -h" or "kms issue -h" for the flags.
`

// Main runs the KMS with the command-line words args (without the program's name) and
// returns its exit status; now is the clock that picks the key period in force.
func Main(args []string, stdout, stderr io.Writer, now func() time.Time) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	var err error
	switch args[0] {
	case "init":
		err = initKMS(args[1:], stdout, stderr)
	case "issue":
		err = issue(args[1:], stdout, stderr, now)
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "kms: unknown command %q\n%s", args[0], usage)
		return 2
	}
	switch {
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errUsage):
		return 2
	case err != nil:
		fmt.Fprintln(stderr, "kms:", err)
		return 1
	}
	return 0
}

var errUsage = errors.New("usage")

func initKMS(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("kms init", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("dir", "", "folder for the KMS (created if needed; required)")
	uri := fs.String("uri", "kms.example.org", "KMS URI, as it appears in the IDRkms payloads and the UIDs")
	period := fs.Uint64("period", 2592000, "user key period, seconds")
	offset := fs.Uint64("offset", 0, "user key offset, seconds")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *dir == "" {
		fs.Usage()
		return errUsage
	}
	if _, err := os.Stat(filepath.Join(*dir, kms.SecretsFile)); err == nil {
		return fmt.Errorf("%s already holds a KMS; remove %s first", *dir, kms.SecretsFile)
	}
	k, err := kms.New(*uri, mcx.KeyPeriod{Length: *period, Offset: *offset}, nil)
	if err != nil {
		return err
	}
	if err := k.Save(*dir); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "created test KMS %s in %s (TEST-ONLY keys)\n", k.URI, filepath.Join(*dir, kms.SecretsFile))
	return nil
}

func issue(args []string, stdout, stderr io.Writer, now func() time.Time) error {
	fs := flag.NewFlagSet("kms issue", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("dir", "", "folder of the KMS made by init (required)")
	mdsi := fs.String("mdsi", "", "the server's MDSI URI, which receives the RSK (required)")
	client := fs.String("client", "", "the client's MC service user ID (MCPTT ID) URI, which receives SSK/PVT (required)")
	at := fs.String("at", "", "issue for the key period in force at this RFC 3339 time (default now)")
	periodNo := fs.Int64("period-no", -1, "issue for this key period number instead")
	keysOut := fs.String("keys", "", "where to write the suite's key file (default DIR/keys.json)")
	clientOut := fs.String("client-keys", "", "where to write the client's provisioning file (default DIR/client-keys.json)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *dir == "" || *mdsi == "" || *client == "" || (*at != "" && *periodNo >= 0) {
		fs.Usage()
		return errUsage
	}
	k, err := kms.Load(*dir)
	if err != nil {
		return err
	}
	number := uint64(*periodNo)
	if *periodNo < 0 {
		t := now()
		if *at != "" {
			if t, err = time.Parse(time.RFC3339, *at); err != nil {
				return fmt.Errorf("-at: %w", err)
			}
		}
		if number, err = k.PeriodAt(t); err != nil {
			return err
		}
	}
	if *keysOut == "" {
		*keysOut = filepath.Join(*dir, "keys.json")
	}
	if *clientOut == "" {
		*clientOut = filepath.Join(*dir, "client-keys.json")
	}
	kf, err := k.KeyFile(*mdsi, *client, number)
	if err != nil {
		return err
	}
	ck, err := k.ClientKeys(*client, *mdsi, number, nil)
	if err != nil {
		return err
	}
	if err := kf.Write(*keysOut); err != nil {
		return err
	}
	if err := ck.Write(*clientOut); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "key period %d: suite key file %s, client provisioning %s (TEST-ONLY keys)\n", number, *keysOut, *clientOut)
	return nil
}
