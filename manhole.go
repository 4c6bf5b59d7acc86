package manhole

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"github.com/gomanhole/manhole/auth"
	"github.com/gomanhole/manhole/hostkeys"
	"github.com/gomanhole/manhole/internal/discovery"
	"github.com/gomanhole/manhole/internal/wire"
	"github.com/gomanhole/manhole/interp"
	"github.com/gomanhole/manhole/session"
	"github.com/gomanhole/manhole/sshd"
)

// Manhole is a running manhole. Close or Shutdown it when done: both
// remove the socket file and the metadata file.
type Manhole struct {
	opts     Options
	log      *slog.Logger
	srv      *sshd.Server
	sess     *session.Server
	metaPath string
	tcpAddr  string
	stop     chan struct{}  // closed by Close/Shutdown: ends signal waits
	wg       sync.WaitGroup // one per listener goroutine

	closeOnce sync.Once
	closeErr  error
}

// Start validates opts, writes the metadata file and listens on the unix
// socket (at once, or when opts.ActivateOn arrives) and on opts.Addr, each
// served by one background goroutine.
func Start(opts Options) (*Manhole, error) {
	if err := opts.validate(); err != nil {
		return nil, err
	}
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	var signer gossh.Signer
	var err error
	if opts.HostKeyFile != "" {
		signer, err = hostkeys.LoadOrCreate(opts.HostKeyFile)
	} else {
		signer, err = hostkeys.Generate()
	}
	if err != nil {
		return nil, fmt.Errorf("manhole: %w", err)
	}
	keys, err := auth.NewKeyPolicy(auth.PolicyConfig{
		AuthorizedKeys:     opts.AuthorizedKeys,
		AuthorizedKeysFile: opts.AuthorizedKeysFile,
		TrustedUserCAKeys:  opts.TrustedUserCAKeys,
		RevokedKeysFile:    opts.RevokedKeysFile,
		Logger:             logger,
	})
	if err != nil {
		return nil, fmt.Errorf("manhole: %w", err)
	}
	m := &Manhole{
		opts: opts,
		log:  logger,
		stop: make(chan struct{}),
	}
	// Without a unix socket (Windows) there is no directory to put the
	// metadata in, nor a client that could trust it.
	if opts.SocketPath != "" {
		m.metaPath = discovery.MetadataBeside(opts.SocketPath, os.Getpid())
	}
	// The symbol index is built at the first session, not here.
	var syms *interp.Symbols
	if opts.Symbols != nil {
		syms = interp.NewSymbols(opts.Symbols)
	}
	m.sess = &session.Server{
		NewInterp: func(stdout, stderr io.Writer, width func() int) (*interp.Interp, error) {
			return interp.New(interp.Options{Namespace: opts.Namespace, Stdout: stdout, Stderr: stderr, Width: width, Symbols: syms, Logger: logger})
		},
		Logger:      logger,
		EvalTimeout: opts.EvalTimeout,
		ExecTimeout: opts.ExecTimeout,
		Banner:      banner(opts.Namespace),
		Shared:      opts.SharedNamespace,
		HistoryFile: opts.HistoryFile,
		Namespace:   opts.Namespace,
		Logs:        session.NewLogHub(),
	}
	m.srv, err = sshd.New(sshd.Config{
		HostSigner:             signer,
		UIDs:                   auth.NewUIDPolicy(opts.AllowUIDs),
		Keys:                   keys,
		RequireKey:             opts.RequireKey,
		Logger:                 logger,
		Handler:                wire.Handler(m.sess),
		LoginGraceTime:         opts.LoginGraceTime,
		MaxStartups:            opts.MaxStartups,
		MaxSessions:            opts.MaxSessions,
		MaxSessionsTotal:       opts.MaxSessionsTotal,
		MaxSessionsPerIdentity: opts.MaxSessionsPerIdentity,
		IdleTimeout:            opts.IdleTimeout,
		MaxSessionDuration:     opts.MaxSessionDuration,
		OneShot:                opts.OneShot,
		OnConn:                 m.sess.Prepare,
	})
	if err != nil {
		return nil, fmt.Errorf("manhole: %w", err)
	}

	// Listen (or prepare to) before writing the metadata, so that a
	// client reading it finds a socket or knows to send the signal.
	var unixLn *sshd.UnixListener
	switch {
	case opts.SocketPath == "":
	case opts.ActivateOn == nil:
		if unixLn, err = sshd.ListenUnix(opts.SocketPath); err != nil {
			return nil, fmt.Errorf("manhole: listen %s: %w", opts.SocketPath, err)
		}
	default:
		if err := discovery.PrepareDir(filepath.Dir(opts.SocketPath)); err != nil {
			return nil, fmt.Errorf("manhole: %w", err)
		}
	}
	var tcpLn net.Listener
	if opts.Addr != "" {
		if tcpLn, err = listenTCP(opts.Addr, opts.AllowRemote); err != nil {
			if unixLn != nil {
				unixLn.Close()
			}
			return nil, err
		}
		m.tcpAddr = tcpLn.Addr().String()
	}
	if err := m.writeMetadata(signer); err != nil {
		if unixLn != nil {
			unixLn.Close()
		}
		if tcpLn != nil {
			tcpLn.Close()
		}
		return nil, fmt.Errorf("manhole: write metadata: %w", err)
	}

	if opts.ActivateOn != nil {
		// Notify before Start returns: a signal sent right after must
		// not kill the process with the default action.
		sigs := make(chan os.Signal, 1)
		signal.Notify(sigs, opts.ActivateOn)
		m.wg.Add(1)
		go m.serveOnSignal(sigs)
	} else if unixLn != nil {
		m.wg.Add(1)
		go m.serve(unixLn)
	}
	if tcpLn != nil {
		m.wg.Add(1)
		go m.serve(tcpLn)
	}
	attrs := []any{"host_key", hostkeys.Fingerprint(signer.PublicKey())}
	if opts.SocketPath != "" {
		attrs = append([]any{"socket", opts.SocketPath}, attrs...)
	}
	if m.tcpAddr != "" {
		attrs = append(attrs, "addr", m.tcpAddr)
	}
	if opts.ActivateOn != nil {
		attrs = append(attrs, "activate_on", opts.ActivateOn.String())
		logger.Info("manhole: waiting for signal", attrs...)
	} else {
		logger.Info("manhole: listening", attrs...)
	}
	return m, nil
}

func listenTCP(addr string, allowRemote bool) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("manhole: listen %s: %w", addr, err)
	}
	// "localhost" could resolve to anything: check what was bound.
	if ta, ok := ln.Addr().(*net.TCPAddr); ok && !allowRemote && !ta.IP.IsLoopback() {
		ln.Close()
		return nil, fmt.Errorf("%w (%s resolved to %s)", ErrRemoteAddr, addr, ta.IP)
	}
	return ln, nil
}

// writeMetadata writes the metadata file, if the manhole has one.
func (m *Manhole) writeMetadata(signer gossh.Signer) error {
	if m.metaPath == "" {
		return nil
	}
	exe, _ := os.Executable()
	meta := &discovery.Metadata{
		PID:       os.Getpid(),
		Program:   exe,
		Args:      os.Args,
		Started:   time.Now(),
		GoVersion: runtime.Version(),
		Socket:    m.opts.SocketPath,
		Addr:      m.tcpAddr,
		HostKey:   hostkeys.AuthorizedKey(signer.PublicKey()),
	}
	if m.opts.ActivateOn != nil {
		meta.ActivateOn = signalName(m.opts.ActivateOn)
	}
	removeStaleMetadata(filepath.Dir(m.metaPath), m.opts.SocketPath)
	return discovery.WriteMetadata(m.metaPath, meta)
}

// removeStaleMetadata removes the metadata files beside socket that name
// it and whose process is gone: what a crash left behind, which would
// make the CLI trust the dead process's host key for this new one.
func removeStaleMetadata(dir, socket string) {
	metadata, _, _ := discovery.ReadDir(dir)
	for _, e := range metadata {
		if e.PID == os.Getpid() {
			continue
		}
		path := filepath.Join(dir, e.Name)
		md, err := discovery.ReadMetadata(path)
		if err != nil || md.Socket != socket || md.PID != e.PID {
			continue
		}
		if !discovery.LookupProcess(e.PID).Exists {
			os.Remove(path)
		}
	}
}

// serve runs one listener's accept loop: the goroutine an idle manhole
// costs per listener.
func (m *Manhole) serve(l net.Listener) {
	defer m.wg.Done()
	if err := m.srv.Serve(l); err != nil && !errors.Is(err, sshd.ErrServerClosed) && !errors.Is(err, sshd.ErrOneShot) {
		m.log.Error("manhole: stopped serving", "listener", l.Addr().String(), "err", err)
	}
}

// serveOnSignal waits for ActivateOn, then listens; after a one-shot
// connection it waits for the signal again.
func (m *Manhole) serveOnSignal(sigs chan os.Signal) {
	defer m.wg.Done()
	defer signal.Stop(sigs)
	for {
		select {
		case <-m.stop:
			return
		case <-sigs:
		}
		ln, err := sshd.ListenUnix(m.opts.SocketPath)
		if err != nil {
			m.log.Error("manhole: activation failed", "socket", m.opts.SocketPath, "err", err)
			continue
		}
		m.log.Info("manhole: activated by signal; listening", "signal", m.opts.ActivateOn.String(), "socket", m.opts.SocketPath)
		err = m.srv.Serve(ln)
		if !errors.Is(err, sshd.ErrOneShot) {
			if !errors.Is(err, sshd.ErrServerClosed) {
				m.log.Error("manhole: stopped serving", "socket", m.opts.SocketPath, "err", err)
			}
			return
		}
	}
}

// LogHandler wraps h so that records logged through it can also be
// followed live in a session with :logs. While nobody follows, the cost
// is one atomic load per record; a slow follower loses lines rather than
// slowing the application.
//
//	slog.SetDefault(slog.New(mh.LogHandler(slog.NewTextHandler(os.Stderr, nil))))
func (m *Manhole) LogHandler(h slog.Handler) slog.Handler { return m.sess.Logs.Handler(h) }

// LogWriter wraps w (a log.Logger's output, say) the way LogHandler wraps
// a handler: what is written to it still goes to w, and to :logs.
//
//	log.SetOutput(mh.LogWriter(os.Stderr))
func (m *Manhole) LogWriter(w io.Writer) io.Writer { return m.sess.Logs.Writer(w) }

// SocketPath is the unix socket the manhole listens on (or will, once
// Options.ActivateOn arrives); "" on Windows, where it has none.
func (m *Manhole) SocketPath() string { return m.opts.SocketPath }

// MetadataPath is the manhole's metadata file, <pid>.json beside the
// socket: JSON that tells clients the process, the socket or TCP address,
// the activation signal and the host key in authorized_keys form
// ("host_key"), which is how `manhole connect` verifies the server
// without a known_hosts entry. It is written with mode 0600 before Start
// returns and removed by Close and Shutdown; "" where there is none (on
// Windows).
func (m *Manhole) MetadataPath() string { return m.metaPath }

// Addr is the TCP address the manhole listens on, with the port chosen
// if Options.Addr asked for port 0; "" without TCP.
func (m *Manhole) Addr() string { return m.tcpAddr }

// Close stops the manhole at once: it stops listening, ends every session
// (clients are told why), removes the socket and metadata files, and
// returns when the goroutines it started have ended.
func (m *Manhole) Close() error {
	m.closeOnce.Do(func() {
		close(m.stop)
		m.closeErr = m.finish(m.srv.Close())
	})
	return m.closeErr
}

// Shutdown stops listening, tells each session the manhole is shutting
// down (exit status 255) and waits for sessions to end until ctx expires,
// then closes what is left as Close does. It returns ctx's error if ctx
// expired first.
func (m *Manhole) Shutdown(ctx context.Context) error {
	m.closeOnce.Do(func() {
		close(m.stop)
		m.closeErr = m.finish(m.srv.Shutdown(ctx))
	})
	return m.closeErr
}

func (m *Manhole) finish(err error) error {
	// The listeners' goroutines close their listeners (removing the
	// socket file) as they return.
	m.wg.Wait()
	m.sess.Close()
	if m.metaPath != "" {
		if rerr := os.Remove(m.metaPath); rerr != nil && err == nil && !os.IsNotExist(rerr) {
			err = rerr
		}
	}
	if err != nil && !errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, context.Canceled) {
		return fmt.Errorf("manhole: close: %w", err)
	}
	return err
}

// signalName is the conventional name of a signal ("SIGUSR1").
func signalName(s os.Signal) string {
	if n, ok := signalNames[s]; ok {
		return n
	}
	return s.String()
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
		// runtime.NumGoroutine is the one goroutine count manhole shows
		// (banner, :mem, :goroutines): the runtime's own are not in it.
		fmt.Fprintf(&b, "manhole: %s (pid %d, %s), %d goroutines\n",
			filepath.Base(exe), os.Getpid(), runtime.Version(), runtime.NumGoroutine())
		if len(names) > 0 {
			fmt.Fprintf(&b, "in scope: %s\n", strings.Join(names, ", "))
		}
		b.WriteString("type :help for help, Ctrl-D to leave\n")
		return b.String()
	}
}
