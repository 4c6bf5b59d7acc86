package session

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"math"
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
	m := startTestManhole(t, withConfig(func(c *Config) { c.Namespace = ns }))
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

func TestSetGCAndMemLimitChangeTheRuntime(t *testing.T) {
	m := startTestManhole(t)
	oldGC := debug.SetGCPercent(100)
	oldLimit := debug.SetMemoryLimit(math.MaxInt64)
	t.Cleanup(func() {
		debug.SetGCPercent(oldGC)
		debug.SetMemoryLimit(oldLimit)
	})
	steps := []struct{ cmd, want string }{
		{":setgc 150", "GOGC 100 -> 150\n"},
		{":setgc off", "GOGC 150 -> off\n"},
		{":setgc 100", "GOGC off -> 100\n"},
		{":memlimit 1GiB", "GOMEMLIMIT off -> 1.00 GiB\n"},
		{":memlimit 536870912", "GOMEMLIMIT 1.00 GiB -> 512 MiB\n"},
		{":memlimit 3 MiB", "GOMEMLIMIT 512 MiB -> 3.00 MiB\n"},
		{":memlimit off", "GOMEMLIMIT 3.00 MiB -> off\n"},
	}
	for _, s := range steps {
		r := m.exec(t, s.cmd)
		if r.code != 0 || string(r.stdout) != s.want {
			t.Errorf("%s: status %d, stdout %q, stderr %q; want 0, %q", s.cmd, r.code, r.stdout, r.stderr, s.want)
		}
	}
	if got := debug.SetGCPercent(100); got != 100 {
		t.Errorf("GOGC is %d after :setgc 100", got)
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
			// fails it.
			zr, err := gzip.NewReader(bytes.NewReader(r.stdout))
			if err != nil {
				t.Fatalf("not gzip: %v (%d bytes: %q...)", err, len(r.stdout), r.stdout[:min(len(r.stdout), 16)])
			}
			if _, err := io.Copy(io.Discard, zr); err != nil {
				t.Fatalf("corrupt gzip: %v", err)
			}
			if _, err := readProfileTop(r.stdout); err != nil {
				t.Fatalf("not a profile: %v", err)
			}
		})
	}
}

func TestParseBytes(t *testing.T) {
	for in, want := range map[string]int64{
		"0": 0, "1024": 1024, "1B": 1, "2KiB": 2 << 10, "512MiB": 512 << 20, "1 GiB": 1 << 30, "3TiB": 3 << 40,
	} {
		if got, err := parseBytes(in); err != nil || got != want {
			t.Errorf("parseBytes(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "-1", "1KB", "1.5GiB", "MiB", "1 kib", "99999999999TiB", "0x10"} {
		if got, err := parseBytes(in); err == nil {
			t.Errorf("parseBytes(%q) = %d, want an error", in, got)
		}
	}
}

func TestFmtBytes(t *testing.T) {
	for in, want := range map[int64]string{
		0: "0 B", 1023: "1023 B", 1024: "1.00 KiB", 1536: "1.50 KiB", 10 << 20: "10.0 MiB",
		512 << 20: "512 MiB", 1 << 30: "1.00 GiB", -2048: "-2.00 KiB",
	} {
		if got := fmtBytes(in); got != want {
			t.Errorf("fmtBytes(%d) = %q, want %q", in, got, want)
		}
	}
}

func TestCut(t *testing.T) {
	for _, tt := range []struct {
		in    string
		width int
		want  string
	}{
		{"short", 10, "short"},
		{"exactly10!", 10, "exactly10!"},
		{"a bit too long", 10, "a bit too…"},
		{"two\nlines", 20, "two⏎lines"},
		{"ééééé", 3, "éé…"},
	} {
		if got := cut(tt.in, tt.width); got != tt.want {
			t.Errorf("cut(%q, %d) = %q, want %q", tt.in, tt.width, got, tt.want)
		}
	}
}

func TestFormatVarsIsOneLineEach(t *testing.T) {
	type point struct{ X, Y int }
	lines := formatVars(map[string]any{
		"p":      &point{1, 2},
		"nilptr": (*point)(nil),
		"none":   nil,
		"text":   strings.Repeat("x", 500),
		"multi":  "a\nb",
		"m":      map[string]int{"a": 1},
		"ch":     make(chan int, 3),
		"panics": panicky{},
	}, 80)
	want := map[string]string{
		"p":      "p\t*session.point\t&session.point{X:1, Y:2}\n",
		"nilptr": "nilptr\t*session.point\t(*session.point)(nil)\n",
		"none":   "none\tnil\tnil\n",
		"multi":  "multi\tstring\t\"a\\nb\"\n",
		"m":      "m\tmap[string]int\tmap[string]int{… not read: no lock of the app guards it he…\n",
		"ch":     "ch\tchan int\tlen 0, cap 3\n",
	}
	for _, l := range lines {
		name, _, _ := strings.Cut(l, "\t")
		if w, ok := want[name]; ok && l != w {
			t.Errorf("%s: got %q, want %q", name, l, w)
		}
		if strings.Count(l, "\n") != 1 || len([]rune(l)) > 100 {
			t.Errorf("%s: not one short line: %q", name, l)
		}
	}
	if l := lines[len(lines)-1]; !strings.HasPrefix(l, "text\tstring\t\"xxx") || !strings.HasSuffix(l, "…\n") {
		t.Errorf("long value not cut: %q", l)
	}
}

type panicky struct{}

func (panicky) String() string { panic("boom") }

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

// What a session shows people never reaches their terminal as control
// sequences: another session's code, the app's text.
func TestDiagnosticsEscapeControlCharacters(t *testing.T) {
	for in, want := range map[string]string{
		"store.Set(\"evil\", \"\x1b]0;PWNED\x07\x1b[2J\")": `store.Set("evil", "\x1b]0;PWNED\x07\x1b[2J")`,
		"plain ⏎ text é":          "plain ⏎ text é",
		"bad \xff byte":           `bad \xff byte`,
		"a real \uFFFD stays":     "a real \uFFFD stays",
		"line one\nline two\ttab": "line one⏎line two tab",
		"c1 \u009b control":       `c1 \x9b control`,
	} {
		if got := cut(in, 0); got != want {
			t.Errorf("cut(%q) = %q, want %q", in, got, want)
		}
	}
}
