//go:build unix

package main

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// paneFlags reads whether the pane shows its alternate screen and its
// cursor.
func (x *tmux) paneFlags() (alt, cursor string) {
	f := strings.Fields(x.cmd("display", "-p", "-t", "t", "#{alternate_on} #{cursor_flag}"))
	return f[0], f[1]
}

// checkClean fails unless the pane is back on its main screen with the
// cursor shown, and the view is gone from it.
func (x *tmux) checkClean() {
	x.t.Helper()
	if alt, cursor := x.paneFlags(); alt != "0" || cursor != "1" {
		x.t.Errorf("terminal left with alternate_on=%s cursor_flag=%s, want 0 and 1", alt, cursor)
	}
	if s := x.screen(); strings.Contains(s, "GOROUTINES") {
		x.t.Errorf("the view is still on the screen:\n%s", s)
	}
}

// waitFrame waits for a frame of :top drawn for a cols×rows window: the
// key help on the last row, no line wider than the window.
func (x *tmux) waitFrame(cols, rows int) []string {
	x.t.Helper()
	return x.waitFrameWhere(cols, rows, "", func(string) bool { return true })
}

// waitFrameWhere waits for a cols×rows frame of which ok holds (what is
// what the test expects of that size, once the program has redrawn).
func (x *tmux) waitFrameWhere(cols, rows int, what string, want func(screen string) bool) []string {
	x.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	prev := ""
	for {
		// A frame, not a snapshot taken while one is drawn (after a
		// resize, tmux shows the old frame cut to the new size until
		// the new one is written over it): the same screen twice.
		screen := x.screen()
		lines := strings.Split(strings.TrimSuffix(screen, "\n"), "\n")
		ok := screen == prev && len(lines) == rows && strings.HasPrefix(lines[rows-1], "q quit")
		prev = screen
		for _, l := range lines {
			if utf8.RuneCountInString(l) > cols {
				ok = false
			}
		}
		if ok && want(strings.Join(lines, "\n")) {
			return lines
		}
		if time.Now().After(deadline) {
			x.t.Fatalf("no %dx%d frame%s; the terminal shows:\n%s", cols, rows, what, x.screen())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestTopInTerminal(t *testing.T) {
	d := startDemo(t)
	x := newTmux(t, 120, 40, fmt.Sprintf("MANHOLE_DIR=%s %s top %s", d.dir, manholeBin(t), d.pidArg()))
	x.waitScreen(`(?m)^CPU +\d+\.\d%  user`)
	lines := x.waitFrame(120, 40)
	screen := strings.Join(lines, "\n")
	for _, re := range []string{`manhole-demo  pid \d+`, `(?m)^CPU +\d`, `(?m)^heap +.* in use  goal`, `(?m)^GC +\d+ cycles`,
		`(?m)^goroutines \d+`, `(?m)^sched +latency`, `(?m)^GOROUTINES  \d+ goroutines in \d+ groups, sorted by count`,
		`(?m)^SESSIONS  1$`, `(?m)^\* +\d+  exec .*:top$`, `[▁▂▃▄▅▆▇█]`} {
		if !regexp.MustCompile(re).MatchString(screen) {
			t.Errorf("no match for %s:\n%s", re, screen)
		}
	}
	if alt, cursor := x.paneFlags(); alt != "1" || cursor != "0" {
		t.Errorf(":top runs with alternate_on=%s cursor_flag=%s, want 1 and 0", alt, cursor)
	}

	// Smaller: fewer panels, no sparklines, every line cut to fit.
	x.cmd("resize-window", "-t", "t", "-x", "60", "-y", "12")
	x.waitFrameWhere(60, 12, " with the goroutines and without sparklines or sessions", func(small string) bool {
		return !strings.ContainsAny(small, "▁▂▃▄▅▆▇█") && !strings.Contains(small, "SESSIONS") && strings.Contains(small, "GOROUTINES")
	})
	// Tiny, then large again: redrawn to the new size.
	x.cmd("resize-window", "-t", "t", "-x", "8", "-y", "2")
	time.Sleep(300 * time.Millisecond)
	x.cmd("resize-window", "-t", "t", "-x", "150", "-y", "45")
	x.waitFrameWhere(150, 45, " with sessions and sparklines", func(big string) bool {
		return strings.Contains(big, "SESSIONS") && strings.ContainsAny(big, "▁▂▃▄▅▆▇█")
	})
	x.send("s")
	x.waitScreen(`sorted by wait`)
	x.send("+")
	x.waitScreen(`interval \(2s\)`)
	x.send("q")
	x.finish(0)
	x.checkClean()
}

func TestTopLeavesTheTerminalClean(t *testing.T) {
	d := startDemo(t)
	for _, c := range []struct {
		name string
		end  func(x *tmux)
		rc   int
	}{
		{"ctrl-c", func(x *tmux) { x.send("C-c") }, 0},
		{"server killed", func(*tmux) { d.cmd.Process.Kill() }, 255},
	} {
		t.Run(c.name, func(t *testing.T) {
			x := newTmux(t, 100, 30, fmt.Sprintf("MANHOLE_DIR=%s %s top %s", d.dir, manholeBin(t), d.pidArg()))
			x.waitFrame(100, 30)
			c.end(x)
			x.finish(c.rc)
			x.checkClean()
		})
	}
}

// TestTopWithoutTerminal: manhole exec PID ':top -n 3' prints three
// plain snapshots; manhole top without a terminal prints one.
func TestTopWithoutTerminal(t *testing.T) {
	d := startDemo(t)
	r := run(t, d.env(), "", "exec", d.pidArg(), ":top -n 3")
	r.expect(t, 0)
	if strings.ContainsAny(r.stdout, "\x1b\r") {
		t.Errorf("escape codes in the snapshots:\n%q", r.stdout)
	}
	if n := strings.Count(r.stdout, "\nGOROUTINES "); n != 3 {
		t.Errorf("%d snapshots, want 3:\n%s", n, r.stdout)
	}
	if !regexp.MustCompile(`(?m)^CPU +\d+\.\d%  user`).MatchString(r.stdout) {
		t.Errorf("no CPU line:\n%s", r.stdout)
	}
	r = run(t, d.env(), "", "top", d.pidArg())
	r.expect(t, 0)
	if n := strings.Count(r.stdout, "\nGOROUTINES "); n != 1 || strings.Contains(r.stdout, "\x1b") {
		t.Errorf("manhole top without a terminal: want one plain snapshot:\n%q", r.stdout)
	}
}
