package liverun

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"

	"github.com/mcptt-conformance/mcptt-conformance/pcapng"
	"github.com/mcptt-conformance/mcptt-conformance/profile"
	"github.com/mcptt-conformance/mcptt-conformance/server"
	"github.com/mcptt-conformance/mcptt-conformance/tlsca"
)

// CAFile is the file, in the run's key folder, that holds the test CA's certificate:
// what a client under test must trust ({ca_file}).
const CAFile = "ca.pem"

// tlsConfig is the TLS listener's configuration: the vendor's certificate from the
// profile, or one the test CA issues for the listen host and the MCPTT and PSI domains,
// whose CA certificate is written to dir (its path is returned, "" for a vendor's).
func tlsConfig(p *profile.Profile, listenHost, dir string) (*tls.Config, string, error) {
	t := p.Server.TLS
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	var ca *tlsca.CA
	caFile := ""
	if t.Cert != "" {
		cert, err := tls.LoadX509KeyPair(t.Cert, t.Key)
		if err != nil {
			return nil, "", fmt.Errorf("server.tls.cert and key: %w", err)
		}
		cfg.Certificates = []tls.Certificate{cert}
	} else {
		var err error
		if ca, err = tlsca.New("mcptt-conformance test CA"); err != nil {
			return nil, "", err
		}
		cert, err := ca.Issue(certHosts(p, listenHost)...)
		if err != nil {
			return nil, "", err
		}
		cfg.Certificates = []tls.Certificate{cert}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, "", err
		}
		caFile = filepath.Join(dir, CAFile)
		if err := ca.WriteFile(caFile); err != nil {
			return nil, "", err
		}
	}
	switch t.ClientAuth {
	case "request":
		cfg.ClientAuth = tls.RequestClientCert
	case "require":
		cfg.ClientAuth = tls.RequireAndVerifyClientCert
		switch {
		case t.ClientCA != "":
			b, err := os.ReadFile(t.ClientCA)
			if err != nil {
				return nil, "", fmt.Errorf("server.tls.client_ca: %w", err)
			}
			cfg.ClientCAs = x509.NewCertPool()
			if !cfg.ClientCAs.AppendCertsFromPEM(b) {
				return nil, "", fmt.Errorf("server.tls.client_ca %s: expected PEM certificates, saw none", t.ClientCA)
			}
		case ca != nil:
			cfg.ClientCAs = ca.Pool()
		default:
			return nil, "", fmt.Errorf("server.tls.client_auth: require with the vendor's certificate needs server.tls.client_ca")
		}
	}
	return cfg, caFile, nil
}

// certHosts are the names the test certificate is issued for: the listen address (the
// loopback addresses and the machine's own when it listens on all of them), the
// MCPTT domain and the PSI's host.
func certHosts(p *profile.Profile, listenHost string) []string {
	var hosts []string
	if ip := net.ParseIP(listenHost); ip != nil && ip.IsUnspecified() {
		hosts = append(hosts, "127.0.0.1", "::1", "localhost")
		addrs, _ := net.InterfaceAddrs()
		for _, a := range addrs {
			if n, ok := a.(*net.IPNet); ok && !n.IP.IsLoopback() {
				hosts = append(hosts, n.IP.String())
			}
		}
	} else {
		hosts = append(hosts, listenHost)
	}
	hosts = append(hosts, p.Domain())
	if _, rest, ok := strings.Cut(p.Server.PSI, "@"); ok {
		host, _, _ := strings.Cut(rest, ";")
		if h, _, err := net.SplitHostPort(host); err == nil {
			host = h
		}
		hosts = append(hosts, host)
	}
	return hosts
}

// tlsPackets are the TLS records of every TLS connection, as they went over TCP.
func tlsPackets(segs []server.Segment) []pcapng.Packet {
	pkts := make([]pcapng.Packet, 0, len(segs))
	for _, s := range segs {
		pkts = append(pkts, pcapng.Packet{Time: s.Time, Transport: "tls", From: s.From, To: s.To, Payload: s.Payload})
	}
	return pkts
}
