//go:build unix

package manhole_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"github.com/gomanhole/manhole"
	"github.com/gomanhole/manhole/internal/discovery"
	"github.com/gomanhole/manhole/internal/testexp"
	"github.com/gomanhole/manhole/internal/testkit"
)

type counter struct {
	mu sync.Mutex
	n  int
}

func (c *counter) Inc() int { c.mu.Lock(); defer c.mu.Unlock(); c.n++; return c.n }

type settings struct{ Level int }

func socketPath(t *testing.T) string {
	t.Helper()
	d := testkit.ShortDir(t)
	return filepath.Join(d, "m.sock")
}

func start(t *testing.T, opts manhole.Options) *manhole.Manhole {
	t.Helper()
	if opts.SocketPath == "" {
		opts.SocketPath = socketPath(t)
	}
	mh, err := manhole.Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { mh.Close() })
	return mh
}

// dial connects an x/crypto client, trusting the key in the metadata file.
func dial(t *testing.T, mh *manhole.Manhole) *gossh.Client {
	t.Helper()
	m, err := discovery.ReadMetadata(mh.MetadataPath())
	if err != nil {
		t.Fatal(err)
	}
	key, err := m.PublicKey()
	if err != nil {
		t.Fatal(err)
	}
	return testkit.Connect(t, "unix", mh.SocketPath(), testkit.ClientConfig(key))
}

func execOut(t *testing.T, client *gossh.Client, code string) (stdout, stderr string, status int) {
	t.Helper()
	stdout, stderr, status, err := testkit.Exec(client, code)
	if err != nil {
		t.Fatalf("exec %q: %v", code, err)
	}
	return stdout, stderr, status
}

// shell opens a PTY session and returns its stdin and collected output.
type shell struct {
	sess *gossh.Session
	in   interface{ Write([]byte) (int, error) }
	out  *testexp.Output
}

func openShell(t *testing.T, client *gossh.Client) *shell {
	t.Helper()
	sh := requestPty(t, client, 24, 80)
	if err := sh.sess.Shell(); err != nil {
		t.Fatal(err)
	}
	sh.expect(t, ">>> ")
	return sh
}

// requestPty opens a session with a terminal of rows x cols, before the
// shell request.
func requestPty(t *testing.T, client *gossh.Client, rows, cols int) *shell {
	t.Helper()
	sess, err := client.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	in, err := sess.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out := testexp.New()
	sess.Stdout, sess.Stderr = out, out
	if err := sess.RequestPty("xterm", rows, cols, gossh.TerminalModes{}); err != nil {
		t.Fatal(err)
	}
	return &shell{sess: sess, in: in, out: out}
}

func (sh *shell) send(t *testing.T, s string) {
	t.Helper()
	if _, err := sh.in.Write([]byte(s)); err != nil {
		t.Fatal(err)
	}
}

func (sh *shell) expect(t *testing.T, re string) string {
	t.Helper()
	s, err := sh.out.Expect(re, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestStartCloseLeavesNothing(t *testing.T) {
	before := runtime.NumGoroutine()
	ours := ourGoroutines()
	mh, err := manhole.Start(manhole.Options{SocketPath: socketPath(t)})
	if err != nil {
		t.Fatal(err)
	}
	if got := ourGoroutines() - ours; got != 1 {
		t.Errorf("an idle manhole runs %d goroutines, want 1", got)
	}
	for _, p := range []string{mh.SocketPath(), mh.MetadataPath()} {
		st, err := os.Lstat(p)
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		if st.Mode().Perm() != 0o600 {
			t.Errorf("%s mode %v, want 0600", p, st.Mode().Perm())
		}
	}
	client := dial(t, mh)
	if out, _, _ := execOut(t, client, "1+1"); out != "2\n" {
		t.Errorf("1+1 printed %q", out)
	}
	sh := openShell(t, client)
	_ = sh
	if err := mh.Close(); err != nil {
		t.Fatal(err)
	}
	client.Close()
	for _, p := range []string{mh.SocketPath(), mh.MetadataPath()} {
		if _, err := os.Lstat(p); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s left after Close (%v)", p, err)
		}
	}
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			t.Fatalf("%d goroutines after Close, %d before:\n%s", runtime.NumGoroutine(), before, buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestMetadataPath: the metadata file is <pid>.json beside the socket,
// whatever the socket is called, holds what a client needs in the
// documented JSON fields, and lasts as long as the manhole.
func TestMetadataPath(t *testing.T) {
	sock := socketPath(t)
	mh, err := manhole.Start(manhole.Options{SocketPath: sock, Addr: "127.0.0.1:0", AuthorizedKeys: akLine(newSigner(t), "")})
	if err != nil {
		t.Fatal(err)
	}
	defer mh.Close()
	want := filepath.Join(filepath.Dir(sock), strconv.Itoa(os.Getpid())+".json")
	if got := mh.MetadataPath(); got != want {
		t.Fatalf("MetadataPath() = %q, want %q", got, want)
	}
	b, err := os.ReadFile(mh.MetadataPath())
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		PID     int    `json:"pid"`
		Socket  string `json:"socket"`
		Addr    string `json:"addr"`
		HostKey string `json:"host_key"`
	}
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("%s: %v\n%s", mh.MetadataPath(), err, b)
	}
	if m.PID != os.Getpid() || m.Socket != sock || m.Addr != mh.Addr() {
		t.Errorf("metadata says pid %d socket %q addr %q; want %d, %q, %q", m.PID, m.Socket, m.Addr, os.Getpid(), sock, mh.Addr())
	}
	// The key it names is the one the server presents.
	key, _, _, _, err := gossh.ParseAuthorizedKey([]byte(m.HostKey))
	if err != nil {
		t.Fatalf("host_key %q: %v", m.HostKey, err)
	}
	conn, err := net.Dial("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	c, _, _, err := gossh.NewClientConn(conn, "m", &gossh.ClientConfig{User: "me", HostKeyCallback: gossh.FixedHostKey(key)})
	if err != nil {
		t.Fatalf("the server's host key is not the metadata's: %v", err)
	}
	c.Close()
	if err := mh.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(want); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("metadata file left after Close: %v", err)
	}
}

func TestNamespaceWritesThrough(t *testing.T) {
	c := &counter{}
	cfg := &settings{Level: 1}
	mh := start(t, manhole.Options{Namespace: map[string]any{"counter": c, "cfg": cfg}})
	client := dial(t, mh)
	if out, errOut, st := execOut(t, client, "counter.Inc()"); out != "1\n" || st != 0 {
		t.Fatalf("counter.Inc(): %q %q %d", out, errOut, st)
	}
	if _, errOut, st := execOut(t, client, "cfg.Level = 7"); st != 0 {
		t.Fatalf("cfg.Level = 7: %q", errOut)
	}
	if cfg.Level != 7 {
		t.Errorf("cfg.Level = %d after assignment in the manhole, want 7", cfg.Level)
	}
	if c.Inc() != 2 {
		t.Error("the app does not see the manhole's call")
	}
}

// TestWindowChangeBeforeShellDoesNotHang is the gliderlabs/ssh v0.3.8
// trap: a window-change between pty-req and shell blocked its request
// loop forever.
func TestWindowChangeBeforeShellDoesNotHang(t *testing.T) {
	mh := start(t, manhole.Options{})
	sh := requestPty(t, dial(t, mh), 24, 80)
	sess, in, out := sh.sess, sh.in, sh.out
	for i := range 5 {
		if err := sess.WindowChange(30+i, 100+i); err != nil {
			t.Fatal(err)
		}
	}
	done := make(chan error, 1)
	go func() { done <- sess.Shell() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("shell request hung after window-change")
	}
	if _, err := out.Expect(">>> ", 10*time.Second); err != nil {
		t.Fatal(err)
	}
	in.Write([]byte("40+2\r"))
	if _, err := out.Expect("42\n>>> ", 10*time.Second); err != nil {
		t.Fatal(err)
	}
}

// TestPanicReachesNeitherHostNorOtherSessions: a panicking evaluation
// reports the panic in its own session; the host and a second session go
// on.
func TestPanicReachesNeitherHostNorOtherSessions(t *testing.T) {
	c := &counter{}
	mh := start(t, manhole.Options{Namespace: map[string]any{"counter": c}})
	client := dial(t, mh)
	other := openShell(t, client)
	other.send(t, "x := 41\r")
	other.expect(t, ">>> ")

	for _, code := range []string{`panic("boom")`, `var p *int; *p = 1`, `[]int{}[3]`} {
		_, errOut, st := execOut(t, client, code)
		if st != 1 || !strings.Contains(errOut, "panic") && !strings.Contains(errOut, "index out of range") {
			t.Errorf("%s: status %d, stderr %q; want 1 and the panic", code, st, errOut)
		}
	}
	other.send(t, "x + 1\r")
	other.expect(t, "42\n>>> ")
	if out, _, _ := execOut(t, client, "counter.Inc()"); out != "1\n" {
		t.Errorf("after panics: %q", out)
	}
}

func TestShutdownTellsSessionsWhy(t *testing.T) {
	mh := start(t, manhole.Options{})
	client := dial(t, mh)
	sh := openShell(t, client)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := mh.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	sh.expect(t, "shutting down")
	err := sh.sess.Wait()
	var ee *gossh.ExitError
	if !errors.As(err, &ee) || ee.ExitStatus() != 255 {
		t.Fatalf("session ended with %v, want exit status 255", err)
	}
}

func TestStartRefusesBadOptions(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts manhole.Options
		want string
	}{
		{"namespace name not an identifier", manhole.Options{SocketPath: socketPath(t), Namespace: map[string]any{"a-b": 1}}, "not a Go identifier"},
		{"socket path too long", manhole.Options{SocketPath: "/tmp/" + strings.Repeat("x", 120) + ".sock"}, "at most 103"},
		{"negative uid", manhole.Options{SocketPath: socketPath(t), AllowUIDs: []int{-1}}, "not a uid"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mh, err := manhole.Start(tc.opts)
			if err == nil {
				mh.Close()
				t.Fatal("Start succeeded")
			}
			if !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "manhole: ") {
				t.Errorf("error %q, want the manhole: prefix and %q", err, tc.want)
			}
		})
	}
}

func TestSecondStartOnSameSocketFails(t *testing.T) {
	mh := start(t, manhole.Options{})
	_, err := manhole.Start(manhole.Options{SocketPath: mh.SocketPath()})
	if err == nil || !strings.Contains(err.Error(), mh.SocketPath()) || !strings.Contains(err.Error(), "in use") {
		t.Fatalf("second Start: %v; want an in-use error naming the path", err)
	}
}

// TestTerminalLeftClean: bracketed paste is turned on for the session and
// off again when it ends, whichever way it ends (x/term trap).
func TestTerminalLeftClean(t *testing.T) {
	mh := start(t, manhole.Options{})
	client := dial(t, mh)
	for _, leave := range []string{":quit\r", "\x04"} {
		sh := openShell(t, client)
		if !strings.Contains(sh.out.String(), "\x1b[?2004h") {
			t.Fatal("bracketed paste not enabled")
		}
		sh.send(t, leave)
		if err := sh.sess.Wait(); err != nil {
			t.Fatalf("leaving with %q: %v", leave, err)
		}
		if out := sh.out.String(); !strings.HasSuffix(strings.TrimRight(out, "\n"), "\x1b[?2004l") {
			t.Errorf("leaving with %q: output does not end by turning bracketed paste off: %q", leave, out[max(0, len(out)-40):])
		}
	}
}

// TestZeroWidthTerminal: a pty-req with a 0x0 window (some clients send
// it) gets a usable line editor (x/term misbehaves at width 0).
func TestZeroWidthTerminal(t *testing.T) {
	mh := start(t, manhole.Options{})
	sh := requestPty(t, dial(t, mh), 0, 0)
	sess, in, out := sh.sess, sh.in, sh.out
	if err := sess.Shell(); err != nil {
		t.Fatal(err)
	}
	in.Write([]byte("strings.Repeat(\"ab\", 50)\r"))
	if _, err := out.Expect(`"(ab){50}"`, 10*time.Second); err != nil {
		t.Fatal(err)
	}
}

// TestDisconnectCancelsEvaluation: a client that goes away mid-evaluation
// stops it; the audit log records how it ended.
func TestDisconnectCancelsEvaluation(t *testing.T) {
	logs := &lockedBuffer{}
	mh := start(t, manhole.Options{Logger: slog.New(slog.NewTextHandler(logs, nil))})
	client := dial(t, mh)
	sh := openShell(t, client)
	sh.send(t, "for {}\r")
	// The statement is logged before it runs.
	waitForLog(t, logs, `msg="manhole: eval" session=1 identity="peer uid 0" eval=1 code="for {}"`)
	time.Sleep(50 * time.Millisecond) // the loop is running
	client.Close()
	waitForLog(t, logs, `msg="manhole: eval done" session=1 identity="peer uid 0" eval=1 `)
	if done := regexp.MustCompile(`msg="manhole: eval done" .* eval=1 duration=\S+ err=(\S+)`).FindStringSubmatch(logs.String()); done == nil || done[1] != "interrupted" {
		t.Errorf("the evaluation did not end as interrupted (%q):\n%s", done, logs.String())
	}
	waitForLog(t, logs, "session end")
}

// waitForLog waits for want in the logs, and shows them if it never comes.
func waitForLog(t *testing.T, logs *lockedBuffer, want string) {
	t.Helper()
	defer func() {
		if t.Failed() {
			t.Logf("the log:\n%s", logs.String())
		}
	}()
	testkit.Eventually(t, fmt.Sprintf("%q in the log", want), func() bool { return strings.Contains(logs.String(), want) })
}

func TestExecTimeout(t *testing.T) {
	mh := start(t, manhole.Options{ExecTimeout: 100 * time.Millisecond})
	client := dial(t, mh)
	_, errOut, st := execOut(t, client, "for {}")
	if st != 1 || !strings.Contains(errOut, "timed out") {
		t.Fatalf("for {} with ExecTimeout: status %d, stderr %q", st, errOut)
	}
	if out, _, _ := execOut(t, client, "1+1"); out != "2\n" {
		t.Fatalf("after a timeout: %q", out)
	}
}
