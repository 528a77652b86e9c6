package inspect

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

const (
	register = "../testdata/register.mikey"
	keys     = "../testdata/keys.json"
)

func TestInspect(t *testing.T) {
	raw, err := os.ReadFile(register)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	b64 := base64.StdEncoding.EncodeToString(raw)
	tampered := append([]byte{}, raw...)
	tampered[300] ^= 1
	tests := []struct {
		name     string
		path     string
		wantCode int
		wantCSK  string
	}{
		{"raw binary", register, 0, "7e51d42539ebdf29650b21d1b738f1a7"},
		{"base64", write("b64", []byte(b64+"\n")), 0, "7e51d42539ebdf29650b21d1b738f1a7"},
		{"mikey prefix", write("sdp", []byte("mikey "+b64)), 0, "7e51d42539ebdf29650b21d1b738f1a7"},
		{"tampered SAKKE data", write("bad", tampered), 1, ""},
		{"not MIKEY", write("junk", []byte{1, 2, 3}), 1, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			code := Main([]string{"-keys", keys, tt.path}, &out, &errOut)
			if code != tt.wantCode {
				t.Errorf("exit %d, want %d (stderr %s)", code, tt.wantCode, errOut.String())
			}
			var rep map[string]any
			if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
				t.Fatalf("stdout is not one JSON object: %v\n%s", err, out.String())
			}
			if csk, _ := rep["csk"].(string); csk != tt.wantCSK {
				t.Errorf("csk = %q, want %q", csk, tt.wantCSK)
			}
			errs, _ := rep["errors"].([]any)
			if (len(errs) == 0) != (tt.wantCode == 0) {
				t.Errorf("errors = %v with exit %d", errs, code)
			}
		})
	}
}

func TestUsage(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := Main(nil, &out, &errOut); code != 2 || out.Len() != 0 {
		t.Errorf("no arguments: exit %d, stdout %q", code, out.String())
	}
}
