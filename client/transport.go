package client

import (
	"bufio"
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"time"
)

// conn is the client's socket: a UDP socket bound to the local address, or a TCP
// connection, in plaintext or under TLS.
type conn interface {
	send(b []byte) error
	// recv returns the next message; it fails with os.ErrDeadlineExceeded at the deadline.
	recv() ([]byte, error)
	SetReadDeadline(t time.Time) error
	Close() error
	local() string // HOST:PORT for Via and Contact
	reliable() bool
}

func dial(ctx context.Context, cfg *Config) (conn, error) {
	ip := net.ParseIP(cfg.Local)
	if cfg.Transport != "udp" {
		c, err := dialStream(ctx, cfg, ip)
		if err != nil {
			return nil, fmt.Errorf("connecting to %s over %s from %s: %w", cfg.Server, cfg.Transport, cfg.Local, err)
		}
		return &tcpConn{Conn: c, r: bufio.NewReaderSize(c, 8<<10)}, nil
	}
	server, err := net.ResolveUDPAddr("udp", cfg.Server)
	if err != nil {
		return nil, fmt.Errorf("--server %s: %w", cfg.Server, err)
	}
	c, err := net.ListenUDP("udp", &net.UDPAddr{IP: ip})
	if err != nil {
		return nil, fmt.Errorf("binding a udp socket on %s: %w", cfg.Local, err)
	}
	return &udpConn{UDPConn: c, server: server, buf: make([]byte, 65535)}, nil
}

// dialStream connects over TCP, and for tls runs the handshake, verifying the server's
// certificate for the host of --server against cfg.CA.
func dialStream(ctx context.Context, cfg *Config, ip net.IP) (net.Conn, error) {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: ip}}
	if cfg.Transport == "tcp" {
		return d.DialContext(ctx, "tcp", cfg.Server)
	}
	host, _, _ := net.SplitHostPort(cfg.Server)
	td := tls.Dialer{NetDialer: d, Config: &tls.Config{RootCAs: cfg.CA, ServerName: host, MinVersion: tls.VersionTLS12}}
	return td.DialContext(ctx, "tcp", cfg.Server)
}

type udpConn struct {
	*net.UDPConn
	server *net.UDPAddr
	buf    []byte
}

func (c *udpConn) send(b []byte) error {
	_, err := c.WriteToUDP(b, c.server)
	return err
}

func (c *udpConn) recv() ([]byte, error) {
	n, _, err := c.ReadFromUDP(c.buf)
	if err != nil {
		return nil, err
	}
	return append([]byte(nil), c.buf[:n]...), nil
}

func (c *udpConn) local() string  { return c.LocalAddr().String() }
func (c *udpConn) reliable() bool { return false }

type tcpConn struct {
	net.Conn
	r *bufio.Reader
}

func (c *tcpConn) send(b []byte) error {
	_, err := c.Write(b)
	return err
}

func (c *tcpConn) recv() ([]byte, error) { return readStream(c.r) }
func (c *tcpConn) local() string         { return c.LocalAddr().String() }
func (c *tcpConn) reliable() bool        { return true }
