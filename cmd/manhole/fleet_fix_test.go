//go:build unix

package main

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gomanhole/manhole/internal/discovery"
	"github.com/gomanhole/manhole/internal/testkit"
)

// viaScript writes an executable script named manhole-NAME (so that exec
// takes the "proxy" after it for the proxy) and returns its path. Its
// arguments are "proxy -host-key TARGET".
func viaScript(t *testing.T, name, body string) string {
	t.Helper()
	path := filepath.Join(tempDir(t, 0o755), "manhole-"+name)
	if err := os.WriteFile(path, []byte("#!/bin/sh\n"+body+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	return path
}

// sameVia is a via command that reaches d whatever the target's name:
// many targets from one demo.
func sameVia(t *testing.T, d *demo) string {
	return viaScript(t, "same", "MANHOLE_DIR="+d.dir+" exec "+manholeBin(t)+" proxy -host-key "+d.pidArg()) + " proxy {}"
}

func names(prefix string, n int) []string {
	var out []string
	for i := range n {
		out = append(out, fmt.Sprintf("%s%02d", prefix, i))
	}
	return out
}

// TestExecFleetMemory: what exec holds grows with --parallel, not with
// the number of targets: each result is printed and dropped when done.
func TestExecFleetMemory(t *testing.T) {
	_, ds := startDemos(t, 1)
	const n, parallel = 32, 2
	args := append([]string{"exec", "--parallel", strconv.Itoa(parallel), "--via", sameVia(t, ds[0])}, names("t", n)...)
	// 8 MiB of lines from each target: 256 MiB in all.
	args = append(args, "--", `fmt.Print(strings.Repeat("abcdefg\n", 1<<20))`)
	cmd := exec.Command(manholeBin(t), args...)
	var stderr strings.Builder
	cmd.Stderr = &stderr // stdout goes to /dev/null
	if err := cmd.Run(); err != nil {
		t.Fatalf("%v: %s", err, stderr.String())
	}
	maxRSS := cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss << 10 // KiB on Linux
	t.Logf("max RSS %d MiB for %d targets of 8 MiB, --parallel %d", maxRSS>>20, n, parallel)
	// Each target at once holds its 8 MiB (in a buffer grown to 16) and
	// the printer works on one at a time: about 100 MiB on an idle
	// machine, up to 160 on a loaded one, where the collector and the
	// scavenger lag. All results kept would be at least the 256 MiB of
	// output itself, so the bound sits between the two, not at the
	// idle figure.
	if bound := int64(200 << 20); maxRSS > bound {
		t.Fatalf("max RSS %d MiB, over %d MiB: results are kept past printing", maxRSS>>20, bound>>20)
	}
}

// pgroupMembers lists the live processes (zombies aside) in group pgid.
func pgroupMembers(pgid int) []int {
	ents, _ := os.ReadDir("/proc")
	var out []int
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			continue
		}
		s := string(b)
		i := strings.LastIndexByte(s, ')')
		f := strings.Fields(s[i+1:])
		if len(f) > 2 && f[0] != "Z" && f[2] == strconv.Itoa(pgid) {
			out = append(out, pid)
		}
	}
	return out
}

// TestExecFleetTerminated: SIGTERM or SIGHUP to exec ends every via
// command's process group, even one that ignores signals and has
// children, and leaves no --out temporary file.
func TestExecFleetTerminated(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGHUP} {
		t.Run(sig.String(), func(t *testing.T) {
			tmp := tempDir(t, 0o700)
			pids := filepath.Join(tmp, "pids")
			via := viaScript(t, "stubborn", "trap '' TERM HUP INT\nsleep 300 &\necho $$ >> "+pids+"\nwait")
			out := filepath.Join(tmp, "out")
			cmd := exec.Command(manholeBin(t), "exec", "--out", out, "--via", via+" proxy {}", "x1", "x2", "x3", "--", "1")
			p := start(t, cmd)
			var groups []int
			testkit.Eventually(t, "the via commands to start", func() bool {
				b, _ := os.ReadFile(pids)
				groups = nil
				for _, f := range strings.Fields(string(b)) {
					pid, _ := strconv.Atoi(f)
					groups = append(groups, pid)
				}
				return len(groups) == 3
			})
			t.Cleanup(func() {
				for _, g := range groups {
					syscall.Kill(-g, syscall.SIGKILL)
				}
			})
			if ents, _ := os.ReadDir(out); len(ents) != 3 {
				t.Fatalf("--out holds %v, want 3 temporary files", ents)
			}
			cmd.Process.Signal(sig)
			p.waitExit(t)
			if code := cmd.ProcessState.ExitCode(); code != 128+int(sig) {
				t.Errorf("exit %d", code)
			}
			for _, g := range groups {
				testkit.Eventually(t, fmt.Sprintf("process group %d to be gone", g), func() bool { return len(pgroupMembers(g)) == 0 })
			}
			if ents, _ := os.ReadDir(out); len(ents) != 0 {
				t.Errorf("--out holds %v after %v", ents, sig)
			}
		})
	}
}

// TestExecFleetTimeoutLoad: many targets whose via command hangs, with a
// child of its own that keeps the pipe open past the kill: each ends at
// its --timeout, not seconds later.
func TestExecFleetTimeoutLoad(t *testing.T) {
	tmp := tempDir(t, 0o700)
	escaped := filepath.Join(tmp, "escaped")
	via := viaScript(t, "stuck", "setsid sleep 60 &\necho $! >> "+escaped+"\nsleep 60")
	t.Cleanup(func() {
		b, _ := os.ReadFile(escaped)
		for _, f := range strings.Fields(string(b)) {
			pid, _ := strconv.Atoi(f)
			syscall.Kill(pid, syscall.SIGKILL)
		}
	})
	const n = 40
	start := time.Now()
	r := run(t, nil, "", append(append([]string{"exec", "--json", "--parallel", "256", "--timeout", "2s", "--via", via + " proxy {}"}, names("s", n)...), "--", "1")...)
	took := time.Since(start)
	r.expect(t, 255, fmt.Sprintf("%d of %d targets failed", n, n), "by reason: 40 timed out")
	got := decodeJSON(t, r.stdout)
	if len(got) != n {
		t.Fatalf("%d results: %v", len(got), r)
	}
	for name, g := range got {
		if g.Duration > 3 || !strings.HasPrefix(g.Error, "timed out") {
			t.Errorf("%s: %.1fs, %q; want timed out after 2s", name, g.Duration, g.Error)
		}
	}
	if took > 6*time.Second {
		t.Errorf("%d targets with --timeout 2s took %v", n, took)
	}
	run(t, nil, "", "exec", "--parallel", "1000", "--fleet", "1", "2", "--", "1").expect(t, 2, "--parallel wants a number from 1 to 256")
}

// TestExecCompat: without a flag for many targets, exec is the form it
// always was: every word after TARGET is CODE, "--" included, and no pid
// among them is asked or signaled.
func TestExecCompat(t *testing.T) {
	_, ds := startDemos(t, 2)
	d := ds[0]
	env := d.env()
	r := run(t, env, "", "exec", d.socket, "i := 5;", "i", "--")
	r.expect(t, 0)
	r = run(t, env, "", "exec", d.socket, "i := 5;", "i", "--", ";", "i")
	r.expect(t, 0)
	if r.stdout != "4\n" {
		t.Errorf(`"i := 5; i -- ; i": %v`, r)
	}
	r = run(t, env, "", "exec", d.socket, "2", "--", "3")
	if r.code != 1 || strings.Contains(r.stdout+r.stderr, "2: ") || strings.Contains(r.stderr, "usage") {
		t.Errorf(`"2 -- 3" is CODE, an evaluation error: %v`, r)
	}

	// A pid in what used to be CODE is not signaled.
	sleep := exec.Command("sleep", "60")
	if err := sleep.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { sleep.Wait(); close(exited) }()
	t.Cleanup(func() { sleep.Process.Kill(); <-exited })
	pid := strconv.Itoa(sleep.Process.Pid)
	r = run(t, env, "", "exec", "-signal", "USR1", d.socket, pid, "--", "1")
	if r.code != 1 {
		t.Errorf(`"%s -- 1" is CODE: %v`, pid, r)
	}
	select {
	case <-exited:
		t.Fatalf("exec signaled pid %s, which was CODE: %v", pid, sleep.ProcessState)
	case <-time.After(300 * time.Millisecond):
	}

	// --fleet (or any flag for many targets) asks for the fleet form.
	a, b := ds[0].pidArg(), ds[1].pidArg()
	for _, flags := range [][]string{{"--fleet"}, {"--parallel", "2"}} {
		r = run(t, env, "", append(append([]string{"exec"}, flags...), a, b, "--", "os.Getpid()")...)
		r.expect(t, 0)
		wantLines(t, r, prefixed(width(a, b), a, a), prefixed(width(a, b), b, b))
	}
	r = run(t, env, "", "exec", a, "--fleet", b, "--", "os.Getpid()")
	r.expect(t, 0)
	wantLines(t, r, prefixed(width(a, b), a, a), prefixed(width(a, b), b, b))
}

// TestExecFleetControlChars: a target cannot forge another's line: the
// control characters in its output are shown, not obeyed, in prefixed
// lines; --json keeps them byte for byte.
func TestExecFleetControlChars(t *testing.T) {
	dir, ds := startDemos(t, 2)
	env := []string{"MANHOLE_DIR=" + dir}
	a, b := ds[0].pidArg(), ds[1].pidArg()
	code := `fmt.Print("fine\r\x1b[2K` + b + `: PWNED\u009b\x7f\n\tok\n")`
	r := run(t, env, "", "exec", "--fleet", a, b, "--", code)
	r.expect(t, 0)
	w := width(a, b)
	line := `fine^M^[[2K` + b + `: PWNED\u009b^?`
	wantLines(t, r, prefixed(w, a, line), prefixed(w, a, "\tok"), prefixed(w, b, line), prefixed(w, b, "\tok"))
	if strings.ContainsAny(r.stdout, "\r\x1b\x7f\u009b") {
		t.Errorf("control characters passed through: %q", r.stdout)
	}
	r = run(t, env, "", "exec", "--json", a, b, "--", code)
	r.expect(t, 0)
	for name, g := range decodeJSON(t, r.stdout) {
		if want := "fine\r\x1b[2K" + b + ": PWNED\u009b\x7f\n\tok\n"; g.Stdout != want {
			t.Errorf("--json %s: %q, want %q", name, g.Stdout, want)
		}
	}
}

// TestExecFleetJSONFields: --json gives output that is not UTF-8 in
// base64 and truncation in a field of its own; the summary counts the
// failures by reason and names at most 20; a via command that ends
// cleanly during the handshake reads as the manhole's refusal.
func TestExecFleetJSONFields(t *testing.T) {
	_, ds := startDemos(t, 1)
	via := sameVia(t, ds[0])
	r := run(t, nil, "", "exec", "--json", "--via", via, "bin", "--", `fmt.Print("\xff\xfe ok")`)
	r.expect(t, 0)
	var got map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatal(err)
	}
	if b, _ := base64.StdEncoding.DecodeString(fmt.Sprint(got["stdout_base64"])); string(b) != "\xff\xfe ok" || got["stdout"] != "" {
		t.Errorf("not UTF-8: %v", r)
	}
	r = run(t, nil, "", "exec", "--json", "--via", via, "big", "--", `fmt.Print(strings.Repeat("x", 17<<20))`)
	r.expect(t, 0)
	got = nil
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatal(err)
	}
	if s, _ := got["stdout"].(string); len(s) != 16<<20 || strings.Trim(s, "x") != "" || got["stdout_truncated_bytes"] != float64(1<<20) {
		t.Errorf("truncated: %d bytes of stdout, stdout_truncated_bytes %v", len(s), got["stdout_truncated_bytes"])
	}

	fail := viaScript(t, "fail", "echo nothing here >&2; exit 3")
	r = run(t, nil, "", append(append([]string{"exec", "--via", fail + " proxy {}"}, names("f", 25)...), "--", "1")...)
	r.expect(t, 255, "manhole exec: 25 of 25 targets failed: f00 (not reached), f01 (not reached)", "f19 (not reached) and 5 more; by reason: 25 not reached")
	if strings.Contains(r.stderr, "f20 (") {
		t.Errorf("more than 20 named: %v", r)
	}

	m, err := discovery.ReadMetadata(ds[0].metaPath())
	if err != nil {
		t.Fatal(err)
	}
	hangUp := viaScript(t, "hangup", "printf '%s\\n' 'manhole-host-key "+m.HostKey+"'")
	r = run(t, nil, "", "exec", "--via", hangUp+" proxy {}", "h", "--", "1")
	r.expect(t, 255, "h: manhole exec: the manhole closed the connection before the SSH handshake: it does not let in the uid")
}

// TestExecFleetOutLongName: a target's --out file may have a name as long
// as the file system allows: the temporary file's name is not longer.
func TestExecFleetOutLongName(t *testing.T) {
	_, ds := startDemos(t, 1)
	out := filepath.Join(tempDir(t, 0o700), "out")
	long := strings.Repeat("a", 250)
	r := run(t, nil, "", "exec", "--out", out, "--via", sameVia(t, ds[0]), long, "--", "1+1")
	r.expect(t, 0)
	if b, err := os.ReadFile(filepath.Join(out, long)); err != nil || string(b) != "2\n" {
		t.Fatalf("%q, %v (%v)", b, err, r)
	}
	if ents, _ := os.ReadDir(out); len(ents) != 1 {
		t.Errorf("--out holds %v", ents)
	}
}
