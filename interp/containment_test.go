package interp

import (
	"context"
	"errors"
	"fmt"
	"go/parser"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Each case would end or wedge the host process in plain yaegi or plain Go.
// After each, the host is alive and the same interpreter still works.
func TestContainment(t *testing.T) {
	f := newFixture(t, nil)
	for _, tc := range []struct {
		name, src string
		err       string // substring of Eval's error
		stderr    string // substring expected on Options.Stderr, polled for
	}{
		{name: "panic", src: `panic("x")`, err: "panic: x"},
		{name: "panic with error", src: `panic(errors.New("bad"))`, err: "panic: bad"},
		{name: "nil map write", src: `var m map[string]int; m["a"] = 1`, err: "panic: "},
		{name: "nil pointer dereference", src: `var p *struct{ X int }; p.X = 1`, err: "panic: runtime error: invalid memory address or nil pointer dereference"},
		{name: "index out of range", src: `s := []int{1}; i := 5; s[i]`, err: "panic: "},
		{name: "panic in a function", src: "func boom() { panic(\"deep\") }\nboom()", err: "panic: deep"},
		{name: "goroutine panic", src: `go func() { panic("in goroutine") }()`, stderr: "panic in goroutine: in goroutine"},
		{name: "goroutine panic in named func", src: "func boom2(s string) { panic(s) }\ngo boom2(\"named\")", stderr: "panic in goroutine: named"},
		{name: "goroutine nil dereference", src: `go func() { var p *struct{ X int }; p.X = 1 }()`, stderr: "panic in goroutine: runtime error: invalid memory address"},
		{name: "goroutine panic in builtin call", src: `go panic("builtin")`, stderr: "panic in goroutine: builtin"},
		{name: "time.AfterFunc panic", src: `time.AfterFunc(0, func() { panic("after") })`, stderr: "panic in goroutine: after"},
		{name: "os.Exit", src: `os.Exit(1)`, err: "os.Exit(1) is refused inside a manhole"},
		{name: "log.Fatal", src: `log.Fatal("fatal")`, err: "log.Fatal is refused inside a manhole", stderr: "fatal"},
		{name: "log.Fatalf", src: `log.Fatalf("fatal %d", 2)`, err: "log.Fatalf is refused inside a manhole", stderr: "fatal 2"},
		{name: "log.Fatalln", src: `log.Fatalln("fatalln")`, err: "log.Fatalln is refused inside a manhole"},
		{name: "log.Panic", src: `log.Panic("logpanic")`, err: "panic: logpanic", stderr: "logpanic"},
		{name: "log.Default", src: `log.Default().Print("x")`, err: "log.Default is refused"},
		{name: "logger Fatal", src: `log.New(os.Stderr, "", 0).Fatal("lf")`, err: "panic: "},
		{name: "runtime.Breakpoint", src: `runtime.Breakpoint()`, err: "runtime.Breakpoint is refused"},
		{name: "runtime.Goexit", src: `runtime.Goexit()`, err: "runtime.Goexit"},
		{name: "range over a function of unknown type", src: "func gen[T any]() T { var z T; return z }\nfor x := range gen[func(func(int) bool)]() { _ = x }", err: "2:16: the interpreter cannot compile this range"},
		// An integer whose type the rewrite cannot infer (the result of
		// a generic function): the compiler panic itself (yaegi also
		// logs "nil type" to the host's standard logger, which cannot be
		// prevented).
		{name: "range over an integer of unknown type", src: "func id[T any](x T) T { return x }\nfor i := range id(struct{ n int }{3}.n) { _ = i }", err: "2:16: the interpreter cannot compile this range"},
		{name: "unbounded recursion", src: `func f(n int) int { return f(n+1) }; f(0)`, err: "stack overflow: more than 10000 nested calls"},
		{name: "unbounded recursion in a method", src: "type R struct{}\nfunc (r R) m(n int) int { return r.m(n) + 1 }\nR{}.m(0)", err: "stack overflow"},
		{name: "unbounded mutual recursion", src: "func ping(n int) int { return pong(n) }\nfunc pong(n int) int { return ping(n) }\nping(1)", err: "stack overflow"},
		{name: "unbounded recursion in a closure", src: "var rec func() int\nrec = func() int { return rec() }\nrec()", err: "stack overflow"},
		{name: "cyclic value printed", src: `m := map[string]any{}; m["m"] = m; fmt.Sprint(len(m)); m`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := len(f.stderr.String())
			_, err := f.in.Eval(context.Background(), tc.src)
			switch {
			case tc.err == "" && err != nil:
				t.Errorf("Eval(%q): %v", tc.src, err)
			case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
				t.Errorf("Eval(%q) error = %v, want it to contain %q", tc.src, err, tc.err)
			}
			if err != nil && strings.Count(err.Error(), "\n") > 2 {
				t.Errorf("error is not a short message:\n%v", err)
			}
			if tc.stderr != "" {
				waitFor(t, "stderr "+tc.stderr, func() bool {
					return strings.Contains(f.stderr.String()[before:], tc.stderr)
				})
			}
			if got := f.value(t, "1+1"); got != "2" {
				t.Errorf("after %q, 1+1 = %q", tc.src, got)
			}
		})
	}
}

func TestRecursionBelowTheLimitWorks(t *testing.T) {
	f := newFixture(t, nil)
	f.eval(t, `func depth(n int) int { if n == 0 { return 0 }; return 1 + depth(n-1) }`)
	if got := f.value(t, `depth(9000)`); got != "9000" {
		t.Fatalf("depth(9000) = %s", got)
	}
	// The counter is balanced after an overflow.
	if _, err := f.in.Eval(context.Background(), `depth(-1)`); err == nil {
		t.Fatal("depth(-1) did not overflow")
	}
	if d := f.in.depth.Load(); d != 0 {
		t.Errorf("after an overflow, %d calls are counted in progress", d)
	}
	if got := f.value(t, `depth(9000)`); got != "9000" {
		t.Fatalf("after an overflow, depth(9000) = %s", got)
	}
}

func TestCancelStopsInfiniteLoop(t *testing.T) {
	for _, tc := range []struct {
		name, src string
	}{
		{"for", `for {}`},
		{"for with body", `n := 0; for { n++ }`},
		{"in a function", "func spin() { for {} }\nspin()"},
		{"channel receive", `ch := make(chan int); <-ch`},
		{"select", `select {}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, nil)
			ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
			defer cancel()
			_, err := f.in.Eval(ctx, tc.src)
			late := time.Since(deadline(ctx))
			if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "timed out") {
				t.Fatalf("error = %v, want a timeout", err)
			}
			if strings.Contains(err.Error(), "abandoned") {
				t.Errorf("interpreted code reported as abandoned: %v", err)
			}
			t.Logf("returned %v after the deadline", late)
			// Not a speed check (that is a benchmark's): an Eval that
			// waited for the loop would never return.
			if late > 10*time.Second {
				t.Errorf("Eval returned %v after the deadline", late)
			}
			if got := f.value(t, "1+1"); got != "2" {
				t.Errorf("after the timeout, 1+1 = %s", got)
			}
		})
	}
}

func deadline(ctx context.Context) time.Time {
	d, _ := ctx.Deadline()
	return d
}

func TestCancelIsInterrupted(t *testing.T) {
	started := make(chan struct{})
	f := newFixture(t, map[string]any{"started": started})
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() {
		_, err := f.in.Eval(ctx, `close(started); for {}`)
		errc <- err
	}()
	<-started
	cancel()
	err := <-errc
	if !errors.Is(err, context.Canceled) || err.Error() != "interrupted" {
		t.Fatalf("error = %v, want interrupted", err)
	}
	if _, err := f.in.Eval(ctx, "1"); !errors.Is(err, context.Canceled) {
		t.Fatalf("Eval with a cancelled context: %v", err)
	}
}

func TestBlockedNativeCallIsAbandoned(t *testing.T) {
	release := make(chan struct{})
	returned := make(chan struct{})
	var after atomic.Int32
	entered := make(chan struct{})
	f := newFixture(t, map[string]any{
		"block": func() {
			defer close(returned)
			close(entered)
			<-release
		},
		"after": func() { after.Add(1) },
	})
	// The deadline passes once the call is entered: on a loaded machine
	// a fixed timeout could pass while the input still compiles.
	ctx := deadlineAfter(entered)
	start := time.Now()
	_, err := f.in.Eval(ctx, "block()\nafter()")
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "abandoned") {
		t.Fatalf("error = %v, want timed out and abandoned", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("Eval took %v", d)
	}
	if got := f.value(t, "x := 41; x + 1"); got != "42" {
		t.Fatalf("after abandoning, x + 1 = %s", got)
	}

	// When the call returns at last, the rest of the abandoned input must
	// not run.
	f.in.mu.Lock()
	r := f.in.abandoned
	f.in.mu.Unlock()
	close(release)
	<-returned
	time.Sleep(100 * time.Millisecond) // to its next check, where it waits (see parkStale)
	if n := after.Load(); n != 0 {
		t.Errorf("the abandoned input went on after its call returned (after() ran %d times)", n)
	}
	if got := f.value(t, "x"); got != "41" {
		t.Errorf("x = %s, want 41", got)
	}
	f.in.Close()
	<-r.userDone
	if n := after.Load(); n != 0 {
		t.Errorf("the abandoned input went on after Close (after() ran %d times)", n)
	}
}

// Cancelling an evaluation stops the goroutines the same interpreter
// started earlier (yaegi issue 1686), but never those of another one.
func TestCancelDoesNotStopOtherInterpreters(t *testing.T) {
	var ticksA, ticksB atomic.Int64
	a := newFixture(t, map[string]any{"tick": func() { ticksA.Add(1) }})
	b := newFixture(t, map[string]any{"tick": func() { ticksB.Add(1) }})
	a.eval(t, `go func() { for { tick() } }()`)
	b.eval(t, `go func() { for { tick() } }()`)
	waitFor(t, "both goroutines to tick", func() bool { return ticksA.Load() > 0 && ticksB.Load() > 0 })

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	if _, err := a.in.Eval(ctx, `for {}`); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("a: %v", err)
	}

	// A's goroutine stops (this is yaegi's behaviour, documented).
	n := ticksA.Load()
	waitFor(t, "a's goroutine to stop", func() bool {
		m := ticksA.Load()
		defer func() { n = m }()
		return m == n
	})
	// B's goroutine keeps ticking.
	from := ticksB.Load()
	waitFor(t, "b's goroutine to keep running", func() bool { return ticksB.Load() > from+1000 })

	// Both interpreters still evaluate.
	if got := a.value(t, "1+1"); got != "2" {
		t.Errorf("a: 1+1 = %s", got)
	}
	if got := b.value(t, "1+1"); got != "2" {
		t.Errorf("b: 1+1 = %s", got)
	}
}

func TestCloseInterruptsEval(t *testing.T) {
	started := make(chan struct{})
	f := newFixture(t, map[string]any{"started": started})
	errc := make(chan error, 1)
	go func() {
		_, err := f.in.Eval(context.Background(), `close(started); for {}`)
		errc <- err
	}()
	<-started
	if err := f.in.Close(); err != nil {
		t.Fatal(err)
	}
	if err := <-errc; !errors.Is(err, ErrClosed) {
		t.Fatalf("Eval interrupted by Close: %v", err)
	}
}

func TestCloseStopsGoroutines(t *testing.T) {
	var ticks atomic.Int64
	f := newFixture(t, map[string]any{"tick": func() { ticks.Add(1) }})
	f.eval(t, `go func() { for { tick() } }()`)
	waitFor(t, "the goroutine to tick", func() bool { return ticks.Load() > 0 })
	if err := f.in.Close(); err != nil {
		t.Fatal(err)
	}
	n := ticks.Load()
	waitFor(t, "the goroutine to stop", func() bool {
		m := ticks.Load()
		defer func() { n = m }()
		return m == n
	})
}

// deadlineCtx is a context whose deadline passes when its channel closes.
type deadlineCtx struct {
	context.Context
	done <-chan struct{}
}

func deadlineAfter(c <-chan struct{}) context.Context {
	return deadlineCtx{Context: context.Background(), done: c}
}

func (d deadlineCtx) Done() <-chan struct{} { return d.done }

func (d deadlineCtx) Err() error {
	select {
	case <-d.done:
		return context.DeadlineExceeded
	default:
		return nil
	}
}

// An input abandoned in a native call that comes back later stops there,
// at its next check, while the session evaluates its next inputs: the
// rest of it, and the rest of yaegi's Execute, which reads and writes the
// global frame, must not run next to a later input's (the race detector
// watches). It ends with an error once Close has stopped the interpreter.
func TestAbandonedInputEndsWhenItComesBack(t *testing.T) {
	for _, src := range []string{"block()", "block(); block()", "for i := 0; i < 1; i++ { block() }"} {
		t.Run(src, func(t *testing.T) {
			f, r, release := abandonIn(t, src)
			stop := make(chan struct{})
			evals := make(chan error, 1)
			go func() {
				for {
					select {
					case <-stop:
						evals <- nil
						return
					default:
					}
					if res, err := f.in.Eval(context.Background(), "y := 2; y * 3"); err != nil || res.Value != "6" {
						evals <- fmt.Errorf("y * 3 = %v, %v", res.Value, err)
						return
					}
				}
			}()
			close(release)
			// Back, it waits at its next check while the session goes on
			// (unwinding, it would pass through yaegi's global frame next
			// to the later inputs)...
			select {
			case <-r.userDone:
				t.Fatal("the abandoned input unwound next to later inputs")
			case <-time.After(200 * time.Millisecond):
			}
			close(stop)
			if err := <-evals; err != nil {
				t.Error(err)
			}
			if n := f.in.Goroutines(); n != 1 {
				t.Errorf("Goroutines() = %d with the returned call waiting, want 1 (it counts)", n)
			}
			// ...and ends, without running the rest, once Close has
			// stopped the interpreter.
			f.in.Close()
			select {
			case <-r.userDone:
			case <-time.After(10 * time.Second):
				t.Fatal("the abandoned input did not end after Close")
			}
			if n := f.in.Goroutines(); n != 0 {
				t.Errorf("Goroutines() = %d after Close, want 0", n)
			}
			if r.err == nil {
				t.Error("the abandoned input finished without an error when it came back")
			}
		})
	}
}

// A run cancelled while manhole's passes worked on its input does not go
// on into yaegi's compiler, which cannot be stopped: Eval, waiting for
// the passes, would take the run for one stuck there and break the
// interpreter.
func TestCancelledRunDoesNotCompile(t *testing.T) {
	f := newFixture(t, nil)
	r := &run{gen: f.in.gen}
	r.state.Store(cancelled)
	f.in.setCurrent(r)
	defer f.in.setCurrent(nil)
	fset := f.in.gen.yi.FileSet()
	file, err := parser.ParseFile(fset, "x.go", "package main\nfunc init() { println(1) }", 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.in.compile(file); !errors.Is(err, errCancelled) {
		t.Fatalf("compile in a cancelled run: err = %v, want %v", err, errCancelled)
	}
	if f.in.compiling.Load() {
		t.Fatal("compiling is still flagged")
	}
	r.state.Store(running)
	if _, err := f.in.compile(file); err != nil {
		t.Fatalf("compile in a running run: %v", err)
	}
}

// A cancellation while manhole's passes work on an input (here a long
// one) waits for them instead of abandoning them: abandoned, they went on
// reading the session's maps while the next input wrote them, a fatal
// "concurrent map read and map write" (found with Ctrl-C on a nested
// generic call, whose inference took exponential time then).
func TestCancelWhilePreparingWaitsForThePasses(t *testing.T) {
	f := newFixture(t, nil)
	f.eval(t, "func g[T any](v T) T { return v }")
	// 1500 terms: under checkDepth's 2000 levels, which refuses an input
	// before the passes see it.
	long := "y := g(1)" + strings.Repeat(" + g(1)", 1500)
	timedOut := 0
	for i := range 3 {
		ctx, cancel := context.WithTimeout(context.Background(), time.Duration(i+1)*time.Millisecond)
		_, err := f.in.Eval(ctx, long)
		cancel()
		if !errors.Is(err, context.DeadlineExceeded) {
			continue // done before the deadline
		}
		timedOut++
		if strings.Contains(err.Error(), "abandoned") {
			t.Fatalf("error = %v, want a timeout, not abandoned", err)
		}
		if got := f.value(t, "g(2) + 1"); got != "3" {
			t.Fatalf("after the timeout, g(2) + 1 = %s", got)
		}
	}
	if timedOut == 0 {
		t.Fatal("no evaluation timed out: the input is too short to test a cancellation in the passes")
	}
}

// Nested generic calls are inferred in time linear in their depth past a
// few levels (each level asked for its arguments' types twice).
func TestNestedGenericCallsInferQuickly(t *testing.T) {
	f := newFixture(t, nil)
	f.eval(t, "func g[T any](v T) T { return v }")
	nest := func(n int) string { return strings.Repeat("g(", n) + "1" + strings.Repeat(")", n) }
	if got := f.value(t, nest(40)+" + 1"); got != "2" {
		t.Fatalf("g(g(...)) + 1 = %s", got)
	}
	// Declared at the top level, the variable's type is needed, which
	// manhole does not infer through nested generic calls: a message
	// says what to write.
	_, err := f.in.Eval(context.Background(), "z := "+nest(40))
	if err == nil || !strings.Contains(err.Error(), "write them out") {
		t.Fatalf("z := g(g(...)): %v", err)
	}
}

// fmt of a copy of an application struct holding a lock and a map read
// the map without the lock (the copy's lock guards nothing): fatal when
// the application writes it meanwhile. Refused, with what to do instead;
// typed alone, the value prints under the struct's own lock.
func TestPrintOfAHostMapInACopyIsRefused(t *testing.T) {
	type guarded struct {
		mu sync.Mutex
		m  map[string]int
	}
	g := &guarded{m: map[string]int{"a": 1}}
	f := newFixture(t, map[string]any{"g": g})
	// The refusal comes before fmt reads anything. (Not while the
	// application writes: copying *g copies its mutex, a race of its own
	// that go vet's copylocks reports.)
	for _, src := range []string{"fmt.Sprint(*g)", "x := *g; fmt.Sprint(x)", `fmt.Sprintf("%v", []any{*g})`, "fmt.Println(g)"} {
		_, err := f.in.Eval(context.Background(), src)
		if err == nil || !strings.Contains(err.Error(), "refused to print a value holding a map of the application's struct") {
			t.Errorf("%s: %v, want a refusal", src, err)
		}
	}
	// Typed alone, the value prints under its lock while the
	// application writes the map.
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			g.mu.Lock()
			g.m[strconv.Itoa(i%100)] = i
			g.mu.Unlock()
		}
	}()
	defer func() { close(stop); <-done }()
	for range 50 {
		if _, err := f.in.Eval(context.Background(), "g"); err != nil {
			t.Fatal(err)
		}
	}
}

// A labeled loop that a goto keeps in the global block, abandoned in a
// slow compiled call: once the call returns, the loop must not come back
// to life next to later inputs (each Execute gives the global frame the
// current run id; a Check in the loop's body stops it).
func TestAbandonedGlobalLoopStaysStopped(t *testing.T) {
	var ticks atomic.Int64
	entered := make(chan struct{}, 1)
	f := newFixture(t, map[string]any{
		"slow": func() {
			ticks.Add(1)
			select {
			case entered <- struct{}{}:
			default:
			}
			time.Sleep(abandonGrace + 150*time.Millisecond)
		},
	})
	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-entered; cancel() }()
	_, err := f.in.Eval(ctx, "n := 0\ngoto L\nL:\nfor { n++; slow() }")
	if err == nil || !strings.Contains(err.Error(), "abandoned") {
		t.Fatalf("error = %v, want abandoned", err)
	}
	for range 10 { // while the call returns
		if got := f.value(t, "1+1"); got != "2" {
			t.Fatalf("1+1 = %s", got)
		}
		time.Sleep(30 * time.Millisecond)
	}
	n0 := ticks.Load()
	time.Sleep(600 * time.Millisecond)
	if n1 := ticks.Load(); n1 > n0 {
		t.Errorf("the abandoned loop runs again: slow() called %d times since", n1-n0)
	}
}

// A cancellation that lands after execRun looked at the run's state and
// before yaegi's Execute gave the global frame its run id was absorbed:
// an interpreted loop in a variable's initializer (a file has no Checks)
// went on, reported abandoned. The run id is bumped again while the run's
// code runs. (400 functions make Execute's preparation long enough to hit
// the gap.)
func TestCancelBeforeExecuteIsNotAbsorbed(t *testing.T) {
	var spins atomic.Int64
	var b strings.Builder
	for j := range 400 {
		fmt.Fprintf(&b, "func a%d(x int) int { if x > 1 { return x * 2 }; return x + %d }\n", j, j)
	}
	b.WriteString("var v = spin()\n")
	src := b.String()
	for range 10 {
		f := newFixture(t, map[string]any{"tick": func() { spins.Add(1) }})
		f.eval(t, "func spin() int { for { tick() } }")
		inCode := make(chan struct{})
		go func() {
			for {
				if r := f.in.current(); r != nil && r.user.Load() {
					close(inCode)
					return
				}
				runtime.Gosched()
			}
		}()
		_, err := f.in.Eval(deadlineAfter(inCode), src)
		if err == nil || strings.Contains(err.Error(), "abandoned") {
			n := spins.Load()
			time.Sleep(50 * time.Millisecond)
			t.Fatalf("error = %v, want a timeout; spin() ticked %d times in 50 ms after", err, spins.Load()-n)
		}
		f.in.Close()
	}
}

// A goto's target stays in the global block, whose frame takes each
// Execute's run id: what follows an abandoned call in such a compound
// statement (a loop's body, an if, a block, a switch's clause) must not
// run once the call returns, next to later inputs (found by an attack).
func TestAbandonedGotoTargetStopsThere(t *testing.T) {
	for _, src := range []string{
		"n := 0; L: for i := 0; i < 1; i++ { block(); n = n + 1; after() }; if false { goto L }",
		"n := 0; L: if true { block(); n = n + 1; after() }; if false { goto L }",
		"n := 0; L: { block(); n = n + 1; after() }; if false { goto L }",
		"n := 0; L: switch { default: block(); n = n + 1; after() }; if false { goto L }",
		"n := 0; goto L; L: for { block(); n = n + 1; after(); break }",
	} {
		t.Run(src, func(t *testing.T) {
			release := make(chan struct{})
			entered := make(chan struct{})
			var after atomic.Int32
			f := newFixture(t, map[string]any{
				"block": func() {
					close(entered)
					<-release
				},
				"after": func() { after.Add(1) },
			})
			_, err := f.in.Eval(deadlineAfter(entered), src)
			if err == nil || !strings.Contains(err.Error(), "abandoned") {
				t.Fatalf("error = %v, want abandoned", err)
			}
			stop := make(chan struct{})
			evals := make(chan error, 1)
			go func() {
				for i := 0; ; i++ {
					select {
					case <-stop:
						evals <- nil
						return
					default:
					}
					if res, err := f.in.Eval(context.Background(), fmt.Sprintf("y%d := n; y%d * 3", i%5, i%5)); err != nil {
						evals <- fmt.Errorf("y * 3 = %v, %v", res.Value, err)
						return
					}
				}
			}()
			time.Sleep(20 * time.Millisecond)
			close(release)
			time.Sleep(200 * time.Millisecond)
			close(stop)
			if err := <-evals; err != nil {
				t.Error(err)
			}
			if n := after.Load(); n != 0 {
				t.Errorf("the abandoned input went on after its call returned (after() ran %d times)", n)
			}
		})
	}
}

// An input abandoned in a call that returns before the next input runs:
// yaegi would stop its global block there (the block's run id is old) and
// run the end of its Execute, which reads the global frame, next to the
// next input; it must wait at its next Check instead (found by an attack).
func TestAbandonedCallReturningAtOnceWaits(t *testing.T) {
	for _, src := range []string{"v := block()", "v := 1 + block(); w := v", "n := 0; goto L; L: if true { n += block() }"} {
		t.Run(src, func(t *testing.T) {
			f, r, release := abandonIn(t, src)
			close(release)
			deadline := time.Now().Add(10 * time.Second)
			for f.in.Goroutines() != 1 {
				select {
				case <-r.userDone:
					t.Fatalf("the abandoned input ran to its end (err %v) instead of waiting", r.err)
				default:
				}
				if time.Now().After(deadline) {
					t.Fatal("the abandoned input neither waited nor ended")
				}
				time.Sleep(time.Millisecond)
			}
			if got := f.value(t, "y := 2; y * 3"); got != "6" {
				t.Fatalf("y * 3 = %s", got)
			}
		})
	}
}

// abandonIn evaluates src, which calls block() (a host function that
// returns 1 once release is closed), in a new fixture, with a deadline
// that passes as block is entered: Eval abandons the run in the call.
func abandonIn(t *testing.T, src string) (*fixture, *run, chan struct{}) {
	t.Helper()
	release := make(chan struct{})
	entered := make(chan struct{})
	f := newFixture(t, map[string]any{
		"block": func() int {
			close(entered)
			<-release
			return 1
		},
	})
	if _, err := f.in.Eval(deadlineAfter(entered), src); err == nil || !strings.Contains(err.Error(), "abandoned") {
		t.Fatalf("error = %v, want abandoned", err)
	}
	f.in.mu.Lock()
	defer f.in.mu.Unlock()
	return f, f.in.abandoned, release
}
