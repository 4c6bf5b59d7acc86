package interp

import (
	"context"
	"strings"
	"testing"
	"time"
)

// Functions that call themselves by name are unrolled (unrollSelfCalls):
// what they compute, and what the session sees of them, is as before.
func TestUnrolledRecursion(t *testing.T) {
	f := newFixture(t, nil)
	for _, step := range []struct{ src, want string }{
		{`func fib(n int) int { if n < 2 { return n }; return fib(n-1) + fib(n-2) }`, ``},
		{`fib(20)`, `6765`},
		// Named results, a closure calling the function (not unrolled: a
		// call from a function literal), defer and recover at every level.
		{`func sum(xs []int) (s int) { defer func() { recover() }(); if len(xs) == 0 { return 0 }; add := func() int { return sum(xs[1:]) }; return xs[0] + add() }`, ``},
		{`sum([]int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18})`, `171`},
		{`func variadic(n int, xs ...int) int { if n == 0 { return len(xs) }; return variadic(n-1, append(xs, n)...) }`, ``},
		{`variadic(20)`, `20`},
		{`func multi(n int) (int, string) { if n == 0 { return 0, "" }; a, b := multi(n - 1); return a + n, b + "x" }`, ``},
		{`multi(17)`, `153, "xxxxxxxxxxxxxxxxx"`},
		// A goroutine started at every level (a copy's closures keep
		// their exit guard: the goroutines end).
		{`var wg sync.WaitGroup; func spawn(n int) { if n == 0 { return }; wg.Add(1); go func() { wg.Done() }(); spawn(n - 1) }`, ``},
		{`spawn(30); wg.Wait(); 1`, `1`},
		// A panic deep in an unrolled recursion is the input's error.
		{`func boom(n int) int { if n == 0 { panic("deep") }; return boom(n-1) }`, ``},
		// The function as a value is the function itself.
		{`func() int { g := fib; return g(10) }()`, `55`},
		// Declared again, the new one is used, copies included.
		{`func fib(n int) int { if n < 2 { return 1 }; return fib(n-1) + fib(n-2) }`, ``},
		{`fib(20)`, `10946`},
	} {
		if got := f.eval(t, step.src).Value; got != step.want {
			t.Fatalf("%s = %q, want %q", step.src, got, step.want)
		}
	}
	if _, err := f.in.Eval(context.Background(), `boom(100)`); err == nil || !strings.Contains(err.Error(), "panic: deep") {
		t.Errorf("boom(100): %v", err)
	}
	waitFor(t, "spawn's goroutines to end", func() bool { return f.in.Goroutines() == 0 })
	// The copies are not the session's names.
	for _, name := range f.in.Names() {
		if strings.HasPrefix(name, helperName) {
			t.Errorf("Names() has %q", name)
		}
	}
	if f.in.declared[helperName+"_u1_fib"] {
		t.Error("a copy of fib is a declared name of the session")
	}
	// A move to a new interpreter replays fib, copies and all.
	if err := f.in.recycle(); err != nil {
		t.Fatal(err)
	}
	if got := f.value(t, `fib(20)`); got != "10946" {
		t.Errorf("after a move, fib(20) = %s", got)
	}
}

// The limit holds for an unrolled recursion entered again and again
// through another function, and the count is balanced afterwards.
func TestUnrolledRecursionThroughAnotherFunction(t *testing.T) {
	f := newFixture(t, nil)
	f.eval(t, `func a(n int) int { if n%5 == 0 { return b(n + 1) }; return a(n + 1) }`)
	f.eval(t, `func b(n int) int { return a(n) }`)
	if _, err := f.in.Eval(context.Background(), `a(1)`); err == nil || !strings.Contains(err.Error(), "stack overflow") {
		t.Fatalf("a(1): %v, want a stack overflow", err)
	}
	if d := f.in.depth.Load(); d != 0 {
		t.Errorf("depth after the overflow = %d", d)
	}
	f.eval(t, `func c(n int) int { if n == 0 { return 0 }; if n%5 == 0 { return d(n - 1) }; return 1 + c(n-1) }`)
	f.eval(t, `func d(n int) int { return 1 + c(n) }`)
	// 2000 levels, 400 entries into c from d: within the limit, counted
	// at most 7 more for each entry.
	if got := f.value(t, `c(2000)`); got != "2000" {
		t.Errorf("c(2000) = %s", got)
	}
}

// The copies of an unrolled function resolve their names as the
// original: a make of a type declared by the same input keeps its guard
// in every copy (without it, f(1), whose make runs in the first copy,
// asked Go for 1 TiB: fatal error: out of memory).
func TestUnrolledCopiesKeepTheirGuards(t *testing.T) {
	f := newFixture(t, nil)
	f.eval(t, "type B []byte\nfunc f(n int) B { if n == 0 { return make(B, 1<<40) }; return f(n-1) }")
	for _, src := range []string{"f(0)", "f(1)", "f(7)", "f(9)"} {
		_, err := f.in.Eval(context.Background(), src)
		if err == nil || !strings.Contains(err.Error(), "make") {
			t.Errorf("%s: %v, want the make refused", src, err)
		}
	}
	if got := f.value(t, "1+1"); got != "2" {
		t.Errorf("1+1 = %s", got)
	}
}

// A goroutine left in a retired interpreter (after a move to a new one)
// that recurses into the limit while an evaluation runs panics: stopping
// the evaluation does not stop its frames, and undoing its count as for
// the evaluation's own frames drifted the session's count below zero (an
// attack measured -5935 after 5 rounds), so that the limit no longer held.
func TestRetiredGoroutineKeepsTheDepthCount(t *testing.T) {
	f := newFixture(t, nil)
	f.eval(t, `var start, done = make(chan int), make(chan int)`)
	f.eval(t, `func deep(n int) int { return deep(n+1) + 1 }`)
	f.eval(t, `go func() { for { <-start; func() { defer func() { recover(); done <- 1 }(); deep(0) }() } }()`)
	if err := f.in.recycle(); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		f.in.Eval(context.Background(), `start <- 1; for i := 0; i < 1000000; i++ {}`)
		// The goroutine's recursion unwinds (a panic through 10 000
		// frames takes seconds, many under -race), then says so: the
		// count is back where it was, but for the goroutine's own calls.
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
		_, err := f.in.Eval(ctx, `<-done`)
		cancel()
		if err != nil {
			t.Fatalf("waiting for the goroutine's recursion to unwind: %v", err)
		}
		if d := f.in.depth.Load(); d < 0 || d > 10 {
			t.Fatalf("the depth count is %d once the recursion unwound, want 0 to 10", d)
		}
	}
}

// fmt's recursion through a deeply nested value counts against the depth
// limit while it runs: a String method printing, with fmt, a value nested
// 400 deep that holds the next value took some 20 KB of Go stack for each
// counted call, past Go's fatal 1 GB within the limit.
func TestStringRecursionThroughFmtIsStopped(t *testing.T) {
	f := newFixture(t, nil)
	f.eval(t, "type T struct{ n int }\nfunc wrap(x any) any { for i := 0; i < 400; i++ { x = []any{x} }; return x }\nfunc (t T) String() string { return fmt.Sprint(wrap(T{t.n+1})) }")
	_, err := f.in.Eval(context.Background(), "fmt.Sprint(T{1})")
	if err == nil || !strings.Contains(err.Error(), "stack overflow") {
		t.Fatalf("error = %v, want the depth limit's", err)
	}
	if got := f.value(t, "1+1"); got != "2" {
		t.Fatalf("1+1 = %s", got)
	}
	if d := f.in.depth.Load(); d != 0 {
		t.Errorf("depth count %d after the overflow, want 0", d)
	}
}
