package sshd

import (
	"context"
	"fmt"
	"os"
	"runtime/debug"
	"time"

	"github.com/gliderlabs/ssh"
	gossh "golang.org/x/crypto/ssh"

	"github.com/gomanhole/manhole/auth"
)

// SessionInfo describes who opened a session channel. It is decided by
// this package from what actually authenticated.
type SessionInfo struct {
	// ID numbers sessions from 1 within a Server.
	ID uint64
	// ConnID numbers connections from 1 within a Server.
	ConnID uint64
	// User is the SSH user name the client sent (not checked).
	User string
	// Peer holds the unix-socket peer's credentials; nil over TCP.
	Peer *auth.Creds
	// Remote is the client's address.
	Remote string
	// Method is how the connection authenticated: "peer-uid" or "publickey".
	Method string
	// KeyFingerprint is the SHA256 fingerprint of the key that signed,
	// for the publickey method.
	KeyFingerprint string
	// Rights are the authorized_keys options of that key, re-checked
	// when the session opened; nil for the peer-uid method (full rights).
	Rights *auth.Rights
	// CloseConn closes the session's connection, all its channels with it.
	CloseConn func()
}

// Identity is a one-line description for logs and listings.
func (si *SessionInfo) Identity() string {
	switch {
	case si.KeyFingerprint != "":
		return si.KeyFingerprint
	case si.Peer != nil:
		return fmt.Sprintf("peer uid %d", si.Peer.UID)
	}
	return si.Remote
}

// Handler serves one accepted "session" channel until it ends. ctx is
// cancelled, with ErrShutdown or ErrConnClosed as its cause, when the
// session must end; the handler then tells the client why (exit status
// 255 for a shutdown) and returns. The handler owns ch and must close it.
type Handler func(ctx context.Context, info *SessionInfo, ch gossh.Channel, reqs <-chan *gossh.Request)

// identity names what authenticated c, for the per-identity session
// limit, and says whether c is a unix peer whose kernel-reported uid is
// the process's own or root's.
func (c *conn) identity() (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	privileged := c.peer != nil && (c.peer.UID == os.Getuid() || c.peer.UID == 0)
	switch {
	case c.method == "publickey" && c.key != nil:
		return keyFingerprint(c.key), privileged
	case c.peer != nil:
		return fmt.Sprintf("peer uid %d", c.peer.UID), privileged
	}
	return c.RemoteAddr().String(), false
}

// sessionChannel serves a "session" channel with the configured Handler,
// under recover, counting it for MaxSessions and for Shutdown.
func (s *Server) sessionChannel(_ *ssh.Server, sc *gossh.ServerConn, nc gossh.NewChannel, ctx ssh.Context) {
	tc := connOf(ctx)
	tc.mu.Lock()
	method, key := tc.method, tc.key
	if method == "" {
		tc.mu.Unlock()
		nc.Reject(gossh.Prohibited, "not authenticated")
		return
	}
	if tc.sessions >= s.cfg.MaxSessions {
		tc.mu.Unlock()
		s.authLog.Warn("manhole: session refused", "conn", tc.id, "reason", "MaxSessions per connection", "max", s.cfg.MaxSessions)
		nc.Reject(gossh.ResourceShortage, "too many sessions on this connection")
		return
	}
	tc.sessions++
	tc.mu.Unlock()
	defer func() {
		tc.mu.Lock()
		tc.sessions--
		tc.mu.Unlock()
	}()
	// Per identity (a key, a peer uid), and with room kept for the
	// process's own uid and root: any one authorized key, inspect-only
	// too, could otherwise hold every session and lock out the owner.
	ident, privileged := tc.identity()
	total := int64(s.cfg.MaxSessionsTotal)
	if !privileged {
		total -= int64(ReservedSessions)
	}
	s.mu.Lock()
	if s.perIdentity == nil {
		s.perIdentity = map[string]int{}
	}
	why := ""
	switch {
	case s.perIdentity[ident] >= s.cfg.MaxSessionsPerIdentity:
		why = "MaxSessionsPerIdentity"
	case s.sessions.Load() >= total:
		why = "MaxSessionsTotal"
	default:
		s.perIdentity[ident]++
		s.sessions.Add(1)
	}
	s.mu.Unlock()
	if why != "" {
		s.authLog.Warn("manhole: session refused", "conn", tc.id, "identity", ident, "reason", why,
			"max_total", s.cfg.MaxSessionsTotal, "max_per_identity", s.cfg.MaxSessionsPerIdentity)
		nc.Reject(gossh.ResourceShortage, "too many sessions ("+why+")")
		return
	}
	defer func() {
		s.mu.Lock()
		if s.perIdentity[ident]--; s.perIdentity[ident] <= 0 {
			delete(s.perIdentity, ident)
		}
		s.sessions.Add(-1)
		s.mu.Unlock()
	}()

	// Re-check the key now: it may have been removed from authorized_keys
	// or expired since the connection authenticated.
	var rights *auth.Rights
	if method == "publickey" {
		r, err := s.cfg.Keys.Lookup(key, tc.RemoteAddr(), time.Now())
		if err != nil {
			// The connection's credentials are no longer good: it ends,
			// rather than being asked again for every channel it opens.
			s.log.Warn("manhole: session refused; connection closed", "conn", tc.id, "key", keyFingerprint(key), "reason", err)
			nc.Reject(gossh.Prohibited, "key no longer authorized: "+err.Error())
			sc.Close()
			return
		}
		rights = r
	}

	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		nc.Reject(gossh.Prohibited, ErrShutdown.Error())
		return
	}
	s.sessWG.Add(1)
	s.mu.Unlock()
	defer s.sessWG.Done()

	ch, reqs, err := nc.Accept()
	if err != nil {
		return
	}
	info := &SessionInfo{
		ID:        s.nextSess.Add(1),
		ConnID:    tc.id,
		User:      sc.User(),
		Peer:      tc.peer,
		Remote:    tc.RemoteAddr().String(),
		Method:    method,
		Rights:    rights,
		CloseConn: func() { tc.Close() },
	}
	if rights != nil {
		info.KeyFingerprint = rights.Fingerprint
	}
	sctx, cancel := context.WithCancelCause(s.sessCtx)
	defer cancel(nil)
	if d := s.cfg.MaxSessionDuration; d > 0 {
		var stopT context.CancelFunc
		sctx, stopT = context.WithTimeoutCause(sctx, d, fmt.Errorf("sshd: maximum session duration (%v) reached", d))
		defer stopT()
	}
	stop := context.AfterFunc(ctx, func() { cancel(ErrConnClosed) })
	defer stop()

	defer func() {
		if r := recover(); r != nil {
			s.log.Error("manhole: session panic", "session", info.ID, "panic", r, "stack", string(debug.Stack()))
			ch.Close()
		}
	}()
	s.cfg.Handler(sctx, info, ch, reqs)
}
