package diag

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// :top, a live view of the process: CPU, heap, GC, goroutines and
// scheduler latency with their recent history, the goroutine groups and
// the sessions. In a terminal it takes the whole screen until q or
// Ctrl-C; otherwise (or with -n) it prints text snapshots.

const topUsage = `:top [-n N] [-d SECONDS]
  In a terminal: a full-screen view, redrawn every second (-d sets the
  interval) until q or Ctrl-C: process CPU (user and system), heap in use,
  goal and GOMEMLIMIT, GC cycles and pause percentiles, goroutines and
  scheduling latency, each with a sparkline of the last minutes; then the
  goroutine groups (by stack, as :goroutines groups them) and the
  sessions. Keys: q quit, s next sort, c/w/n sort by count, wait or
  state, + and - change the interval.
  With -n, or without a terminal (ssh HOST ':top -n 3'), prints N plain
  text snapshots (default 1), one per interval, and exits.
  Sampling runs only while someone watches, one sampler for all watchers.`

// topIntervals are the refresh intervals + and - step through.
var topIntervals = []time.Duration{time.Second, 2 * time.Second, 5 * time.Second, 10 * time.Second, 30 * time.Second, time.Minute}

// Sort orders of the goroutine groups.
const (
	sortCount = iota
	sortWait
	sortState
	numSorts
)

var sortNames = [numSorts]string{"count", "wait", "state"}

// Limits on what a frame draws: the window is clamped to maxCells, and
// beyond these nothing more would be read anyway.
const (
	topMaxCols   = 1000
	topMaxRows   = 1000
	topTextCols  = 60 // the text of a metric line; the sparkline follows
	topPlainRows = 25 // goroutine groups a text snapshot lists
	topMaxSnaps  = 1_000_000
)

// topView is one watcher's settings.
type topView struct {
	sortBy   int
	interval time.Duration
}

func (d *Set) cmdTop(ctx context.Context, c *Env, args string) int {
	v := &topView{interval: time.Second}
	snaps := 0
	f := strings.Fields(args)
	for i := 0; i < len(f); i++ {
		opt, val, hasVal := strings.Cut(f[i], "=")
		if !hasVal && (opt == "-n" || opt == "-d") {
			if i+1 >= len(f) {
				fmt.Fprintf(c.Stderr, "usage: %s\n", strings.SplitN(topUsage, "\n", 2)[0])
				return 2
			}
			i++
			val = f[i]
		} else if !hasVal && (strings.HasPrefix(opt, "-n") || strings.HasPrefix(opt, "-d")) && len(opt) > 2 {
			opt, val = opt[:2], opt[2:]
		}
		switch opt {
		case "-n":
			n, err := strconv.Atoi(val)
			if err != nil || n < 1 || n > topMaxSnaps {
				fmt.Fprintf(c.Stderr, "top: -n wants a count from 1 to %d, not %q\n", topMaxSnaps, val)
				return 2
			}
			snaps = n
		case "-d":
			d, err := strconv.ParseFloat(val, 64)
			if err != nil || math.IsNaN(d) || d < 1 || d > 3600 {
				fmt.Fprintf(c.Stderr, "top: -d wants a number of seconds from 1 to 3600, not %q\n", val)
				return 2
			}
			v.interval = time.Duration(d * float64(time.Second)).Round(time.Second)
		default:
			fmt.Fprintf(c.Stderr, "usage: %s\n", strings.SplitN(topUsage, "\n", 2)[0])
			return 2
		}
	}
	if snaps == 0 && c.PTY && c.Terminal != nil {
		return d.topScreen(ctx, c, v)
	}
	return d.topSnapshots(ctx, c, v, max(snaps, 1))
}

// topSnapshots prints n text snapshots, one per interval.
func (d *Set) topSnapshots(ctx context.Context, c *Env, v *topView, n int) int {
	notify, leave := d.top.watch()
	defer leave()
	var last time.Time
	for printed := 0; printed < n; {
		select {
		case <-ctx.Done():
			return 0
		case <-notify:
		}
		hist, groups := d.top.snapshot()
		if len(hist) == 0 || !hist[len(hist)-1].ok || groups.at.IsZero() {
			continue // no rates yet: the first tick has nothing to compare with
		}
		if !last.IsZero() && time.Since(last) < v.interval-topTick/2 {
			continue
		}
		last = time.Now()
		lines := v.render(d.host.Sessions(), c.Session, hist, groups, min(max(c.Width, 20), topMaxCols), 0, false)
		var b strings.Builder
		if printed > 0 {
			b.WriteString("\n")
		}
		for _, l := range lines {
			b.WriteString(strings.TrimRight(l, " "))
			b.WriteString("\n")
		}
		if _, err := fmt.Fprint(c.Stdout, b.String()); err != nil {
			return 1
		}
		printed++
	}
	return 0
}

// Terminal sequences of the full-screen view.
const (
	// alternate screen, cursor hidden, no autowrap (a line too wide for
	// the window is cut, never scrolls the frame), cleared
	topEnter = "\x1b[?1049h\x1b[?25l\x1b[?7l\x1b[H\x1b[2J"
	// autowrap back, cursor shown, main screen
	topLeave = "\x1b[?7h\x1b[?25h\x1b[?1049l"
)

// topTerm writes frames to the client and leaves the alternate screen
// exactly once, whichever exit path comes first.
type topTerm struct {
	mu   sync.Mutex // serializes frames and the leave sequence
	w    interface{ Write([]byte) (int, error) }
	left bool
}

func (t *topTerm) write(b []byte) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.left {
		t.w.Write(b)
	}
}

func (t *topTerm) leave() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.left {
		t.left = true
		t.w.Write([]byte(topLeave))
	}
}

// topScreen runs the full-screen view until q, Ctrl-C or the session's
// end, and always leaves the client's terminal as it found it.
func (d *Set) topScreen(ctx context.Context, c *Env, v *topView) (code int) {
	term := c.Terminal
	// Keys are applied to the view as they come, under its lock, and the
	// loop is woken to redraw: a flood of them queues nothing, and a q
	// is never lost among them.
	keys := make(chan struct{}, 1)
	var keyMu sync.Mutex // protects v, quit and clear against key
	quit, clear := false, false
	key := func(b byte) {
		keyMu.Lock()
		changed := true
		switch b {
		case 'q', 'Q', 3, 4: // Ctrl-C, Ctrl-D
			quit = true
		case 's', 'S':
			v.sortBy = (v.sortBy + 1) % numSorts
		case 'c':
			v.sortBy = sortCount
		case 'w':
			v.sortBy = sortWait
		case 'n':
			v.sortBy = sortState
		case '+', '=':
			v.interval = stepInterval(v.interval, 1)
		case '-', '_':
			v.interval = stepInterval(v.interval, -1)
		case 12: // Ctrl-L
			clear = true
		default:
			changed = false // anything else, escape sequences included
		}
		keyMu.Unlock()
		if changed {
			select {
			case keys <- struct{}{}:
			default:
			}
		}
	}

	scr := &topTerm{w: term}
	winch := make(chan struct{}, 1)
	resized := func() {
		select {
		case winch <- struct{}{}:
		default:
		}
	}
	defer term.Take(key, resized, scr.leave)()
	defer func() {
		if r := recover(); r != nil {
			scr.leave()
			d.host.Logger().Error("manhole: :top panic", "session", c.Session, "panic", r)
			fmt.Fprintf(term.Stderr(), "manhole: :top failed: %v\r\n", r)
			code = 1
		}
	}()
	defer scr.leave()
	scr.write([]byte(topEnter))

	sampler := d.top
	notify, leave := sampler.watch()
	defer leave()

	var frame bytes.Buffer
	var last time.Time
	draw := func(clear bool) {
		cols, rows := term.Size()
		cols, rows = min(max(cols, 1), topMaxCols), min(max(rows, 1), topMaxRows)
		hist, groups := sampler.snapshot()
		keyMu.Lock()
		view := *v
		keyMu.Unlock()
		lines := view.render(d.host.Sessions(), c.Session, hist, groups, cols, rows, true)
		frame.Reset()
		if clear {
			frame.WriteString("\x1b[2J")
		}
		frame.WriteString("\x1b[H")
		for i, l := range lines {
			frame.WriteString(l)
			if utf8.RuneCountInString(l) < cols {
				// Not on a full line: the cursor stays on the last
				// column, which the erase would blank.
				frame.WriteString("\x1b[K")
			}
			if i < len(lines)-1 {
				frame.WriteString("\r\n")
			}
		}
		frame.WriteString("\x1b[J")
		scr.write(frame.Bytes())
		last = time.Now()
	}
	draw(false)
	for {
		select {
		case <-ctx.Done():
			return 0
		case <-notify:
			keyMu.Lock()
			interval := v.interval
			keyMu.Unlock()
			if time.Since(last) >= interval-topTick/2 {
				draw(false)
			}
		case <-winch:
			draw(true)
		case <-keys:
			keyMu.Lock()
			q, cl := quit, clear
			clear = false
			keyMu.Unlock()
			if q {
				return 0
			}
			draw(cl)
		}
	}
}

// stepInterval moves d one step along topIntervals.
func stepInterval(d time.Duration, dir int) time.Duration {
	i, found := slices.BinarySearch(topIntervals, d)
	switch {
	case dir > 0 && found:
		i++
	case dir < 0:
		i--
	}
	return topIntervals[min(max(i, 0), len(topIntervals)-1)]
}

// render lays out one frame of cols×rows cells (rows 0: as many as the
// content needs, for text snapshots). footer adds the key help.
func (v *topView) render(sessions []SessionInfo, self uint64, hist []topSample, g topGroups, cols, rows int, footer bool) []string {
	cols = max(cols, 1)
	var lines []string
	add := func(l string) { lines = append(lines, fitLine(l, cols)) }
	budget := func() int { // lines left before the footer
		if rows == 0 {
			return math.MaxInt
		}
		n := rows - len(lines)
		if footer && rows >= 3 {
			n--
		}
		return n
	}

	exe := filepath.Base(os.Args[0])
	head := fmt.Sprintf("%s  pid %d  %s  %d CPUs  GOMAXPROCS %d  every %s  %s",
		exe, os.Getpid(), runtime.Version(), runtime.NumCPU(), runtime.GOMAXPROCS(0), v.interval, time.Now().Format(time.TimeOnly))
	add(head)

	var cur topSample
	if len(hist) > 0 {
		cur = hist[len(hist)-1]
	}
	sparkW := 0
	if cols >= topTextCols+12 {
		sparkW = min(cols-topTextCols-2, len(hist))
	}
	metric := func(text string, fromZero bool, value func(topSample) float64) {
		if budget() <= 0 {
			return
		}
		if sparkW > 0 {
			text = padRight(fitLine(text, topTextCols), topTextCols) + "  " + sparkline(hist[len(hist)-sparkW:], fromZero, value)
		}
		add(text)
	}
	if len(hist) == 0 {
		metric("sampling...", true, nil)
	} else {
		cpu := "CPU     measuring..."
		if cur.ok {
			cpu = fmt.Sprintf("CPU     %6.1f%%  user %.1f%%  sys %.1f%%  (100%% = one core)", 100*(cur.cpuUser+cur.cpuSys), 100*cur.cpuUser, 100*cur.cpuSys)
		}
		metric(cpu, true, func(s topSample) float64 { return s.cpuUser + s.cpuSys })
		metric(fmt.Sprintf("heap    %s in use  goal %s  limit %s", fmtBytes(cur.heapInUse), fmtBytes(cur.heapGoal), fmtMemLimit(cur.memLimit)), false,
			func(s topSample) float64 { return float64(s.heapInUse) })
		metric(fmt.Sprintf("GC      %d cycles  %.1f/s  pause p50 %s p99 %s max %s", cur.gcCycles, cur.gcPerSec,
			fmtSecs(cur.pauseP50), fmtSecs(cur.pauseP99), fmtSecs(cur.pauseMax)), true,
			func(s topSample) float64 { return s.gcPerSec })
		metric(fmt.Sprintf("goroutines %d", cur.goroutines), false, func(s topSample) float64 { return float64(s.goroutines) })
		sched := "sched   latency: measuring..."
		if cur.ok {
			sched = fmt.Sprintf("sched   latency p50 %s  p99 %s  (last %s)", fmtSecs(cur.schedP50), fmtSecs(cur.schedP99), topTick)
		}
		metric(sched, true, func(s topSample) float64 { return s.schedP99 })
	}

	// Below the metrics: the goroutine groups, then the sessions. A
	// short window drops the sessions first, then the groups' rows, then
	// the metrics; the header and the key help stay.
	showSessions := rows == 0 || budget() >= 12
	sessRows := len(sessions)
	if rows != 0 {
		sessRows = min(sessRows, max(1, budget()/4))
	}
	if budget() >= 3 {
		add("")
		groups := slices.Clone(g.groups)
		sortGroups(groups, v.sortBy)
		if g.skipped {
			add(fmt.Sprintf("GOROUTINES  %s: over %d, their stacks are not dumped here (the dump stops the process); :goroutines dumps them once", plural(g.total, "goroutine"), maxTopGoroutines))
		} else {
			add(fmt.Sprintf("GOROUTINES  %s in %d %s, sorted by %s", plural(g.total, "goroutine"), len(groups), pluralWord(len(groups), "group"), sortNames[v.sortBy]))
		}
		add(fmt.Sprintf("%7s  %-20s %-7s %s", "COUNT", "STATE", "WAIT", "WHERE (CREATED BY)"))
		room := budget()
		if showSessions {
			room -= sessRows + 2
		}
		if rows == 0 {
			room = topPlainRows
		}
		for i, gr := range groups {
			if i >= room {
				break
			}
			if i == room-1 && len(groups) > room {
				add(fmt.Sprintf("%7s  %d more %s", "...", len(groups)-i, pluralWord(len(groups)-i, "group")))
				break
			}
			add(fmt.Sprintf("%7d  %-20s %-7s %s", gr.count, cut(gr.state, 20), fmtWait(gr), groupWhere(gr.stack)))
		}
	}
	if showSessions && budget() >= 3 {
		add("")
		add(fmt.Sprintf("SESSIONS  %d", len(sessions)))
		for i, info := range sessions {
			if budget() <= 0 {
				break
			}
			if rows != 0 && i == sessRows-1 && len(sessions) > sessRows {
				add(fmt.Sprintf("  ... %d more", len(sessions)-i))
				break
			}
			mark := " "
			if info.ID == self {
				mark = "*"
			}
			running := info.Activity
			if running == "" {
				running = "-"
			}
			add(fmt.Sprintf("%s%5d  %-6s %8s  %-24s %s", mark, info.ID, orDashString(info.Mode), fmtDuration(time.Since(info.Since).Round(time.Second)),
				cut(info.Identity, 24), cut(running, cols)))
		}
	}
	if footer && rows >= 3 {
		for len(lines) < rows-1 {
			lines = append(lines, "")
		}
		keys := fmt.Sprintf("q quit  s/c/w/n sort (%s)  +/- interval (%s)", sortNames[v.sortBy], v.interval)
		if more := "  Ctrl-C quit"; utf8.RuneCountInString(keys+more) <= cols {
			keys += more
		}
		add(keys)
	}
	if rows > 0 && len(lines) > rows {
		lines = lines[:rows]
	}
	return lines
}

// sortGroups orders groups by count, longest wait or state; ties keep
// the order :goroutines gives them.
func sortGroups(groups []*goroutineGroup, by int) {
	slices.SortStableFunc(groups, func(a, b *goroutineGroup) int {
		switch by {
		case sortWait:
			if a.maxWait != b.maxWait {
				return b.maxWait - a.maxWait
			}
		case sortState:
			if c := strings.Compare(a.state, b.state); c != 0 {
				return c
			}
		}
		return b.count - a.count
	})
}

// fmtWait is a group's wait, as the runtime reports it (in minutes, from
// one minute on).
func fmtWait(g *goroutineGroup) string {
	switch {
	case g.maxWait == 0:
		return ""
	case g.minWait == g.maxWait:
		return fmt.Sprintf("%dm", g.maxWait)
	case g.minWait == 0:
		return fmt.Sprintf("<=%dm", g.maxWait)
	}
	return fmt.Sprintf("%d-%dm", g.minWait, g.maxWait)
}

// groupWhere is where a group's goroutines are: the first function of
// the stack outside the runtime, and the function that started them.
func groupWhere(stack string) string {
	var first, anyFirst, created string
	for line := range strings.Lines(stack) {
		line = strings.TrimRight(line, "\n")
		if line == "" || strings.HasPrefix(line, "\t") {
			continue
		}
		if c, ok := strings.CutPrefix(line, "created by "); ok {
			created = shortFunc(strings.TrimSuffix(c, "(...)"))
			continue
		}
		fn := shortFunc(strings.TrimSuffix(line, "(...)"))
		if anyFirst == "" {
			anyFirst = fn
		}
		if first == "" && !strings.HasPrefix(fn, "runtime.") && !strings.HasPrefix(fn, "internal/") && !strings.HasPrefix(fn, "sync.") {
			first = fn
		}
	}
	if first == "" {
		first = anyFirst
	}
	if created != "" {
		return first + " (" + created + ")"
	}
	return first
}

// shortFunc drops the directories of a function's import path:
// github.com/gliderlabs/ssh.(*Server).Serve is ssh.(*Server).Serve.
func shortFunc(fn string) string {
	if strings.HasPrefix(fn, "runtime.") || strings.HasPrefix(fn, "internal/") {
		return fn
	}
	end := len(fn)
	if i := strings.IndexAny(fn, "(["); i >= 0 {
		end = i
	}
	if i := strings.LastIndexByte(fn[:end], '/'); i >= 0 {
		return fn[i+1:]
	}
	return fn
}

// sparkline draws value over samples, one cell each, scaled from 0 (a
// rate) or from the smallest value shown (a level: heap, goroutines) to
// the largest. A level that did not move is a flat line mid-height.
func sparkline(samples []topSample, fromZero bool, value func(topSample) float64) string {
	if value == nil || len(samples) == 0 {
		return ""
	}
	levels := []rune("▁▂▃▄▅▆▇█")
	lo, hi := math.Inf(1), 0.0
	for _, s := range samples {
		v := value(s)
		if math.IsNaN(v) || math.IsInf(v, 0) {
			continue
		}
		lo, hi = min(lo, v), max(hi, v)
	}
	if fromZero || lo > hi {
		lo = 0
	}
	var b strings.Builder
	b.Grow(len(samples) * 3)
	for _, s := range samples {
		v := value(s)
		i := 0
		switch {
		case math.IsNaN(v) || math.IsInf(v, 0):
		case hi == lo && !fromZero:
			i = len(levels)/2 - 1
		case hi > lo && v > lo:
			i = min(int((v-lo)/(hi-lo)*float64(len(levels)-1)+0.5), len(levels)-1)
		}
		b.WriteRune(levels[i])
	}
	return b.String()
}

// fitLine cuts l to width cells (every rune of a frame is one cell:
// cut escapes control characters).
func fitLine(l string, width int) string {
	l = cut(l, 0)
	if utf8.RuneCountInString(l) <= width {
		return l
	}
	if width < 2 {
		return string([]rune(l)[:width])
	}
	return cut(l, width)
}

func padRight(s string, width int) string {
	if n := utf8.RuneCountInString(s); n < width {
		return s + strings.Repeat(" ", width-n)
	}
	return s
}

func fmtSecs(s float64) string {
	if s <= 0 || math.IsNaN(s) {
		return "0"
	}
	if s > 1e6 {
		return ">1e6s"
	}
	return fmtDuration(time.Duration(s * float64(time.Second)))
}
