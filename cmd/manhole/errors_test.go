//go:build unix

package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gomanhole/manhole/hostkeys"
	"github.com/gomanhole/manhole/internal/discovery"
	"github.com/gomanhole/manhole/internal/testkit"
)

// TestErrors: each way of not reaching a manhole says what happened and
// what to do, and exits 255 as ssh does.
func TestErrors(t *testing.T) {
	dir := tempDir(t, 0o700)
	env := []string{"MANHOLE_DIR=" + dir}
	self := strconv.Itoa(os.Getpid())

	notSocket := filepath.Join(dir, "file.sock")
	os.WriteFile(notSocket, nil, 0o600)
	noMeta := filepath.Join(dir, "nometa.sock")
	deadSocket(t, noMeta)
	refused := filepath.Join(dir, "refused.sock")
	deadSocket(t, refused)
	writeMeta(t, dir, &discovery.Metadata{PID: 99999996, Socket: refused, HostKey: newHostKey(t)})
	writeMeta(t, dir, &discovery.Metadata{PID: 99999997, Socket: filepath.Join(dir, "gone.sock"), HostKey: newHostKey(t)})

	for _, tc := range []struct {
		name   string
		args   []string
		setup  func()
		stderr []string
	}{
		{name: "no such process", args: []string{"99999999"},
			stderr: []string{"no process with pid 99999999", "manhole list"}},
		{name: "stale files of a dead process", args: []string{"99999997"},
			stderr: []string{"no process with pid 99999997", "stale", "manhole list -clean"}},
		{name: "process without a manhole", args: []string{self},
			stderr: []string{"pid " + self + " (", "has no manhole", dir, "manhole.Start", "-signal"}},
		{name: "metadata without socket", args: []string{self},
			setup: func() {
				writeMeta(t, dir, &discovery.Metadata{PID: os.Getpid(), Socket: filepath.Join(dir, "closed.sock"), HostKey: newHostKey(t)})
			},
			stderr: []string{"has a metadata file", "closed.sock", "was closed", "manhole list -clean"}},
		{name: "nothing at the path", args: []string{filepath.Join(dir, "none.sock")},
			stderr: []string{"no manhole socket at " + filepath.Join(dir, "none.sock")}},
		{name: "not a socket", args: []string{notSocket},
			stderr: []string{notSocket + " is not a socket"}},
		{name: "socket without metadata", args: []string{noMeta},
			stderr: []string{"no metadata file beside " + noMeta, "cannot verify the manhole's host key"}},
		{name: "socket refuses connections", args: []string{refused},
			stderr: []string{refused + " refuses connections", "stale", "manhole list -clean"}},
		{name: "socket of a dead process refuses connections", args: []string{"99999996"},
			stderr: []string{refused + " refuses connections: pid 99999996 has exited", "manhole list -clean"}},
		{name: "neither pid nor path", args: []string{"app"},
			stderr: []string{`"app" is not a pid, a socket path`}},
		{name: "unknown signal", args: []string{"-signal", "FOO", self},
			stderr: []string{`unknown signal "FOO"`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.setup != nil {
				tc.setup()
			}
			for _, cmd := range []string{"exec", "connect", "proxy"} {
				args := append([]string{cmd}, tc.args...)
				if cmd == "exec" {
					args = append(args, "1+1")
				}
				r := run(t, env, "", args...)
				if tc.name == "socket without metadata" && cmd == "proxy" {
					// ssh verifies the key itself: proxy just connects.
					continue
				}
				r.expect(t, 255, append([]string{"manhole " + cmd + ": "}, tc.stderr...)...)
				if r.stdout != "" {
					t.Errorf("%s: stdout %q, want nothing", cmd, r.stdout)
				}
			}
		})
	}
}

func TestHostKeyMismatch(t *testing.T) {
	d := startDemo(t)
	m, err := discovery.ReadMetadata(d.metaPath())
	if err != nil {
		t.Fatal(err)
	}
	real := m.HostKey
	m.HostKey = newHostKey(t)
	if err := discovery.WriteMetadata(d.metaPath(), m); err != nil {
		t.Fatal(err)
	}
	realKey, _ := (&discovery.Metadata{HostKey: real}).PublicKey()
	for _, cmd := range [][]string{{"exec", d.pidArg(), "1+1"}, {"connect", d.pidArg()}} {
		r := run(t, d.env(), "", cmd...)
		r.expect(t, 255, "HOST KEY MISMATCH", hostkeys.Fingerprint(realKey), "metadata file of pid "+d.pidArg(), "not connecting")
	}
}

// TestOtherUser runs the client as uid 65534 against root's manholes.
func TestOtherUser(t *testing.T) {
	needRoot(t)
	t.Run("metadata unreadable", func(t *testing.T) {
		d := startDemo(t)
		cmd := asNobody(exec.Command(manholeBin(t), "exec", d.pidArg(), "1+1"), d.env()...)
		out, err := cmd.CombinedOutput()
		if cmd.ProcessState.ExitCode() != 255 || !strings.Contains(string(out), "pid "+d.pidArg()+" (manhole-demo) belongs to user root (uid 0)") ||
			!strings.Contains(string(out), "sudo -u root manhole") {
			t.Fatalf("exit %v:\n%s", err, out)
		}
	})
	t.Run("uid refused before the handshake", func(t *testing.T) {
		// A sticky world-writable directory, as /tmp is: nobody can reach
		// the socket file and read the metadata, and the manhole itself
		// must refuse it.
		dir := tempDir(t, 0o777|os.ModeSticky)
		d := startDemoAt(t, filepath.Join(dir, "m.sock"))
		os.Chmod(d.socket, 0o666)
		os.Chmod(d.metaPath(), 0o644)
		cmd := asNobody(exec.Command(manholeBin(t), "exec", d.socket, "1+1"))
		out, _ := cmd.CombinedOutput()
		if cmd.ProcessState.ExitCode() != 255 || !strings.Contains(string(out), "closed the connection before the SSH handshake: it does not let uid 65534 in") {
			t.Fatalf("exit %d:\n%s", cmd.ProcessState.ExitCode(), out)
		}
	})
	t.Run("signal refused", func(t *testing.T) {
		cmd := asNobody(exec.Command(manholeBin(t), "exec", "-signal", "USR1", strconv.Itoa(os.Getpid()), "1+1"),
			"MANHOLE_DIR="+tempDir(t, 0o755))
		out, _ := cmd.CombinedOutput()
		if cmd.ProcessState.ExitCode() != 255 || !strings.Contains(string(out), "belongs to user root") {
			t.Fatalf("exit %d:\n%s", cmd.ProcessState.ExitCode(), out)
		}
	})
}

func TestActivation(t *testing.T) {
	t.Run("as the metadata says", func(t *testing.T) {
		dir := tempDir(t, 0o700)
		env := []string{"MANHOLE_DIR=" + dir}
		h := startHelper(t, "activate-on", dir)
		pid := strconv.Itoa(h.pid)
		r := run(t, env, "", "list")
		if !strings.Contains(r.stdout, pid) || !strings.Contains(r.stdout, " dormant ") || !strings.Contains(r.stdout, "opens on SIGUSR1") {
			t.Fatalf("list: want the helper as dormant: %v", r)
		}
		r = run(t, env, "", "exec", pid, "1+1")
		if r.code != 0 || r.stdout != "2\n" {
			t.Fatalf("exec after activation: %v", r)
		}
		if r := run(t, env, "", "list"); !strings.Contains(r.stdout, " live ") {
			t.Errorf("list after activation: want live: %v", r)
		}
	})
	t.Run("one-shot, again and again", func(t *testing.T) {
		dir := tempDir(t, 0o700)
		env := []string{"MANHOLE_DIR=" + dir}
		h := startHelper(t, "activate-on", dir, "MANHOLE_TEST_ONESHOT=1")
		for i := range 3 {
			r := run(t, env, "", "exec", strconv.Itoa(h.pid), "1+1")
			if r.code != 0 || r.stdout != "2\n" {
				t.Fatalf("exec %d: %v", i, r)
			}
			// The socket closes after one connection; list must not
			// use up the next one by probing it.
			testkit.Eventually(t, "the one-shot socket to close", func() bool {
				return strings.Contains(run(t, env, "", "list").stdout, " dormant ")
			})
		}
	})
	t.Run("no metadata, -signal", func(t *testing.T) {
		dir := tempDir(t, 0o700)
		env := []string{"MANHOLE_DIR=" + dir}
		h := startHelper(t, "dormant-nometa", dir)
		pid := strconv.Itoa(h.pid)
		// Without -signal nothing is sent: an unexpected signal may end
		// a program.
		run(t, env, "", "exec", pid, "1+1").expect(t, 255, "has no manhole", "pass -signal NAME")
		r := run(t, env, "", "exec", "-signal", "USR1", pid, "1+1")
		if r.code != 0 || r.stdout != "2\n" {
			t.Fatalf("exec -signal USR1: %v", r)
		}
	})
	t.Run("timeout", func(t *testing.T) {
		dir := tempDir(t, 0o700)
		h := startHelper(t, "deaf", dir)
		start := time.Now()
		r := run(t, []string{"MANHOLE_DIR=" + dir}, "", "connect", "-timeout", "300ms", strconv.Itoa(h.pid))
		r.expect(t, 255, "timed out after 300ms waiting for pid "+strconv.Itoa(h.pid), "after SIGUSR1", "raise -timeout")
		if e := time.Since(start); e < 300*time.Millisecond {
			t.Errorf("gave up after %v, before the timeout", e)
		}
	})
	t.Run("the signal kills it", func(t *testing.T) {
		sleep := exec.Command("sleep", "60")
		p := start(t, sleep)
		r := run(t, []string{"MANHOLE_DIR=" + tempDir(t, 0o700)}, "", "exec", "-signal", "USR1", strconv.Itoa(p.pid), "1+1")
		r.expect(t, 255, "pid "+strconv.Itoa(p.pid)+" (sleep) exited after SIGUSR1 without opening its manhole")
	})
}
