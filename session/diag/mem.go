package diag

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
)

// readMetrics reads the named runtime/metrics; a name this Go version
// does not know reads as 0.
func readMetrics(names ...string) map[string]uint64 {
	samples := make([]metrics.Sample, len(names))
	for i, n := range names {
		samples[i].Name = n
	}
	metrics.Read(samples)
	vals := make(map[string]uint64, len(names))
	for _, s := range samples {
		switch s.Value.Kind() {
		case metrics.KindUint64:
			vals[s.Name] = s.Value.Uint64()
		case metrics.KindFloat64:
			// Seconds: kept in nanoseconds so that one map fits all.
			vals[s.Name] = uint64(s.Value.Float64() * 1e9)
		}
	}
	return vals
}

const (
	mHeapObjects   = "/memory/classes/heap/objects:bytes"
	mHeapLive      = "/gc/heap/live:bytes"
	mHeapGoal      = "/gc/heap/goal:bytes"
	mHeapFree      = "/memory/classes/heap/free:bytes"
	mHeapUnused    = "/memory/classes/heap/unused:bytes"
	mHeapReleased  = "/memory/classes/heap/released:bytes"
	mHeapCount     = "/gc/heap/objects:objects"
	mAllocBytes    = "/gc/heap/allocs:bytes"
	mAllocObjects  = "/gc/heap/allocs:objects"
	mStacks        = "/memory/classes/heap/stacks:bytes"
	mOSStacks      = "/memory/classes/os-stacks:bytes"
	mTotal         = "/memory/classes/total:bytes"
	mCycles        = "/gc/cycles/total:gc-cycles"
	mForced        = "/gc/cycles/forced:gc-cycles"
	mGOGC          = "/gc/gogc:percent"
	mMemLimit      = "/gc/gomemlimit:bytes"
	mCPUGC         = "/cpu/classes/gc/total:cpu-seconds"
	mCPUTotal      = "/cpu/classes/total:cpu-seconds"
	mCPUIdle       = "/cpu/classes/idle:cpu-seconds"
	mGoroutines    = "/sched/goroutines:goroutines"
	mRunning       = "/sched/goroutines/running:goroutines"
	mRunnable      = "/sched/goroutines/runnable:goroutines"
	mWaiting       = "/sched/goroutines/waiting:goroutines"
	mNotInGo       = "/sched/goroutines/not-in-go:goroutines"
	mCreated       = "/sched/goroutines-created:goroutines"
	mGOMAXPROCS    = "/sched/gomaxprocs:threads"
	mThreads       = "/sched/threads/total:threads"
	mMutexWaitTime = "/sync/mutex/wait/total:seconds"
)

func cmdMem(_ context.Context, c *Env, args string) int {
	if args != "" {
		fmt.Fprintln(c.Stderr, "usage: :mem")
		return 2
	}
	m := readMetrics(mHeapObjects, mHeapLive, mHeapGoal, mHeapFree, mHeapUnused, mHeapReleased,
		mHeapCount, mAllocBytes, mAllocObjects, mStacks, mOSStacks, mTotal, mCycles, mForced,
		mGOGC, mMemLimit, mCPUGC, mCPUTotal, mCPUIdle, mGoroutines, mRunning, mRunnable,
		mWaiting, mNotInGo, mCreated, mGOMAXPROCS, mThreads, mMutexWaitTime)
	// ReadGCStats takes the heap lock, not the world: safe on a busy app.
	var gc debug.GCStats
	debug.ReadGCStats(&gc)

	var buf bytes.Buffer
	w := tabwriter.NewWriter(&buf, 0, 0, 2, ' ', 0)
	row := func(label, value, note string) { fmt.Fprintf(w, "%s\t%s\t%s\n", label, value, note) }
	row("heap", "", "")
	row("  in use", fmtBytes(m[mHeapObjects]), fmt.Sprintf("%d objects, live or not yet freed", m[mHeapCount]))
	row("  live", fmtBytes(m[mHeapLive]), "marked by the last GC")
	row("  goal", fmtBytes(m[mHeapGoal]), "the next GC starts here")
	row("  free", fmtBytes(m[mHeapFree]+m[mHeapUnused]), "held by the runtime, reusable")
	row("  released", fmtBytes(m[mHeapReleased]), "returned to the OS")
	row("  allocated", fmtBytes(m[mAllocBytes]), fmt.Sprintf("%d objects since start", m[mAllocObjects]))
	row("stacks", fmtBytes(m[mStacks]), fmt.Sprintf("goroutine stacks, plus %s of OS thread stacks", fmtBytes(m[mOSStacks])))
	row("total", fmtBytes(m[mTotal]), "mapped by the Go runtime")
	row("gc", "", "")
	row("  cycles", strconv.FormatUint(m[mCycles], 10), fmt.Sprintf("%d forced", m[mForced]))
	if gc.NumGC > 0 {
		row("  last", fmtDuration(time.Since(gc.LastGC))+" ago", gc.LastGC.Format(time.DateTime))
	} else {
		row("  last", "never", "")
	}
	if len(gc.Pause) > 0 {
		row("  pauses", fmtDuration(gc.PauseTotal), fmt.Sprintf("in total; the last %s", fmtDuration(gc.Pause[0])))
	}
	if used := m[mCPUTotal] - m[mCPUIdle]; used > 0 && m[mCPUTotal] > m[mCPUIdle] {
		row("  cpu", fmt.Sprintf("%.1f%%", 100*float64(m[mCPUGC])/float64(used)), "of the CPU time the process used")
	}
	row("  GOGC", fmtGOGC(int64(m[mGOGC])), "")
	row("  GOMEMLIMIT", fmtMemLimit(int64(m[mMemLimit])), "")
	row("scheduler", "", "")
	// One count everywhere (banner, :mem, :goroutines, :top):
	// runtime.NumGoroutine, which leaves out the runtime's own. The
	// runtime's per-state counts include those, so they are labelled.
	row("  goroutines", strconv.Itoa(runtime.NumGoroutine()), fmt.Sprintf("as runtime.NumGoroutine counts; with the runtime's own: running %d, runnable %d, waiting %d, in syscalls or cgo %d",
		m[mRunning], m[mRunnable], m[mWaiting], m[mNotInGo]))
	row("  created", strconv.FormatUint(m[mCreated], 10), "since start")
	row("  GOMAXPROCS", strconv.Itoa(runtime.GOMAXPROCS(0)), fmt.Sprintf("%d CPUs", runtime.NumCPU()))
	row("  threads", strconv.FormatUint(m[mThreads], 10), "")
	row("  mutex wait", fmtDuration(time.Duration(m[mMutexWaitTime])), "in total, sync.Mutex and RWMutex")
	w.Flush()
	c.Stdout.Write(trimLineEnds(buf.Bytes()))
	return 0
}

const minMemLimit = 1 << 20

func fmtGOGC(p int64) string {
	if p < 0 {
		return "off"
	}
	return strconv.FormatInt(p, 10)
}

func fmtMemLimit(n int64) string {
	if n == math.MaxInt64 {
		return "off"
	}
	return fmtBytes(n)
}

func cmdGC(_ context.Context, c *Env, args string) int {
	if args != "" {
		fmt.Fprintln(c.Stderr, "usage: :gc")
		return 2
	}
	before := readMetrics(mHeapObjects, mHeapCount)
	start := time.Now()
	runtime.GC()
	took := time.Since(start)
	after := readMetrics(mHeapObjects, mHeapCount)
	freed := int64(before[mHeapObjects]) - int64(after[mHeapObjects])
	fmt.Fprintf(c.Stdout, "heap before %s (%d objects), after %s (%d objects): freed %s in %s\n",
		fmtBytes(before[mHeapObjects]), before[mHeapCount], fmtBytes(after[mHeapObjects]), after[mHeapCount],
		fmtBytes(freed), fmtDuration(took))
	return 0
}

func cmdSetGC(_ context.Context, c *Env, args string) int {
	if args == "" {
		fmt.Fprintf(c.Stdout, "GOGC %s\n", fmtGOGC(int64(readMetrics(mGOGC)[mGOGC])))
		return 0
	}
	if refuseInspectOnly(c) {
		return 1
	}
	pct := -1
	if args != "off" {
		n, err := strconv.Atoi(args)
		if err != nil || n < 0 {
			fmt.Fprintf(c.Stderr, "usage: :setgc PERCENT|off (PERCENT a whole number >= 0, not %q)\n", args)
			return 2
		}
		pct = n
	}
	old := debug.SetGCPercent(pct)
	fmt.Fprintf(c.Stdout, "GOGC %s -> %s\n", fmtGOGC(int64(old)), fmtGOGC(int64(pct)))
	return 0
}

func cmdMemLimit(_ context.Context, c *Env, args string) int {
	if args == "" {
		fmt.Fprintf(c.Stdout, "GOMEMLIMIT %s\n", fmtMemLimit(debug.SetMemoryLimit(-1)))
		return 0
	}
	if refuseInspectOnly(c) {
		return 1
	}
	limit := int64(math.MaxInt64)
	if args != "off" {
		n, err := parseBytes(args)
		if err != nil {
			fmt.Fprintf(c.Stderr, "usage: :memlimit BYTES|off: %v\n", err)
			return 2
		}
		if n < minMemLimit {
			// ":memlimit 512" is a typo for 512MiB far more often than a
			// wish to run the GC without pause.
			fmt.Fprintf(c.Stderr, "%s is below 1 MiB: the GC would run without pause; did you mean %sMiB?\n", fmtBytes(n), strings.TrimSpace(args))
			return 2
		}
		limit = n
	}
	old := debug.SetMemoryLimit(limit)
	fmt.Fprintf(c.Stdout, "GOMEMLIMIT %s -> %s\n", fmtMemLimit(old), fmtMemLimit(limit))
	return 0
}
