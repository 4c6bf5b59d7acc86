package session

import (
	"context"
	"fmt"
	"math/rand/v2"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	gossh "golang.org/x/crypto/ssh"

	"github.com/gomanhole/manhole/internal/testkit"
	"github.com/gomanhole/manhole/sshd"
)

// The sequences with which :top enters and leaves the full screen: the
// alternate screen, the cursor hidden, autowrap off, and back.
const (
	topEnter = "\x1b[?1049h\x1b[?25l\x1b[?7l\x1b[H\x1b[2J"
	topLeave = "\x1b[?7h\x1b[?25h\x1b[?1049l"
)

// samplerGoroutines counts the goroutines running a :top sampler, by
// their stacks: the process's total moves with whatever other tests are
// still ending.
func samplerGoroutines() int {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			return strings.Count(string(buf[:n]), "(*topSampler).run(")
		}
		buf = make([]byte, 2*len(buf))
	}
}

// waitSamplerStopped waits until no :top sampler runs: a sampler runs
// while it has watchers, and only then.
func waitSamplerStopped(t *testing.T) {
	t.Helper()
	testkit.Eventually(t, "the :top sampler to stop after its watchers left", func() bool { return samplerGoroutines() == 0 })
}

func TestTopOverExecPrintsPlainSnapshots(t *testing.T) {
	m := startTestManhole(t)
	start := time.Now()
	r := m.exec(t, ":top -n 3")
	if r.code != 0 {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
	out := string(r.stdout)
	if strings.ContainsAny(out, "\x1b\r") {
		t.Errorf("escape codes or carriage returns in the text snapshots:\n%q", out)
	}
	if n := strings.Count(out, "\nGOROUTINES "); n != 3 {
		t.Errorf("%d snapshots, want 3:\n%s", n, out)
	}
	for _, want := range []string{`(?m)^CPU +\d+\.\d%  user \d+\.\d%  sys \d+\.\d%`, `(?m)^heap +.* in use  goal .*  limit off`,
		`(?m)^GC +\d+ cycles .* pause p50 .* p99 .* max `, `(?m)^goroutines \d+`, `(?m)^sched +latency p50 .* p99 `,
		`(?m)^ +COUNT +STATE +WAIT +WHERE`, `(?m)^SESSIONS  1$`, `(?m)^\* +\d+  exec .*:top -n 3$`} {
		if !regexp.MustCompile(want).MatchString(out) {
			t.Errorf("no match for %s in:\n%s", want, out)
		}
	}
	for _, l := range strings.Split(out, "\n") {
		if n := utf8.RuneCountInString(l); n > defaultCols {
			t.Errorf("line of %d runes, wider than %d: %q", n, defaultCols, l)
		}
	}
	if took := time.Since(start); took < 2*time.Second {
		t.Errorf("3 snapshots in %v: not one a second", took)
	}
	waitSamplerStopped(t)

	for _, bad := range []string{":top -n 0", ":top -n x", ":top -d 0", ":top -x", ":top -n"} {
		if r := m.exec(t, bad); r.code != 2 {
			t.Errorf("%s: exit %d, want 2 (stderr %q)", bad, r.code, r.stderr)
		}
	}
	if r := m.exec(t, ":top"); r.code != 0 || strings.Count(string(r.stdout), "\nGOROUTINES ") != 1 {
		t.Errorf(":top without a terminal: exit %d, want one snapshot:\n%s", r.code, r.stdout)
	}
}

// topPTY opens a terminal session and starts :top in it.
func topPTY(t *testing.T, m *testManhole) *ptySession {
	t.Helper()
	p := m.pty(t)
	p.send(t, ":top\r")
	p.expect(t, topEnter)
	p.expect(t, "GOROUTINES")
	p.expect(t, "q quit")
	return p
}

func TestTopScreenKeysResizeAndQuit(t *testing.T) {
	m := startTestManhole(t)
	p := topPTY(t, m)
	p.send(t, "s")
	p.expect(t, "sorted by wait")
	p.send(t, "n")
	p.expect(t, "sorted by state")
	p.send(t, "+")
	p.expect(t, "interval (2s)")
	p.send(t, "-")
	p.expect(t, "interval (1s)")

	// Window sizes from absurd to none; each redraws.
	for _, size := range [][2]int{{10000, 10000}, {0, 0}, {1, 1}, {2, 5}, {1 << 30, 3}, {60, 20}} {
		if err := p.sess.WindowChange(size[1], size[0]); err != nil {
			t.Fatal(err)
		}
		p.send(t, "c")
		p.expect(t, "\x1b[H")
	}
	p.expect(t, "q quit")
	// 60 columns: no line wider, sparklines gone.
	frame := p.expect(t, "interval (1s)")
	frame = frame[strings.LastIndex(frame, "\x1b[H")+3:]
	for _, l := range strings.Split(frame, "\r\n") {
		l = strings.NewReplacer("\x1b[K", "", "\x1b[J", "", "\x1b[2J", "").Replace(l)
		if n := utf8.RuneCountInString(l); n > 60 {
			t.Errorf("line of %d runes in a 60-column window: %q", n, l)
		}
	}

	// Keystroke garbage: escape sequences, control bytes, invalid UTF-8,
	// a paste marker left open. Nothing but q, Ctrl-C and Ctrl-D ends it.
	rng := rand.New(rand.NewPCG(1, 2))
	garbage := make([]byte, 256<<10)
	for i := range garbage {
		b := byte(rng.UintN(256))
		switch b {
		case 'q', 'Q', 3, 4:
			b = 'x'
		}
		garbage[i] = b
	}
	// A paste is dropped whole by the view (TestPasteIntoTopIsDropped).
	p.send(t, "\x1b[200~"+string(garbage)+"\x1b[201~\x1b[A\x1b[1;5C\x1bO")
	p.send(t, "c")
	p.expect(t, "sorted by count")

	p.send(t, "q")
	p.expect(t, topLeave)
	p.expect(t, prompt)
	p.runWant(t, "40 + 2", "42")
	waitSamplerStopped(t)
}

func TestTopLeavesTheScreenOnEveryExit(t *testing.T) {
	m := startTestManhole(t)
	t.Run("ctrl-c", func(t *testing.T) {
		p := topPTY(t, m)
		p.send(t, "\x03")
		p.expect(t, topLeave)
		p.expect(t, prompt)
	})
	t.Run("INT signal", func(t *testing.T) {
		p := topPTY(t, m)
		p.sess.Signal(gossh.SIGINT)
		p.expect(t, topLeave)
		p.expect(t, prompt)
	})
	t.Run("kicked", func(t *testing.T) {
		p := topPTY(t, m)
		var id uint64
		for _, info := range m.cfg.Sessions() {
			if info.Activity == ":top" {
				id = info.ID
			}
		}
		if r := m.exec(t, fmt.Sprintf(":kick %d", id)); r.code != 0 {
			t.Fatalf(":kick: %d %s", r.code, r.stderr)
		}
		p.out.waitFor(t, p.mark, topLeave)
		p.out.waitFor(t, 0, "session ends: kicked")
		if code := exitCode(t, p.sess.Wait()); code != 255 {
			t.Errorf("exit status %d, want 255", code)
		}
	})
	t.Run("panic in the view", func(t *testing.T) {
		p := m.pty(t)
		var once sync.Once
		hook := func() { once.Do(func() { panic("boom") }) }
		terminalSizeHook.Store(&hook)
		t.Cleanup(func() { terminalSizeHook.Store(nil) })
		p.send(t, ":top\r")
		p.expect(t, topLeave)
		p.out.waitFor(t, 0, ":top failed: boom")
		p.expect(t, prompt)
		terminalSizeHook.Store(nil)
		p.runWant(t, "1 + 1", "2")
	})
	t.Run("exec on a terminal", func(t *testing.T) {
		// manhole top: an exec request with a pty, keys read by :top.
		sess, err := m.dial(t).NewSession()
		if err != nil {
			t.Fatal(err)
		}
		defer sess.Close()
		if err := sess.RequestPty("xterm", 24, 80, gossh.TerminalModes{}); err != nil {
			t.Fatal(err)
		}
		stdin, _ := sess.StdinPipe()
		out := newSyncBuffer()
		sess.Stdout, sess.Stderr = out, out
		if err := sess.Start(":top"); err != nil {
			t.Fatal(err)
		}
		at := out.waitFor(t, 0, topEnter)
		at = out.waitFor(t, at, "q quit")
		stdin.Write([]byte("q"))
		out.waitFor(t, at, topLeave)
		if code := exitCode(t, sess.Wait()); code != 0 {
			t.Errorf("exit status %d, want 0", code)
		}
	})
	t.Run("client gone", func(t *testing.T) {
		p := topPTY(t, m)
		p.sess.Close()
		waitSamplerStopped(t)
	})
	waitSamplerStopped(t)
}

func TestTopLeavesTheScreenOnShutdown(t *testing.T) {
	m := startTestManhole(t)
	p := topPTY(t, m)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	go m.srv.Shutdown(ctx)
	p.out.waitFor(t, p.mark, topLeave)
	p.out.waitFor(t, 0, "session ends: "+sshd.ErrShutdown.Error())
	if code := exitCode(t, p.sess.Wait()); code != 255 {
		t.Errorf("exit status %d, want 255", code)
	}
	waitSamplerStopped(t)
}

// TestTopWatchersLeaveNoGoroutines: once the clients that watched :top
// are gone, the goroutine count is what it was before them (package
// diag's TestTopSamplingStopsWhenWatchersLeave checks the sampler
// itself).
func TestTopWatchersLeaveNoGoroutines(t *testing.T) {
	m := startTestManhole(t)
	execClosed := func(cmd string) {
		client, err := testkit.Dial("unix", m.path, testkit.ClientConfig(m.host))
		if err != nil {
			t.Error(err)
			return
		}
		defer client.Close()
		sess, err := client.NewSession()
		if err != nil {
			t.Error(err)
			return
		}
		if out, err := sess.Output(cmd); err != nil || len(out) == 0 {
			t.Errorf("%s: %v", cmd, err)
		}
	}
	settle := func(want int) int {
		deadline := time.Now().Add(20 * time.Second)
		for {
			n := runtime.NumGoroutine()
			if n <= want || time.Now().After(deadline) {
				return n
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	execClosed("1") // the first session's one-time costs
	time.Sleep(200 * time.Millisecond)
	base := runtime.NumGoroutine()
	var wg sync.WaitGroup
	for range 3 {
		wg.Go(func() { execClosed(":top -n 2") })
	}
	wg.Wait()
	waitSamplerStopped(t)
	if n := settle(base); n > base {
		t.Errorf("%d goroutines after three :top -n 2, %d before", n, base)
	}
}

// TestTopManyWatchersBusyApp: ten clients watch at once, typing and
// resizing, while the application allocates and starts goroutines (run
// it under -race).
func TestTopManyWatchersBusyApp(t *testing.T) {
	m := startTestManhole(t)
	stop := make(chan struct{})
	var busy sync.WaitGroup
	for range 4 {
		busy.Go(func() {
			var keep [][]byte
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				keep = append(keep, make([]byte, 4096))
				if len(keep) > 256 {
					keep = nil
				}
				done := make(chan struct{})
				go func() { close(done) }()
				<-done
				if i%64 == 0 {
					time.Sleep(time.Millisecond)
				}
			}
		})
	}
	defer func() {
		close(stop)
		busy.Wait()
	}()
	var wg sync.WaitGroup
	for i := range 10 {
		wg.Go(func() {
			if i%2 == 0 {
				if r := m.exec(t, ":top -n 2"); r.code != 0 || strings.Count(string(r.stdout), "\nGOROUTINES ") != 2 {
					t.Errorf(":top -n 2: exit %d\n%s", r.code, r.stdout)
				}
				return
			}
			p := topPTY(t, m)
			for k, key := range []string{"s", "+", "w", "-", "n", "c"} {
				p.sess.WindowChange(10+k*7, 20+k*13)
				p.send(t, key)
			}
			p.expect(t, "sorted by count")
			p.send(t, "q")
			p.expect(t, topLeave)
			p.expect(t, prompt)
		})
	}
	wg.Wait()
	waitSamplerStopped(t)
}
