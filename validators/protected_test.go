package validators_test

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/mcptt-conformance/mcptt-conformance/capture"
	"github.com/mcptt-conformance/mcptt-conformance/kms"
	"github.com/mcptt-conformance/mcptt-conformance/profile"
	"github.com/mcptt-conformance/mcptt-conformance/validators"
	"github.com/mcptt-conformance/mcptt-conformance/verdict"
	"github.com/mcptt-conformance/mcptt-conformance/wire/multipart"
	"github.com/mcptt-conformance/mcptt-conformance/wire/sipmsg"
)

// exampleProfile declares the settings of the independent generator's protected
// example (testdata/protected, from shared/examples/protected).
const exampleProfile = `
authz: %s
confidentiality: true
integrity: true
identity:
  mcptt_id: sip:bob@mcptt.example.com
  client_id: urn:uuid:0b0e2f5c-3d4a-4e6f-8a7b-9c1d2e3f4a5b
  access_token: eyJhbGciOiJub25lIn0.eyJzdWIiOiJib2IifQ.
settings:
  answer_mode: auto-answer
  user_profile_index: 1
  multiplex_support: true
server:
  psi: sip:mcptt-server@mcptt.example.com
  mdsi: sip:mdsi@mcptt.example.com
  keys: testdata/protected/keys.json
client:
  exec: none
`

func judgeExample(t *testing.T, authz, file string, strict bool) map[string][]verdict.Result {
	return judgeExampleFile(t, authz, "testdata/protected/"+file, strict)
}

// judgeExampleFile judges one request file under the example's settings and keys.
func judgeExampleFile(t *testing.T, authz, path string, strict bool) map[string][]verdict.Result {
	t.Helper()
	p, err := profile.Parse([]byte(fmt.Sprintf(exampleProfile, authz)))
	if err != nil {
		t.Fatal(err)
	}
	keys, err := kms.ReadKeyFile(p.Server.Keys)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	m := &capture.Message{Seq: 1, Name: filepath.Base(path), Transport: "udp", Raw: raw, Status: 200, Method: sipmsg.MethodOf(raw)}
	run := validators.NewRun(p, []*capture.Message{m}, strict)
	run.Keys = keys
	return judgeAll(run)
}

// The independent generator's conformant protected REGISTER and PUBLISH pass every
// requirement whose condition holds, strict included, and the protected requirements
// are judged (pass), not skipped.
func TestProtectedExamplePasses(t *testing.T) {
	cases := []struct {
		authz, file string
		judged      []string
	}{
		{"register", "register-conf-integ.sip", []string{"7.2.1-07", "7.2.1-10", "7.2.1-11", "7.2.1-13", "7.2.1-14", "7.2.1-15", "7.2.1-17"}},
		{"publish", "publish-conf-integ.sip", []string{"7.2.2-01", "7.2.2-03", "7.2.2-05", "7.2.2-06", "7.2.2-07", "7.2.2-09", "7.2.2-10", "7.2.2-11", "7.2.2-12", "7.2.2-13", "7.2.2-14"}},
	}
	for _, c := range cases {
		for _, strict := range []bool{false, true} {
			t.Run(c.file, func(t *testing.T) {
				res := judgeExample(t, c.authz, c.file, strict)
				if f := failing(res); len(f) > 0 {
					t.Fatalf("strict=%t: expected no failure, saw %v\n%s", strict, f, describe(res, f...))
				}
				for _, id := range c.judged {
					if v := worst(res[id]); v != verdict.Pass {
						t.Errorf("strict=%t: expected %s to pass, saw %s\n%s", strict, id, v, describe(res, id))
					}
				}
			})
		}
	}
}

// BenchmarkProtectedRegister measures one protected REGISTER (confidentiality and
// integrity) end to end: parsing, opening the I_MESSAGE (ECCSI verification, SAKKE
// decapsulation), decrypting the elements, verifying the signature, and every other
// requirement. The key file's SAKKE receiver is prepared once per key period and
// reused, as in a run.
func BenchmarkProtectedRegister(b *testing.B) {
	p, err := profile.Parse([]byte(fmt.Sprintf(exampleProfile, "register")))
	if err != nil {
		b.Fatal(err)
	}
	keys, err := kms.ReadKeyFile(p.Server.Keys)
	if err != nil {
		b.Fatal(err)
	}
	raw, err := os.ReadFile("testdata/protected/register-conf-integ.sip")
	if err != nil {
		b.Fatal(err)
	}
	benchmarkRun(b, p, []*capture.Message{{Seq: 1, Name: "r.sip", Transport: "udp", Raw: raw, Status: 200, Method: "REGISTER"}}, keys)
}

// A base64 application/mikey body is a lenient reading: it passes, named, and fails
// only under --strict, and only the requirement on the body.
func TestMIKEYBase64IsLenient(t *testing.T) {
	raw, err := os.ReadFile("testdata/protected/register-conf-integ.sip")
	if err != nil {
		t.Fatal(err)
	}
	head, body, _ := bytes.Cut(raw, []byte("\r\n\r\n"))
	m, err := sipmsg.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	ct, _ := m.First("content-type")
	parts := multipart.Split(ct.Value, body).Find("application/mikey")
	if len(parts) != 1 {
		t.Fatalf("expected one application/mikey part in the example, saw %d", len(parts))
	}
	p := parts[0]
	encoded := []byte(base64.StdEncoding.EncodeToString(p.Body))
	newBody := slices.Concat(body[:p.Offset], encoded, body[p.Offset+len(p.Body):])
	newBody = bytes.Replace(newBody, []byte("Content-Type: application/mikey\r\n"), []byte("Content-Type: application/mikey\r\nContent-Transfer-Encoding: base64\r\n"), 1)
	dir := t.TempDir()
	file := dir + "/base64.sip"
	if err := os.WriteFile(file, withBody(t, append(head, "\r\n\r\n"...), string(newBody)), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, strict := range []bool{false, true} {
		res := judgeExampleFile(t, "register", file, strict)
		want := []string(nil)
		if strict {
			want = []string{"7.2.1-10"}
		}
		if got := failing(res); !slices.Equal(got, want) {
			t.Fatalf("strict=%t: expected failures %v, saw %v\n%s", strict, want, got, describe(res, append(got, "7.2.1-10")...))
		}
		if !strings.Contains(describe(res, "7.2.1-10"), "base64") || worst(res["7.2.1-13"]) != verdict.Pass {
			t.Errorf("expected the base64 reading named and the I_MESSAGE still opened:\n%s", describe(res, "7.2.1-10", "7.2.1-13"))
		}
	}
}
