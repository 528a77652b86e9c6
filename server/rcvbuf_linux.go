package server

import (
	"net"
	"syscall"
)

// setReceiveBuffer asks for a socket receive buffer of n bytes: SO_RCVBUFFORCE, which
// passes net.core.rmem_max for a privileged process, else SO_RCVBUF, which the kernel
// caps at rmem_max.
func setReceiveBuffer(pc net.PacketConn, n int) error {
	sc, ok := pc.(syscall.Conn)
	if !ok {
		return nil
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return err
	}
	var serr error
	if err := raw.Control(func(fd uintptr) {
		if syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUFFORCE, n) != nil {
			serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, n)
		}
	}); err != nil {
		return err
	}
	return serr
}
