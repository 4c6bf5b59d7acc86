package interp

import (
	"context"
	"strconv"
	"strings"
	"testing"
)

// Each input would end the process with a Go fatal error, which no
// recover catches, or wedge the host; it must be refused before.
func TestFatalErrorsPrevented(t *testing.T) {
	f := newFixture(t, nil)
	for _, tc := range []struct{ name, src, err string }{
		{"unlock of unlocked mutex", `var m sync.Mutex; m.Unlock()`, "sync: unlock of unlocked mutex (refused"},
		{"deferred unlock of unlocked mutex", `var m2 sync.Mutex; func bad() { defer m2.Unlock() }; bad()`, "sync: unlock of unlocked mutex"},
		{"unlock through a pointer", `pm := &sync.Mutex{}; pm.Unlock()`, "sync: unlock of unlocked mutex"},
		{"unlock of an embedded mutex", `type guarded struct { sync.Mutex; n int }; var g guarded; g.Unlock()`, "sync: unlock of unlocked mutex"},
		{"unlock through an interface", `l := sync.Locker(&sync.Mutex{}); l.Unlock()`, "sync: unlock of unlocked mutex"},
		{"RUnlock of unlocked RWMutex", `var rw sync.RWMutex; rw.RUnlock()`, "sync: RUnlock of unlocked RWMutex"},
		{"RUnlock of write-locked RWMutex", `var rw2 sync.RWMutex; rw2.Lock(); rw2.RUnlock()`, "sync: RUnlock of unlocked RWMutex"},
		{"Unlock of unlocked RWMutex", `var rw3 sync.RWMutex; rw3.Unlock()`, "sync: Unlock of unlocked RWMutex"},
		{"Unlock of read-locked RWMutex", `var rw4 sync.RWMutex; rw4.RLock(); rw4.Unlock()`, "sync: Unlock of unlocked RWMutex"},
		{"Cond.Wait without the lock", `c := sync.NewCond(&sync.Mutex{}); c.Wait()`, "sync: unlock of unlocked mutex"},
		{"SetFinalizer", `runtime.SetFinalizer(1, nil)`, "runtime.SetFinalizer is refused"},
		{"SetMaxStack", `debug.SetMaxStack(4096)`, "debug.SetMaxStack is refused"},
		{"SetMaxThreads", `debug.SetMaxThreads(1)`, "debug.SetMaxThreads is refused"},
		{"WriteHeapDump", `debug.WriteHeapDump(2)`, "debug.WriteHeapDump is refused"},
		{"close of the host's stderr", `os.NewFile(2, "").Close()`, "os.NewFile is refused"},
		{"close of the netpoller", `os.NewFile(5, "").Close()`, "os.NewFile is refused"},
		{"out of memory: slice", `b := make([]byte, 60<<30)`, "refused: the process can get about"},
		{"out of memory: slice capacity", `b := make([]byte, 0, 60<<30)`, "refused"},
		{"out of memory: wide elements", `b := make([]int64, 8<<30)`, "64.0 GiB refused"},
		{"out of memory: map", `m := make(map[int]int, 30<<30)`, "refused"},
		{"out of memory: channel", `c := make(chan [1024]byte, 60<<20)`, "refused"},
		{"out of memory: strings.Repeat", `strings.Repeat("x", 60<<30)`, "strings.Repeat of 60.0 GiB refused"},
		{"out of memory: make of a session type", "type B []byte\nx := make(B, 1<<40)", "1024.0 GiB refused"},
		// Found by attacking the first version of the guards.
		{"unlock of an array element", `var ms [2]sync.Mutex; ms[0].Unlock()`, "sync: unlock of unlocked mutex"},
		{"unlock of a slice element", `s := make([]sync.Mutex, 1); s[0].Unlock()`, "sync: unlock of unlocked mutex"},
		{"unlock of an element's field", "type withMu struct{ mu sync.Mutex }\nts := []withMu{{}}; ts[0].mu.Unlock()", "sync: unlock of unlocked mutex"},
		{"unlock of an RLocker", `var rl sync.RWMutex; l := rl.RLocker(); l.Unlock()`, "sync: RUnlock of unlocked RWMutex"},
		{"Cond on an RLocker", `var rc sync.RWMutex; c := sync.NewCond(rc.RLocker()); c.Wait()`, "sync: RUnlock of unlocked RWMutex"},
		{"method value", `var mv sync.Mutex; f := mv.Unlock; f()`, "sync: unlock of unlocked mutex"},
		{"method value in a slice", `var mv2 sync.Mutex; fs := []func(){mv2.Unlock}; fs[0]()`, "sync: unlock of unlocked mutex"},
		{"RUnlock method value", `var mv3 sync.RWMutex; g := mv3.RUnlock; g()`, "sync: RUnlock of unlocked RWMutex"},
		{"Cond.Wait method value", `c2 := sync.NewCond(&sync.Mutex{}); w := c2.Wait; w()`, "sync: unlock of unlocked mutex"},
		{"printing a map that holds itself", `m := map[string]any{}; m["m"] = m; fmt.Sprint(m)`, "nests more than 1000 levels deep"},
		{"printing a slice that holds itself", `a := make([]any, 1); a[0] = a; fmt.Sprintf("%v", a)`, "nests more than 1000 levels deep"},
		{"printing an infinite type", "type inf struct{ a [2]inf }\nfmt.Sprint(inf{})", "nests more than 1000 levels deep"},
		{"json of an infinite type", "type inf2 struct{ a [2]inf2 }\njson.Marshal(inf2{})", "nests more than 1000 levels deep"},
		{"out of memory: strings.Builder.Grow", `var sb strings.Builder; sb.Grow(1 << 40)`, "Grow of 1024.0 GiB refused"},
		{"out of memory: bytes.Buffer.Grow", `bb := &bytes.Buffer{}; bb.Grow(1 << 40)`, "Grow of 1024.0 GiB refused"},
		{"a thread pinned for ever", `runtime.LockOSThread()`, "runtime.LockOSThread is refused"},
		{"the app's default logger replaced", `slog.SetDefault(nil)`, "slog.SetDefault is refused"},
		// Found by a second attack.
		{"unlock in a for post statement", `var hp sync.Mutex; for i := 0; i < 1; hp.Unlock() { i++ }`, "sync: unlock of unlocked mutex"},
		{"unlock in an if init", `var hi sync.Mutex; if hi.Unlock(); true {}`, "sync: unlock of unlocked mutex"},
		{"unlock in a for init", `var hf sync.Mutex; for hf.Unlock(); false; {}`, "sync: unlock of unlocked mutex"},
		{"method value of an embedding struct", "type emb struct{ sync.Mutex }\nvar ev emb; f := ev.Unlock; f()", "sync: unlock of unlocked mutex"},
		{"method value through a dereference", `var dm sync.Mutex; p := &dm; f := (*p).Unlock; f()`, "sync: unlock of unlocked mutex"},
		{"out of memory: make of a package's type", `x := make(sort.IntSlice, 1<<40)`, "refused"},
		{"a deep value hidden by a wide one", `var x any = 1; for i := 0; i < 1100; i++ { x = []any{x} }; w := make([]any, 1<<21); w[0] = x; fmt.Sprint(w)`, "over 1048576 nested values"},
		{"a session's Context as a parent", "type sctx struct{ context.Context }\ncontext.WithCancel(sctx{context.Background()})", "implemented in the session is refused"},
		{"a compilation that takes minutes", "x := 1" + strings.Repeat("+1", 3000), "nests more than 2000 levels deep"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.in.Eval(context.Background(), tc.src)
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Fatalf("Eval(%q) = %v, want an error containing %q", tc.src, err, tc.err)
			}
			if got := f.value(t, "1+1"); got != "2" {
				t.Errorf("after %q, 1+1 = %q", tc.src, got)
			}
		})
	}
}

// What the guards look at still works as in Go.
func TestGuardedCallsStillWork(t *testing.T) {
	f := newFixture(t, nil)
	runCases(t, f, []evalCase{
		{name: "lock and unlock", src: `var mu sync.Mutex; mu.Lock(); mu.Unlock(); mu.TryLock()`, want: `true`},
		{name: "deferred unlock", src: `mu.Unlock(); func locked() int { mu.Lock(); defer mu.Unlock(); return 5 }; locked() + locked()`, want: `10`},
		{name: "read locks", src: `var rw sync.RWMutex; rw.RLock(); rw.RLock(); rw.RUnlock(); rw.RUnlock(); rw.Lock(); rw.Unlock(); rw.TryLock()`, want: `true`},
		{name: "embedded", src: `type box struct { sync.Mutex; n int }; b := &box{}; b.Lock(); b.n++; b.Unlock(); b.n`, want: `1`},
		{name: "a WaitGroup waits on itself, not a copy", src: `var wg sync.WaitGroup; n := 0; wg.Add(2); go func() { n++; wg.Done() }(); go func() { wg.Done() }(); wg.Wait(); "done"`, want: `"done"`},
		{name: "Cond", src: `cm := &sync.Mutex{}; c := sync.NewCond(cm); ready := false; go func() { cm.Lock(); ready = true; c.Broadcast(); cm.Unlock() }(); cm.Lock(); for !ready { c.Wait() }; cm.Unlock(); ready`, want: `true`},
		{name: "a session type's own Wait", src: "type q struct{ n int }\nfunc (x *q) Wait() { x.n += 2 }\nqq := &q{}; qq.Wait(); qq.n", want: `2`},
		{name: "a session type's Unlock with a result", src: "type u struct{}\nfunc (u) Unlock() bool { return true }\nvar uu u; uu.Unlock(); uu.Unlock()", want: `true`},
		{name: "make below the bound", src: `len(make([]byte, 1<<20)) + cap(make([]int, 0, 10)) + len(make(map[string]int, 100)) + cap(make(chan int, 3))`, want: `1048589`},
		{name: "make with a typed size", src: `var n uint8 = 7; len(make([]byte, n))`, want: `7`},
		{name: "make with a negative size", src: `n := -1; _ = make([]int, n)`, err: "panic: reflect.MakeSlice: negative len"},
		{name: "Grow below the bound", src: `var sb strings.Builder; sb.Grow(100); sb.WriteString("x"); sb.Cap() >= 100`, want: `true`},
		{name: "Repeat below the bound", src: `strings.Repeat("ab", 3) + string(bytes.Repeat([]byte("c"), 2))`, want: `"abababcc"`},
	})
}

// Method values of sync locks run through the check in a goroutine and a
// callback too, where the fatal error killed the host.
func TestUnlockMethodValueInGoroutineIsContained(t *testing.T) {
	f := newFixture(t, nil)
	for i, src := range []string{`var mu sync.Mutex; go mu.Unlock()`, `var mu2 sync.Mutex; time.AfterFunc(0, mu2.Unlock)`} {
		before := len(f.stderr.String())
		f.eval(t, src)
		waitFor(t, "the refused unlock "+strconv.Itoa(i), func() bool {
			return strings.Contains(f.stderr.String()[before:], "panic in goroutine: sync: unlock of unlocked mutex")
		})
	}
	if got := f.value(t, "1+1"); got != "2" {
		t.Fatalf("1+1 = %s", got)
	}
}

// slog's package functions log to the session, not the host's stderr.
func TestSlogGoesToTheSession(t *testing.T) {
	f := newFixture(t, nil)
	f.eval(t, `slog.Info("from the session", "k", 1); slog.Default().Warn("again")`)
	if s := f.stderr.String(); !strings.Contains(s, `msg="from the session" k=1`) || !strings.Contains(s, `msg=again`) {
		t.Fatalf("session stderr = %q", s)
	}
}

// Pending AfterFunc timers count against the goroutine limit: a loop of
// them left 138 000 goroutines blocked in a lock after its session.
func TestAfterFuncCountsAgainstTheLimit(t *testing.T) {
	base := processGoroutines.Load() // other tests' leftovers
	f := newFixture(t, nil)
	_, err := f.in.Eval(context.Background(), `var mu sync.Mutex; mu.Lock(); for i := 0; i < 5000; i++ { time.AfterFunc(time.Hour, func() { mu.Lock() }) }`)
	if err == nil || !strings.Contains(err.Error(), "too many goroutines") {
		t.Fatalf("5000 pending timers: %v", err)
	}
	f.in.Close()
	if n := f.in.Goroutines(); n != 0 {
		t.Errorf("%d counted after Close", n)
	}
	if n := processGoroutines.Load(); n != base {
		t.Errorf("%d counted for the process after Close, %d before", n, base)
	}
}
