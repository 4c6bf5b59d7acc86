package session

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"github.com/gomanhole/manhole/hostkeys"
	"github.com/gomanhole/manhole/internal/testkit"
)

// burnForDiagTest keeps a CPU busy until stop is closed, so that a CPU
// profile has a function to find.
//
//go:noinline
func burnForDiagTest(stop <-chan struct{}) {
	x := uint64(1)
	for {
		select {
		case <-stop:
			return
		default:
		}
		for i := 0; i < 1e5; i++ {
			x = x*6364136223846793005 + 1442695040888963407
		}
		burnSink = x
	}
}

var burnSink uint64

// heapForDiagTest is kept alive so that the heap profile shows where it
// was allocated.
var heapForDiagTest []byte

//go:noinline
func allocForDiagTest() { heapForDiagTest = make([]byte, 8<<20) }

// openSSH runs the real ssh client against m with command, through nc as
// ProxyCommand, trusting exactly m's host key; stdout goes to a file.
func openSSH(t *testing.T, m *testManhole, command, outFile string) (stderr string) {
	t.Helper()
	testkit.Need(t, "ssh", testkit.InstallSSH)
	testkit.Need(t, "nc", testkit.InstallNC)
	dir := filepath.Dir(m.path)
	kh := filepath.Join(dir, "known_hosts")
	if err := os.WriteFile(kh, []byte("host "+hostkeys.AuthorizedKey(m.host)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := os.Create(outFile)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	var errb bytes.Buffer
	cmd := exec.Command("ssh", "-F", "none",
		"-o", "UserKnownHostsFile="+kh,
		"-o", "GlobalKnownHostsFile=/dev/null",
		"-o", "StrictHostKeyChecking=yes",
		"-o", "HostKeyAlias=host",
		"-o", "BatchMode=yes",
		"-o", "IdentityAgent=none",
		"-o", "IdentityFile=/dev/null",
		"-o", "LogLevel=ERROR",
		"-o", "ProxyCommand=nc -U "+m.path,
		"host", command)
	cmd.Stdout, cmd.Stderr = out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("ssh host %q: %v\n%s", command, err, errb.String())
	}
	return errb.String()
}

func goTool(t *testing.T, args ...string) string {
	t.Helper()
	out, err := exec.Command("go", append([]string{"tool"}, args...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("go tool %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

func TestProfilesFetchedWithOpenSSH(t *testing.T) {
	if testing.Short() {
		t.Skip("runs ssh and go tool pprof")
	}
	m := startTestManhole(t)
	dir := t.TempDir()

	t.Run("heap", func(t *testing.T) {
		allocForDiagTest()
		// The heap profile is as of the last GC.
		runtime.GC()
		file := filepath.Join(dir, "heap.pb.gz")
		openSSH(t, m, ":pprof heap", file)
		checkGzip(t, file)
		top := goTool(t, "pprof", "-top", file)
		if !strings.Contains(top, "Type: inuse_space") || !strings.Contains(top, "allocForDiagTest") {
			t.Errorf("go tool pprof -top does not show allocForDiagTest:\n%s", top)
		}
	})

	t.Run("cpu", func(t *testing.T) {
		stop := make(chan struct{})
		defer close(stop)
		go burnForDiagTest(stop)
		file := filepath.Join(dir, "cpu.pb.gz")
		stderr := openSSH(t, m, ":cpu 1", file)
		if !strings.Contains(stderr, "profiling the CPU for 1s") {
			t.Errorf("stderr: %q", stderr)
		}
		checkGzip(t, file)
		top := goTool(t, "pprof", "-top", file)
		if !regexp.MustCompile(`(?m)^Type: cpu$`).MatchString(top) || !strings.Contains(top, "burnForDiagTest") {
			t.Errorf("go tool pprof -top does not show burnForDiagTest:\n%s", top)
		}
	})

	t.Run("trace", func(t *testing.T) {
		file := filepath.Join(dir, "trace.out")
		openSSH(t, m, ":trace 1", file)
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		if !regexp.MustCompile(`^go 1\.\d+ trace\x00`).Match(b) {
			t.Fatalf("not a Go trace: starts with %q", b[:min(len(b), 16)])
		}
		// The parser reads every batch: a rewritten byte breaks it.
		if out := goTool(t, "trace", "-d=parsed", file); !strings.Contains(out, "StateTransition") {
			t.Errorf("go tool trace -d=parsed shows no events:\n%.2000s", out)
		}
	})
}

// checkGzip fails unless file is whole gzip: its CRC covers every byte,
// so a \n turned into \r\n anywhere fails it.
func checkGzip(t *testing.T, file string) {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if err := gzipWhole(b); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
}

// gzipWhole checks that b is a whole gzip stream.
func gzipWhole(b []byte) error {
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return fmt.Errorf("not gzip: %v (%d bytes: %q...)", err, len(b), b[:min(len(b), 16)])
	}
	if _, err := io.Copy(io.Discard, zr); err != nil {
		return fmt.Errorf("corrupt gzip: %v", err)
	}
	return nil
}

// startExec starts cmd as an exec request and returns once the command
// has printed ready on stderr.
func startExec(t *testing.T, m *testManhole, cmd, ready string) (sess *gossh.Session, stdout, stderr *syncBuffer) {
	t.Helper()
	sess, err := m.dial(t).NewSession()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sess.Close() })
	stdout, stderr = newSyncBuffer(), newSyncBuffer()
	sess.Stdout, sess.Stderr = stdout, stderr
	if err := sess.Start(cmd); err != nil {
		t.Fatal(err)
	}
	stderr.waitFor(t, 0, ready)
	return sess, stdout, stderr
}

func TestCPUProfileStopsOnINTSignal(t *testing.T) {
	m := startTestManhole(t)
	start := time.Now()
	sess, stdout, stderr := startExec(t, m, ":cpu 30", "(Ctrl-C stops early)")
	if err := sess.Signal(gossh.SIGINT); err != nil {
		t.Fatal(err)
	}
	if code := exitCode(t, sess.Wait()); code != 0 {
		t.Fatalf("exit status %d: %s", code, stderr)
	}
	if took := time.Since(start); took > 20*time.Second {
		t.Errorf("took %v: INT did not stop the profile", took)
	}
	if !strings.Contains(stderr.String(), "stopped after") || !strings.Contains(stderr.String(), "interrupted") {
		t.Errorf("stderr does not say it stopped early: %q", stderr)
	}
	if err := gzipWhole([]byte(stdout.String())); err != nil {
		t.Errorf("the early profile: %v", err)
	}
}

func TestCPUProfileStopsOnCtrlC(t *testing.T) {
	m := startTestManhole(t)
	p := m.pty(t)
	start := time.Now()
	p.send(t, ":cpu 30\r")
	p.expect(t, "(Ctrl-C stops early)")
	p.send(t, "\x03")
	out := p.expect(t, "\n"+prompt)
	if took := time.Since(start); took > 20*time.Second {
		t.Errorf("took %v: Ctrl-C did not stop the profile", took)
	}
	if !regexp.MustCompile(`(?s)stopped after .*interrupted.*CPU profile over .*: .* cpu in total.*':cpu 30' > cpu.pb.gz`).MatchString(out) {
		t.Errorf("output:\n%s", out)
	}
	// The session goes on.
	p.runWant(t, ":setgc", "GOGC")
}
