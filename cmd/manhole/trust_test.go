//go:build unix

package main

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"

	"github.com/gomanhole/manhole/internal/discovery"
)

// asUser makes cmd run as uid (and gid uid) with a minimal environment.
func asUser(cmd *exec.Cmd, uid int, env ...string) *exec.Cmd {
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uint32(uid), Gid: uint32(uid)}}
	cmd.Env = append([]string{"HOME=/tmp", "PATH=/usr/bin:/bin"}, env...)
	cmd.Dir = "/"
	return cmd
}

func runAs(t *testing.T, uid int, args ...string) result {
	t.Helper()
	cmd := exec.Command(manholeBin(t), args...)
	if uid != 0 {
		asUser(cmd, uid)
	} else {
		cmd.Env = append(os.Environ(), "XDG_RUNTIME_DIR=")
	}
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return result{stdout.String(), stderr.String(), code}
}

// Another local user creates /tmp/manhole-<victim uid> before the victim
// does and plants <victim pid>.json there, naming the planter's socket,
// a host key of theirs, a signal and a program name with escapes. The
// victim's CLI and root's must follow none of it.
func TestPlantedFilesAreIgnored(t *testing.T) {
	needRoot(t)
	victim := 40000 + os.Getpid()%10000
	const attacker = 65534

	// The victim's application, its socket in a directory of its own.
	vdir := tempDir(t, 0o700)
	os.Chown(vdir, victim, victim)
	app := start(t, asUser(exec.Command(filepath.Join(bins(t), "manhole-demo"), "-v", "-socket", filepath.Join(vdir, "v.sock")), victim))
	app.expect(t, "listening on "+filepath.Join(vdir, "v.sock"))
	pid := strconv.Itoa(app.pid)
	real, err := discovery.ReadMetadata(filepath.Join(vdir, pid+".json"))
	if err != nil {
		t.Fatal(err)
	}

	// The attacker's socket, which records who connects.
	adir := tempDir(t, 0o755)
	os.Chown(adir, attacker, attacker)
	asock := filepath.Join(adir, "a.sock")
	l, err := net.Listen("unix", asock)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	os.Chown(asock, attacker, attacker)
	var connected atomic.Int32
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			connected.Add(1)
			c.Close()
		}
	}()

	// The planted directory and metadata.
	plant := fmt.Sprintf("/tmp/manhole-%d", victim)
	if err := os.Mkdir(plant, 0o755); err != nil {
		t.Fatalf("%s: %v", plant, err)
	}
	t.Cleanup(func() { os.RemoveAll(plant) })
	os.Chown(plant, attacker, attacker)
	planted := writeMeta(t, plant, &discovery.Metadata{
		PID: app.pid, Program: "\x1b]0;PWNED\x07evil", Socket: asock, HostKey: newHostKey(t), ActivateOn: "TERM",
	})
	os.Chmod(planted, 0o644)
	os.Chown(planted, attacker, attacker)

	t.Run("victim exec", func(t *testing.T) {
		r := runAs(t, victim, "exec", pid, "1+1")
		if r.code != 0 || r.stdout != "2\n" {
			t.Fatalf("exec as the victim: %v", r)
		}
		if !strings.Contains(r.stderr, "manhole: ignoring "+plant+": it belongs to user nobody") {
			t.Errorf("the planted directory was ignored silently: %v", r)
		}
	})
	t.Run("victim known-hosts", func(t *testing.T) {
		r := runAs(t, victim, "known-hosts", pid)
		if r.code != 0 || !strings.Contains(r.stdout, strings.Fields(real.HostKey)[1]) {
			t.Fatalf("known-hosts as the victim does not give the app's key: %v", r)
		}
	})
	t.Run("root exec sends no signal", func(t *testing.T) {
		r := runAs(t, 0, "exec", pid, ":build")
		if r.code != 0 {
			t.Fatalf("exec as root: %v", r)
		}
		select {
		case <-app.exited:
			t.Fatal("root's CLI signalled the victim on planted metadata")
		default:
		}
	})
	t.Run("root list", func(t *testing.T) {
		r := runAs(t, 0, "list")
		if n := strings.Count(r.stdout, "\n"+pid+" "); n != 1 {
			t.Errorf("list shows pid %s %d times:\n%s", pid, n, r.stdout)
		}
		if strings.ContainsRune(r.stdout, 0x1b) {
			t.Errorf("list prints a raw escape:\n%q", r.stdout)
		}
	})
	if n := connected.Load(); n != 0 {
		t.Errorf("the CLI connected to the planted socket %d times", n)
	}
}

// After kill -9, the same app restarted on the same socket path is
// reachable by its new pid and by path: the metadata the crash left is
// removed by the new manhole, and would not be trusted over a live one.
func TestRestartAfterCrash(t *testing.T) {
	dir := tempDir(t, 0o700)
	sock := filepath.Join(dir, "app.sock")
	first := startDemoAt(t, sock)
	first.cmd.Process.Kill()
	<-first.exited
	stale := filepath.Join(dir, strconv.Itoa(first.pid)+".json")
	if _, err := os.Stat(stale); err != nil {
		t.Fatalf("the crash left no metadata to test with: %v", err)
	}
	second := startDemoAt(t, sock)
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("the dead process's metadata is still there: %v", err)
	}
	for _, target := range []string{second.pidArg(), sock} {
		r := run(t, nil, "", "exec", target, "1+1")
		if r.code != 0 || r.stdout != "2\n" {
			t.Errorf("exec %s after a restart: %v", target, r)
		}
	}
}
