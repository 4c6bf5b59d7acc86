//go:build unix

package main

// The tests drive the built manhole binary against real processes: the
// demo, helper processes re-executed from this test binary (see
// helperMain), the real ssh and sshd, and a real terminal in tmux.
//
// MANHOLE_DIR points every command at a test's own directory, so no test
// reads or cleans the real user's socket directories.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gomanhole/manhole"
	"github.com/gomanhole/manhole/internal/discovery"
	"github.com/gomanhole/manhole/internal/testexp"
	"github.com/gomanhole/manhole/internal/testkit"
)

var binaries testexp.Binaries

// bins builds manhole and manhole-demo once per test run, into a
// directory any uid can read (a test runs the client as nobody).
func bins(t testing.TB) string {
	t.Helper()
	return binaries.Dir(t, ".", "../manhole-demo")
}

func manholeBin(t testing.TB) string { return filepath.Join(bins(t), "manhole") }

func TestMain(m *testing.M) {
	if mode := os.Getenv("MANHOLE_TEST_HELPER"); mode != "" {
		os.Exit(helperMain(mode))
	}
	code := m.Run()
	binaries.Remove()
	os.Exit(code)
}

// tempDir is a short directory under /tmp (unix socket paths are limited
// to 103 bytes, and t.TempDir's are long), removed after the test.
func tempDir(t testing.TB, mode os.FileMode) string {
	t.Helper()
	dir := testkit.ShortDir(t)
	if err := os.Chmod(dir, mode); err != nil {
		t.Fatal(err)
	}
	return dir
}

// result is what one run of the manhole binary did.
type result struct {
	stdout, stderr string
	code           int
}

func (r result) String() string {
	return fmt.Sprintf("exit %d\nstdout: %q\nstderr: %q", r.code, r.stdout, r.stderr)
}

// run runs the manhole binary with env added to ours and stdin as input.
func run(t *testing.T, env []string, stdin string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, manholeBin(t), args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdin = strings.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var ee *exec.ExitError
	code := 0
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("manhole %s: %v", strings.Join(args, " "), err)
	}
	return result{stdout.String(), stderr.String(), code}
}

// expect checks a run's exit status and that stderr matches all of want.
func (r result) expect(t *testing.T, code int, stderrHas ...string) {
	t.Helper()
	if r.code != code {
		t.Fatalf("want exit %d, got %v", code, r)
	}
	for _, s := range stderrHas {
		if !strings.Contains(r.stderr, s) {
			t.Fatalf("stderr lacks %q: %v", s, r)
		}
	}
}

// proc is a process a test started.
type proc struct {
	cmd    *exec.Cmd
	pid    int
	stdout *testexp.Output
	stderr *testexp.Output
	exited chan struct{}
}

// start runs cmd until the test ends. Its stdin stays open until then,
// so a helper can exit when its test does, even if the test crashes.
func start(t testing.TB, cmd *exec.Cmd) *proc {
	t.Helper()
	p := &proc{cmd: cmd, stdout: testexp.New(), stderr: testexp.New(), exited: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = p.stdout, p.stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p.pid = cmd.Process.Pid
	go func() {
		cmd.Wait()
		close(p.exited)
	}()
	t.Cleanup(func() {
		stdin.Close()
		cmd.Process.Kill()
		<-p.exited
	})
	return p
}

func (p *proc) expect(t testing.TB, re string) {
	t.Helper()
	if _, err := p.stdout.Expect(re, 20*time.Second); err != nil {
		t.Fatalf("%v\nstderr: %s", err, p.stderr.String())
	}
}

// waitExit waits for p to end, as a killed or signalled process does.
func (p *proc) waitExit(t *testing.T) {
	t.Helper()
	select {
	case <-p.exited:
	case <-time.After(20 * time.Second):
		t.Fatalf("pid %d did not exit", p.pid)
	}
}

// demo is a running manhole-demo whose socket is in its own
// XDG_RUNTIME_DIR: <xdg>/manhole/<pid>.sock.
type demo struct {
	*proc
	dir    string // the manhole directory: MANHOLE_DIR for the CLI
	socket string
}

func (d *demo) env() []string  { return []string{"MANHOLE_DIR=" + d.dir} }
func (d *demo) pidArg() string { return strconv.Itoa(d.pid) }
func (d *demo) metaPath() string {
	return filepath.Join(d.dir, d.pidArg()+".json")
}

func startDemo(t *testing.T) *demo {
	t.Helper()
	xdg := tempDir(t, 0o700)
	cmd := exec.Command(filepath.Join(bins(t), "manhole-demo"), "-v")
	cmd.Env = append(os.Environ(), "XDG_RUNTIME_DIR="+xdg)
	d := &demo{proc: start(t, cmd), dir: filepath.Join(xdg, "manhole")}
	d.socket = filepath.Join(d.dir, d.pidArg()+".sock")
	d.expect(t, "listening on "+d.socket)
	return d
}

// startDemoAt runs the demo with an explicit socket path (-socket).
func startDemoAt(t *testing.T, socket string) *demo {
	t.Helper()
	cmd := exec.Command(filepath.Join(bins(t), "manhole-demo"), "-v", "-socket", socket)
	d := &demo{proc: start(t, cmd), dir: filepath.Dir(socket), socket: socket}
	d.expect(t, "listening on "+socket)
	return d
}

// Helper processes: the test binary re-executed with MANHOLE_TEST_HELPER
// set. Two use the real library in modes the demo has no flags for:
//
//	activate-on     Options.ActivateOn SIGUSR1 (and OneShot if
//	                MANHOLE_TEST_ONESHOT=1), socket in MANHOLE_TEST_DIR
//	tcp             also listens on 127.0.0.1:0 for the key in
//	                MANHOLE_TEST_KEY; prints "addr HOST:PORT"
//
// and two play programs the library cannot produce:
//
//	dormant-nometa  waits for SIGUSR1 before calling manhole.Start, and
//	                writes no metadata until then (an older library, or
//	                its own signal handling)
//	deaf            writes metadata saying activate_on SIGUSR1 but ignores
//	                the signal
//
// Each prints "ready" once set up and exits when its stdin closes.
func startHelper(t *testing.T, mode, dir string, env ...string) *proc {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), append([]string{"MANHOLE_TEST_HELPER=" + mode, "MANHOLE_TEST_DIR=" + dir}, env...)...)
	p := start(t, cmd)
	p.expect(t, "ready")
	return p
}

func helperMain(mode string) int {
	dir := os.Getenv("MANHOLE_TEST_DIR")
	pid := os.Getpid()
	socket := filepath.Join(dir, strconv.Itoa(pid)+".sock")
	go func() {
		io.Copy(io.Discard, os.Stdin)
		os.Exit(0)
	}()
	fail := func(err error) int {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	switch mode {
	case "activate-on":
		_, err := manhole.Start(manhole.Options{SocketPath: socket, ActivateOn: syscall.SIGUSR1, OneShot: os.Getenv("MANHOLE_TEST_ONESHOT") == "1"})
		if err != nil {
			return fail(err)
		}
		fmt.Println("ready")
	case "tcp":
		mh, err := manhole.Start(manhole.Options{SocketPath: socket, Addr: "127.0.0.1:0", AuthorizedKeys: os.Getenv("MANHOLE_TEST_KEY")})
		if err != nil {
			return fail(err)
		}
		fmt.Println("ready")
		fmt.Println("addr", mh.Addr())
	case "dormant-nometa":
		sigs := make(chan os.Signal, 1)
		signal.Notify(sigs, syscall.SIGUSR1)
		fmt.Println("ready")
		<-sigs
		if _, err := manhole.Start(manhole.Options{SocketPath: socket}); err != nil {
			return fail(err)
		}
	case "deaf":
		signal.Ignore(syscall.SIGUSR1)
		err := discovery.WriteMetadata(filepath.Join(dir, strconv.Itoa(pid)+".json"), &discovery.Metadata{
			PID: pid, Program: os.Args[0], Args: os.Args, Started: time.Now(), Socket: socket, ActivateOn: "SIGUSR1",
		})
		if err != nil {
			return fail(err)
		}
		fmt.Println("ready")
	default:
		return fail(fmt.Errorf("unknown helper mode %q", mode))
	}
	select {}
}

func needRoot(t *testing.T) {
	t.Helper()
	if os.Getuid() != 0 {
		t.Skip("needs root to run a client as uid 65534")
	}
}

// asNobody makes cmd run as uid 65534 with a minimal environment.
func asNobody(cmd *exec.Cmd, env ...string) *exec.Cmd {
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	cmd.Env = append([]string{"HOME=/tmp", "PATH=/usr/bin:/bin"}, env...)
	cmd.Dir = "/"
	return cmd
}
