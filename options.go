package manhole

import (
	"errors"
	"fmt"
	"go/token"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"reflect"
	"time"

	"github.com/gomanhole/manhole/internal/discovery"
	"github.com/gomanhole/manhole/session"
	"github.com/gomanhole/manhole/sshd"
)

// Options configures a manhole. The zero value is a working, safe
// configuration: a unix socket that only this user and root can use.
type Options struct {
	// SocketPath is the unix socket to listen on.
	// Optional. Default: $XDG_RUNTIME_DIR/manhole/<pid>.sock when
	// XDG_RUNTIME_DIR names a directory owned by this user, else
	// /tmp/manhole-<uid>/<pid>.sock. Its directory is created with mode
	// 0700 if missing, and refused if it is a symlink, owned by another
	// user, or writable by others without the sticky bit. The metadata
	// file <pid>.json is written beside it (Manhole.MetadataPath).
	// Not on Windows, which cannot check a unix socket's peer uid: there
	// it must be empty, and the manhole listens on Addr alone.
	SocketPath string

	// Namespace holds the values sessions can use by name, as in
	// python-manhole's locals: {"cache": cache, "cfg": &cfg}. Pass
	// pointers for values you want sessions to modify.
	// Optional. Default: empty; the standard packages are still there.
	Namespace map[string]any

	// Symbols are compiled packages that sessions can import beyond the
	// default set (a curated part of the standard library, package
	// interp/stdsyms): symbol tables as yaegi's extractor writes them,
	// import path and name ("encoding/xml/xml") to exported name to
	// value. Pass interp/stdlib.Symbols for the whole standard library
	// (about 8 MiB more in a stripped binary), or the application's own
	// packages as `manhole extract` writes them (cmd/manhole; see
	// examples/inventory); merge several tables into one map. Their packages are imported by path, or automatically by
	// name as the standard ones are.
	// Optional. Default: none, the curated set only.
	Symbols map[string]map[string]reflect.Value

	// AllowUIDs lists the uids whose processes may connect to the socket.
	// Optional. Default: the process's own uid and root (0), who can
	// both read the process's memory anyway.
	AllowUIDs []int

	// AuthorizedKeys is authorized_keys text: keys that may log in.
	// OpenSSH options are honoured: command="...", no-pty, restrict,
	// from="...", expiry-time="...", and manhole's own inspect-only
	// (':' diagnostic commands only, no evaluation). As in sshd, the
	// first line listing a key that lets the client in decides. A
	// cert-authority line admits OpenSSH user certificates signed by its
	// key (see TrustedUserCAKeys); that key itself never logs in.
	// Optional. Default: none.
	AuthorizedKeys string

	// AuthorizedKeysFile is an authorized_keys file, re-read whenever it
	// changes (checked at each login attempt; nothing runs while idle).
	// A line that does not parse is skipped and logged. As sshd's
	// StrictModes, the file is refused while it or a directory above it
	// is writable by group or others or owned by another user.
	// Optional. Default: none.
	AuthorizedKeysFile string

	// TrustedUserCAKeys are the public keys of certificate authorities
	// whose OpenSSH user certificates (ssh-keygen -s) may log in, one per
	// line in authorized_keys form, as sshd's TrustedUserCAKeys: each
	// line is taken as a cert-authority line and may carry its options
	// (principals="...", inspect-only, from=...). A certificate gets in
	// when it is valid now, signed by one of these keys, and names a
	// principal from the line's principals= or, without it, the account
	// the process runs as (its user name, as sshd wants the account
	// logged into; the SSH user name the client sends does not matter).
	// Its critical options force-command and source-address are
	// enforced, any other refuses it, and without the permit-pty
	// extension it gets no terminal.
	// Optional. Default: none.
	TrustedUserCAKeys string

	// RevokedKeysFile lists revoked keys and certificates, as sshd's
	// RevokedKeys: an OpenSSH KRL (ssh-keygen -k: by key, by certificate
	// serial or key id, by CA) or a text file of public keys. A revoked
	// key also revokes its certificates; a revoked CA key, the
	// certificates it signed. Re-read when it changes; replace it
	// atomically (write a new file, rename it). While it is missing,
	// unreadable, malformed or writable by another user, no key or
	// certificate gets in (the peer-uid check still lets local users in).
	// Sessions already open run on.
	// Optional. Default: none.
	RevokedKeysFile string

	// RequireKey makes unix-socket clients authenticate with a key as
	// well as pass the uid check.
	// Optional. Default: false; the peer uid alone suffices.
	RequireKey bool

	// Addr is a TCP address to listen on as well, such as
	// "127.0.0.1:2222". TCP clients always need a key (AuthorizedKeys or
	// AuthorizedKeysFile). Only loopback addresses are accepted unless
	// AllowRemote is set.
	// Optional. Default: no TCP listener. Required on Windows.
	Addr string

	// AllowRemote permits a non-loopback Addr.
	// Optional. Default: false.
	AllowRemote bool

	// HostKeyFile keeps the host key on disk so TCP clients see the same
	// key across restarts: an ed25519 key is created there (mode 0600,
	// atomic rename) if the file does not exist.
	// Optional. Default: a new key in memory at each Start; unix-socket
	// clients verify it through the metadata file.
	HostKeyFile string

	// ActivateOn is a signal (such as syscall.SIGUSR1) that makes the
	// manhole start listening: until it arrives, no socket exists. The
	// metadata file says which signal, so `manhole connect PID` can send
	// it. Only this signal is intercepted.
	// Optional. Default: listen at once.
	ActivateOn os.Signal

	// OneShot stops listening once a connection authenticates, which is
	// still served; one that connects and leaves, or fails to
	// authenticate, does not count. With ActivateOn, the next signal
	// listens again. Optional. Default: false.
	OneShot bool

	// SharedNamespace makes all sessions share one interpreter, as
	// aiomanhole's shared=True: a variable or function declared in one
	// session is visible in the others, and evaluations run one at a
	// time. It is built at the first session, not at Start.
	// Optional. Default: false, each session has its own namespace.
	SharedNamespace bool

	// HistoryFile keeps what each identity typed across restarts of the
	// process. Each identity (key fingerprint, or peer uid) has a file of
	// its own, HistoryFile-<16 hex digits of the identity's SHA-256>,
	// created 0600; a file that is a symlink, not this process's, or
	// readable by others is not used (a warning is logged). Inputs land
	// there as typed, secrets included, as they land in the audit log.
	// Optional. Default: "", history lasts as long as the process (1000
	// inputs per identity, 64 identities).
	HistoryFile string

	// Logger receives the audit log: connections accepted and refused,
	// authentications (with key fingerprints), sessions, and every
	// evaluated statement (which may contain secrets typed by users).
	// Optional. Default: no logging.
	Logger *slog.Logger

	// EvalTimeout bounds each evaluation in an interactive session.
	// Optional. Default: 0, no bound (Ctrl-C always cancels).
	EvalTimeout time.Duration

	// ExecTimeout bounds each evaluation of a one-shot command (ssh host
	// CODE) or a piped script.
	// Optional. Default: 30s. Negative: no bound.
	ExecTimeout time.Duration

	// LoginGraceTime closes a connection that has not authenticated in
	// this long (sshd's LoginGraceTime).
	// Optional. Default: 30s.
	LoginGraceTime time.Duration

	// MaxStartups bounds the connections that have not authenticated
	// yet, for the unix socket and for TCP each (sshd's MaxStartups):
	// beyond it a new connection makes the oldest of its kind close, so
	// a TCP flood never pushes out a unix-socket login.
	// Optional. Default: 16.
	MaxStartups int

	// MaxSessions bounds the sessions per connection (sshd's
	// MaxSessions).
	// Optional. Default: 10.
	MaxSessions int

	// MaxSessionsPerIdentity bounds the sessions one key or one peer uid
	// has open at once. Optional. Default: 16.
	MaxSessionsPerIdentity int

	// MaxSessionsTotal bounds the sessions open at once; the last 4 are
	// kept for the process's own uid and root over the unix socket.
	// Optional. Default: 64.
	MaxSessionsTotal int

	// IdleTimeout closes a connection without traffic for this long.
	// Optional. Default: none.
	IdleTimeout time.Duration

	// MaxSessionDuration ends a session after this long, telling the
	// client why (exit status 255).
	// Optional. Default: none.
	MaxSessionDuration time.Duration
}

// Errors returned by Start that callers may branch on.
var (
	// ErrNoAuth: the options let nobody in (for example Addr or
	// RequireKey without keys).
	ErrNoAuth = errors.New("manhole: nobody could authenticate")
	// ErrRemoteAddr: Addr is not a loopback address and AllowRemote is
	// not set.
	ErrRemoteAddr = errors.New("manhole: Options.Addr is not a loopback address")
)

func (o *Options) validate() error {
	if err := o.validatePlatform(); err != nil {
		return err
	}
	if o.SocketPath == "" && unixSockets {
		o.SocketPath = discovery.DefaultSocketPath(os.Getpid())
	}
	if o.SocketPath != "" && !filepath.IsAbs(o.SocketPath) {
		abs, err := filepath.Abs(o.SocketPath)
		if err != nil {
			return fmt.Errorf("manhole: Options.SocketPath: %w", err)
		}
		o.SocketPath = abs
	}
	// sun_path is 108 bytes on Linux, 104 on macOS, NUL included.
	if len(o.SocketPath) > 103 {
		return fmt.Errorf("manhole: Options.SocketPath %q is %d bytes; unix sockets allow at most 103: choose a shorter path", o.SocketPath, len(o.SocketPath))
	}
	for name := range o.Namespace {
		if !token.IsIdentifier(name) {
			return fmt.Errorf("manhole: Options.Namespace: %q is not a Go identifier; rename it", name)
		}
	}
	for _, uid := range o.AllowUIDs {
		if uid < 0 {
			return fmt.Errorf("manhole: Options.AllowUIDs: %d is not a uid", uid)
		}
	}
	noKeys := o.AuthorizedKeys == "" && o.AuthorizedKeysFile == "" && o.TrustedUserCAKeys == ""
	if o.Addr != "" && noKeys {
		return fmt.Errorf("%w: Options.Addr needs AuthorizedKeys, AuthorizedKeysFile or TrustedUserCAKeys (TCP clients always authenticate with a key)", ErrNoAuth)
	}
	if o.RequireKey && noKeys {
		return fmt.Errorf("%w: Options.RequireKey needs AuthorizedKeys, AuthorizedKeysFile or TrustedUserCAKeys", ErrNoAuth)
	}
	if o.Addr != "" && !o.AllowRemote {
		if err := checkLoopback(o.Addr); err != nil {
			return err
		}
	}
	for _, d := range []struct {
		name string
		v    time.Duration
	}{{"EvalTimeout", o.EvalTimeout}, {"LoginGraceTime", o.LoginGraceTime}, {"IdleTimeout", o.IdleTimeout}, {"MaxSessionDuration", o.MaxSessionDuration}} {
		if d.v < 0 {
			return fmt.Errorf("manhole: Options.%s is negative (%v)", d.name, d.v)
		}
	}
	if o.MaxStartups < 0 || o.MaxSessions < 0 || o.MaxSessionsTotal < 0 || o.MaxSessionsPerIdentity < 0 {
		return errors.New("manhole: Options.MaxStartups, MaxSessions, MaxSessionsTotal and MaxSessionsPerIdentity must not be negative")
	}
	o.setDefaults()
	return nil
}

// DefaultOptions returns the options' defaults that are not a zero value:
// what Start uses for each of these fields left zero. It is the one source
// of them; the documentation of each field and README's table are checked
// against it (TestDefaultsDocumented).
func DefaultOptions() Options {
	return Options{
		ExecTimeout:            session.DefaultExecTimeout,
		LoginGraceTime:         sshd.DefaultLoginGraceTime,
		MaxStartups:            sshd.DefaultMaxStartups,
		MaxSessions:            sshd.DefaultMaxSessions,
		MaxSessionsPerIdentity: sshd.DefaultMaxSessionsPerIdentity,
		MaxSessionsTotal:       sshd.DefaultMaxSessionsTotal,
	}
}

// setDefaults fills the zero fields that have a default.
func (o *Options) setDefaults() {
	d := DefaultOptions()
	for _, f := range []struct {
		v   *time.Duration
		def time.Duration
	}{{&o.ExecTimeout, d.ExecTimeout}, {&o.LoginGraceTime, d.LoginGraceTime}} {
		if *f.v == 0 {
			*f.v = f.def
		}
	}
	for _, f := range []struct{ v, def *int }{
		{&o.MaxStartups, &d.MaxStartups}, {&o.MaxSessions, &d.MaxSessions},
		{&o.MaxSessionsPerIdentity, &d.MaxSessionsPerIdentity}, {&o.MaxSessionsTotal, &d.MaxSessionsTotal},
	} {
		if *f.v == 0 {
			*f.v = *f.def
		}
	}
}

// checkLoopback refuses an address that is not loopback: an empty host
// (all interfaces) or any name but localhost.
func checkLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("manhole: Options.Addr %q: %w", addr, err)
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("%w (%q); use 127.0.0.1:PORT, or set AllowRemote to listen beyond this machine", ErrRemoteAddr, addr)
}
