package sshd

import (
	"errors"
	"fmt"
	"net"
	"runtime/debug"
	"slices"
	"sync/atomic"
	"time"

	"github.com/gliderlabs/ssh"

	"github.com/gomanhole/manhole/auth"
)

// Serve accepts connections on l until l fails or the server is closed,
// and closes l when it returns. It runs in the caller's goroutine: the
// only goroutine an idle manhole costs. Serve always returns a non-nil
// error; ErrServerClosed after Close or Shutdown.
func (s *Server) Serve(l net.Listener) error {
	defer l.Close()
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		l.Close()
		return ErrServerClosed
	}
	s.listeners[l] = struct{}{}
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.listeners, l)
		s.mu.Unlock()
	}()

	shot := &oneShot{l: l}
	var backoff time.Duration
	for {
		c, err := l.Accept()
		if err != nil {
			if s.isClosed() {
				return ErrServerClosed
			}
			if shot.used.Load() {
				s.log.Info("manhole: one-shot connection authenticated; no longer listening", "listener", l.Addr().String())
				return ErrOneShot
			}
			if isTemporary(err) {
				// EMFILE and friends: back off as net/http does.
				backoff = min(max(2*backoff, 5*time.Millisecond), time.Second)
				s.log.Warn("manhole: accept", "err", err, "retry_in", backoff)
				time.Sleep(backoff)
				continue
			}
			return fmt.Errorf("sshd: accept: %w", err)
		}
		backoff = 0
		s.accept(c, shot)
	}
}

// oneShot is the shot of one Serve call in OneShot mode.
type oneShot struct {
	l    net.Listener
	used atomic.Bool
}

// claimShot is called as c authenticates: in OneShot mode the first
// connection of its listener to do so takes the shot and closes the
// listener; any later one is refused.
func (s *Server) claimShot(c *conn) error {
	if !s.cfg.OneShot || c.shot == nil {
		return nil
	}
	if !c.shot.used.CompareAndSwap(false, true) {
		return errors.New("sshd: one-shot listener already used by another connection")
	}
	c.shot.l.Close()
	return nil
}

func (s *Server) isClosed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closed
}

// accept decides, before any SSH byte is sent, whether c may go on to a
// handshake, and starts serving it if so; it reports whether it did.
func (s *Server) accept(c net.Conn, shot *oneShot) bool {
	id := s.nextConn.Add(1)
	var peer *auth.Creds
	if _, isUnix := c.(*net.UnixConn); isUnix {
		creds, err := auth.PeerCreds(c)
		if err != nil {
			s.pre.Warn("manhole: connection refused", "conn", id, "reason", "no peer credentials", "err", err)
			c.Close()
			return false
		}
		if !s.cfg.UIDs.Allow(creds) {
			s.pre.Warn("manhole: connection refused", "conn", id, "reason", "peer uid not allowed",
				"uid", creds.UID, "gid", creds.GID, "pid", creds.PID)
			c.Close()
			return false
		}
		peer = creds
	}
	if peer == nil {
		// Over TCP, acknowledge at once: see quickAckConn.
		c = withQuickAck(c)
	}
	tc := &conn{Conn: c, id: id, peer: peer, srv: s, shot: shot}
	attrs := []any{"conn", id}
	if peer != nil {
		attrs = append(attrs, "uid", peer.UID, "gid", peer.GID, "pid", peer.PID)
	} else {
		attrs = append(attrs, "remote", c.RemoteAddr().String())
	}
	s.pre.Info("manhole: connection accepted", attrs...)

	// Set before tc is in s.pending, where another listener's accept
	// loop may evict it and stop the timer.
	tc.grace = time.AfterFunc(s.cfg.LoginGraceTime, func() {
		s.pre.Warn("manhole: login grace time exceeded", "conn", id, "grace", s.cfg.LoginGraceTime)
		tc.Close()
	})
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		tc.grace.Stop()
		c.Close()
		return false
	}
	s.conns[tc] = struct{}{}
	s.connWG.Add(1)
	// Beyond MaxStartups, the oldest unauthenticated connection makes
	// room: idle connections cannot lock a real login out, and their
	// number (so their memory) stays bounded. The unix socket and TCP
	// each have their own MaxStartups: a flood of TCP connections, which
	// anyone local can open, never evicts a kernel-authenticated unix
	// peer.
	var evict *conn
	s.pending = append(s.pending, tc)
	s.startups.Add(1)
	same := 0
	for _, p := range s.pending {
		if (p.peer == nil) == (tc.peer == nil) {
			if evict == nil {
				evict = p
			}
			same++
		}
	}
	if same <= s.cfg.MaxStartups {
		evict = nil
	}
	s.mu.Unlock()
	if evict != nil {
		s.pre.Warn("manhole: connection dropped", "conn", evict.id, "reason", "MaxStartups: oldest unauthenticated connection",
			"max_startups", s.cfg.MaxStartups)
		evict.authenticated()
		evict.Close()
	}

	var done func()
	if s.cfg.OnConn != nil {
		done = s.cfg.OnConn(id)
	}
	go s.serveConn(tc, done)
	return true
}

func (s *Server) serveConn(tc *conn, done func()) {
	defer s.connWG.Done()
	if done != nil {
		defer done()
	}
	defer func() {
		if r := recover(); r != nil {
			s.log.Error("manhole: connection panic", "conn", tc.id, "panic", r, "stack", string(debug.Stack()))
		}
		tc.Close()
		tc.mu.Lock()
		method, offered := tc.method, tc.offered
		tc.mu.Unlock()
		if method == "" && offered != nil {
			// x/crypto ends the connection on a signature that does not
			// verify without a word to AuthLogCallback.
			s.authLog.Info("manhole: authentication failed", "conn", tc.id, "method", "publickey",
				"key", keyFingerprint(offered), "err", "closed before authenticating: a signature that did not verify, or the client gave up")
		}
		tc.authenticated() // release the startup slot of a failed handshake
		s.mu.Lock()
		delete(s.conns, tc)
		s.mu.Unlock()
		if method == "" {
			s.pre.Info("manhole: connection closed", "conn", tc.id)
		} else {
			s.log.Info("manhole: connection closed", "conn", tc.id)
		}
	}()
	s.gl.HandleConn(tc)
}

// authenticated stops the login grace timer and frees the MaxStartups
// slot; it runs once, on success or when the connection ends.
func (c *conn) authenticated() {
	c.authOnce.Do(func() {
		if c.grace != nil {
			c.grace.Stop()
		}
		s := c.srv
		s.mu.Lock()
		if i := slices.Index(s.pending, c); i >= 0 {
			s.pending = slices.Delete(s.pending, i, i+1)
			s.startups.Add(-1)
		}
		s.mu.Unlock()
	})
}

func (s *Server) connCallback(ctx ssh.Context, c net.Conn) net.Conn {
	ctx.SetValue(ctxKey{}, c.(*conn))
	return c
}

func connOf(ctx ssh.Context) *conn {
	c, _ := ctx.Value(ctxKey{}).(*conn)
	return c
}
