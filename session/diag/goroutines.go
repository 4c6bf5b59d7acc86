package diag

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/gomanhole/manhole/internal/lazyre"
)

func cmdGoroutines(_ context.Context, c *Env, args string) int {
	dump := bytes.NewBuffer(allStacks())
	stacks := false
	switch args {
	case "-full":
		c.Stdout.Write(dump.Bytes())
		return 0
	case "-stacks":
		stacks = true
	case "":
	default:
		fmt.Fprintf(c.Stderr, "usage: :goroutines [-stacks|-full]\n")
		return 2
	}
	groups := groupGoroutines(dump)
	total := 0
	for _, g := range groups {
		total += g.count
	}
	w := bufio.NewWriter(c.Stdout)
	defer w.Flush()
	fmt.Fprintf(w, "%s in %d %s\n", plural(total, "goroutine"), len(groups), pluralWord(len(groups), "group"))
	if stacks {
		for _, g := range groups {
			fmt.Fprintf(w, "\n%s [%s]:\n%s", plural(g.count, "goroutine"), g.header(), g.stack)
		}
		return 0
	}
	// The summary: a row per group, with the frame that says most.
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "COUNT\tSTATE\tWHERE")
	for _, g := range groups {
		fmt.Fprintf(tw, "%d\t%s\t%s\n", g.count, g.header(), g.where())
	}
	tw.Flush()
	fmt.Fprintln(w, "(:goroutines -stacks for each group's stack, -full for the runtime's dump)")
	return 0
}

// where names the group's most telling frame: the innermost one outside
// the runtime and the standard library's plumbing, as "function
// file:line", or the innermost frame when all are such.
func (g *goroutineGroup) where() string {
	lines := strings.Split(strings.TrimRight(g.stack, "\n"), "\n")
	var first string
	for i := 0; i+1 < len(lines); i += 2 {
		fn, loc := lines[i], strings.TrimSpace(lines[i+1])
		if strings.HasPrefix(fn, "created by ") {
			break
		}
		fn = strings.TrimSuffix(fn, "(...)")
		short := fn
		if i := strings.LastIndexByte(fn, '/'); i >= 0 {
			short = fn[i+1:] // github.com/x/y/pkg.F: pkg.F
		}
		frame := short + " " + filepath.Base(loc)
		if first == "" {
			first = frame
		}
		if !plumbing(fn) {
			return frame
		}
	}
	if first == "" && len(lines) > 0 {
		return lines[0]
	}
	return first
}

// plumbing reports whether fn is a frame of the runtime or of the
// standard library's waiting primitives, which say little about why a
// goroutine is there.
func plumbing(fn string) bool {
	for _, p := range []string{"runtime.", "internal/", "sync.", "syscall.", "time.Sleep", "os/signal.", "net.", "io.", "bufio.", "os.(*File)"} {
		if strings.HasPrefix(fn, p) {
			return true
		}
	}
	return false
}

// goroutineGroup is goroutines with the same state and stack.
type goroutineGroup struct {
	state string // "chan receive", without the wait
	stack string // frames without arguments or pc offsets, one per line
	count int
	// minWait and maxWait are in minutes, as the runtime reports them
	// (only for goroutines blocked a minute or more).
	minWait, maxWait int
	first            int // order of the group's first goroutine in the dump
}

func (g *goroutineGroup) header() string {
	switch {
	case g.maxWait == 0:
		return g.state
	case g.minWait == g.maxWait:
		return fmt.Sprintf("%s, %s", g.state, plural(g.maxWait, "minute"))
	case g.minWait == 0:
		return fmt.Sprintf("%s, up to %d minutes", g.state, g.maxWait)
	}
	return fmt.Sprintf("%s, %d-%d minutes", g.state, g.minWait, g.maxWait)
}

var (
	// goroutine 18 [chan receive, 5 minutes, locked to thread]:
	goroutineHeader = lazyre.New(`^goroutine \d+(?: gp=\S+ m=\S+(?: mp=\S+)?)? \[(.*)\]:$`)
	waitMinutes     = lazyre.New(`^(\d+) minutes?$`)
)

// groupGoroutines parses a runtime.Stack(all)-format dump into groups of
// goroutines with identical state and stack, longest-waiting first, then
// largest, then in dump order.
func groupGoroutines(dump io.Reader) []*goroutineGroup {
	byKey := map[string]*goroutineGroup{}
	var groups []*goroutineGroup
	var state string
	var wait int
	var stack strings.Builder
	inGoroutine := false
	flush := func() {
		if !inGoroutine {
			return
		}
		inGoroutine = false
		key := state + "\n" + stack.String()
		g := byKey[key]
		if g == nil {
			g = &goroutineGroup{state: state, stack: stack.String(), minWait: wait, maxWait: wait, first: len(groups)}
			byKey[key] = g
			groups = append(groups, g)
		}
		g.count++
		g.minWait, g.maxWait = min(g.minWait, wait), max(g.maxWait, wait)
	}
	sc := bufio.NewScanner(dump)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, "goroutine ") {
			// Not a header: skip the regexp, which costs more than the
			// dump on every line.
		} else if m := goroutineHeader().FindStringSubmatch(line); m != nil {
			flush()
			inGoroutine = true
			state, wait = splitWait(m[1])
			stack.Reset()
			continue
		}
		if !inGoroutine || line == "" {
			continue
		}
		if strings.HasPrefix(line, "\t") {
			line = trimFrameOffset(line)
		} else {
			line = trimFrameArgs(trimCreatedIn(line))
		}
		stack.WriteString(line)
		stack.WriteByte('\n')
	}
	flush()
	slices.SortStableFunc(groups, func(a, b *goroutineGroup) int {
		if a.maxWait != b.maxWait {
			return b.maxWait - a.maxWait
		}
		if a.count != b.count {
			return b.count - a.count
		}
		return a.first - b.first
	})
	return groups
}

// allStacks is runtime.Stack(all), in a buffer grown as needed (the
// goroutine profile's debug=2 allocates 1 MiB each time, which a small
// heap pays for with a GC cycle).
func allStacks() []byte {
	buf := make([]byte, 16<<10+runtime.NumGoroutine()*2<<10)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			return buf[:n]
		}
		buf = make([]byte, 2*len(buf))
	}
}

// trimFrameOffset removes a pc offset ("+0x1d") from a file:line line.
func trimFrameOffset(line string) string {
	if i := strings.LastIndex(line, " +0x"); i >= 0 && strings.Trim(line[i+4:], "0123456789abcdef") == "" && i+4 < len(line) {
		return line[:i]
	}
	return line
}

// trimCreatedIn removes " in goroutine N" from a "created by" line.
func trimCreatedIn(line string) string {
	const in = " in goroutine "
	if i := strings.LastIndex(line, in); i >= 0 && strings.Trim(line[i+len(in):], "0123456789") == "" && i+len(in) < len(line) {
		return line[:i]
	}
	return line
}

// trimFrameArgs replaces a call's arguments, which vary between
// goroutines that share a stack, by "(...)": main.f(0xc000012345, 0x1).
func trimFrameArgs(line string) string {
	if !strings.HasSuffix(line, ")") {
		return line
	}
	i := strings.LastIndexByte(line, '(')
	if i < 0 || strings.ContainsAny(line[i+1:len(line)-1], "()") {
		return line
	}
	return line[:i] + "(...)"
}

// splitWait separates the wait ("5 minutes") from the rest of a
// goroutine's bracketed state.
func splitWait(s string) (state string, minutes int) {
	parts := strings.Split(s, ", ")
	kept := parts[:0]
	for _, p := range parts {
		if m := waitMinutes().FindStringSubmatch(p); m != nil {
			minutes, _ = strconv.Atoi(m[1])
			continue
		}
		kept = append(kept, p)
	}
	return strings.Join(kept, ", "), minutes
}

// plural formats "1 goroutine", "2 goroutines".
func plural(n int, word string) string {
	return strconv.Itoa(n) + " " + pluralWord(n, word)
}

func pluralWord(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}
