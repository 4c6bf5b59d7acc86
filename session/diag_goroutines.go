package session

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"regexp"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
)

func cmdGoroutines(_ context.Context, _ *session, c *cmdIO, args string) int {
	var dump bytes.Buffer
	// debug=2 is runtime.Stack(all) without guessing a buffer size.
	if err := pprof.Lookup("goroutine").WriteTo(&dump, 2); err != nil {
		fmt.Fprintf(c.Stderr, "goroutine dump: %v\n", err)
		return 1
	}
	switch args {
	case "-full":
		c.Stdout.Write(dump.Bytes())
		return 0
	case "":
	default:
		fmt.Fprintf(c.Stderr, "usage: :goroutines [-full]\n")
		return 2
	}
	groups := groupGoroutines(&dump)
	total := 0
	for _, g := range groups {
		total += g.count
	}
	w := bufio.NewWriter(c.Stdout)
	fmt.Fprintf(w, "%s in %d %s\n", plural(total, "goroutine"), len(groups), pluralWord(len(groups), "group"))
	for _, g := range groups {
		fmt.Fprintf(w, "\n%s [%s]:\n%s", plural(g.count, "goroutine"), g.header(), g.stack)
	}
	w.Flush()
	return 0
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
	goroutineHeader = regexp.MustCompile(`^goroutine \d+(?: gp=\S+ m=\S+(?: mp=\S+)?)? \[(.*)\]:$`)
	// Arguments vary between goroutines that share a stack: main.f(0xc000012345, 0x1)
	frameArgs = regexp.MustCompile(`\([^()]*\)$`)
	// so do pc offsets (+0x1d) and the creator's id (created by f in goroutine 7).
	frameOffset = regexp.MustCompile(` \+0x[0-9a-f]+$`)
	createdIn   = regexp.MustCompile(` in goroutine \d+$`)
	waitMinutes = regexp.MustCompile(`^(\d+) minutes?$`)
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
		if m := goroutineHeader.FindStringSubmatch(line); m != nil {
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
			line = frameOffset.ReplaceAllString(line, "")
		} else {
			line = createdIn.ReplaceAllString(line, "")
			line = frameArgs.ReplaceAllString(line, "(...)")
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

// splitWait separates the wait ("5 minutes") from the rest of a
// goroutine's bracketed state.
func splitWait(s string) (state string, minutes int) {
	parts := strings.Split(s, ", ")
	kept := parts[:0]
	for _, p := range parts {
		if m := waitMinutes.FindStringSubmatch(p); m != nil {
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
