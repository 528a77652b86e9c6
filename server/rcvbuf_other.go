//go:build !linux

package server

import "net"

// setReceiveBuffer asks for a socket receive buffer of n bytes (SO_RCVBUF, capped by
// the system).
func setReceiveBuffer(pc net.PacketConn, n int) error {
	if u, ok := pc.(*net.UDPConn); ok {
		return u.SetReadBuffer(n)
	}
	return nil
}
