// Package liverun conducts a live run: it starts the fake MCPTT server the profile
// describes, starts the client under test (or waits for a person to), and collects
// everything received until the client is done.
package liverun

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"time"

	"github.com/mcptt-conformance/mcptt-conformance/capture"
	"github.com/mcptt-conformance/mcptt-conformance/crypto/mcx"
	"github.com/mcptt-conformance/mcptt-conformance/kms"
	"github.com/mcptt-conformance/mcptt-conformance/pcapng"
	"github.com/mcptt-conformance/mcptt-conformance/profile"
	"github.com/mcptt-conformance/mcptt-conformance/run"
	"github.com/mcptt-conformance/mcptt-conformance/server"
)

// Config says how to conduct one run.
type Config struct {
	Profile    *profile.Profile
	CaptureDir string
	// Dir is the working directory of the client command (the repository root).
	Dir string
	// ClientArgs are appended to the profile's client command (e.g. --break 7.2.1-02).
	ClientArgs []string
	// Listen overrides the profile's server.listen.
	Listen string
	// KeyDir is where a test KMS made at start-up writes its files, and the test CA its
	// certificate (CAFile); default keys/ beside the capture folder.
	KeyDir string
	// Progress receives lines a person watching the run wants to see.
	Progress io.Writer
}

// Run conducts the run: one client holding every message received, the key material
// of a protected run, how the client command ended, and the notes about the traffic
// (run.LiveNotes). Errors are the suite's own (a port in use, a client command that
// cannot start); what the client does wrong is in the run, for the checks.
func Run(ctx context.Context, cfg Config) (*run.Run, error) {
	p := cfg.Profile
	progress := cfg.Progress
	if progress == nil {
		progress = io.Discard
	}
	store, err := capture.NewSpooledStore(cfg.CaptureDir)
	if err != nil {
		return nil, err
	}
	defer store.Close() // on the early returns; the run's end closes it below
	listen := p.Server.Listen
	if cfg.Listen != "" {
		listen = cfg.Listen
	}
	if cfg.KeyDir == "" {
		cfg.KeyDir = filepath.Join(filepath.Dir(cfg.CaptureDir), "keys")
	}
	listenHost, _, _ := net.SplitHostPort(listen)
	tlsCfg, caFile, err := tlsConfig(p, listenHost, cfg.KeyDir)
	if err != nil {
		return nil, err
	}
	srv := server.New(store, append(serverOptions(p), server.WithTLS(tlsCfg, p.Server.TLS.HandshakeTimeout.Duration))...)
	if err := srv.Listen(listen); err != nil {
		return nil, err
	}
	if err := srv.ListenTLS(net.JoinHostPort(listenHost, strconv.Itoa(p.TLSPort()))); err != nil {
		srv.Close()
		return nil, err
	}
	host, port, _ := net.SplitHostPort(srv.Addr("udp").String())
	_, tlsPort, _ := net.SplitHostPort(srv.Addr("tls").String())
	res := &run.Run{Started: time.Now().UTC(), Source: fmt.Sprintf("live udp+tcp %s, tls %s", net.JoinHostPort(host, port), net.JoinHostPort(host, tlsPort))}
	ep := profile.Endpoint{Host: host, Port: port, Transport: p.Client.Transport, CAFile: caFile}
	if p.Client.Transport == "tls" {
		ep.Port = tlsPort
	}
	if p.Protected() {
		if res.Keys, ep.ClientKeys, err = keyMaterial(p, cfg.KeyDir, progress); err != nil {
			srv.Close()
			return nil, err
		}
	}
	fmt.Fprintf(progress, "fake MCPTT server listening on %s (UDP and TCP) and %s (TLS); captures in %s\n", net.JoinHostPort(host, port), net.JoinHostPort(host, tlsPort), cfg.CaptureDir)
	if caFile != "" {
		fmt.Fprintf(progress, "TLS certificate issued by the test CA %s (TEST ONLY)\n", caFile)
	}

	var short string
	switch p.Client.Start {
	case "exec":
		err = runClient(ctx, cfg, ep, res, progress)
	default:
		short, err = waitManual(ctx, p, srv, store, host, port, tlsPort, progress)
	}
	settle(ctx, srv, p.Client.Settle.Duration)
	srv.Close()
	if cerr := store.Close(); cerr != nil {
		res.Notes = append(res.Notes, cerr.Error())
	}
	res.Finished = time.Now().UTC()
	msgs := store.Messages()
	clients, clientNotes := run.Live(msgs)
	res.Clients = clients
	if short != "" {
		res.Notes = append(res.Notes, short)
	}
	res.Notes = append(res.Notes, clientNotes...)
	if perr := writePcap(filepath.Join(filepath.Dir(cfg.CaptureDir), PcapFile), msgs, srv); perr != nil {
		res.Notes = append(res.Notes, perr.Error())
	}
	res.Notes = append(res.Notes, srv.Notes()...)
	if len(srv.TLSSegments()) > 0 && tlsPort != wiresharkTLSPort {
		res.Notes = append(res.Notes, fmt.Sprintf("%s: Wireshark looks for SIP over TLS on port %s and the TLS listener was on %s: open it with -o sip.tls.port:%s to see the SIP inside", PcapFile, wiresharkTLSPort, tlsPort, tlsPort))
	}
	res.Notes = append(res.Notes, run.LiveNotes(res.ClientStatus, msgs)...)
	if p.Server.BehindIMS {
		res.Notes = append(res.Notes, run.TopologyNotes(msgs)...)
	}
	return res, err
}

// PcapFile is the file, beside the capture folder, that holds the run's traffic as
// pcapng: every message received and every response sent.
const PcapFile = "run.pcapng"

// wiresharkTLSPort is where Wireshark dissects SIP inside TLS by default (its SIP
// preference sip.tls.port, the port of RFC 3261 26.2).
const wiresharkTLSPort = "5061"

// writePcap writes what the run received and sent to path (package pcapng): UDP and
// TCP messages as they are, TLS as the records that went over TCP, with the sessions'
// key log in the file so that Wireshark decrypts them on its own.
func writePcap(path string, msgs []*capture.Message, srv *server.Server) error {
	pkts := tlsPackets(srv.TLSSegments())
	for _, m := range msgs {
		if m.Transport != "tls" {
			pkts = append(pkts, pcapng.Packet{Time: m.Time, Transport: m.Transport, From: m.Peer, To: m.Local, Payload: m.Raw})
		}
	}
	for _, r := range srv.Responses() {
		if r.Transport != "tls" {
			pkts = append(pkts, pcapng.Packet{Time: r.Time, Transport: r.Transport, From: r.From, To: r.Peer, Payload: r.Raw})
		}
	}
	return pcapng.WriteFile(path, pkts, pcapng.WithTLSKeyLog(srv.TLSKeyLog()))
}

// keyMaterial loads the profile's key file, or creates a test KMS and issues the MDSI's
// key file and the client's provisioning material for the current key period.
func keyMaterial(p *profile.Profile, dir string, progress io.Writer) (*kms.KeyFile, string, error) {
	if p.Server.Keys != "" {
		k, err := kms.ReadKeyFile(p.Server.Keys)
		if err != nil {
			return nil, "", fmt.Errorf("server.keys: %w", err)
		}
		return k, "", nil
	}
	t, err := kms.New(p.Server.KMSURI, mcx.KeyPeriod{Length: 2592000}, rand.Reader)
	if err != nil {
		return nil, "", fmt.Errorf("test KMS: %w", err)
	}
	n, err := t.PeriodAt(time.Now())
	if err != nil {
		return nil, "", fmt.Errorf("test KMS: %w", err)
	}
	keys, err := t.KeyFile(p.Server.MDSI, p.Identity.MCPTTID, n)
	if err != nil {
		return nil, "", fmt.Errorf("test KMS: key file for %s: %w", p.Server.MDSI, err)
	}
	client, err := t.ClientKeys(p.Identity.MCPTTID, p.Server.MDSI, n, rand.Reader)
	if err != nil {
		return nil, "", fmt.Errorf("test KMS: client keys for %s: %w", p.Identity.MCPTTID, err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, "", err
	}
	clientPath := filepath.Join(dir, "client-keys.json")
	if err := keys.Write(filepath.Join(dir, "keys.json")); err != nil {
		return nil, "", err
	}
	if err := client.Write(clientPath); err != nil {
		return nil, "", err
	}
	fmt.Fprintf(progress, "test KMS %s: key period %d; the MDSI's key file and the client's provisioning material (TEST ONLY) are in %s\n", p.Server.KMSURI, n, dir)
	return keys, clientPath, nil
}

func serverOptions(p *profile.Profile) []server.Option {
	opts := []server.Option{server.WithHost(p.Domain()), server.WithRegisterExpires(p.Server.RegisterExpires)}
	if d := p.Server.Digest; d != nil {
		opts = append(opts, server.WithDigest(d.Realm, d.Username, d.Password))
	}
	if r := p.Server.PublishResponse; r != nil {
		opts = append(opts, server.WithPublishRejection(r.Status, r.Reason, r.Warning))
	}
	if p.Server.BehindIMS {
		opts = append(opts, server.WithBehindIMS())
	}
	return opts
}

func runClient(ctx context.Context, cfg Config, ep profile.Endpoint, res *run.Run, progress io.Writer) error {
	p := cfg.Profile
	argv, err := p.Argv(ep)
	if err != nil {
		return err
	}
	argv = append(argv, cfg.ClientArgs...)
	ctx, cancel := context.WithTimeout(ctx, p.Client.Timeout.Duration)
	defer cancel()
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Dir = cfg.Dir
	cmd.WaitDelay = time.Second
	fmt.Fprintf(progress, "starting the client: %s\n", argv[0])
	start := time.Now()
	err = cmd.Run()
	var exit *exec.ExitError
	switch {
	case ctx.Err() == context.DeadlineExceeded:
		res.ClientStatus = fmt.Sprintf("stopped after the %s timeout (client.timeout)", p.Client.Timeout.Duration)
	case errors.As(err, &exit):
		res.ClientStatus = exit.String()
	case err != nil:
		return fmt.Errorf("starting the client %q: %w", argv[0], err)
	default:
		res.ClientStatus = "exit status 0"
	}
	fmt.Fprintf(progress, "client finished in %s: %s\n", time.Since(start).Round(time.Millisecond), res.ClientStatus)
	if res.ClientStatus != "exit status 0" {
		res.Notes = append(res.Notes, "the client command "+res.ClientStatus)
	}
	return nil
}

// waitManual prints where to point the client, then waits until the awaited requests
// arrived or the timeout ran out, with a countdown. A wait that ends short of
// client.await returns the note that says so.
func waitManual(ctx context.Context, p *profile.Profile, srv *server.Server, store *capture.Store, host, port, tlsPort string, progress io.Writer) (short string, err error) {
	fmt.Fprintf(progress, "point the client under test at sip:%s (UDP or TCP) or sips:%s (TLS); waiting up to %s for %d REGISTER and %d PUBLISH\n",
		net.JoinHostPort(host, port), net.JoinHostPort(host, tlsPort), p.Client.Timeout.Duration, p.Client.Await.Register, p.Client.Await.Publish)
	deadline := time.NewTimer(p.Client.Timeout.Duration)
	defer deadline.Stop()
	tick := time.NewTicker(5 * time.Second)
	defer tick.Stop()
	end := time.Now().Add(p.Client.Timeout.Duration)
	for {
		changed := srv.Changed()
		reg, pub := store.Count("REGISTER"), store.Count("PUBLISH")
		if reg >= p.Client.Await.Register && pub >= p.Client.Await.Publish {
			fmt.Fprintf(progress, "received %d REGISTER and %d PUBLISH\n", reg, pub)
			return "", nil
		}
		select {
		case <-ctx.Done():
			return "", ctx.Err()
		case <-deadline.C:
			fmt.Fprintf(progress, "timeout: received %d of %d REGISTER and %d of %d PUBLISH\n", reg, p.Client.Await.Register, pub, p.Client.Await.Publish)
			return fmt.Sprintf("the manual wait ended after client.timeout (%s) with %d of the %d REGISTER and %d of the %d PUBLISH awaited (client.await): the run is inconclusive", p.Client.Timeout.Duration, reg, p.Client.Await.Register, pub, p.Client.Await.Publish), nil
		case <-tick.C:
			fmt.Fprintf(progress, "waiting: %s left, %d REGISTER and %d PUBLISH so far\n", time.Until(end).Round(time.Second), reg, pub)
		case <-changed:
		}
	}
}

// settle keeps listening until nothing arrived for d, so that late messages (a
// retransmission, a log-off) are kept too.
func settle(ctx context.Context, srv *server.Server, d time.Duration) {
	for {
		select {
		case <-srv.Changed():
		case <-time.After(d):
			return
		case <-ctx.Done():
			return
		}
	}
}
