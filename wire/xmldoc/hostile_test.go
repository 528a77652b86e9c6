package xmldoc

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// hostileBodies returns attacks on the parser, keyed by name. secretPath is a
// file whose content must never appear in any output.
func hostileBodies(secretPath string) map[string][]byte {
	const root = `<mcpttinfo xmlns="urn:3gpp:ns:mcpttInfo:1.0"><mcptt-Params><mcptt-access-token><mcpttString>`
	const end = `</mcpttString></mcptt-access-token></mcptt-Params></mcpttinfo>`
	laughs := `<!DOCTYPE mcpttinfo [<!ENTITY lol "lol">`
	for i := 1; i <= 9; i++ {
		laughs += fmt.Sprintf(`<!ENTITY lol%d "%s">`, i, strings.Repeat(fmt.Sprintf("&lol%d;", i-1), 10))
	}
	laughs = strings.Replace(laughs, "&lol0;", "&lol;", -1) + "]>"
	rng := rand.New(rand.NewPCG(1, 2))
	junk := make([]byte, 10<<20)
	for i := range junk {
		junk[i] = byte(rng.UintN(256))
	}
	return map[string][]byte{
		"XXE, internal subset":  []byte(`<?xml version="1.0"?><!DOCTYPE mcpttinfo [<!ENTITY xxe SYSTEM "file://` + secretPath + `">]>` + root + "&xxe;" + end),
		"XXE, /etc/passwd":      []byte(`<!DOCTYPE mcpttinfo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>` + root + "&xxe;" + end),
		"XXE, parameter entity": []byte(`<!DOCTYPE mcpttinfo [<!ENTITY % p SYSTEM "file://` + secretPath + `"> %p;]>` + root + end),
		"external DTD":          []byte(`<!DOCTYPE mcpttinfo SYSTEM "file://` + secretPath + `">` + root + end),
		"entity without DTD":    []byte(root + "&xxe;" + end),
		"billion laughs":        []byte(laughs + root + "&lol9;" + end),
		"deep nesting":          []byte(root + strings.Repeat("<a>", 100000) + strings.Repeat("</a>", 100000) + end),
		"10 MB of random bytes": junk,
		"10 MB of open tags":    []byte(strings.Repeat("<a>", 10<<20/3)),
		"10 MB of siblings":     []byte(`<mcpttinfo xmlns="urn:3gpp:ns:mcpttInfo:1.0">` + strings.Repeat("<x/>", 10<<20/4)),
		"10 MB of text":         []byte(strings.Repeat("a", 10<<20)),
		"10 MB of NUL":          make([]byte, 10<<20),
		// Just under MaxBodySize, so that the parsers see them.
		"60 KB of siblings":             []byte(`<mcpttinfo xmlns="urn:3gpp:ns:mcpttInfo:1.0">` + strings.Repeat("<x/>", 60<<10/4)),
		"60 KB of open tags":            []byte(strings.Repeat("<a>", 60<<10/3)),
		"60 KB of text":                 []byte(strings.Repeat("a", 60<<10)),
		"60 KB comment full of hyphens": []byte("<!--" + strings.Repeat("-", 60<<10)),
		"60 KB of undeclared prefixes":  []byte(`<mcpttinfo xmlns="urn:3gpp:ns:mcpttInfo:1.0">` + strings.Repeat("<x:a/>", 60<<10/6) + "</mcpttinfo>"),
		"60 KB of NUL":                  make([]byte, 60<<10),
		"unterminated DOCTYPE":          []byte("<!DOCTYPE"),
		"unterminated declaraton":       []byte("<?xml version=\"1.0\" encoding=\"UTF-8\""),
	}
}

func writeSecret(t testing.TB) (path, secret string) {
	t.Helper()
	secret = "SECRET-7f3a9c-DO-NOT-LEAK"
	path = filepath.Join(t.TempDir(), "secret.txt")
	if err := os.WriteFile(path, []byte(secret), 0o600); err != nil {
		t.Fatal(err)
	}
	return path, secret
}

// TestHostileInput checks that every attack is refused with a problem and
// that no file content reaches any output.
func TestHostileInput(t *testing.T) {
	path, secret := writeSecret(t)
	passwd, _ := os.ReadFile("/etc/passwd")
	passwdLine, _, _ := strings.Cut(string(passwd), "\n")
	for name, body := range hostileBodies(path) {
		t.Run(name, func(t *testing.T) {
			wf := CheckWellFormed(MCPTTInfo, body)
			v := validate(MCPTTInfo, body)
			root, err := Parse(body)
			if wf == nil {
				t.Error("CheckWellFormed found no problem")
			}
			if v == nil {
				t.Error("Validate found no problem")
			}
			if err == nil {
				t.Error("Parse returned no error")
			}
			out := fmt.Sprint(wf, v, root, err)
			if strings.Contains(out, secret) || (passwdLine != "" && strings.Contains(out, passwdLine)) {
				t.Errorf("file content leaked into the output: %.300s", out)
			}
		})
	}
}

// TestNoFetchInValidBodies checks that references to files in an otherwise
// valid body (XInclude, xsi:schemaLocation) are not followed.
func TestNoFetchInValidBodies(t *testing.T) {
	path, secret := writeSecret(t)
	body := []byte(`<mcpttinfo xmlns="urn:3gpp:ns:mcpttInfo:1.0" xmlns:xi="http://www.w3.org/2001/XInclude"` +
		` xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="urn:3gpp:ns:mcpttInfo:1.0 file://` + path + `">` +
		`<mcptt-Params>` + token + `</mcptt-Params><xi:include href="file://` + path + `" parse="text"/></mcpttinfo>`)
	wf, v := CheckWellFormed(MCPTTInfo, body), validate(MCPTTInfo, body)
	root, err := Parse(body)
	if wf != nil || v != nil || err != nil {
		t.Fatalf("a valid body was refused: %v %v %v", wf, v, err)
	}
	for _, e := range root.Find("http://www.w3.org/2001/XInclude", "include") {
		if strings.Contains(e.Text, secret) || len(e.Children) > 0 {
			t.Errorf("xi:include was expanded: %q", e.Raw)
		}
	}
}

func BenchmarkHostile(b *testing.B) {
	path, _ := writeSecret(b)
	for name, body := range hostileBodies(path) {
		b.Run(strings.ReplaceAll(name, " ", "_"), func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			for b.Loop() {
				CheckWellFormed(MCPTTInfo, body)
				validate(MCPTTInfo, body)
				_, _ = Parse(body)
			}
		})
	}
}
