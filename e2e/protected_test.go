package e2e_test

import (
	"crypto/rand"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mcptt-conformance/mcptt-conformance/client"
	"github.com/mcptt-conformance/mcptt-conformance/crypto/mcx"
	"github.com/mcptt-conformance/mcptt-conformance/kms"
	"github.com/mcptt-conformance/mcptt-conformance/profile"
)

// Every bundled protected profile passes over UDP and TCP with a test KMS made at
// start-up (over TLS for a -tls profile, in TestTLSProfilesPass).
func TestProtectedProfilesPass(t *testing.T) {
	paths, _ := filepath.Glob(filepath.Join(root, "fixtures/profiles/protected-*.yaml"))
	if len(paths) < 10 {
		t.Fatalf("expected the ten bundled protected profiles, saw %d", len(paths))
	}
	for _, p := range paths {
		if strings.HasSuffix(p, "-tls.yaml") {
			continue // a profile for TLS alone: TestTLSProfilesPass
		}
		rel, _ := filepath.Rel(root, p)
		for _, transport := range []string{"udp", "tcp"} {
			t.Run(filepath.Base(p)+"/"+transport, func(t *testing.T) {
				t.Parallel()
				o := runSuite(t, rel, "-client-args=--transport "+transport, "-strict")
				conformant(t, o)
				v := o.verdicts()
				judged := 0
				for id, verdict := range v {
					if protectedIDs[id] && verdict == "pass" {
						judged++
					}
				}
				if judged < 2 {
					t.Errorf("expected the protected requirements judged (pass), saw %d passes among them:\n%s", judged, o.describe())
				}
			})
		}
	}
}

var protectedIDs = map[string]bool{}

func init() {
	for _, id := range strings.Fields("7.2.1-10 7.2.1-11 7.2.1-12 7.2.1-13 7.2.1-14 7.2.1-15 7.2.1-17 7.2.2-03 7.2.2-04 7.2.2-05 7.2.2-06 7.2.2-07 7.2.2-14 7A.2.1-08 7A.2.1-09 7A.2.1-10 7A.2.1-11 7A.2.1-13") {
		protectedIDs[id] = true
	}
}

// vendorKeys is a KMS of the vendor's own: the suite gets a key file for its MDSI
// (server.keys), the client its provisioning, and another identity of the same KMS
// its own (for the other-identity mutant).
type vendorKeys struct{ keyFile, client, other string }

func issueKeys(t *testing.T, dir, user, mdsi string) vendorKeys {
	t.Helper()
	k, err := kms.New("kms.example.com", mcx.KeyPeriod{Length: 2592000}, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	n, err := k.PeriodAt(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	v := vendorKeys{filepath.Join(dir, "keys.json"), filepath.Join(dir, "client.json"), filepath.Join(dir, "other.json")}
	kf, err := k.KeyFile(mdsi, user, n)
	if err != nil {
		t.Fatal(err)
	}
	if err := kf.Write(v.keyFile); err != nil {
		t.Fatal(err)
	}
	for path, uri := range map[string]string{v.client: user, v.other: "sip:mallory@mcptt.example.com"} {
		c, err := k.ClientKeys(uri, mdsi, n, rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		if err := c.Write(path); err != nil {
			t.Fatal(err)
		}
	}
	return v
}

// vendorProfile rewrites a bundled protected profile to use a vendor's key file, as a
// vendor with their own KMS does.
func vendorProfile(t *testing.T, bundled string) string {
	t.Helper()
	p, err := profile.Load(filepath.Join(root, bundled))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(filepath.Join(root, bundled))
	dir := t.TempDir()
	v := issueKeys(t, dir, p.Identity.MCPTTID, p.Server.MDSI)
	s := strings.Replace(string(b), "  mdsi: ", "  keys: "+v.keyFile+"\n  mdsi: ", 1)
	s = strings.Replace(s, "--keys {client_keys}", "--keys "+v.client+" --other-keys "+v.other, 1)
	path := filepath.Join(dir, "profile.yaml")
	if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// encryptionIDs are the requirements on encrypted elements, per mode.
var encryptionIDs = map[client.Mode][]string{
	client.ModeRegister:  {"7.2.1-14", "7.2.1-15"},
	client.ModePublish:   {"7.2.2-06", "7.2.2-07"},
	client.ModeMigration: {"7A.2.1-09", "7A.2.1-10", "7A.2.1-11"},
}

// Each protected-mode mutant of the reference client fails exactly the requirement
// it breaks, in every mode; a lenient reading passes and fails only under --strict.
func TestMutantsFailExactlyTheirRequirement(t *testing.T) {
	bundled := map[client.Mode]string{
		client.ModeRegister:  "fixtures/profiles/protected-register-conf-integ.yaml",
		client.ModePublish:   "fixtures/profiles/protected-publish-conf-integ.yaml",
		client.ModeMigration: "fixtures/profiles/protected-migration-conf-integ.yaml",
	}
	for mode, path := range bundled {
		vendor := vendorProfile(t, path)
		for _, m := range client.Mutants {
			t.Run(string(mode)+"/"+m.Name, func(t *testing.T) {
				t.Parallel()
				want := []string{m.Fails[mode]}
				o := runSuite(t, vendor, "-client-args=--mutant "+m.Name)
				if m.StrictOnly {
					// The raw CSK is used for every encrypted element, so under --strict each
					// encryption requirement of the mode refuses it.
					if enc := encryptionIDs[mode]; slices.Contains(enc, want[0]) {
						want = enc
					}
					conformant(t, o)
					if !strings.Contains(o.describe(want[0]), "lenient") {
						t.Errorf("expected the lenient reading named, saw\n%s", o.describe(want[0]))
					}
					o = runSuite(t, vendor, "-client-args=--mutant "+m.Name, "-strict")
				}
				if got := o.failed(); !slices.Equal(got, want) {
					t.Fatalf("--mutant %s (%s): expected only %v to fail, saw %v\n%s", m.Name, m.Doc, want, got, o.describe(append(got, want...)...))
				}
			})
		}
	}
}

// With identity hiding (IDRi and IDRr as UIDs, roles 8 and 9) the suite still finds
// the I_MESSAGE addressed to its MDSI, in every mode, strict included.
func TestHiddenIdentitiesPass(t *testing.T) {
	for _, mode := range []string{"register", "publish", "migration"} {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			o := runSuite(t, "fixtures/profiles/protected-"+mode+"-conf-integ.yaml", "-client-args=--hide-identities", "-strict")
			conformant(t, o)
			if !strings.Contains(o.describeDetails(), "role 9 UID") {
				t.Errorf("expected the detail to show the UID responder (role 9), saw\n%s", o.describeDetails())
			}
		})
	}
}

func (o outcome) describeDetails() string {
	var b strings.Builder
	for _, r := range o.Results {
		b.WriteString(r.Detail + "\n")
	}
	return b.String()
}
