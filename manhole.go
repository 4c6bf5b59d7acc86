package manhole

import (
	"context"
	"errors"
	"fmt"
	"go/token"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"github.com/gomanhole/manhole/auth"
	"github.com/gomanhole/manhole/hostkeys"
	"github.com/gomanhole/manhole/interp"
	"github.com/gomanhole/manhole/session"
	"github.com/gomanhole/manhole/sshd"
)

// Options configures a manhole. The zero value is a working, safe
// configuration.
type Options struct {
	// SocketPath is the unix socket to listen on.
	// Optional. Default: $XDG_RUNTIME_DIR/manhole/<pid>.sock when
	// XDG_RUNTIME_DIR names a directory owned by this user, else
	// /tmp/manhole-<uid>/<pid>.sock. Its directory is created with mode
	// 0700 if missing, and refused if it is a symlink, owned by another
	// user, or writable by others without the sticky bit.
	SocketPath string

	// Namespace holds the values sessions can use by name, as in
	// python-manhole's locals: {"cache": cache, "cfg": &cfg}. Pass
	// pointers for values you want sessions to modify.
	// Optional. Default: empty; the standard packages are still there.
	Namespace map[string]any

	// AllowUIDs lists the uids whose processes may connect to the socket.
	// Optional. Default: the process's own uid and root (0).
	AllowUIDs []int

	// Logger receives the audit log: connections accepted and refused,
	// authentications, sessions, and every evaluated statement.
	// Optional. Default: no logging.
	Logger *slog.Logger

	// EvalTimeout bounds each evaluation in an interactive session.
	// Optional. Default: 0, no bound (Ctrl-C always cancels).
	EvalTimeout time.Duration

	// ExecTimeout bounds each evaluation of a one-shot command (ssh host
	// CODE) or a piped script.
	// Optional. Default: 30s. Negative: no bound.
	ExecTimeout time.Duration
}

// Manhole is a running manhole. Close or Shutdown it when done: both
// remove the socket file and the metadata file.
type Manhole struct {
	opts     Options
	srv      *sshd.Server
	ln       *sshd.UnixListener
	metaPath string
	served   chan struct{} // closed when the accept loop returns

	closeOnce sync.Once
	closeErr  error
}

// Start validates opts, listens on the unix socket and serves it in one
// background goroutine.
func Start(opts Options) (*Manhole, error) {
	if err := validate(&opts); err != nil {
		return nil, err
	}
	signer, err := hostkeys.Generate()
	if err != nil {
		return nil, fmt.Errorf("manhole: %w", err)
	}
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	scfg := &session.Config{
		NewInterp: func(stdout, stderr io.Writer) (*interp.Interp, error) {
			return interp.New(interp.Options{Namespace: opts.Namespace, Stdout: stdout, Stderr: stderr})
		},
		Logger:      logger,
		EvalTimeout: opts.EvalTimeout,
		ExecTimeout: opts.ExecTimeout,
		Banner:      banner(opts.Namespace),
	}
	srv, err := sshd.New(sshd.Config{
		HostSigner: signer,
		UIDs:       auth.NewUIDPolicy(opts.AllowUIDs),
		Logger:     logger,
		Handler: func(ctx context.Context, info *sshd.SessionInfo, ch gossh.Channel, reqs <-chan *gossh.Request) {
			scfg.Serve(ctx, session.Meta{ID: info.ID, Identity: info.Identity()}, ch, reqs)
		},
	})
	if err != nil {
		return nil, fmt.Errorf("manhole: %w", err)
	}
	ln, err := sshd.ListenUnix(opts.SocketPath)
	if err != nil {
		return nil, fmt.Errorf("manhole: listen %s: %w", opts.SocketPath, err)
	}
	m := &Manhole{
		opts:     opts,
		srv:      srv,
		ln:       ln,
		metaPath: filepath.Join(filepath.Dir(opts.SocketPath), strconv.Itoa(os.Getpid())+".json"),
		served:   make(chan struct{}),
	}
	exe, _ := os.Executable()
	meta := &hostkeys.Metadata{
		PID:       os.Getpid(),
		Program:   exe,
		Args:      os.Args,
		Started:   time.Now(),
		GoVersion: runtime.Version(),
		Socket:    opts.SocketPath,
		HostKey:   hostkeys.AuthorizedKey(signer.PublicKey()),
	}
	if err := hostkeys.WriteMetadata(m.metaPath, meta); err != nil {
		ln.Close()
		return nil, fmt.Errorf("manhole: write metadata: %w", err)
	}
	go func() {
		defer close(m.served)
		if err := srv.Serve(ln); err != nil && !errors.Is(err, sshd.ErrServerClosed) {
			logger.Error("manhole: stopped serving", "err", err)
		}
	}()
	logger.Info("manhole: listening", "socket", opts.SocketPath, "host_key", hostkeys.Fingerprint(signer.PublicKey()))
	return m, nil
}

func validate(o *Options) error {
	if o.SocketPath == "" {
		o.SocketPath = sshd.DefaultSocketPath(os.Getpid())
	}
	if !filepath.IsAbs(o.SocketPath) {
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
	return nil
}

// SocketPath is the unix socket the manhole listens on.
func (m *Manhole) SocketPath() string { return m.opts.SocketPath }

// Close stops the manhole at once: it stops listening, ends every session
// (clients are told why), removes the socket and metadata files, and
// returns when the goroutines it started have ended.
func (m *Manhole) Close() error {
	m.closeOnce.Do(func() { m.closeErr = m.finish(m.srv.Close()) })
	return m.closeErr
}

// Shutdown stops listening, tells each session the manhole is shutting
// down (exit status 255) and waits for sessions to end until ctx expires,
// then closes what is left as Close does. It returns ctx's error if ctx
// expired first.
func (m *Manhole) Shutdown(ctx context.Context) error {
	m.closeOnce.Do(func() { m.closeErr = m.finish(m.srv.Shutdown(ctx)) })
	return m.closeErr
}

func (m *Manhole) finish(err error) error {
	<-m.served
	if cerr := m.ln.Close(); cerr != nil && err == nil && !errors.Is(cerr, net.ErrClosed) {
		err = cerr
	}
	if rerr := os.Remove(m.metaPath); rerr != nil && err == nil && !os.IsNotExist(rerr) {
		err = rerr
	}
	if err != nil {
		return fmt.Errorf("manhole: close: %w", err)
	}
	return nil
}

// banner returns the greeting of a terminal session.
func banner(ns map[string]any) func() string {
	names := make([]string, 0, len(ns))
	for n := range ns {
		names = append(names, n)
	}
	slices.Sort(names)
	return func() string {
		var b strings.Builder
		exe, _ := os.Executable()
		fmt.Fprintf(&b, "manhole: %s (pid %d, %s), %d goroutines\n",
			filepath.Base(exe), os.Getpid(), runtime.Version(), runtime.NumGoroutine())
		if len(names) > 0 {
			fmt.Fprintf(&b, "in scope: %s\n", strings.Join(names, ", "))
		}
		b.WriteString("type :help for help, Ctrl-D to leave\n")
		return b.String()
	}
}
