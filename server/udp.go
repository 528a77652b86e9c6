package server

import (
	"fmt"
	"hash/fnv"
	"net"
	"runtime"
	"sync"
	"time"
)

// The UDP path: one reader that only copies each datagram off the socket and queues
// it, and workers that capture and answer. A peer's datagrams always go to the same
// worker, so they are captured and answered in the order they arrived.
const (
	maxDatagram = 65535
	// udpReceiveBuffer is the socket receive buffer asked for (SO_RCVBUF; as root
	// SO_RCVBUFFORCE, past net.core.rmem_max), so that a burst of datagrams waits in the
	// kernel rather than being dropped while the workers catch up.
	udpReceiveBuffer = 8 << 20
	// udpQueue is how many datagrams wait for each worker; when a worker's queue is
	// full the reader waits, and the socket buffer holds what comes meanwhile.
	udpQueue = 1024
	// udpWorkers is how many workers there are per processor: more than one, so that
	// UDP is not starved by the goroutines of many TCP connections.
	udpWorkers = 8
)

type datagram struct {
	raw  []byte
	peer net.Addr
	at   time.Time
}

func (s *Server) serveUDP(pc net.PacketConn) {
	defer s.wg.Done()
	queues := make([]chan datagram, udpWorkers*runtime.GOMAXPROCS(0))
	var workers sync.WaitGroup
	for i := range queues {
		queues[i] = make(chan datagram, udpQueue)
		workers.Add(1)
		go func(q <-chan datagram) {
			defer workers.Done()
			for d := range q {
				s.answerDatagram(pc, d)
			}
		}(queues[i])
	}
	defer func() {
		for _, q := range queues {
			close(q)
		}
		workers.Wait()
	}()
	buf := make([]byte, maxDatagram)
	for {
		n, peer, err := pc.ReadFrom(buf)
		if err != nil {
			if s.isClosed() {
				return
			}
			fmt.Fprintf(s.log, "udp read: %v\n", err)
			continue
		}
		h := fnv.New32a()
		h.Write([]byte(peer.String()))
		queues[h.Sum32()%uint32(len(queues))] <- datagram{raw: append([]byte(nil), buf[:n]...), peer: peer, at: time.Now().UTC()}
	}
}

// answerDatagram captures one datagram and answers it; an answer that cannot be
// written is not recorded as sent.
func (s *Server) answerDatagram(pc net.PacketConn, d datagram) {
	o := origin{transport: "udp", peer: d.peer.String(), local: pc.LocalAddr().String(), at: d.at}
	m, reply, status := s.receive(o, d.raw)
	if reply == nil {
		return
	}
	s.sent(o, m, reply, status)
	if _, err := pc.WriteTo(reply, d.peer); err != nil {
		fmt.Fprintf(s.log, "udp write to %s: %v\n", d.peer, err)
		s.unsent(m)
	}
}
