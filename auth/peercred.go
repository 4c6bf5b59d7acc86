package auth

import (
	"errors"
	"fmt"
	"net"
	"os"
)

// Creds are the credentials of a unix-socket peer, as the kernel recorded
// them when the peer connected. They cannot be forged by the peer.
type Creds struct {
	// UID is the peer's effective user id.
	UID int
	// GID is the peer's effective group id.
	GID int
	// PID is the peer's process id, or -1 where the OS does not report it.
	PID int
}

// String formats c for logs: "uid=1000 gid=1000 pid=4242".
func (c *Creds) String() string {
	return fmt.Sprintf("uid=%d gid=%d pid=%d", c.UID, c.GID, c.PID)
}

// ErrUnsupported is returned by PeerCreds on an OS or a connection type
// that has no peer credentials (TCP, for instance).
var ErrUnsupported = errors.New("auth: peer credentials not supported")

// PeerCreds returns the credentials of the peer of c, which must be a
// *net.UnixConn (or wrap one and expose it through a NetConn method, as
// tls.Conn does).
func PeerCreds(c net.Conn) (*Creds, error) {
	for {
		w, ok := c.(interface{ NetConn() net.Conn })
		if !ok {
			break
		}
		c = w.NetConn()
	}
	uc, ok := c.(*net.UnixConn)
	if !ok {
		return nil, fmt.Errorf("%w on %T", ErrUnsupported, c)
	}
	raw, err := uc.SyscallConn()
	if err != nil {
		return nil, err
	}
	var creds *Creds
	var credErr error
	if err := raw.Control(func(fd uintptr) { creds, credErr = getCreds(int(fd)) }); err != nil {
		return nil, err
	}
	if credErr != nil {
		return nil, os.NewSyscallError("getsockopt", credErr)
	}
	return creds, nil
}

// UIDPolicy admits unix-socket peers by uid.
type UIDPolicy struct {
	uids map[int]bool
}

// NewUIDPolicy returns a policy admitting exactly the given uids. With no
// uids it admits the process's own uid and root, which can both read the
// process's memory anyway (ptrace), so a manhole gives them nothing new.
func NewUIDPolicy(uids []int) *UIDPolicy {
	if len(uids) == 0 {
		uids = []int{os.Getuid(), 0}
	}
	p := &UIDPolicy{uids: make(map[int]bool, len(uids))}
	for _, u := range uids {
		p.uids[u] = true
	}
	return p
}

// Allow reports whether a peer with these credentials may start an SSH
// handshake.
func (p *UIDPolicy) Allow(c *Creds) bool {
	return c != nil && p.uids[c.UID]
}
