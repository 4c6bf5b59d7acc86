package interp

import (
	"context"
	"fmt"
	"log"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// Programs plain yaegi runs, which the guards or the move to a new
// interpreter once broke (found with the conformance corpus).
func TestFidelity(t *testing.T) {
	for _, tc := range []struct {
		name  string
		steps []string // evaluated one by one; the last one's value is checked
		move  bool     // move to a new interpreter before the last step
		want  string
	}{
		{"unnamed parameters", []string{`func use(int) int { return 3 }`, `use(1)`}, false, `3`},
		// yaegi v0.16.1 alone panics on these (reflect.Value.Set using
		// unaddressable value).
		// n-1 inside g is a T, not an int: instantiating g[int] there
		// killed the host when g ran as g[float64].
		{"recursive generic function", []string{"func g[T int | float64](n T) T { if n < 2 { return n }; return g(n-1) + g(n-2) }", "g(15)", "g(15.0)"}, false, `610`},
		{"generic function calling another instantiation", []string{"func g2[T int | float64](n T) T { if n < 2 { return n }; return T(g2[int](int(n)-1)) }", "g2(15.0)"}, false, `1`},
		{"a parameter shadowed by an int, to a concrete instantiation", []string{"func g[T any](x T) T { return x }", "func h[T any](n T) int { { n := 3; return g[int](n) } }", `h("x")`}, false, `3`},
		{"receive as a result", []string{"func r() int { ch := make(chan int, 1); ch <- 4; return <-ch }", "r()"}, false, `4`},
		{"receive as one of two results", []string{"func r() (int, bool) { ch := make(chan int, 1); ch <- 4; return <-ch, true }", "a, b := r(); fmt.Sprint(a, b)"}, false, `"4 true"`},
		{"receive into a named result", []string{"func r() (v int) { ch := make(chan int, 1); ch <- 4; v = <-ch; return }", "r()"}, false, `4`},
		{"receive into a named result, returned", []string{"func r() (v int) { ch := make(chan int, 1); ch <- 4; v = <-ch; return v }", "r()"}, false, `4`},
		{"receive into a variable", []string{"var got int; ch := make(chan int, 1); ch <- 5; got = <-ch; got"}, false, `5`},
		// A receive that blocks (the sender sleeps first), as the left
		// operand of && or ||: yaegi lost its value.
		{"blocking receive left of &&", []string{"func r() bool { m := make(chan bool); go func() { time.Sleep(time.Millisecond); m <- true }(); return <-m && true }", "r()"}, false, `true`},
		{"blocking receive left of ||", []string{"func r() bool { m := make(chan bool); go func() { time.Sleep(time.Millisecond); m <- true }(); return (<-m) || false }", "r()"}, false, `true`},
		{"blocking receive left of && in an if", []string{"func r() int { m := make(chan bool); go func() { time.Sleep(time.Millisecond); m <- true }(); if <-m && true { return 1 }; return 2 }", "r()"}, false, `1`},
		{"receive of an error as a result", []string{"func r() error { ch := make(chan error, 1); ch <- nil; return <-ch }", "r()"}, false, `nil`},
		{"receive as a result of a closure", []string{"ch := make(chan string, 1); ch <- \"s\"; f := func() any { return <-ch }", "f()"}, false, `"s"`},
		{"unnamed receiver and parameters", []string{`type T struct{}; func (T) use(int, string) int { return 3 }`, `T{}.use(1, "")`}, false, `3`},
		{"unnamed pointer receiver", []string{`type T struct{}`, `func (*T) p(int) int { return 6 }`, `(&T{}).p(0)`}, false, `6`},
		{"unnamed variadic", []string{`func h(int, ...string) int { return 5 }`, `h(1, "a", "b")`}, false, `5`},
		{"unnamed closure parameter", []string{`g := func(int) int { return 4 }`, `g(1)`}, false, `4`},
		{"io wrapper without importing io: fmt", []string{`type W struct{ n *int }`, `func (w W) Write(p []byte) (int, error) { *w.n += len(p); return len(p), nil }`,
			`n := 0; fmt.Fprint(W{&n}, "abc"); n`}, false, `3`},
		{"io wrapper without importing io: bufio", []string{`type R struct{}`, `func (R) Read(p []byte) (int, error) { return copy(p, "a b"), errors.New("end") }`,
			`s := bufio.NewScanner(R{}); s.Split(bufio.ScanWords); s.Scan(); s.Text()`}, false, `"a"`},
		{"io wrapper without importing io: log", []string{`type W struct{ b *strings.Builder }`, `func (w W) Write(p []byte) (int, error) { return w.b.Write(p) }`,
			`var sb strings.Builder; log.New(W{&sb}, "", 0).Print("x"); sb.String()`}, false, `"x\n"`},
		{"method of one input with a variable, after a move", []string{`type S struct{ n string }; func (s S) foo() string { return s.n }; var v = S{"v"}`, `v.foo()`}, true, `"v"`},
		{"method of one input with a variable, new value, after a move", []string{`type S struct{ n string }; func (s S) foo() string { return s.n }; var v = S{"v"}`, `S{"w"}.foo()`}, true, `"w"`},
		{"method with a result of one input with a variable, after a move", []string{`type S struct{ n int }; func (s *S) inc() int { s.n++; return s.n }; var v = &S{1}`, `v.inc()`}, true, `2`},
		{"variable from a variable of an earlier input", []string{`var sa = "abc"`, `var q = sa + "x"`, `q`}, false, `"abcx"`},
		{"slice of a variable of an earlier input", []string{`var sa = "abc"`, `var z = sa[0:2]`, `z`}, false, `"ab"`},
		{"variable from a variable of an earlier input, after a move", []string{`var m = []int{1, 2, 3}`, `var n = m[1:]`, `n[0] = 7; m`}, true, `[]int{1, 7, 3}`},
		{"globals from one call, read by a function", []string{`func r2() (int, int) { return 1, 2 }`, `var a, b = r2()`, `func s() int { return a + b }`, `s()`}, false, `3`},
		{"globals from one call with a type", []string{`func r2() (int, int) { return 1, 2 }`, `var a, b int = r2()`, `func s() int { return a + b }`, `s()`}, false, `3`},
		{"globals from one call by :=", []string{`func r2() (int, int) { return 1, 2 }`, `a, b := r2()`, `func s() int { return a + b }`, `s()`}, false, `3`},
		{"globals from one call, one blank", []string{`func r2() (int, int) { return 1, 2 }`, `var _, b = r2()`, `func s() int { return b }`, `s()`}, false, `2`},
		{"globals from one call, after a move", []string{`func r2() (int, int) { return 1, 2 }`, `var a, b = r2()`, `a, b = b, a`, `func s() int { return a*10 + b }`, `s()`}, true, `21`},
		{"a local of a named type keeps its methods as an interface (issue-435)", []string{`type Foo int`, `func (f Foo) String() string { return "foo" }`,
			`func p(a any) string { return fmt.Sprint(a) }`, `func q() string { var b Foo = 4; return p(b) }`, `q()`}, false, `"foo"`},
		{"the same, converted, in one input", []string{`type Foo int; func (f Foo) String() string { return "foo" }
func p(a any) string { return fmt.Sprint(a) }; func q() string { x := Foo(3); return p(x) }`, `q()`}, false, `"foo"`},
		// The value of a := that reads a name it declares is the old
		// name's: yaegi's global block read the new, zero variable.
		{"redeclared from itself", []string{`y := 1`, `y := y + 1`, `y`}, false, `2`},
		{"redeclared from itself, after a move", []string{`y := 1`, `y := y * 10`, `y += 1; y`}, true, `11`},
		{"swapped by :=", []string{`a, b := 1, 2`, `a, b := b, a; fmt.Sprint(a, b)`}, false, `"2 1"`},
		{"a namespace value redeclared from itself", []string{`stats := stats.Requests + 1`, `stats`}, false, `4`},
		{"a closure redeclared from itself", []string{`f := func() int { return 1 }`, `f := func() int { return f() + 1 }`, `f()`}, false, `2`},
		{"redeclared from a closure of itself", []string{`n := 3`, `n := func() int { return n * 2 }()`, `n`}, false, `6`},
		// A goto inside an if at the top level: moved into a closure with
		// the if, it jumped nowhere (found by an attack).
		{"a backward goto inside an if", []string{`i := 0; L: i++; if i < 3 { goto L }; i`}, false, `3`},
		{"two from themselves in one input", []string{`z, w := 2, 1`, `w := z + w; z := z * w; fmt.Sprint(z, w)`}, false, `"6 3"`},
		{"init is not run again by a move", []string{`var cnt int`, `func init() { cnt++ }`, `func init() { cnt += 10 }; var w = 1`, `cnt`}, true, `11`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, nil)
			for _, s := range tc.steps[:len(tc.steps)-1] {
				f.eval(t, s)
			}
			if tc.move {
				if err := f.in.recycle(); err != nil {
					t.Fatalf("move: %v", err)
				}
			}
			if got := f.value(t, tc.steps[len(tc.steps)-1]); got != tc.want {
				t.Errorf("%s = %s, want %s", tc.steps[len(tc.steps)-1], got, tc.want)
			}
			if strings.Contains(f.stdout.String(), "init") {
				t.Errorf("output: %q", f.stdout.String())
			}
		})
	}
}

// As in a Go file, a function may be declared before what it uses: it
// waits, with a note, and is declared when the name comes.
func TestDeclaredBeforeWhatItUses(t *testing.T) {
	f := newFixture(t, nil)
	steps := []struct{ src, want, err string }{
		{`func a() int { return b() + c }`, ``, ``},
		{`a()`, ``, `a is not declared yet: it uses b, which is not declared`},
		{`func b() int { return 5 }`, ``, ``},
		{`x := a`, ``, `a is not declared yet: it uses c, which is not declared`},
		{`var c = 1`, ``, ``},
		{`a()`, `6`, ``},
		{`type T struct{}`, ``, ``},
		{`func (T) m() int { return n() }`, ``, ``},
		{`T{}.m()`, ``, `1:1: T.m is not declared yet: it uses n, which is not declared`},
		{`func n() int { return 9 }`, ``, ``},
		{`T{}.m()`, `9`, ``},
		{`type L[E any] struct{ v E }`, ``, ``},
		{`func (l L[E]) get() E { return l.v }`, ``, ``},
		{`L[int]{3}.get()`, `3`, ``},
		{`func typo() int {` + "\n\t" + `return nope` + "\n}", ``, ``},
		{`typo()`, ``, `typo is not declared yet: it uses nope, which is not declared`},
		{`func typo() int { return 4 }`, ``, ``},
		{`typo()`, `4`, ``},
	}
	for _, s := range steps {
		r, err := f.in.Eval(t.Context(), s.src)
		switch {
		case s.err != "" && (err == nil || err.Error() != s.err):
			t.Fatalf("%s: error %v, want %q", s.src, err, s.err)
		case s.err == "" && err != nil:
			t.Fatalf("%s: %v", s.src, err)
		case r.Value != s.want:
			t.Fatalf("%s = %q, want %q", s.src, r.Value, s.want)
		}
	}
	for _, note := range []string{
		"1:23: note: a uses b, which is not declared yet; declare b before calling a",
		"1:27: note: T.m uses n, which is not declared yet",
		"2:9: note: typo uses nope, which is not declared yet",
	} {
		if !strings.Contains(f.stderr.String(), note) {
			t.Errorf("stderr lacks %q:\n%s", note, f.stderr.String())
		}
	}
	// The move replays them in the order they were declared in the end.
	if err := f.in.recycle(); err != nil {
		t.Fatal(err)
	}
	if got := f.value(t, `a() + T{}.m()`); got != "15" {
		t.Errorf("after a move: %s", got)
	}
}

// A move replays a function against the session's last declarations: a
// name it calls that became a type since must not make the call look like
// a conversion, placed before the depth guard (110 unguarded functions
// deep, the recursion overflowed Go's stack: a fatal error of the host).
func TestGuardAfterMoveWhenACalleeBecameAType(t *testing.T) {
	f := newFixture(t, nil)
	f.eval(t, `var back func(int) int`)
	f.eval(t, `func F110(n int) int { return back(n+1) }`)
	for i := 109; i >= 1; i-- {
		f.eval(t, fmt.Sprintf(`func F%d(n int) int { y := F%d(n); return y }`, i, i+1))
	}
	for i := 2; i <= 110; i++ {
		f.in.Eval(t.Context(), fmt.Sprintf(`type F%d int`, i))
	}
	if err := f.in.recycle(); err != nil {
		t.Fatal(err)
	}
	f.eval(t, `back = F1`)
	if _, err := f.in.Eval(t.Context(), `F1(0)`); err == nil || !strings.Contains(err.Error(), "nested calls") {
		t.Fatalf("F1(0): %v", err)
	}
}

// What an attack on the waiting declarations found.
func TestWaitingDeclarationsDoNotGetInTheWay(t *testing.T) {
	f := newFixture(t, nil)
	steps := []struct{ src, want string }{
		// A method waiting for describe: describe, fields, keys and other
		// types' methods of the same name are not held up by it.
		{`type T struct{ n int }`, ``},
		{`func (t T) String() string { return describe(t.n) }`, ``},
		{`func describe(n int) string { var b strings.Builder; b.WriteString("n="); return b.String() + fmt.Sprint(n) }`, ``},
		{`T{4}.String()`, `"n=4"`},
		{`func Len() int { return missingLen() }`, ``},
		{`type R struct{ Len int }`, ``},
		{`r := R{Len: 3}; r.Len`, `3`},
		// init waits too, and runs once what it uses comes.
		{`var counter int`, ``},
		{`func init() { counter = later() }`, ``},
		{`func later() int { return 42 }`, ``},
		{`counter`, `42`},
		// A waiting function declared again is replaced.
		{`func bad() int { return later2() }`, ``},
		{`func bad() int { return 99 }`, ``},
		{`bad()`, `99`},
		{`func later2() int { return 5 }`, ``},
		{`bad()`, `99`},
		// Functions that use one another, across inputs.
		{`func even(n int) bool { if n == 0 { return true }; return odd(n - 1) }`, ``},
		{`func odd(n int) bool { if n == 0 { return false }; return even(n - 1) }`, ``},
		{`even(10)`, `true`},
		// An import is what one waited for.
		{`func up() string { return str.ToUpper("a") }`, ``},
		{`import str "strings"`, ``},
		{`up()`, `"A"`},
	}
	for _, s := range steps {
		if got := f.value(t, s.src); got != s.want {
			t.Fatalf("%s = %q, want %q\nstderr: %s", s.src, got, s.want, f.stderr.String())
		}
	}
}

// An evaluation abandoned in a native call, which comes back later, must
// not record its declarations or declare what waited for them on its own
// goroutine, next to the session's next input (a concurrent map write, a
// fatal error of the host, found by an attack).
func TestAbandonedEvaluationLeavesTheBookkeeping(t *testing.T) {
	f := newFixture(t, nil)
	for i := range 50 {
		f.eval(t, fmt.Sprintf(`func w%d() int { return zz0 }`, i))
	}
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	_, err := f.in.Eval(ctx, `var zz0 = func() int { time.Sleep(400 * time.Millisecond); return 7 }()`)
	cancel()
	if err == nil {
		t.Fatal("the sleep was not interrupted")
	}
	deadline := time.Now().Add(700 * time.Millisecond)
	for i := 0; time.Now().Before(deadline); i++ {
		f.eval(t, fmt.Sprintf(`func v%d() int { return %d }`, i, i))
	}
	if got := f.value(t, "1+1"); got != "2" {
		t.Fatalf("1+1 = %s", got)
	}
}

// What a second attack on the waiting declarations found.
func TestWaitingDeclarationsSecondRound(t *testing.T) {
	type step struct{ src, want, err string }
	for name, steps := range map[string][]step{
		"var fallback ignores names declared inside a value": {
			{`s := "a"`, ``, ``},
			{"var q1 = s + \"x\"\ntype TT struct{ n int }", ``, ``},
			{`q1`, `"ax"`, ``},
			{`var q2 = func() string { t := s; return t + "2" }()`, ``, ``},
			{`q2`, `"a2"`, ``},
			{"var q3 = s + \"3\"\nvar q4 = struct{ n int }{1}", ``, ``},
			{`q3`, `"a3"`, ``},
		},
		"a waiting function declared again, with a companion": {
			{"func a() int { return zz() }\nfunc c() int { return 3 }", ``, ``},
			{`func a() int { return c() }`, ``, ``},
			{`a()`, `3`, ``},
		},
		"a join that does not compile waits again": {
			{`func even(n int) bool { if n == 0 { return true }; return odd(n-1) }`, ``, ``},
			{`func odd(n int) bool { if n == 0 { return false }; return even(n-1) + 1 }`, ``, `*`},
			{`even(4)`, ``, `even is not declared yet: it uses odd, which is not declared`},
			{`func odd(n int) bool { if n == 0 { return false }; return even(n-1) }`, ``, ``},
			{`even(4)`, `true`, ``},
		},
		"a statement's variable replaces a waiting function": {
			{`func a() int { return zz() }`, ``, ``},
			{`a := 5`, ``, ``},
			{`func zz() int { return 1 }`, ``, ``},
			{`a + 1`, `6`, ``},
		},
		"a waiting new version hides the old one": {
			{`func f() int { return 1 }`, ``, ``},
			{`func f() int { return g() }`, ``, ``},
			{`f()`, ``, `f is not declared yet: it uses g, which is not declared`},
			{`func g() int { return 2 }`, ``, ``},
			{`f()`, `2`, ``},
		},
	} {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t, nil)
			for _, s := range steps {
				r, err := f.in.Eval(t.Context(), s.src)
				switch {
				case s.err == "*" && err == nil:
					t.Fatalf("%s: no error", s.src)
				case s.err != "" && s.err != "*" && (err == nil || err.Error() != s.err):
					t.Fatalf("%s: error %v, want %q", s.src, err, s.err)
				case s.err == "" && err != nil:
					t.Fatalf("%s: %v", s.src, err)
				case r.Value != s.want:
					t.Fatalf("%s = %q, want %q", s.src, r.Value, s.want)
				}
			}
		})
	}
}

// TestCommaOKAtTopLevel: v, ok := m[k] and n, ok := x.(T) at the top
// level work (plain yaegi panics with "nil type" and writes it to the
// host's standard logger), with their operands evaluated once; a comma-ok
// receive is refused with a way around, and nothing reaches the log.
func TestCommaOKAtTopLevel(t *testing.T) {
	var logged safeBuffer
	log.SetOutput(&logged)
	t.Cleanup(func() { log.SetOutput(os.Stderr) })
	f := newFixture(t, nil)
	for _, c := range []struct{ src, want string }{
		{`m := map[string]int{"a": 1}; v, ok := m["a"]; fmt.Sprint(v, ok)`, `"1 true"`},
		{`_, missing := m["zz"]; missing`, "false"},
		{`var q, okq = m["a"]; fmt.Sprint(q, okq)`, `"1 true"`},
		{`var i any = 3; n, isInt := i.(int); fmt.Sprint(n, isInt)`, `"3 true"`},
		{`s, isStr := i.(string); fmt.Sprintf("%q %v", s, isStr)`, `"\"\" false"`},
		{`e, isErr := i.(error); fmt.Sprint(e, isErr)`, `"<nil> false"`},
		{`calls := 0; get := func() map[string]int { calls++; return m }; r, okr := get()["a"]; fmt.Sprint(r, okr, calls)`, `"1 true 1"`},
		{`v, ok := m["b"]; fmt.Sprint(v, ok)`, `"0 false"`},
		{`store.Set("k", "x"); sv, sok := store.Get("k"); sv + fmt.Sprint(sok)`, `"xtrue"`},
	} {
		if got := f.value(t, c.src); got != c.want {
			t.Errorf("%s = %s, want %s", c.src, got, c.want)
		}
	}
	_, err := f.in.Eval(context.Background(), `ch := make(chan int, 1); ch <- 4; x, okc := <-ch`)
	if err == nil || !strings.Contains(err.Error(), "declare them first") {
		t.Errorf("comma-ok receive: %v", err)
	}
	if f.value(t, `ch := make(chan int, 1); ch <- 4; var x int; var okc bool; x, okc = <-ch; fmt.Sprint(x, okc)`) != `"4 true"` {
		t.Error("the way around the refused receive does not work")
	}
	if logged.String() != "" {
		t.Errorf("the host's standard logger got %q", logged.String())
	}
}

// A comma-ok receive at the top level is refused in the names the input
// used, not in the temporaries of a redeclaration from itself.
func TestRefusedReceiveNamesTheInputsNames(t *testing.T) {
	f := newFixture(t, nil)
	f.eval(t, "c := make(chan int, 1); c <- 1")
	_, err := f.in.Eval(context.Background(), "v, c := <-c")
	if err == nil || strings.Contains(err.Error(), "__mh") || !strings.Contains(err.Error(), "v") {
		t.Fatalf("v, c := <-c: err = %v, want a refusal naming v and c", err)
	}
}

// An input split at a := that reads its own name (see selfDefines) runs
// nothing when a later part does not compile, as an input of one part.
func TestSplitInputThatDoesNotCompileRunsNothing(t *testing.T) {
	var marks atomic.Int32
	f := newFixture(t, map[string]any{"mark": func() int { marks.Add(1); return 1 }})
	f.eval(t, "x := 1")
	if _, err := f.in.Eval(context.Background(), "mark(); x := x + mark(); y := nope"); err == nil {
		t.Fatal("y := nope compiled")
	}
	if n := marks.Load(); n != 0 {
		t.Errorf("mark() ran %d times in an input that did not compile", n)
	}
	// (yaegi's failed compile has declared x anew, zero, as it does
	// without the split.)
	f.eval(t, "x := 5")
	if got := f.value(t, "x := x + mark(); x"); got != "6" || marks.Load() != 1 {
		t.Errorf("x := x + mark(); x = %s (mark ran %d times), want 6 (once)", got, marks.Load())
	}
}
