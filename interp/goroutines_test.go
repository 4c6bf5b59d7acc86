package interp

import (
	"context"
	"fmt"
	"runtime"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

// The go statement evaluates its function value and arguments at once,
// as Go specifies, not when the goroutine starts.
func TestGoStatementEvaluatesArgumentsAtOnce(t *testing.T) {
	// The goroutines report to the host: session-level variables used
	// from goroutines race with later inputs in yaegi (a documented
	// limit), values of the namespace do not.
	var (
		mu  sync.Mutex
		got []int
		wg  sync.WaitGroup
	)
	f := newFixture(t, map[string]any{
		"wg": &wg,
		"show": func(i int) {
			mu.Lock()
			got = append(got, i)
			mu.Unlock()
			wg.Done()
		},
	})
	for _, tc := range []struct{ name, src, want string }{
		{"loop variable", `for i := 0; i < 3; i++ { wg.Add(1); go show(i) }`, "[0 1 2]"},
		{"literal with parameter", `for i := 0; i < 3; i++ { wg.Add(1); go func(x int) { show(x) }(i) }`, "[0 1 2]"},
		// The literal is evaluated once: a yaegi closure returning on
		// another goroutine writes its literal's slot back unlocked,
		// racing with the literal's next evaluation (see exitGuard).
		{"function variable", `func() { other := func(_ int) { show(-1) }; fn := show; for i := 0; i < 3; i++ { wg.Add(1); go fn(i * 10); fn = other } }()`, "[-1 -1 0]"},
		{"variadic", `func() { vals := []int{7, 8}; wg.Add(1); go func(xs ...int) { show(len(xs)) }(vals...) }()`, "[2]"},
		{"method value", "type T struct{ n int }\nfunc (t T) report() { show(t.n) }\nfunc() { t := T{5}; wg.Add(1); go t.report(); t.n = 6 }()", "[5]"},
		{"untyped constant to float32", `func half(x float32) { show(int(x * 2)) }; const k = 2.5; wg.Add(2); go half(k); go half(1)`, "[2 5]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mu.Lock()
			got = nil
			mu.Unlock()
			f.eval(t, tc.src)
			done := make(chan struct{})
			go func() { wg.Wait(); close(done) }()
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				t.Fatalf("the goroutines did not all run; stderr:\n%s", f.stderr.String())
			}
			mu.Lock()
			nums := append([]int(nil), got...)
			mu.Unlock()
			sort.Ints(nums)
			if got := fmt.Sprint(nums); got != tc.want {
				t.Errorf("goroutines saw %s, want %s", got, tc.want)
			}
		})
	}
}

// A sieve of goroutines, each passing its arguments on: with late
// arguments it deadlocked.
func TestGoroutineSieve(t *testing.T) {
	f := newFixture(t, nil)
	f.eval(t, `
func generate(ch chan<- int) { for i := 2; ; i++ { ch <- i } }
func filter(in <-chan int, out chan<- int, prime int) { for { i := <-in; if i%prime != 0 { out <- i } } }
func sieve(n int) []int {
	ch := make(chan int)
	go generate(ch)
	var ps []int
	for i := 0; i < n; i++ {
		prime := <-ch
		ps = append(ps, prime)
		ch1 := make(chan int)
		go filter(ch, ch1, prime)
		ch = ch1
	}
	return ps
}`)
	if got := f.value(t, `sieve(10)`); got != "[]int{2, 3, 5, 7, 11, 13, 17, 19, 23, 29}" {
		t.Fatalf("sieve(10) = %s", got)
	}
	if err := f.in.Close(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the sieve's goroutines to stop", func() bool { return f.in.Goroutines() == 0 })
}

// Containment is by value: a callback-taking function reached through a
// variable is guarded as well as a call by name.
func TestCallbackGuardedByValue(t *testing.T) {
	f := newFixture(t, nil)
	for i, src := range []string{
		`af := time.AfterFunc; af(0, func() { panic("alias") })`,
		`var start func(time.Duration, func()) *time.Timer = time.AfterFunc; start(0, func() { panic("var") })`,
		`ctx, cancel := context.WithCancel(context.Background()); context.AfterFunc(ctx, func() { panic("ctx") }); cancel()`,
		`fs := []func(){ func() { panic("indirect") } }; go fs[0]()`,
	} {
		before := len(f.stderr.String())
		f.eval(t, src)
		want := []string{"alias", "var", "ctx", "indirect"}[i]
		waitFor(t, "panic in goroutine: "+want, func() bool {
			return strings.Contains(f.stderr.String()[before:], "panic in goroutine: "+want)
		})
	}
	if got := f.value(t, "1+1"); got != "2" {
		t.Fatalf("1+1 = %s", got)
	}
}

// A timer still pending when the session ends does not fire into it.
func TestCloseStopsPendingTimers(t *testing.T) {
	fired := make(chan struct{}, 1)
	f := newFixture(t, map[string]any{"fire": func() { fired <- struct{}{} }})
	f.eval(t, `time.AfterFunc(20*time.Millisecond, fire)`)
	f.in.Close()
	f.in.timersMu.Lock()
	n := len(f.in.timers)
	f.in.timersMu.Unlock()
	if n != 0 {
		t.Errorf("%d timers left after Close", n)
	}
	select {
	case <-fired:
		t.Error("a timer of a closed session fired")
	case <-time.After(100 * time.Millisecond):
	}
}

// Goroutines parked on a channel, a select or a channel send of an
// earlier input stop when the session closes; before, yaegi left them
// blocked for ever.
func TestCloseStopsParkedGoroutines(t *testing.T) {
	base := runtime.NumGoroutine()
	f := newFixture(t, nil)
	f.eval(t, `for i := 0; i < 100; i++ { go func() { select {} }() }`)
	f.eval(t, `func() { ch := make(chan int); for i := 0; i < 100; i++ { go func() { <-ch }() } }()`)
	f.eval(t, `func park() { c := make(chan int); c <- 1 }; for i := 0; i < 100; i++ { go park() }`)
	f.eval(t, `for i := 0; i < 100; i++ { go func() { for range make(chan int) {} }() }`)
	if n := f.in.Goroutines(); n != 400 {
		t.Fatalf("Goroutines() = %d, want 400", n)
	}
	if err := f.in.Close(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the parked goroutines to stop", func() bool {
		return f.in.Goroutines() == 0 && runtime.NumGoroutine() <= base+2
	})
}

// An interruption stops them too, as it stops running ones.
func TestInterruptStopsParkedGoroutines(t *testing.T) {
	f := newFixture(t, nil)
	f.eval(t, `for i := 0; i < 50; i++ { go func() { select {} }() }`)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := f.in.Eval(ctx, `for {}`); err == nil {
		t.Fatal("for {} returned")
	}
	waitFor(t, "the parked goroutines to stop", func() bool { return f.in.Goroutines() == 0 })
	if got := f.value(t, "1+1"); got != "2" {
		t.Fatalf("1+1 = %s", got)
	}
}

func TestGoroutineLimit(t *testing.T) {
	f := newFixture(t, nil)
	_, err := f.in.Eval(context.Background(), `for i := 0; i < 1100; i++ { go func() { select {} }() }`)
	if err == nil || !strings.Contains(err.Error(), "too many goroutines: a session runs at most 1000") {
		t.Fatalf("error = %v, want the goroutine limit", err)
	}
	if n := f.in.Goroutines(); n != maxGoroutines {
		t.Errorf("Goroutines() = %d, want %d", n, maxGoroutines)
	}
	f.in.Close()
	waitFor(t, "the goroutines to stop", func() bool { return f.in.Goroutines() == 0 })
}

// The depth limit is meant per goroutine: goroutines parked a few calls
// deep do not make a recursion elsewhere overflow.
func TestDepthLimitIgnoresParkedGoroutines(t *testing.T) {
	f := newFixture(t, nil)
	f.eval(t, `func parkAt(n int) { if n == 0 { select {} }; parkAt(n - 1) }`)
	f.eval(t, `for i := 0; i < 900; i++ { go parkAt(12) }`)
	waitFor(t, "the goroutines to park", func() bool { return f.in.depth.Load() >= 900*13 })
	f.eval(t, `func depth(n int) int { if n == 0 { return 0 }; return 1 + depth(n-1) }`)
	if got := f.value(t, `depth(9000)`); got != "9000" {
		t.Fatalf("depth(9000) = %s", got)
	}
	if _, err := f.in.Eval(context.Background(), `depth(-1)`); err == nil || !strings.Contains(err.Error(), "stack overflow") {
		t.Fatalf("depth(-1): %v, want a stack overflow", err)
	}
}

// Sessions evaluate goroutine panics side by side and close while they
// run: with a recover in interpreted code, about one in 36 killed the
// process (this test's).
func TestConcurrentGoroutinePanics(t *testing.T) {
	inputs := []string{
		`go func() { panic("x") }()`,
		`go func() { var m map[string]int; m["a"] = 1 }()`,
		`go panic("y")`,
		`func b() { panic(1) }; go b()`,
		`time.AfterFunc(0, func() { panic("z") })`,
		`af := time.AfterFunc; af(0, func() { panic("w") })`,
		`for i := 0; i < 5; i++ { go panic(i) }`,
	}
	rounds := 60
	if testing.Short() {
		rounds = 10
	}
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < rounds; i++ {
				in, err := New(Options{})
				if err != nil {
					errs <- err
					return
				}
				if _, err := in.Eval(context.Background(), inputs[(w+i)%len(inputs)]); err != nil {
					errs <- err
				}
				in.Close()
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// Goroutines started in a loop while the evaluation is interrupted: one
// that yaegi stopped before it ran its deferred Exit returned into yaegi,
// which wrote its closure back into the loop's frame while the loop
// evaluated the literal again (a data race under -race, found by
// TestStress). A stop now waits for the goroutines being started.
func TestInterruptWhileStartingGoroutines(t *testing.T) {
	f := newFixture(t, nil)
	for i := range 30 {
		ctx, cancel := context.WithTimeout(context.Background(), time.Duration(5+i%7)*time.Millisecond)
		_, err := f.in.Eval(ctx, `for { go func() {}(); go func(n int) { _ = n }(1) }`)
		cancel()
		if err == nil {
			t.Fatal("the loop returned")
		}
		if got := f.value(t, "1+1"); got != "2" {
			t.Fatalf("after the interrupt: %s", got)
		}
	}
}

// Evaluations run on a worker kept between them (see worker), which ends
// after a long evaluation and when the session closes.
func TestWorkerIsKeptBetweenShortEvaluations(t *testing.T) {
	base := runtime.NumGoroutine()
	f := newFixture(t, nil)
	// A short evaluation on a busy machine may take longer than
	// workerKeep; the worker parks after Eval has its result.
	f.in.keep = 250 * time.Millisecond
	for range 3 {
		f.value(t, "1+1")
		waitFor(t, "the worker to park", func() bool { return len(f.in.idle) == 1 })
	}
	f.eval(t, "time.Sleep(500 * time.Millisecond)")
	// The worker that ran it ends instead of parking; had it parked, it
	// would have done so before its run's Eval returned plus a moment.
	time.Sleep(50 * time.Millisecond)
	if n := len(f.in.idle); n != 0 {
		t.Errorf("%d idle workers after a long evaluation, want 0", n)
	}
	f.value(t, "1+1")
	if err := f.in.Close(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the worker to end", func() bool { return runtime.NumGoroutine() <= base })
}
