package liverun

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mcptt-conformance/mcptt-conformance/profile"
	"github.com/mcptt-conformance/mcptt-conformance/tlsca"
)

func tlsProfile(t *testing.T, tlsYAML string) *profile.Profile {
	t.Helper()
	p, err := profile.Parse([]byte(`
authz: publish
identity: {mcptt_id: "sip:alice@mcptt.example.com", client_id: "urn:uuid:1", access_token: tok}
settings: {answer_mode: auto-answer, user_profile_index: 1, multiplex_support: true}
server: {listen: "127.0.0.1:0", psi: "sip:psi@psi.example.com;transport=tls", tls: ` + tlsYAML + `}
client: {exec: x}
`))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// The test CA's certificate covers the listen address and the MCPTT and PSI domains,
// and ca.pem verifies it.
func TestTLSConfigFromTheTestCA(t *testing.T) {
	dir := t.TempDir()
	cfg, caFile, err := tlsConfig(tlsProfile(t, "{client_auth: require}"), "127.0.0.1", dir)
	if err != nil {
		t.Fatal(err)
	}
	if caFile != filepath.Join(dir, CAFile) || cfg.ClientAuth != tls.RequireAndVerifyClientCert || cfg.ClientCAs == nil {
		t.Fatalf("expected %s and mutual TLS against the test CA, saw %q %v", CAFile, caFile, cfg.ClientAuth)
	}
	b, err := os.ReadFile(caFile)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), "PRIVATE KEY") {
		t.Fatal("the CA file must hold the certificate only")
	}
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(b)
	leaf := cfg.Certificates[0].Leaf
	for _, host := range []string{"127.0.0.1", "mcptt.example.com", "psi.example.com"} {
		if _, err := leaf.Verify(x509.VerifyOptions{DNSName: host, Roots: roots}); err != nil {
			t.Errorf("expected the certificate valid for %s: %v", host, err)
		}
	}
}

// A vendor's certificate and key are used as they are; mutual TLS with them needs the
// CAs of the client certificates.
func TestTLSConfigFromTheVendor(t *testing.T) {
	dir := t.TempDir()
	ca, err := tlsca.New("vendor CA")
	if err != nil {
		t.Fatal(err)
	}
	cert, err := ca.Issue("sip.vendor.example.com")
	if err != nil {
		t.Fatal(err)
	}
	key, err := x509.MarshalPKCS8PrivateKey(cert.PrivateKey)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Certificate[0]}), 0o600)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: key}), 0o600)
	vendor := "{cert: " + certFile + ", key: " + keyFile
	cfg, caFile, err := tlsConfig(tlsProfile(t, vendor+"}"), "127.0.0.1", filepath.Join(dir, "keys"))
	if err != nil {
		t.Fatal(err)
	}
	if caFile != "" || len(cfg.Certificates) != 1 || cfg.ClientAuth != tls.NoClientCert {
		t.Fatalf("expected the vendor's certificate alone, no CA file, saw %q %d", caFile, len(cfg.Certificates))
	}
	if _, _, err := tlsConfig(tlsProfile(t, vendor+", client_auth: require}"), "127.0.0.1", dir); err == nil || !strings.Contains(err.Error(), "server.tls.client_ca") {
		t.Errorf("expected require with the vendor's certificate to ask for server.tls.client_ca, saw %v", err)
	}
	if _, _, err := tlsConfig(tlsProfile(t, "{cert: "+keyFile+", key: "+keyFile+"}"), "127.0.0.1", dir); err == nil || !strings.Contains(err.Error(), "server.tls.cert") {
		t.Errorf("expected an unreadable certificate named, saw %v", err)
	}
}
