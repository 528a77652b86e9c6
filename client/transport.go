package client

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"time"
)

// conn is the client's socket: a UDP socket bound to the local address, or a TCP connection.
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
	if cfg.Transport == "tcp" {
		d := net.Dialer{LocalAddr: &net.TCPAddr{IP: ip}}
		c, err := d.DialContext(ctx, "tcp", cfg.Server)
		if err != nil {
			return nil, fmt.Errorf("connecting to %s over tcp from %s: %w", cfg.Server, cfg.Local, err)
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
