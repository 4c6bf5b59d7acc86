package bench

import (
	"net"
	"syscall"
)

// quickAck wraps a TCP listener so that accepted connections acknowledge
// at once instead of delaying ACKs (TCP_QUICKACK).
func quickAck(l net.Listener) net.Listener { return quickAckListener{l} }

type quickAckListener struct{ net.Listener }

func (l quickAckListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	if tc, ok := c.(*net.TCPConn); ok {
		return &quickAckConn{TCPConn: tc}, nil
	}
	return c, nil
}

// quickAckConn sets TCP_QUICKACK again after every read: Linux leaves
// quick-ACK mode on its own.
type quickAckConn struct{ *net.TCPConn }

func (c *quickAckConn) Read(p []byte) (int, error) {
	n, err := c.TCPConn.Read(p)
	if rc, rerr := c.TCPConn.SyscallConn(); rerr == nil {
		rc.Control(func(fd uintptr) {
			syscall.SetsockoptInt(int(fd), syscall.IPPROTO_TCP, syscall.TCP_QUICKACK, 1)
		})
	}
	return n, err
}
