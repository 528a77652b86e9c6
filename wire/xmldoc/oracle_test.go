package xmldoc

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sync"
	"testing"

	"github.com/mcptt-conformance/mcptt-conformance/schemas"
)

// TestXmllintAgrees cross-checks Validate against xmllint, a separate
// libxml2 front end, on every conformant body, legal variation and schema
// fault: both must agree on validity and on the lines of the errors.
func TestXmllintAgrees(t *testing.T) {
	xmllint, err := exec.LookPath("xmllint")
	if err != nil {
		t.Skip("xmllint not installed (Debian: libxml2-utils)")
	}
	dir := t.TempDir()
	if err := os.CopyFS(filepath.Join(dir, "schemas"), schemas.FS); err != nil {
		t.Fatal(err)
	}
	type input struct {
		name string
		kind Kind
		body []byte
	}
	var inputs []input
	for _, c := range conformant {
		inputs = append(inputs, input{c.file, c.kind, readTestdata(t, c.file)})
	}
	for _, l := range legal {
		inputs = append(inputs, input{l.name, l.kind, []byte(l.body)})
	}
	for _, f := range schemaFaults {
		inputs = append(inputs, input{f.name, f.kind, []byte(f.body)})
	}
	lineRE := regexp.MustCompile(`(?m)^[^:\n]+\.xml:(\d+): .*Schemas validity error`)
	for i, in := range inputs {
		t.Run(in.name, func(t *testing.T) {
			doc := filepath.Join(dir, fmt.Sprintf("doc%d.xml", i))
			if err := os.WriteFile(doc, in.body, 0o600); err != nil {
				t.Fatal(err)
			}
			schema := filepath.Join(dir, "schemas", kinds[in.kind].schema)
			out, err := exec.Command(xmllint, "--noout", "--nonet", "--schema", schema, doc).CombinedOutput()
			var exit *exec.ExitError
			if err != nil && !errors.As(err, &exit) {
				t.Fatal(err)
			}
			var lintLines []string
			for _, m := range lineRE.FindAllStringSubmatch(string(out), -1) {
				lintLines = append(lintLines, m[1])
			}
			var ourLines []string
			for _, p := range validate(in.kind, in.body) {
				ourLines = append(ourLines, fmt.Sprint(p.Line))
			}
			if (err == nil) != (ourLines == nil) || !slices.Equal(lintLines, ourLines) {
				t.Errorf("xmllint (exit %v) reported lines %v:\n%s\nValidate reported lines %v", err, lintLines, out, ourLines)
			}
		})
	}
}

// TestConcurrentValidate runs the checks from many goroutines on one set of
// compiled schemas; each result must match the sequential one. Run it with
// -race.
func TestConcurrentValidate(t *testing.T) {
	type job struct {
		kind Kind
		body []byte
		want string
	}
	var jobs []job
	for _, c := range conformant {
		jobs = append(jobs, job{kind: c.kind, body: readTestdata(t, c.file)})
	}
	for _, f := range append(slices.Clone(schemaFaults), wellFormedFaults...) {
		jobs = append(jobs, job{kind: f.kind, body: []byte(f.body)})
	}
	for i := range jobs {
		jobs[i].want = fmt.Sprint(CheckWellFormed(jobs[i].kind, jobs[i].body), validate(jobs[i].kind, jobs[i].body))
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for n := range 50 {
				j := jobs[(g*7+n)%len(jobs)]
				_, _ = Parse(j.body)
				if got := fmt.Sprint(CheckWellFormed(j.kind, j.body), validate(j.kind, j.body)); got != j.want {
					t.Errorf("concurrent result %s, sequential %s", got, j.want)
				}
			}
		})
	}
	wg.Wait()
}

// BenchmarkPlainInfo measures the three calls on a plaintext mcptt-info body.
func BenchmarkPlainInfo(b *testing.B) {
	body := readTestdata(b, "register-info.xml")
	if err := loadSchemas(); err != nil {
		b.Fatal(err)
	}
	b.Run("CheckWellFormed", func(b *testing.B) {
		for b.Loop() {
			CheckWellFormed(MCPTTInfo, body)
		}
	})
	b.Run("Validate", func(b *testing.B) {
		for b.Loop() {
			validate(MCPTTInfo, body)
		}
	})
	b.Run("Parse", func(b *testing.B) {
		for b.Loop() {
			_, _ = Parse(body)
		}
	})
	b.Run("all three", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			CheckWellFormed(MCPTTInfo, body)
			validate(MCPTTInfo, body)
			_, _ = Parse(body)
		}
	})
}
