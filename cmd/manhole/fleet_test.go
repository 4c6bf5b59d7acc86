//go:build unix

package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/gomanhole/manhole/internal/discovery"
	"github.com/gomanhole/manhole/internal/testkit"
)

// startDemos runs n demos sharing one XDG_RUNTIME_DIR, so that one
// MANHOLE_DIR finds them all.
func startDemos(t testing.TB, n int) (string, []*demo) {
	t.Helper()
	xdg := tempDir(t, 0o700)
	var ds []*demo
	for range n {
		cmd := exec.Command(filepath.Join(bins(t), "manhole-demo"), "-v")
		cmd.Env = append(os.Environ(), "XDG_RUNTIME_DIR="+xdg)
		d := &demo{proc: start(t, cmd), dir: filepath.Join(xdg, "manhole")}
		d.socket = filepath.Join(d.dir, d.pidArg()+".sock")
		d.expect(t, "listening on "+d.socket)
		ds = append(ds, d)
	}
	return filepath.Join(xdg, "manhole"), ds
}

// prefixed is the line exec prints for a target, aligned to width.
func prefixed(width int, target, text string) string {
	return fmt.Sprintf("%-*s %s\n", width, target+":", text)
}

// width is the prefix width for these target names.
func width(names ...string) int {
	w := 0
	for _, n := range names {
		w = max(w, len(n)+1)
	}
	return w
}

// sortedLines sorts output lines: targets answer in any order.
func sortedLines(s string) string {
	l := strings.SplitAfter(s, "\n")
	sort.Strings(l)
	return strings.Join(l, "")
}

func wantLines(t *testing.T, r result, lines ...string) {
	t.Helper()
	if got, want := sortedLines(r.stdout), sortedLines(strings.Join(lines, "")); got != want {
		t.Fatalf("stdout:\n%s\nwant (in any order):\n%s\n%v", r.stdout, want, r)
	}
}

// swapKey writes another host key into d's metadata file until the test
// ends: d then answers with a key its metadata does not vouch for.
func swapKey(t *testing.T, d *demo) {
	t.Helper()
	m, err := discovery.ReadMetadata(d.metaPath())
	if err != nil {
		t.Fatal(err)
	}
	real := *m
	m.HostKey = newHostKey(t)
	if err := discovery.WriteMetadata(d.metaPath(), m); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { discovery.WriteMetadata(d.metaPath(), &real) })
}

func decodeJSON(t *testing.T, out string) map[string]fleetResult {
	t.Helper()
	got := map[string]fleetResult{}
	for _, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		var r fleetResult
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("--json line %q: %v", line, err)
		}
		got[r.Target] = r
	}
	return got
}

// TestExecFleet: one question to local processes, by pid and socket
// path, directly and through --via; one stopped, one with a swapped host
// key, each failing alone.
func TestExecFleet(t *testing.T) {
	dir, ds := startDemos(t, 3)
	env := []string{"MANHOLE_DIR=" + dir}
	a, b, c := ds[0].pidArg(), ds[1].socket, ds[2].pidArg()
	w := len(b) + 1

	r := run(t, env, "", "exec", "--fleet", a, b, c, "--", "os.Getpid()")
	r.expect(t, 0)
	wantLines(t, r, prefixed(w, a, a), prefixed(w, b, ds[1].pidArg()), prefixed(w, c, c))
	if r.stderr != "" {
		t.Errorf("stderr: %q", r.stderr)
	}

	// Flags among the targets, the code in several words; a :command.
	r = run(t, env, "", "exec", a, "-parallel", "1", c, "--", "1", "+", "2")
	r.expect(t, 0)
	wantLines(t, r, prefixed(width(a, c), a, "3"), prefixed(width(a, c), c, "3"))
	r = run(t, env, "", "exec", "--fleet", a, c, "--", ":mem")
	if r.code != 0 || strings.Count(r.stdout, a+": ") < 5 || strings.Count(r.stdout, c+": ") < 5 || !strings.Contains(r.stdout, "GOMAXPROCS") {
		t.Fatalf(":mem across the fleet: %v", r)
	}

	// An evaluation error on every target: all reached, exit 1.
	r = run(t, env, "", "exec", "--fleet", a, c, "--", "nope()")
	r.expect(t, 1, a+": ", c+": ", "undefined: nope", "manhole exec: 2 of 2 targets failed: ")

	// --json: one object per target.
	r = run(t, env, "", "exec", "--json", a, b, c, "--", "os.Getpid()")
	r.expect(t, 0)
	got := decodeJSON(t, r.stdout)
	for name, pid := range map[string]string{a: a, b: ds[1].pidArg(), c: c} {
		if g := got[name]; g.Stdout != pid+"\n" || g.ExitStatus != 0 || g.Error != "" || g.Duration <= 0 {
			t.Errorf("--json %s: %+v", name, g)
		}
	}

	// The same through --via, the way kubectl or podman would carry it.
	via := []string{"--via", manholeBin(t) + " proxy {}"}
	r = run(t, env, "", append(append([]string{"exec"}, via...), a, b, c, "--", "os.Getpid()")...)
	r.expect(t, 0)
	wantLines(t, r, prefixed(w, a, a), prefixed(w, b, ds[1].pidArg()), prefixed(w, c, c))

	// A stopped process never answers: it times out alone.
	syscall.Kill(ds[2].pid, syscall.SIGSTOP)
	t.Cleanup(func() { syscall.Kill(ds[2].pid, syscall.SIGCONT) })
	for _, mode := range [][]string{nil, via} {
		args := append(append([]string{"exec", "--fleet", "--timeout", "2s"}, mode...), a, b, c, "--", "os.Getpid()")
		r = run(t, env, "", args...)
		r.expect(t, 255, strings.TrimSuffix(prefixed(w, c, "manhole exec: timed out after 2s"), "\n"), "manhole exec: 1 of 3 targets failed: "+c+" (timed out)")
		wantLines(t, r, prefixed(w, a, a), prefixed(w, b, ds[1].pidArg()))
	}
	syscall.Kill(ds[2].pid, syscall.SIGCONT)

	// A manhole whose key its metadata does not vouch for fails alone.
	swapKey(t, ds[0])
	for _, mode := range [][]string{nil, via} {
		r = run(t, env, "", append(append([]string{"exec", "--json"}, mode...), a, b, c, "--", "os.Getpid()")...)
		r.expect(t, 255, "manhole exec: 1 of 3 targets failed: "+a+" (host key mismatch)")
		got := decodeJSON(t, r.stdout)
		if g := got[a]; g.ExitStatus != 255 || !strings.Contains(g.Error, "HOST KEY MISMATCH") || g.Stdout != "" {
			t.Errorf("swapped key, %v: %+v", mode, g)
		}
		if got[b].Stdout != ds[1].pidArg()+"\n" || got[c].Stdout != c+"\n" {
			t.Errorf("the others, %v: %v", mode, r)
		}
	}
}

// TestExecFleetTargets: --targets FILE and -, with blanks and comments;
// a script read from stdin for every target.
func TestExecFleetTargets(t *testing.T) {
	dir, ds := startDemos(t, 2)
	env := []string{"MANHOLE_DIR=" + dir}
	a, b := ds[0].pidArg(), ds[1].pidArg()
	list := "# the api pods\n" + a + "\n\n  " + b + "  \n#" + a + "\n"
	file := filepath.Join(tempDir(t, 0o700), "targets")
	os.WriteFile(file, []byte(list), 0o600)

	r := run(t, env, "", "exec", "--targets", file, "--", "store.Len()")
	r.expect(t, 0)
	wantLines(t, r, prefixed(width(a, b), a, "1"), prefixed(width(a, b), b, "1"))
	r = run(t, env, list, "exec", "--targets", "-", "--", "store.Len()")
	r.expect(t, 0)
	wantLines(t, r, prefixed(width(a, b), a, "1"), prefixed(width(a, b), b, "1"))

	r = run(t, env, "x := 20\nx + 22\n", "exec", "--fleet", a, b, "--", "-")
	r.expect(t, 0)
	wantLines(t, r, prefixed(width(a, b), a, "42"), prefixed(width(a, b), b, "42"))
}

// TestExecFleetUsage: bad fleet input is refused before anything runs.
func TestExecFleetUsage(t *testing.T) {
	tmp := tempDir(t, 0o700)
	marker := filepath.Join(tmp, "ran")
	evil := filepath.Join(tmp, "targets")
	os.WriteFile(evil, []byte("-oProxyCommand=touch "+marker+"\n"), 0o600)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--via", "manhole proxy {}", "a", "1+1"}, "put -- before CODE"},
		{[]string{"--fleet", "1", "2", "--"}, "want CODE after --"},
		{[]string{"--json", "--", "1"}, "no targets"},
		{[]string{"--fleet", "1", "1", "--", "1"}, `target "1" is named twice`},
		{[]string{"--fleet", "1", "nonsense", "--", "1"}, `"nonsense" is not a pid`},
		{[]string{"--parallel", "0", "1", "2", "--", "1"}, "--parallel"},
		{[]string{"--via", "touch " + marker + " {}", "a", "--", "1"}, `runs no "manhole proxy TARGET"`},
		{[]string{"--via", "manhole proxy 1", "a", "--", "1"}, "has no {}"},
		{[]string{"--via", "manhole proxy {}; touch " + marker, "a", "--", "1"}, `";" is a shell's`},
		{[]string{"--via", "manhole proxy $(touch " + marker + ") {}", "a", "--", "1"}, `"$" is a shell's`},
		{[]string{"--via", "ssh {} manhole proxy 1", "-oProxyCommand=touch", "--", "1"}, "flag provided but not defined"},
		{[]string{"--via", "ssh {} manhole proxy 1", "--targets", evil, "--", "1"}, "starts with -"},
		{[]string{"--via", "ssh {} manhole proxy 1", "h;touch", "--", "1"}, `has ";"`},
		{[]string{"--targets", "/nonexistent/list", "--", "1"}, "/nonexistent/list"},
		{[]string{"--via", "/nonexistent/manhole proxy {}", "a", "--", "1"}, "--via: "},
		{[]string{"--targets", "-", "1", "--", "-"}, "stdin cannot hold both"},
	} {
		r := run(t, nil, "", append([]string{"exec"}, tc.args...)...)
		r.expect(t, 2, tc.want)
	}
	if _, err := os.Stat(marker); err == nil {
		t.Fatal("a --via template or target name ran a command")
	}
}

func TestParseVia(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{"podman exec -i {} /manhole proxy 1", []string{"podman", "exec", "-i", "x", "/manhole", "proxy", "-host-key", "1"}},
		{`kubectl exec -i {} -- manhole proxy 1`, []string{"kubectl", "exec", "-i", "x", "--", "manhole", "proxy", "-host-key", "1"}},
		{`ssh -o 'Proxy Jump=a b' "{}.example" \"q\" manhole proxy /run/a\ b.sock`, []string{"ssh", "-o", "Proxy Jump=a b", "x.example", `"q"`, "manhole", "proxy", "-host-key", "/run/a b.sock"}},
		{`sh -c "manhole proxy {} | cat" manhole-x proxy 7`, []string{"sh", "-c", "manhole proxy x | cat", "manhole-x", "proxy", "-host-key", "7"}},
	} {
		v, err := parseVia(tc.in)
		if err != nil {
			t.Errorf("%s: %v", tc.in, err)
			continue
		}
		if got := v.argv("x"); strings.Join(got, "\x00") != strings.Join(tc.want, "\x00") {
			t.Errorf("%s: %q, want %q", tc.in, got, tc.want)
		}
	}
	for _, bad := range []string{"", "  ", "manhole proxy '{}", `manhole proxy "{}`, `manhole proxy {}\`, "manhole proxy {} > /tmp/x", "manhole proxy {} &", "manhole proxy `{}`"} {
		if _, err := parseVia(bad); err == nil {
			t.Errorf("parseVia(%q) accepted it", bad)
		}
	}
}

func TestOutName(t *testing.T) {
	for in, want := range map[string]string{
		"web-1":          "web-1",
		"pod/api-7.x":    "pod%2Fapi-7.x",
		"../../etc/pass": "%2E.%2F..%2Fetc%2Fpass",
		"..":             "%2E.",
		".hidden":        "%2Ehidden",
		"a%2Fb":          "a%252Fb",
		"user@h:22":      "user%40h%3A22",
	} {
		if got := outName(in); got != want {
			t.Errorf("outName(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestExecFleetOut: binary output goes to a file per target; names cannot
// climb out of DIR and a symlink planted in DIR is replaced, not followed.
func TestExecFleetOut(t *testing.T) {
	dir, ds := startDemos(t, 2)
	env := []string{"MANHOLE_DIR=" + dir}
	a, b := ds[0].pidArg(), ds[1].socket
	out := filepath.Join(tempDir(t, 0o700), "profiles")
	// Without --out, binary output is not spilled on the terminal.
	r := run(t, env, "", "exec", "--fleet", a, b, "--", ":pprof heap")
	r.expect(t, 0)
	if !strings.Contains(r.stdout, a+": ") || !strings.Contains(r.stdout, "bytes of binary output: --out DIR") || strings.Contains(r.stdout, "\x1f\x8b") {
		t.Fatalf(":pprof heap without --out: %v", r)
	}

	os.Mkdir(out, 0o700)
	victim := filepath.Join(tempDir(t, 0o700), "victim")
	os.WriteFile(victim, []byte("precious"), 0o600)
	if err := os.Symlink(victim, filepath.Join(out, a)); err != nil {
		t.Fatal(err)
	}
	r = run(t, env, "", "exec", "--out", out, "--via", manholeBin(t)+" proxy {}", a, b, "--", ":pprof heap")
	r.expect(t, 0)
	for _, name := range []string{a, outName(b)} {
		path := filepath.Join(out, name)
		st, err := os.Lstat(path)
		if err != nil || !st.Mode().IsRegular() || st.Mode().Perm() != 0o600 {
			t.Fatalf("%s: %v %v (%v)", path, st, err, r)
		}
		data, _ := os.ReadFile(path)
		if !bytes.HasPrefix(data, []byte{0x1f, 0x8b}) {
			t.Errorf("%s is not a gzipped profile: %q", path, data[:min(len(data), 16)])
		}
		if !strings.Contains(r.stdout, fmt.Sprintf("%d bytes to %s", len(data), path)) {
			t.Errorf("stdout does not tell %s: %v", path, r)
		}
	}
	if b, _ := os.ReadFile(victim); string(b) != "precious" {
		t.Fatalf("the symlink planted in --out was followed: %q", b)
	}
	entries, _ := os.ReadDir(out)
	if len(entries) != 2 {
		t.Fatalf("--out holds %v, want the two profiles and no temporary file", entries)
	}

	// A failed target leaves no file.
	r = run(t, env, "", "exec", "--out", out, a, "99999999", "--", ":pprof nope")
	r.expect(t, 255)
	if _, err := os.Stat(filepath.Join(out, "99999999")); err == nil {
		t.Error("a target that was not reached left a file")
	}
}

// TestExecFleetViaHangs: a via command that never answers is ended with
// its whole process group at the timeout, and holds nobody up.
func TestExecFleetViaHangs(t *testing.T) {
	dir, ds := startDemos(t, 1)
	tmp := tempDir(t, 0o755)
	// Named manhole-*, so that exec takes "proxy" after it for the proxy.
	hang := filepath.Join(tmp, "manhole-hang")
	os.WriteFile(hang, []byte("#!/bin/sh\nif [ \"$3\" = hang ]; then sleep 300 & echo $! > "+tmp+"/child; wait; fi\nexec "+manholeBin(t)+" \"$@\"\n"), 0o755)
	r := run(t, []string{"MANHOLE_DIR=" + dir}, "", "exec", "--timeout", "2s", "--via", hang+" proxy {}", "hang", ds[0].pidArg(), "--", "1+1")
	w := width("hang", ds[0].pidArg())
	r.expect(t, 255, strings.TrimSuffix(prefixed(w, "hang", "manhole exec: timed out after 2s"), "\n"))
	wantLines(t, r, prefixed(w, ds[0].pidArg(), "2"))
	b, err := os.ReadFile(filepath.Join(tmp, "child"))
	if err != nil {
		t.Fatal(err)
	}
	child, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	testkit.Eventually(t, "the via command's child to be killed", func() bool {
		return !discovery.LookupProcess(child).Exists || isZombie(child)
	})
}

func isZombie(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	return i > 0 && len(s) > i+2 && s[i+2] == 'Z'
}

// TestExecFleetRemote: hosts behind ssh, the recipe "ssh {} manhole proxy
// ..." with the throwaway sshd standing in for the remote host.
func TestExecFleetRemote(t *testing.T) {
	s := startSSHD(t)
	dir, ds := startDemos(t, 2)
	a, b := ds[0].pidArg(), ds[1].pidArg()
	via := fmt.Sprintf("%s MANHOLE_DIR=%s %s proxy {}", s.sshCommand(t), dir, manholeBin(t))
	r := run(t, nil, "", "exec", "--via", via, a, b, "--", "os.Getpid()")
	r.expect(t, 0)
	wantLines(t, r, prefixed(width(a, b), a, a), prefixed(width(a, b), b, b))

	swapKey(t, ds[1])
	r = run(t, nil, "", "exec", "--via", via, a, b, "--", "os.Getpid()")
	r.expect(t, 255, strings.TrimSuffix(prefixed(width(a, b), b, "manhole exec: HOST KEY MISMATCH: "+b+" answered with"), "\n"), "1 of 2 targets failed: "+b)
	wantLines(t, r, prefixed(width(a, b), a, a))
}

// TestExecFleetInterrupt: Ctrl-C stops the evaluation on every target,
// which then report it; nothing is left running there.
func TestExecFleetInterrupt(t *testing.T) {
	dir, ds := startDemos(t, 2)
	env := []string{"MANHOLE_DIR=" + dir}
	cmd := exec.Command(manholeBin(t), "exec", "--fleet", ds[0].pidArg(), ds[1].pidArg(), "--", "time.Sleep(time.Minute)")
	cmd.Env = append(os.Environ(), env...)
	p := start(t, cmd)
	for _, d := range ds {
		testkit.Eventually(t, "the evaluation to run in pid "+d.pidArg(), func() bool {
			return strings.Contains(run(t, env, "", "exec", d.pidArg(), ":sessions").stdout, "time.Sleep(")
		})
	}
	cmd.Process.Signal(syscall.SIGINT)
	p.waitExit(t)
	if code := cmd.ProcessState.ExitCode(); code != 1 || strings.Count(p.stderr.String(), "interrupted") < 2 {
		t.Fatalf("exit %d, stderr %q; want 1 and both evaluations interrupted", code, p.stderr.String())
	}
}
