package session

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// diagCommands returns the diagnostic commands (goroutines, memory,
// profiles...). They live in diag*.go files.
func diagCommands() map[string]*command {
	return map[string]*command{
		"goroutines": {
			summary: "every goroutine, grouped by identical stack, longest waiting first",
			usage: `:goroutines [-stacks|-full]
  Groups goroutines that share a state and a stack (arguments and offsets
  aside), the groups that have waited longest first, and prints a row per
  group: its count, its state and the innermost frame outside the runtime.
  -stacks prints each group's whole stack, -full the runtime's raw dump.`,
			run: cmdGoroutines,
		},
		"mem": {
			summary: "heap, stacks, GC and scheduler figures",
			usage: `:mem
  Reads runtime/metrics: no stop-the-world.`,
			run: cmdMem,
		},
		"gc": {
			summary: "run a garbage collection and show the heap before and after",
			usage:   ":gc",
			run:     cmdGC,
		},
		"setgc": {
			summary: "show or set the GC percentage (GOGC)",
			usage: `:setgc [PERCENT|off]
  debug.SetGCPercent: 100 is the default, off disables the collector
  (GOMEMLIMIT still applies). Without an argument, shows the setting.`,
			run: cmdSetGC,
		},
		"memlimit": {
			summary: "show or set the soft memory limit (GOMEMLIMIT)",
			usage: `:memlimit [BYTES|off]
  debug.SetMemoryLimit. BYTES is a number with an optional suffix B, KiB,
  MiB, GiB or TiB (as in GOMEMLIMIT), e.g. 512MiB; at least 1 MiB. off
  removes the limit. Without an argument, shows the setting.`,
			run: cmdMemLimit,
		},
		"pprof": {
			summary: "write a profile: heap, allocs, goroutine, block, mutex, threadcreate",
			usage: `:pprof NAME
  Without a terminal (ssh HOST ':pprof heap' > heap.pb.gz) writes the
  gzipped protobuf that go tool pprof reads; in a terminal, prints the top
  functions instead. block and mutex stay empty unless the application
  sets runtime.SetBlockProfileRate / runtime.SetMutexProfileFraction.`,
			run: cmdPprof,
		},
		"cpu": {
			summary: "profile the CPU for SECONDS (default 30)",
			usage: fmt.Sprintf(`:cpu [SECONDS]
  Without a terminal (ssh HOST ':cpu 30' > cpu.pb.gz) writes the gzipped
  protobuf that go tool pprof reads; in a terminal, prints the top
  functions. Ctrl-C (or the INT signal) stops early and keeps what was
  collected. At most %d seconds; one CPU profile at a time per process.`, maxProfileSeconds),
			run: cmdCPU,
		},
		"trace": {
			summary: "record an execution trace for SECONDS (default 5)",
			usage: fmt.Sprintf(`:trace [SECONDS]
  Binary only: ssh HOST ':trace 5' > trace.out && go tool trace trace.out.
  Ctrl-C (or the INT signal) stops early and keeps what was recorded.
  At most %d seconds; one trace at a time per process.`, maxProfileSeconds),
			run: cmdTrace,
		},
		"build": {
			summary: "Go version, main module, dependencies, VCS and build settings",
			usage:   ":build",
			run:     cmdBuild,
		},
		"vars": {
			summary: "the values the application exposes: names, types, values",
			usage:   ":vars",
			run:     cmdVars,
		},
		"sessions": {
			summary: "who is connected and what each session runs",
			usage: `:sessions
  The current session is marked with *.`,
			run: cmdSessions,
		},
		"kick": {
			summary: "end another session",
			usage: `:kick ID
  ID is from :sessions. The client is told who ended it and exits 255.`,
			run: cmdKick,
		},
		"top": {
			summary: "live view: CPU, heap, GC, goroutines, scheduler, sessions (q quits)",
			usage:   topUsage,
			run:     cmdTop,
		},
		"logs": {
			summary: "follow the application's log output until Ctrl-C",
			usage: `:logs
  Shows what the application logs through mh.LogHandler or mh.LogWriter
  from now on. Lines a slow client cannot take are dropped and counted,
  never held up: the application's logging does not wait.`,
			run: cmdLogs,
		},
	}
}

// refuseInspectOnly tells an inspect-only session that it may look at
// the process but not change it (GC settings, other sessions), and
// reports whether it did.
func refuseInspectOnly(s *session, c *cmdIO) bool {
	if !s.meta.InspectOnly {
		return false
	}
	fmt.Fprintln(c.Stderr, "refused: this key is inspect-only; it may look at the process but not change it")
	return true
}

// fmtBytes formats a byte count in binary units, as GOMEMLIMIT writes them.
func fmtBytes[T int64 | uint64 | int](n T) string {
	v := float64(n)
	neg := v < 0
	if neg {
		v = -v
	}
	units := []string{"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"}
	i := 0
	for v >= 1024 && i < len(units)-1 {
		v /= 1024
		i++
	}
	sign := ""
	if neg {
		sign = "-"
	}
	switch {
	case i == 0:
		return fmt.Sprintf("%s%.0f B", sign, v)
	case v < 10:
		return fmt.Sprintf("%s%.2f %s", sign, v, units[i])
	case v < 100:
		return fmt.Sprintf("%s%.1f %s", sign, v, units[i])
	}
	return fmt.Sprintf("%s%.0f %s", sign, v, units[i])
}

var errBadSize = errors.New("want a number of bytes with an optional suffix B, KiB, MiB, GiB or TiB, e.g. 512MiB")

// parseBytes reads a size as GOMEMLIMIT spells it: "1073741824", "512MiB",
// "1 GiB".
func parseBytes(s string) (int64, error) {
	s = strings.TrimSpace(s)
	num := strings.TrimRight(s, "BKMGTPEikib ")
	suffix := strings.TrimSpace(s[len(num):])
	mult := map[string]int64{"": 1, "B": 1, "KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30, "TiB": 1 << 40}[suffix]
	if mult == 0 {
		return 0, errBadSize
	}
	n, err := strconv.ParseInt(strings.TrimSpace(num), 10, 64)
	if err != nil || n < 0 {
		return 0, errBadSize
	}
	if n > math.MaxInt64/mult {
		return 0, fmt.Errorf("%s is too large", s)
	}
	return n * mult, nil
}

// cut shortens s to at most width runes, marking the cut with "…", and
// keeps it on one line.
func cut(s string, width int) string {
	if strings.ContainsAny(s, "\r\n\t") {
		s = strings.NewReplacer("\r\n", "⏎", "\n", "⏎", "\r", "⏎", "\t", " ").Replace(s)
	}
	s = escapeControls(s)
	if width < 2 || utf8.RuneCountInString(s) <= width {
		return s
	}
	r := []rune(s)
	return string(r[:width-1]) + "…"
}

// escapeControls writes the control characters of s (ESC starts a
// sequence that retitles or clears the reader's terminal) and invalid
// UTF-8 as Go escapes: text from the app or from other sessions is shown
// to people, never obeyed by their terminal.
func escapeControls(s string) string {
	clean := true
	for _, r := range s {
		if r == utf8.RuneError || unicode.IsControl(r) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for i, r := range s {
		switch {
		case r == utf8.RuneError && !strings.HasPrefix(s[i:], "\uFFFD"):
			fmt.Fprintf(&b, "\\x%02x", s[i])
		case unicode.IsControl(r) && r < 0x100:
			fmt.Fprintf(&b, "\\x%02x", r)
		case unicode.IsControl(r):
			fmt.Fprintf(&b, "\\u%04x", r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// fmtDuration rounds d to what a person reads at a glance.
func fmtDuration(d time.Duration) string {
	switch {
	case d < time.Millisecond:
		return d.Round(time.Microsecond).String()
	case d < time.Second:
		return d.Round(100 * time.Microsecond).String()
	case d < time.Minute:
		return d.Round(100 * time.Millisecond).String()
	}
	return d.Round(time.Second).String()
}

// fetchHint tells a terminal user how to get the binary form of a
// profile. The pid names the default socket, which `manhole exec` finds;
// any ssh alias for the manhole works the same way.
func fetchHint(cmd, file, reader string) string {
	return fmt.Sprintf("the binary profile: manhole exec %d '%s' > %s && %s %s\n", os.Getpid(), cmd, file, reader, file)
}

// fmtSeconds writes d as the SECONDS argument of :cpu and :trace.
func fmtSeconds(d time.Duration) string {
	return strconv.FormatFloat(d.Seconds(), 'f', -1, 64)
}

// profileSeconds parses the SECONDS argument of :cpu and :trace.
func profileSeconds(args string, def int) (time.Duration, error) {
	if args == "" {
		return time.Duration(def) * time.Second, nil
	}
	f, err := strconv.ParseFloat(args, 64)
	if err != nil || f <= 0 || f > maxProfileSeconds || math.IsNaN(f) {
		return 0, fmt.Errorf("want a number of seconds from 0 to %d, not %q", maxProfileSeconds, args)
	}
	return time.Duration(f * float64(time.Second)), nil
}

const maxProfileSeconds = 300

// trimLineEnds removes the padding tabwriter leaves after a line's last
// cell.
func trimLineEnds(b []byte) []byte {
	lines := bytes.SplitAfter(b, []byte("\n"))
	out := b[:0:0]
	for _, l := range lines {
		nl := bytes.HasSuffix(l, []byte("\n"))
		out = append(out, bytes.TrimRight(l, " \n")...)
		if nl {
			out = append(out, '\n')
		}
	}
	return out
}
