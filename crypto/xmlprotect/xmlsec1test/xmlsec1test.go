// Package xmlsec1test runs Debian's xmlsec1 (libxmlsec1 with OpenSSL) as an
// independent oracle in tests of XML encryption and signatures: it decrypts
// and verifies what this project writes, and encrypts and signs what this
// project must read. Keys are raw 16-octet AES or HMAC keys.
package xmlsec1test

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"testing"
)

// Require returns the path of xmlsec1. When it is missing the test is
// skipped, or failed when the environment variable CI is "true" (the
// Makefile installs xmlsec1).
func Require(t testing.TB) string {
	t.Helper()
	path, err := exec.LookPath("xmlsec1")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("xmlsec1 is not installed (apt-get install xmlsec1); with CI=true the oracle tests may not be skipped")
		}
		t.Skip("xmlsec1 is not installed (apt-get install xmlsec1)")
	}
	return path
}

// run writes the files, runs xmlsec1 with args in a fresh directory and
// returns the contents of out (if not empty); an exit status other than 0 is
// an error carrying xmlsec1's output.
func run(t testing.TB, files map[string][]byte, out string, args ...string) ([]byte, error) {
	t.Helper()
	bin := Require(t)
	dir := t.TempDir()
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	output, err := cmd.CombinedOutput()
	if err != nil {
		return nil, fmt.Errorf("xmlsec1 %v: %v\n%s", args, err, output)
	}
	if out == "" {
		return output, nil
	}
	return os.ReadFile(filepath.Join(dir, out))
}

// nodeXPath selects the index-th (1-based) element of that local name.
func nodeXPath(local string, index int) string {
	return "(//*[local-name()='" + local + "'])[" + strconv.Itoa(index) + "]"
}

// Decrypt decrypts the index-th (1-based) EncryptedData of doc with key,
// loaded under keyName, and returns the document xmlsec1 writes.
func Decrypt(t testing.TB, key []byte, keyName string, doc []byte, index int) ([]byte, error) {
	t.Helper()
	return run(t, map[string][]byte{"key.bin": key, "doc.xml": doc}, "out.xml",
		"--decrypt", "--aeskey:"+keyName, "key.bin", "--node-xpath", nodeXPath("EncryptedData", index),
		"--output", "out.xml", "doc.xml")
}

// Verify verifies the index-th (1-based) Signature of signed with key,
// loaded under keyName, each "cid:<Content-ID>" mapped to its body.
func Verify(t testing.TB, key []byte, keyName string, signed []byte, bodies map[string][]byte, index int) error {
	t.Helper()
	files := map[string][]byte{"key.bin": key, "signed.xml": signed}
	args := []string{"--verify", "--hmackey:" + keyName, "key.bin"}
	args = mapBodies(files, args, bodies)
	args = append(args, "--node-xpath", nodeXPath("Signature", index), "signed.xml")
	out, err := run(t, files, "", args...)
	if err == nil && !bytes.Contains(out, []byte("OK")) {
		err = fmt.Errorf("xmlsec1 --verify exited 0 without OK:\n%s", out)
	}
	return err
}

// EncryptContent encrypts the content of the first element {space}local of
// doc as the template (an EncryptedData with an empty CipherValue) says, and
// returns the resulting document.
func EncryptContent(t testing.TB, key []byte, keyName string, doc, template []byte, space, local string) ([]byte, error) {
	t.Helper()
	return run(t, map[string][]byte{"key.bin": key, "doc.xml": doc, "tmpl.xml": template}, "out.xml",
		"--encrypt", "--aeskey:"+keyName, "key.bin", "--xml-data", "doc.xml",
		"--node-name", space+":"+local, "--output", "out.xml", "tmpl.xml")
}

// Sign fills in the first Signature of template (empty DigestValue and
// SignatureValue) with key, each "cid:<Content-ID>" mapped to its body.
func Sign(t testing.TB, key []byte, keyName string, template []byte, bodies map[string][]byte) ([]byte, error) {
	t.Helper()
	files := map[string][]byte{"key.bin": key, "tmpl.xml": template}
	args := []string{"--sign", "--hmackey:" + keyName, "key.bin"}
	args = mapBodies(files, args, bodies)
	args = append(args, "--output", "out.xml", "tmpl.xml")
	return run(t, files, "out.xml", args...)
}

func sortedIDs(bodies map[string][]byte) []string {
	ids := make([]string, 0, len(bodies))
	for id := range bodies {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// mapBodies adds each body as a file and an xmlsec1 --url-map from "cid:<Content-ID>"
// to it.
func mapBodies(files map[string][]byte, args []string, bodies map[string][]byte) []string {
	for i, id := range sortedIDs(bodies) {
		name := fmt.Sprintf("body%d.xml", i)
		files[name] = bodies[id]
		args = append(args, "--url-map:cid:"+id, name)
	}
	return args
}
