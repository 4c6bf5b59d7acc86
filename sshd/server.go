package sshd

import (
	"context"
	"errors"
	"log/slog"
	"net"
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
	ErrServerClosed = errors.New("sshd: server closed")
	// ErrShutdown is the cause a session's context carries when the
	// server shuts down.
	ErrShutdown = errors.New("sshd: server is shutting down")
	// ErrConnClosed is the cause a session's context carries when its
	// client connection went away.
	ErrConnClosed = errors.New("sshd: connection closed")
	// ErrOneShot is returned by Serve in OneShot mode once a connection
	// authenticated and it closed the listener.
	ErrOneShot = errors.New("sshd: one-shot connection authenticated; listener closed")
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

type ctxKey struct{}

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
