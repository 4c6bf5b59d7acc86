package session

import (
	"bytes"
	"context"
	"errors"
	"io"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"github.com/gomanhole/manhole/auth"
	"github.com/gomanhole/manhole/hostkeys"
	"github.com/gomanhole/manhole/internal/testkit"
	"github.com/gomanhole/manhole/interp"
	"github.com/gomanhole/manhole/sshd"
)

// testManhole is a session.Server served over SSH on a real unix socket,
// as manhole.Start serves it.
type testManhole struct {
	cfg  *Server
	path string
	host gossh.PublicKey
	srv  *sshd.Server
}

// testOption adjusts the Config before it serves, or each session's Meta
// (a key's restrictions, for instance).
type testOption struct {
	config func(*Server)
	meta   func(*Meta)
}

func withConfig(f func(*Server)) testOption { return testOption{config: f} }
func withMeta(f func(*Meta)) testOption     { return testOption{meta: f} }

// startTestManhole serves a new Config over SSH on a unix socket.
func startTestManhole(t *testing.T, opts ...testOption) *testManhole {
	t.Helper()
	signer, err := hostkeys.Generate()
	if err != nil {
		t.Fatal(err)
	}
	cfg := &Server{
		NewInterp: func(stdout, stderr io.Writer, width func() int) (*interp.Interp, error) {
			return interp.New(interp.Options{Stdout: stdout, Stderr: stderr})
		},
	}
	// Set before serving: sessions read the Config from other goroutines.
	for _, o := range opts {
		if o.config != nil {
			o.config(cfg)
		}
	}
	srv, err := sshd.New(sshd.Config{
		HostSigner: signer,
		UIDs:       auth.NewUIDPolicy(nil),
		Handler: func(ctx context.Context, info *sshd.SessionInfo, ch gossh.Channel, reqs <-chan *gossh.Request) {
			m := Meta{ID: info.ID, Identity: info.Identity(), UID: -1, PID: -1, Remote: info.Remote, CloseConn: info.CloseConn}
			if info.Peer != nil {
				m.UID, m.PID = info.Peer.UID, info.Peer.PID
			}
			for _, o := range opts {
				if o.meta != nil {
					o.meta(&m)
				}
			}
			cfg.Serve(ctx, m, ch, reqs)
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	// Unix socket paths are limited to about 100 bytes: t.TempDir() under
	// a long test name is too long.
	dir := testkit.ShortDir(t)
	path := filepath.Join(dir, "m.sock")
	l, err := sshd.ListenUnix(path)
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan struct{})
	go func() {
		defer close(served)
		srv.Serve(l)
	}()
	t.Cleanup(func() {
		srv.Close()
		<-served
	})
	return &testManhole{cfg: cfg, path: path, host: signer.PublicKey(), srv: srv}
}

func (m *testManhole) dial(t *testing.T) *gossh.Client {
	t.Helper()
	return testkit.Connect(t, "unix", m.path, testkit.ClientConfig(m.host))
}

// execResult is the outcome of one exec request.
type execResult struct {
	stdout, stderr []byte
	code           int
}

// exec runs cmd as an exec request and returns its outputs and exit
// status.
func (m *testManhole) exec(t *testing.T, cmd string) execResult {
	t.Helper()
	stdout, stderr, code, err := testkit.Exec(m.dial(t), cmd)
	if err != nil {
		t.Fatalf("session: %v", err)
	}
	return execResult{[]byte(stdout), []byte(stderr), code}
}

// syncBuffer collects a session's output as it arrives and lets a test
// wait for a piece of it.
type syncBuffer struct {
	mu   sync.Mutex // protects b
	b    bytes.Buffer
	more chan struct{} // a token after each write
}

func newSyncBuffer() *syncBuffer { return &syncBuffer{more: make(chan struct{}, 1)} }

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	s.b.Write(p)
	s.mu.Unlock()
	select {
	case s.more <- struct{}{}:
	default:
	}
	return len(p), nil
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// waitFor waits until the output from byte from on contains want, and
// returns the offset just past it.
func (s *syncBuffer) waitFor(t *testing.T, from int, want string) int {
	t.Helper()
	deadline := time.NewTimer(30 * time.Second)
	defer deadline.Stop()
	for {
		out := s.String()
		if i := strings.Index(out[from:], want); i >= 0 {
			return from + i + len(want)
		}
		select {
		case <-s.more:
		case <-deadline.C:
			t.Fatalf("timed out waiting for %q in:\n%s", want, out[from:])
		}
	}
}

// ptySession is a terminal session: what a user of ssh -t has.
type ptySession struct {
	sess  *gossh.Session
	stdin io.WriteCloser
	out   *syncBuffer
	mark  int // output before mark has been looked at
}

func (m *testManhole) pty(t *testing.T) *ptySession {
	t.Helper()
	sess, err := m.dial(t).NewSession()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sess.Close() })
	if err := sess.RequestPty("xterm", 40, 120, gossh.TerminalModes{}); err != nil {
		t.Fatal(err)
	}
	stdin, err := sess.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	p := &ptySession{sess: sess, stdin: stdin, out: newSyncBuffer()}
	sess.Stdout, sess.Stderr = p.out, p.out
	if err := sess.Shell(); err != nil {
		t.Fatal(err)
	}
	p.expect(t, prompt)
	return p
}

// expect waits for want in the output not looked at yet and returns that
// output up to and including want.
func (p *ptySession) expect(t *testing.T, want string) string {
	t.Helper()
	end := p.out.waitFor(t, p.mark, want)
	got := p.out.String()[p.mark:end]
	p.mark = end
	return got
}

func (p *ptySession) send(t *testing.T, s string) {
	t.Helper()
	if _, err := io.WriteString(p.stdin, s); err != nil {
		t.Fatal(err)
	}
}

// run types line and returns the output up to the next prompt, with the
// terminal's \r\n made \n.
func (p *ptySession) run(t *testing.T, line string) string {
	t.Helper()
	p.send(t, line+"\r")
	return strings.ReplaceAll(p.expect(t, "\n"+prompt), "\r\n", "\n")
}

// runWant runs line and reports an error if its output lacks want.
func (p *ptySession) runWant(t *testing.T, line, want string) {
	t.Helper()
	if out := p.run(t, line); !strings.Contains(out, want) {
		t.Errorf("%s: %q, want %q in it", line, out, want)
	}
}

func exitCode(t *testing.T, err error) int {
	t.Helper()
	var ee *gossh.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ee):
		return ee.ExitStatus()
	}
	t.Fatalf("session: %v", err)
	return -1
}
