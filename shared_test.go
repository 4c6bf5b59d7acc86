//go:build unix

package manhole_test

import (
	"os"
	"os/signal"
	"runtime"
	"strings"
	"syscall"
	"testing"

	"github.com/gomanhole/manhole"
)

// TestIdleCostsOneGoroutineAndNoInterpreter is the idle-path rule as a
// count: one goroutine per listener, no interpreter before a session.
func TestIdleCostsOneGoroutineAndNoInterpreter(t *testing.T) {
	k := newSigner(t)
	for _, tc := range []struct {
		name       string
		opts       manhole.Options
		goroutines int
	}{
		{"unix socket", manhole.Options{}, 1},
		{"unix socket and TCP", manhole.Options{Addr: "127.0.0.1:0", AuthorizedKeys: akLine(k, "")}, 2},
		{"waiting for a signal", manhole.Options{ActivateOn: sigusr2}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.opts.ActivateOn != nil {
				// os/signal starts one watcher goroutine per process at
				// its first Notify, whoever calls it; count ours only.
				c := make(chan os.Signal, 1)
				signal.Notify(c, syscall.SIGUSR1)
				signal.Stop(c)
			}
			before := ourGoroutines()
			mh := start(t, tc.opts)
			if got := ourGoroutines() - before; got != tc.goroutines {
				t.Errorf("idle manhole runs %d goroutines, want %d", got, tc.goroutines)
			}
			if n := manhole.InterpretersBuilt(mh); n != 0 {
				t.Errorf("%d interpreters built before any session", n)
			}
			mh.Close()
			if n := manhole.InterpretersBuilt(mh); n != 0 {
				t.Errorf("%d interpreters built by Start/Close", n)
			}
		})
	}
}

func TestFirstSessionUsesThePreparedInterpreter(t *testing.T) {
	mh := start(t, manhole.Options{})
	client := dial(t, mh)
	if out, _, _ := execOut(t, client, "1+1"); out != "2\n" {
		t.Fatalf("1+1: %q", out)
	}
	if n := manhole.InterpretersBuilt(mh); n != 1 {
		t.Errorf("%d interpreters for one session, want 1 (the prepared one)", n)
	}
	execOut(t, client, "2+2")
	if n := manhole.InterpretersBuilt(mh); n != 2 {
		t.Errorf("%d interpreters after a second session, want 2", n)
	}
}

func TestSharedNamespace(t *testing.T) {
	mh := start(t, manhole.Options{SharedNamespace: true})
	a, b := dial(t, mh), dial(t, mh)
	if _, e, st := execOut(t, a, "var greeting = \"hi\""); st != 0 {
		t.Fatalf("declare: %s", e)
	}
	if out, e, _ := execOut(t, b, "greeting + \" there\""); out != "\"hi there\"\n" {
		t.Fatalf("other session sees %q %q", out, e)
	}
	if n := manhole.InterpretersBuilt(mh); n != 1 {
		t.Errorf("%d interpreters in shared mode, want 1", n)
	}
	// Evaluations are serialized: a long one delays the other session's,
	// which runs once it is over and sees all it did.
	if _, e, st := execOut(t, a, "var progress int"); st != 0 {
		t.Fatalf("declare: %s", e)
	}
	sh := openShell(t, a)
	sh.send(t, "for i := 1; i <= 3; i++ { time.Sleep(50*time.Millisecond); progress = i; fmt.Println(\"a\", i) }\r")
	sh.expect(t, "a 1\n") // a is running
	out, e, _ := execOut(t, b, `fmt.Println("b", progress)`)
	if out != "b 3\n" {
		t.Errorf("b printed %q %q while a ran, want \"b 3\\n\": b did not wait for a's evaluation to end", out, e)
	}
	sh.expect(t, "a 3\n>>> ")
	if got := sh.out.String(); !containsInOrder(got, "a 1", "a 2", "a 3") || strings.Contains(got, "b ") {
		t.Errorf("a's output interleaved: %q", got)
	}
}

func containsInOrder(s string, parts ...string) bool {
	for _, p := range parts {
		i := strings.Index(s, p)
		if i < 0 {
			return false
		}
		s = s[i+len(p):]
	}
	return true
}

// ourGoroutines counts the goroutines running manhole's code (not the
// test's): a count that other tests' goroutines winding down cannot skew.
func ourGoroutines() int {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	n := 0
	for _, g := range strings.Split(string(buf), "\n\n") {
		if strings.Contains(g, "github.com/gomanhole/manhole") && !strings.Contains(g, "manhole_test.") {
			n++
		}
	}
	return n
}
