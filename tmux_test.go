//go:build unix

package manhole_test

// A real terminal: tmux runs `manhole connect` against the demo, the test
// types into it and reads the screen.

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gomanhole/manhole/internal/testkit"
)

type tmux struct {
	t      *testing.T
	socket string
	target string
}

func startTmux(t *testing.T, width, height int, command string) *tmux {
	t.Helper()
	testkit.Need(t, "tmux", testkit.InstallTmux)
	dir, err := os.MkdirTemp("/tmp", "mhtmux")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	tm := &tmux{t: t, socket: filepath.Join(dir, "tmux.sock"), target: "mh"}
	tm.run("-f", "/dev/null", "new-session", "-d", "-s", tm.target,
		"-x", strconv.Itoa(width), "-y", strconv.Itoa(height), "-e", "TERM=xterm-256color", command)
	t.Cleanup(func() { exec.Command("tmux", "-S", tm.socket, "kill-server").Run() })
	return tm
}

func (tm *tmux) run(args ...string) string {
	tm.t.Helper()
	out, err := exec.Command("tmux", append([]string{"-S", tm.socket}, args...)...).CombinedOutput()
	if err != nil {
		tm.t.Fatalf("tmux %v: %v\n%s", args, err, out)
	}
	return string(out)
}

// keys sends tmux key names ("Enter", "C-c", "Tab") or literal text.
func (tm *tmux) keys(keys ...string) {
	tm.t.Helper()
	tm.run(append([]string{"send-keys", "-t", tm.target}, keys...)...)
}

func (tm *tmux) text(s string) {
	tm.t.Helper()
	tm.run("send-keys", "-t", tm.target, "-l", s)
}

// enter types s and presses Enter.
func (tm *tmux) enter(s string) {
	tm.t.Helper()
	tm.text(s)
	tm.keys("Enter")
}

// paste pastes s as a terminal would: bracketed, when the application
// asked for it.
func (tm *tmux) paste(s string) {
	tm.t.Helper()
	tm.run("set-buffer", "-b", "p", s)
	tm.run("paste-buffer", "-p", "-d", "-b", "p", "-t", tm.target)
}

func (tm *tmux) screen() string {
	tm.t.Helper()
	return tm.run("capture-pane", "-p", "-t", tm.target)
}

// waitScreen polls the screen until ok says yes.
func (tm *tmux) waitScreen(what string, ok func(string) bool) string {
	tm.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		s := tm.screen()
		if ok(s) {
			return s
		}
		if time.Now().After(deadline) {
			tm.t.Fatalf("screen never showed %s:\n%s", what, s)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (tm *tmux) waitFor(sub string) string {
	tm.t.Helper()
	return tm.waitScreen(strconv.Quote(sub), func(s string) bool { return strings.Contains(s, sub) })
}

func TestTmuxConnect(t *testing.T) {
	d := startDemo(t, 0o700)
	bin := filepath.Join(binaries(t), "manhole")
	tm := startTmux(t, 100, 30, bin+" connect "+d.socket+"; echo EXIT=$?; sleep 600")
	tm.waitFor("type :help")
	tm.waitFor(">>>") // capture-pane trims the trailing space

	tm.enter(`store.Set("from", "tmux")`)
	tm.enter(`store.Get("from")`)
	tm.waitFor(`"tmux", true`)

	// Tab completes a value's methods, listing them when ambiguous.
	tm.text("store.")
	tm.keys("Tab")
	tm.waitScreen("store's methods listed", func(s string) bool {
		return strings.Contains(s, "Get") && strings.Contains(s, "Keys") && strings.Contains(s, "Len") && strings.Contains(s, "Set")
	})
	tm.text("Le")
	tm.keys("Tab")
	tm.waitFor(">>> store.Len")
	tm.keys("Enter")
	tm.text("strings.ToU")
	tm.keys("Tab")
	tm.waitFor(">>> strings.ToUpper")
	tm.enter(`("done")`)
	tm.waitFor(`"DONE"`)

	// A multi-line paste runs as one block.
	tm.paste("func tripled(n int) int {\n\treturn 3 * n\n}\nfmt.Println(\"pasted\", tripled(14))\n")
	tm.waitFor("pasted 42")

	// Ctrl-C cancels a running evaluation and the prompt comes back.
	tm.enter("for {}")
	time.Sleep(200 * time.Millisecond) // let the loop start
	tm.keys("C-c")
	tm.waitFor("interrupted")
	tm.enter("40 + 2")
	tm.waitFor("42")

	// Ctrl-C on a half-typed line clears it.
	tm.text("this is not go")
	tm.keys("C-c")
	tm.waitFor("this is not go^C")
	tm.enter("6 * 7")
	tm.waitScreen("6 * 7 evaluated alone", func(s string) bool {
		return strings.Contains(s, ">>> 6 * 7\n42")
	})

	// Ctrl-D leaves with status 0 and the terminal restored.
	tm.keys("C-d")
	tm.waitFor("EXIT=0")
}

// TestTmuxEditing types into manhole connect what issue 14 asked of the
// REPL and checks the screen: a block recalled whole, edited and run
// again; reverse search; word motions and kills; the pager; the hints;
// and history that follows the user into the next session.
func TestTmuxEditing(t *testing.T) {
	d := startDemo(t, 0o700)
	bin := filepath.Join(binaries(t), "manhole")
	cmd := bin + " connect " + d.socket
	tm := startTmux(t, 100, 30, cmd+"; echo EXIT=$?; "+cmd+"; sleep 600")
	tm.waitFor("type :help")

	// A block, auto-indented; the closing brace steps back.
	tm.enter("for i := range 2 {")
	tm.enter(`fmt.Println("round", i)`)
	tm.enter("}")
	tm.waitFor("round 1")
	s := tm.screen()
	if !strings.Contains(s, "...     fmt.Println(\"round\", i)\n... }") {
		t.Fatalf("the block is not indented as typed:\n%s", s)
	}

	// Up brings it back whole; edit its middle line and run it again.
	tm.keys("Up")
	tm.waitScreen("the recalled block", func(s string) bool {
		return strings.Count(s, `fmt.Println("round", i)`) == 2
	})
	tm.keys("Down", "End", "BSpace", "BSpace")
	tm.enter(`i*10)`)
	tm.waitFor("round 10")

	// Word motions and kills: Alt-b twice lands before abc, Ctrl-W cuts
	// back to the blank before (all of strings.ToUpper("), Ctrl-E and
	// Ctrl-Y put it at the end, as readline does.
	tm.text(`strings.ToUpper("abc def")`)
	tm.keys("M-b", "M-b", "C-w", "C-e", "C-y")
	tm.waitFor(`>>> abc def")strings.ToUpper("`)
	tm.keys("C-u")
	tm.enter(`strings.Repeat("ha", 2)`)
	tm.waitFor(`"haha"`)

	// Reverse search finds the block by a word of its middle line.
	tm.keys("C-r")
	tm.text("round")
	tm.waitFor("(reverse-i-search)`round'")
	tm.keys("Enter")
	tm.waitScreen("the block run again from the search", func(s string) bool {
		return strings.Count(s, "round 10") == 2
	})

	// Words a newcomer types.
	tm.enter("exit")
	tm.waitFor("press Ctrl-D or type :quit")

	// Output taller than the window goes through the pager.
	tm.enter(":goroutines -full")
	tm.waitFor(":goroutines: lines 1-29 of")
	tm.enter("/sshd.(*Server).Serve")
	tm.waitScreen("the pager at the search", func(s string) bool {
		return strings.HasPrefix(s, "github.com/gomanhole/manhole/sshd.(*Server).Serve")
	})
	tm.keys("q")
	tm.waitFor("shown in the pager)")

	// Ctrl-L clears the screen and keeps the line.
	tm.text("1 + 2")
	tm.keys("C-l")
	tm.waitScreen("a cleared screen", func(s string) bool {
		return strings.HasPrefix(s, ">>> 1 + 2") && !strings.Contains(s, "round")
	})
	tm.keys("Enter")
	tm.waitFor("3")

	// Leave; the next session of the same user has the history.
	tm.keys("C-d")
	tm.waitFor("EXIT=0")
	tm.waitScreen("the second session's prompt", func(s string) bool {
		return strings.Count(s, "type :help") == 1 && strings.HasSuffix(strings.TrimRight(s, "\n "), ">>>")
	})
	tm.keys("Up")
	tm.waitFor(">>> 1 + 2")
	tm.keys("C-u", "C-d")
}
