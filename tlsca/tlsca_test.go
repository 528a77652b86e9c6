package tlsca

import (
	"crypto/x509"
	"encoding/pem"
	"testing"
)

func TestIssuedCertificateVerifiesForItsHosts(t *testing.T) {
	ca, err := New("mcptt-conformance test CA")
	if err != nil {
		t.Fatal(err)
	}
	cert, err := ca.Issue("127.0.0.1", "mcptt.example.com")
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(ca.PEM())
	if block == nil || block.Type != "CERTIFICATE" {
		t.Fatalf("expected a PEM CERTIFICATE block, saw %q", ca.PEM())
	}
	for _, tc := range []struct {
		host string
		ok   bool
	}{
		{"127.0.0.1", true},
		{"mcptt.example.com", true},
		{"127.0.0.2", false},
		{"other.example.com", false},
	} {
		_, err := cert.Leaf.Verify(x509.VerifyOptions{DNSName: tc.host, Roots: ca.Pool()})
		if (err == nil) != tc.ok {
			t.Errorf("verifying for %s: expected ok=%v, saw %v", tc.host, tc.ok, err)
		}
	}
	other, _ := New("another CA")
	if _, err := cert.Leaf.Verify(x509.VerifyOptions{DNSName: "127.0.0.1", Roots: other.Pool()}); err == nil {
		t.Error("expected a certificate of one CA to fail verification against another CA")
	}
}
