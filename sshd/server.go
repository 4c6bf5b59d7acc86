package sshd

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"runtime/debug"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gliderlabs/ssh"
	gossh "golang.org/x/crypto/ssh"

	"github.com/gomanhole/manhole/auth"
)

// Errors a caller can branch on.
var (
	// ErrServerClosed is returned by Serve after Close or Shutdown.
	ErrServerClosed = errors.New("manhole: server closed")
	// ErrShutdown is the cause a session's context carries when the
	// server shuts down.
	ErrShutdown = errors.New("manhole is shutting down")
	// ErrConnClosed is the cause a session's context carries when its
	// client connection went away.
	ErrConnClosed = errors.New("connection closed")
	// ErrOneShot is returned by Serve in OneShot mode once a connection
	// authenticated and it closed the listener.
	ErrOneShot = errors.New("manhole: one-shot connection authenticated; listener closed")
)

// Defaults for the limits in Config.
const (
	DefaultLoginGraceTime   = 30 * time.Second
	DefaultMaxStartups      = 16
	DefaultMaxSessions      = 10
	DefaultMaxSessionsTotal = 64
	// DefaultMaxSessionsPerIdentity bounds the sessions of one key or one
	// peer uid at once.
	DefaultMaxSessionsPerIdentity = 16
	// ReservedSessions of MaxSessionsTotal only the process's own uid and
	// root (over the unix socket) may use.
	ReservedSessions    = 4
	DefaultMaxAuthTries = 6
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

// Config configures a Server. Zero values take the defaults named.
type Config struct {
	// HostSigner is the host key. Required.
	HostSigner gossh.Signer
	// UIDs admits unix-socket peers. Required for unix listeners.
	UIDs *auth.UIDPolicy
	// Handler serves session channels. Required.
	Handler Handler
	// Logger receives the audit log. Default: discard.
	Logger *slog.Logger
	// LoginGraceTime bounds the time from accept to successful
	// authentication. Default DefaultLoginGraceTime.
	LoginGraceTime time.Duration
	// MaxStartups bounds the connections that have not authenticated
	// yet, for unix sockets and for TCP each: a new one beyond it makes
	// the oldest one of its kind close. Default DefaultMaxStartups.
	MaxStartups int
	// MaxSessions bounds the session channels per connection. Default
	// DefaultMaxSessions.
	MaxSessions int
	// MaxSessionsTotal bounds the sessions open at once over all
	// connections; the last ReservedSessions of them are kept for the
	// process's own uid and root. Default DefaultMaxSessionsTotal.
	MaxSessionsTotal int
	// MaxSessionsPerIdentity bounds the sessions one key or one peer uid
	// has open at once. Default DefaultMaxSessionsPerIdentity.
	MaxSessionsPerIdentity int
	// Keys admits public keys; nil admits none.
	Keys *auth.KeyPolicy
	// RequireKey makes unix-socket peers authenticate with a key too,
	// not by their uid alone.
	RequireKey bool
	// IdleTimeout closes a connection with no traffic for this long.
	// Default: none.
	IdleTimeout time.Duration
	// MaxSessionDuration ends each session after this long, telling the
	// client why. Default: none.
	MaxSessionDuration time.Duration
	// OneShot makes Serve close its listener once a connection from it
	// authenticates (that connection is still served; other connections
	// from the listener may no longer authenticate). A connection that
	// only connects and leaves, or fails to authenticate, does not use
	// the shot.
	OneShot bool
	// OnConn, if set, is called for each admitted connection before its
	// handshake starts, so work can overlap the handshake; the function it
	// returns is called when the connection ends.
	OnConn func(connID uint64) (done func())
}

// Server serves SSH on any number of listeners.
type Server struct {
	cfg     Config
	log     *slog.Logger
	pre     *limitedLog // what is logged about unauthenticated connections
	authLog *limitedLog // failed authentications and refused sessions, on a budget of their own
	gl      *ssh.Server

	// sessCtx is the parent of every session's context; cancelled with
	// ErrShutdown by Shutdown and Close.
	sessCtx    context.Context
	cancelSess context.CancelCauseFunc

	nextConn atomic.Uint64
	nextSess atomic.Uint64
	startups atomic.Int64 // connections accepted and not yet authenticated
	sessions atomic.Int64 // session channels open; changed under mu

	mu        sync.Mutex // protects the fields below
	closed    bool
	listeners map[net.Listener]struct{}
	conns     map[*conn]struct{}
	pending   []*conn // unauthenticated connections, oldest first
	// perIdentity counts the open sessions of each identity.
	perIdentity map[string]int
	connWG      sync.WaitGroup // one per connection goroutine
	sessWG      sync.WaitGroup // one per session handler
}

// conn is an accepted connection, carrying what the accept loop learnt
// about it before the handshake.
type conn struct {
	net.Conn
	id    uint64
	peer  *auth.Creds // nil for TCP
	srv   *Server
	grace *time.Timer // set before the conn is in Server.pending
	shot  *oneShot    // the Serve it came from; see claimShot

	authOnce sync.Once
	mu       sync.Mutex // protects the fields below
	method   string
	key      gossh.PublicKey // the key whose signature was verified
	rights   *auth.Rights
	sessions int
	failures int             // failed authentication attempts, key offers included
	offered  gossh.PublicKey // the last key the client offered, for the failure log
	noneSeen bool            // the first "none" attempt, which does not count
}

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

type ctxKey struct{}

// keyFingerprint is the SHA256 fingerprint of a key, or of a
// certificate's key: what names the holder, whichever certificate it
// shows today.
// clip shortens a client-supplied string for the log.
func clip(s string) string {
	const max = 200
	if len(s) > max {
		return s[:max] + "...(" + strconv.Itoa(len(s)) + " bytes)"
	}
	return s
}

func keyFingerprint(k gossh.PublicKey) string {
	if c, ok := k.(*gossh.Certificate); ok {
		k = c.Key
	}
	return gossh.FingerprintSHA256(k)
}

// New returns a Server; it listens on nothing until Serve is called.
func New(cfg Config) (*Server, error) {
	if cfg.HostSigner == nil {
		return nil, errors.New("sshd: Config.HostSigner is required")
	}
	if cfg.Handler == nil {
		return nil, errors.New("sshd: Config.Handler is required")
	}
	if cfg.UIDs == nil {
		cfg.UIDs = auth.NewUIDPolicy(nil)
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.LoginGraceTime <= 0 {
		cfg.LoginGraceTime = DefaultLoginGraceTime
	}
	if cfg.MaxStartups <= 0 {
		cfg.MaxStartups = DefaultMaxStartups
	}
	if cfg.MaxSessions <= 0 {
		cfg.MaxSessions = DefaultMaxSessions
	}
	if cfg.MaxSessionsTotal <= 0 {
		cfg.MaxSessionsTotal = DefaultMaxSessionsTotal
	}
	if cfg.MaxSessionsPerIdentity <= 0 {
		cfg.MaxSessionsPerIdentity = DefaultMaxSessionsPerIdentity
	}
	s := &Server{
		cfg:       cfg,
		log:       cfg.Logger,
		pre:       &limitedLog{log: cfg.Logger, kind: "unauthenticated connections"},
		authLog:   &limitedLog{log: cfg.Logger, kind: "failed authentications and refused sessions"},
		listeners: map[net.Listener]struct{}{},
		conns:     map[*conn]struct{}{},
	}
	s.sessCtx, s.cancelSess = context.WithCancelCause(context.Background())
	s.gl = &ssh.Server{
		Version:     "manhole",
		HostSigners: []ssh.Signer{cfg.HostSigner},
		IdleTimeout: cfg.IdleTimeout,
		// A non-nil key handler keeps gliderlabs from switching
		// NoClientAuth on for a server without handlers.
		PublicKeyHandler:     s.publicKey,
		ConnCallback:         s.connCallback,
		ServerConfigCallback: s.serverConfig,
		ChannelHandlers:      map[string]ssh.ChannelHandler{"session": s.sessionChannel},
		RequestHandlers:      map[string]ssh.RequestHandler{},
		SubsystemHandlers:    map[string]ssh.SubsystemHandler{},
	}
	return s, nil
}

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
			return fmt.Errorf("manhole: accept: %w", err)
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
		return errors.New("one-shot manhole already used by another connection")
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

// serverConfig builds the per-connection x/crypto config. The "none"
// method is enabled only for a connection whose unix peer was admitted
// (and only when keys are not required); rights always come from what
// actually authenticated, recorded on the conn by the callbacks below.
func (s *Server) serverConfig(ctx ssh.Context) *gossh.ServerConfig {
	tc := connOf(ctx)
	cfg := &gossh.ServerConfig{
		MaxAuthTries: DefaultMaxAuthTries,
		Config: gossh.Config{
			KeyExchanges: kexAlgorithms,
			MACs:         macAlgorithms,
		},
	}
	if tc.peer != nil && !s.cfg.RequireKey {
		cfg.NoClientAuth = true
		cfg.NoClientAuthCallback = func(meta gossh.ConnMetadata) (*gossh.Permissions, error) {
			if err := s.claimShot(tc); err != nil {
				return nil, err
			}
			tc.mu.Lock()
			tc.method = "peer-uid"
			tc.mu.Unlock()
			tc.authenticated()
			s.log.Info("manhole: authenticated", "conn", tc.id, "method", "peer-uid",
				"uid", tc.peer.UID, "pid", tc.peer.PID, "user", clip(meta.User()))
			return &gossh.Permissions{}, nil
		}
	}
	// gliderlabs shares one Permissions and records the last key it was
	// asked about; the verified callback sees the key that signed.
	cfg.VerifiedPublicKeyCallback = func(meta gossh.ConnMetadata, key gossh.PublicKey, _ *gossh.Permissions, _ string) (*gossh.Permissions, error) {
		r, err := s.cfg.Keys.Lookup(key, tc.RemoteAddr(), time.Now())
		if err != nil {
			return nil, err
		}
		if err := s.claimShot(tc); err != nil {
			return nil, err
		}
		tc.mu.Lock()
		tc.method, tc.key, tc.rights = "publickey", key, r
		tc.mu.Unlock()
		tc.authenticated()
		attrs := []any{"conn", tc.id, "method", "publickey", "key", r.Fingerprint, "comment", clip(r.Comment), "user", clip(meta.User())}
		if c := r.Cert; c != nil {
			attrs = append(attrs, "cert_id", clip(c.KeyID), "serial", c.Serial, "ca", c.CA, "principal", c.Principal)
		}
		if tc.peer != nil {
			attrs = append(attrs, "uid", tc.peer.UID, "pid", tc.peer.PID)
		} else {
			attrs = append(attrs, "remote", tc.RemoteAddr().String())
		}
		s.log.Info("manhole: authenticated", attrs...)
		return &gossh.Permissions{}, nil
	}
	cfg.AuthLogCallback = func(meta gossh.ConnMetadata, method string, err error) {
		var pe *gossh.PartialSuccessError
		if err == nil || errors.As(err, &pe) {
			return
		}
		// x/crypto (since v0.59.0) no longer counts an offered key that
		// is refused as a failure; sshd does, and so do we: a client
		// offering every key of its agent gets DefaultMaxAuthTries.
		tc.mu.Lock()
		counts := method != "none" || tc.noneSeen
		if method == "none" {
			tc.noneSeen = true
		}
		if counts {
			tc.failures++
		}
		tooMany := tc.failures >= DefaultMaxAuthTries
		offered := tc.offered
		tc.mu.Unlock()
		if method != "none" || cfg.NoClientAuth {
			// What the client sent reaches these texts (an algorithm
			// or method name of any length).
			attrs := []any{"conn", tc.id, "method", clip(method), "err", clip(err.Error())}
			if method == "publickey" && offered != nil {
				// Which key: a listed key whose signature fails is worth
				// knowing (a stolen public key, a broken agent).
				attrs = append(attrs, "key", keyFingerprint(offered))
			}
			s.authLog.Info("manhole: authentication failed", attrs...)
		}
		if tooMany {
			s.authLog.Info("manhole: too many authentication failures", "conn", tc.id, "max", DefaultMaxAuthTries)
			tc.Close()
		}
	}
	return cfg
}

// publicKey answers gliderlabs' question "may this key try?". It is also
// asked about keys a client only offers; rights are decided in the
// verified callback from the key that signed.
func (s *Server) publicKey(ctx ssh.Context, key ssh.PublicKey) bool {
	tc := connOf(ctx)
	tc.mu.Lock()
	tc.offered = key
	tc.mu.Unlock()
	if _, err := s.cfg.Keys.Lookup(key, tc.RemoteAddr(), time.Now()); err != nil {
		s.authLog.Info("manhole: key refused", "conn", tc.id, "key", keyFingerprint(key), "reason", err)
		return false
	}
	return true
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
		sctx, stopT = context.WithTimeoutCause(sctx, d, fmt.Errorf("maximum session duration (%v) reached", d))
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

// Close stops listening and closes every connection at once; sessions are
// told the server is shutting down as their connections drop. It waits
// for the goroutines it started.
func (s *Server) Close() error {
	err := s.stop()
	s.closeConns()
	s.sessWG.Wait()
	s.connWG.Wait()
	s.pre.close()
	s.authLog.close()
	return err
}

// Shutdown stops listening, tells every session why it ends (exit status
// 255), waits for sessions to finish or ctx to expire, then closes the
// connections. It returns ctx's error if ctx expired first.
func (s *Server) Shutdown(ctx context.Context) error {
	err := s.stop()
	done := make(chan struct{})
	go func() {
		s.sessWG.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-ctx.Done():
		err = ctx.Err()
	}
	s.closeConns()
	<-done
	s.connWG.Wait()
	s.pre.close()
	s.authLog.close()
	return err
}

// stop marks the server closed, closes the listeners and cancels every
// session with ErrShutdown.
func (s *Server) stop() error {
	s.mu.Lock()
	s.closed = true
	var err error
	for l := range s.listeners {
		if cerr := l.Close(); cerr != nil && err == nil && !errors.Is(cerr, net.ErrClosed) {
			err = cerr
		}
	}
	s.mu.Unlock()
	s.cancelSess(ErrShutdown)
	return err
}

func (s *Server) closeConns() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.conns {
		c.Close()
	}
}
