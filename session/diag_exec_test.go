package session

import (
	"bytes"
	"fmt"
	"regexp"
	"runtime/debug"
	"strings"
	"testing"
)

func TestDiagCommandsOverExec(t *testing.T) {
	ns := map[string]any{
		"answer": 42,
		"name":   "manhole",
		"big":    make([]int, 1000),
		"flush":  func() {},
	}
	m := startTestManhole(t, withConfig(func(c *Server) { c.Namespace = ns }))
	tests := []struct {
		name, cmd  string
		code       int
		stdout     string // a regexp the stdout must match
		stderr     string // a regexp the stderr must match
		emptyStdio bool   // stdout must be empty
	}{
		{name: "help", cmd: ":help", stdout: `(?m)^  :goroutines +every goroutine`},
		{name: "help lists all", cmd: ":help", stdout: `:build(?s:.*):cpu(?s:.*):gc(?s:.*):kick(?s:.*):logs(?s:.*):mem(?s:.*):memlimit(?s:.*):pprof(?s:.*):sessions(?s:.*):setgc(?s:.*):trace(?s:.*):vars`},
		{name: "help command", cmd: ":help cpu", stdout: `^:cpu \[SECONDS\]\n`},
		{name: "unknown command", cmd: ":nope", code: 2, stderr: `unknown command :nope`},
		{name: "goroutines", cmd: ":goroutines", stdout: `^\d+ goroutines in \d+ groups\nCOUNT +STATE +WHERE\n\d+ +`},
		{name: "goroutines stacks", cmd: ":goroutines -stacks", stdout: `^\d+ goroutines in \d+ groups\n\n\d+ goroutines? \[`},
		{name: "goroutines full", cmd: ":goroutines -full", stdout: `(?m)^goroutine \d+ \[running\]:$`},
		{name: "goroutines bad flag", cmd: ":goroutines -x", code: 2, stderr: `usage: :goroutines`, emptyStdio: true},
		{name: "mem", cmd: ":mem", stdout: `(?s)heap\n  in use +\d\S* \S*B .*GOGC +(\d+|off)\n.*GOMEMLIMIT +.*goroutines +\d+ .*GOMAXPROCS +\d+`},
		{name: "mem args", cmd: ":mem x", code: 2},
		{name: "gc", cmd: ":gc", stdout: `^heap before .*B \(\d+ objects\), after .*B \(\d+ objects\): freed .* in .*s\n$`},
		{name: "setgc shows", cmd: ":setgc", stdout: `^GOGC (\d+|off)\n$`},
		{name: "setgc bad", cmd: ":setgc -5", code: 2, stderr: `usage: :setgc`},
		{name: "memlimit shows", cmd: ":memlimit", stdout: `^GOMEMLIMIT .+\n$`},
		{name: "memlimit bad", cmd: ":memlimit 12XB", code: 2, stderr: `512MiB`},
		{name: "memlimit unitless typo", cmd: ":memlimit 512", code: 2, stderr: `did you mean 512MiB\?`},
		{name: "pprof usage", cmd: ":pprof", code: 2, stderr: `usage: :pprof NAME, NAME one of .*allocs.*heap`},
		{name: "pprof unknown", cmd: ":pprof nope", code: 2, stderr: `no profile "nope"`},
		{name: "pprof empty block", cmd: ":pprof block", stderr: `runtime.SetBlockProfileRate`},
		{name: "cpu bad", cmd: ":cpu soon", code: 2, stderr: `usage: :cpu`, emptyStdio: true},
		{name: "cpu zero", cmd: ":cpu 0", code: 2},
		{name: "cpu too long", cmd: ":cpu 301", code: 2, stderr: `0 to 300`},
		{name: "trace bad", cmd: ":trace -1", code: 2, emptyStdio: true},
		{name: "build", cmd: ":build", stdout: `(?s)^go +go1\.\d+.*\ndependencies \(\d+\)\n`},
		{name: "vars", cmd: ":vars", stdout: `(?m)^answer +int +42\n(?s:.*)^big +\[\]int +len 1000, cap 1000\n(?s:.*)^flush +func\(\) +func\n(?s:.*)^name +string +"manhole"$`},
		{name: "sessions", cmd: ":sessions", stdout: `(?m)^  ID +UID +PID +IDENTITY +SINCE +MODE +GOROUTINES +RUNNING\n\* \d+ +\d+ +\d+ +peer uid \d+ +\S+ +exec +- +:sessions$`},
		{name: "kick unknown", cmd: ":kick 99999", code: 1, stderr: `no session 99999`},
		{name: "kick bad", cmd: ":kick me", code: 2, stderr: `usage: :kick ID`},
		{name: "logs not routed", cmd: ":logs", code: 1, stderr: `mh\.LogHandler(?s:.*)mh\.LogWriter`},
		{name: "logs args", cmd: ":logs -f", code: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := m.exec(t, tt.cmd)
			if r.code != tt.code {
				t.Errorf("exit status %d, want %d\nstdout:\n%s\nstderr:\n%s", r.code, tt.code, r.stdout, r.stderr)
			}
			if tt.stdout != "" && !regexp.MustCompile(tt.stdout).Match(r.stdout) {
				t.Errorf("stdout does not match %s:\n%s", tt.stdout, r.stdout)
			}
			if tt.stderr != "" && !regexp.MustCompile(tt.stderr).Match(r.stderr) {
				t.Errorf("stderr does not match %s:\n%s", tt.stderr, r.stderr)
			}
			if tt.emptyStdio && len(r.stdout) > 0 {
				t.Errorf("stdout should be empty, got:\n%s", r.stdout)
			}
			if bytes.Contains(r.stdout, []byte("\r\n")) || bytes.Contains(r.stderr, []byte("\r\n")) {
				t.Errorf("\\r\\n without a terminal:\n%q\n%q", r.stdout, r.stderr)
			}
		})
	}
}

func TestPprofOverExecIsBinaryExact(t *testing.T) {
	m := startTestManhole(t)
	for _, name := range []string{"heap", "allocs", "goroutine", "block", "mutex", "threadcreate"} {
		t.Run(name, func(t *testing.T) {
			r := m.exec(t, ":pprof "+name)
			if r.code != 0 {
				t.Fatalf("exit status %d: %s", r.code, r.stderr)
			}
			// gzip checks a CRC over the whole stream: one rewritten byte
			// fails it. That the stream is a profile is package diag's
			// test (TestPprofWritesProfiles).
			if err := gzipWhole(r.stdout); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestPTYCommandsPrintText(t *testing.T) {
	m := startTestManhole(t)
	p := m.pty(t)
	checks := []struct{ line, want string }{
		{":help", `(?s)Commands.*  :goroutines +every goroutine`},
		{":help mem", `:mem\n`},
		{":mem", `(?s)heap\n  in use .*GOMAXPROCS +\d+`},
		{":goroutines", `\d+ goroutines in \d+ groups\n`},
		{":pprof heap", `(?s)heap profile \(as of the last GC, sampled\): .* inuse_space in total\n.*manhole exec \d+ ':pprof heap' > heap.pb.gz && go tool pprof -top heap.pb.gz`},
		{":pprof goroutine", `(?s)goroutines in \d+ groups.*manhole exec \d+ ':pprof goroutine' > goroutine.pb.gz`},
		{":trace 1", `binary only(?s:.*)manhole exec \d+ ':trace 1' > trace.out && go tool trace trace.out`},
		{":sessions", `\* \d+ .* pty +0 +:sessions`},
	}
	for _, c := range checks {
		out := p.run(t, c.line)
		if !regexp.MustCompile(c.want).MatchString(out) {
			t.Errorf("%s: output does not match %s:\n%s", c.line, c.want, out)
		}
		// A profile's gzip magic on a terminal would mean binary went
		// through x/term.
		if strings.Contains(out, "\x1f\x8b") {
			t.Errorf("%s: binary output on a terminal", c.line)
		}
	}
}

func TestKickEndsAnotherSession(t *testing.T) {
	m := startTestManhole(t)
	victim := m.pty(t)
	infos := m.cfg.Sessions()
	if len(infos) != 1 {
		t.Fatalf("sessions: %+v", infos)
	}
	id := infos[0].ID
	r := m.exec(t, fmt.Sprintf(":kick %d", id))
	if r.code != 0 || string(r.stdout) != fmt.Sprintf("session %d ended\n", id) {
		t.Fatalf(":kick: status %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	victim.expect(t, fmt.Sprintf("session ends: kicked by session %d", id+1))
	if code := exitCode(t, victim.sess.Wait()); code != 255 {
		t.Errorf("kicked session exit status %d, want 255", code)
	}
}

func TestKickYourself(t *testing.T) {
	m := startTestManhole(t)
	p := m.pty(t)
	id := m.cfg.Sessions()[0].ID
	p.send(t, fmt.Sprintf(":kick %d\r", id))
	p.expect(t, fmt.Sprintf("session %d is this session: ending it", id))
	// From the start: the reason comes on stderr, which the client copies
	// apart from stdout, so it may land before the command's own output.
	p.out.waitFor(t, 0, fmt.Sprintf("session ends: kicked by session %d", id))
	if code := exitCode(t, p.sess.Wait()); code != 255 {
		t.Errorf("exit status %d, want 255", code)
	}
}

func TestInspectOnlyLooksButDoesNotChange(t *testing.T) {
	m := startTestManhole(t, withMeta(func(meta *Meta) { meta.InspectOnly = true }))
	oldGC := debug.SetGCPercent(100)
	t.Cleanup(func() { debug.SetGCPercent(oldGC) })
	for _, cmd := range []string{":setgc 50", ":memlimit 1GiB", ":kick 1"} {
		r := m.exec(t, cmd)
		if r.code != 1 || !strings.Contains(string(r.stderr), "inspect-only") {
			t.Errorf("%s: status %d, stderr %q; want 1, refused as inspect-only", cmd, r.code, r.stderr)
		}
	}
	if got := debug.SetGCPercent(100); got != 100 {
		t.Errorf("GOGC changed to %d by an inspect-only session", got)
	}
	for _, cmd := range []string{":setgc", ":memlimit", ":mem", ":goroutines", ":sessions"} {
		if r := m.exec(t, cmd); r.code != 0 {
			t.Errorf("%s: status %d, stderr %q; an inspect-only key may look", cmd, r.code, r.stderr)
		}
	}
}
