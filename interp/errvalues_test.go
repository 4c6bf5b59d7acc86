package interp

import (
	"context"
	"reflect"
	"strings"
	"testing"
)

// The Go a debugging user types first: errors of the session's own types,
// Go 1.26's new(expr) and errors.AsType, slices and maps of Go 1.23.
func TestEverydayGo(t *testing.T) {
	for _, tc := range []struct {
		name  string
		steps []string // the last one's value is checked
		want  string
	}{
		{"error variable of a value type", []string{`type E2 struct{ c int }; func (e E2) Error() string { return "e2" }`, `var err error = E2{7}`, `err.Error()`}, `"e2"`},
		{"error variable in a function", []string{`type E2 struct{ c int }; func (e E2) Error() string { return "e2" }`, `func g() string { var err error = E2{7}; return err.Error() }; g()`}, `"e2"`},
		{"assigned error", []string{`type E2 struct{ c int }; func (e E2) Error() string { return "e2" }`, `var err error; err = E2{1}; err.Error()`}, `"e2"`},
		{"conversion to error", []string{`type E2 struct{ c int }; func (e E2) Error() string { return "e2" }`, `err := error(E2{7}); err.Error()`}, `"e2"`},
		{"conversion of nil", []string{`err := error(nil); err == nil`}, `true`},
		{"assertion to error", []string{`var x any = io.EOF; x.(error).Error()`}, `"EOF"`},
		{"comma-ok assertion to error", []string{`var x any = 3; _, ok := x.(error); ok`}, `false`},
		{"wrapped with %w", []string{`type E2 struct{ c int }; func (e E2) Error() string { return "e2" }`, `fmt.Errorf("w: %w", E2{1}).Error()`}, `"w: e2"`},
		{"unwrapped", []string{`type E2 struct{ c int }; func (e E2) Error() string { return "e2" }`, `errors.Unwrap(fmt.Errorf("w: %w", E2{1})).Error()`}, `"e2"`},
		{"errors.Is of a pointer", []string{`type E struct{ c int }; func (e *E) Error() string { return "e" }`, `var ae error = &E{4}`, `errors.Is(fmt.Errorf("w %w", ae), ae)`}, `true`},
		{"errors.Is of another pointer", []string{`type E struct{ c int }; func (e *E) Error() string { return "e" }`, `var ae error = &E{4}`, `errors.Is(ae, &E{4})`}, `false`},
		{"errors.As of a pointer", []string{`type E struct{ c int }; func (e *E) Error() string { return "e" }`, `var t *E; errors.As(fmt.Errorf("w %w", &E{5}), &t); t.c`}, `5`},
		{"errors.As of a host error", []string{`_, err := os.Open("/nonexistent/x"); var pe *os.PathError; errors.As(err, &pe); pe.Op`}, `"open"`},
		{"errors.AsType", []string{`type E struct{ c int }; func (e *E) Error() string { return "e" }`, `e, ok := errors.AsType[*E](fmt.Errorf("x %w", &E{6})); e.c`, `ok`}, `true`},
		{"errors.AsType of a host error", []string{`_, err := os.Open("/nonexistent/x"); pe, _ := errors.AsType[*os.PathError](err); pe.Op`}, `"open"`},
		{"an embedding struct as an interface", []string{`type Animal interface{ Sound() string }; type Base struct{ n string }; func (b Base) Sound() string { return b.n }; type Dog struct{ Base }; d := Dog{Base{"woof"}}; var a Animal = d; a.Sound()`}, `"woof"`},
		{"an embedded pointer as an interface", []string{`type Animal interface{ Sound() string }; type Base struct{ n string }; func (b *Base) Sound() string { return b.n }; type Dog struct{ *Base }`, `d := Dog{&Base{"woof"}}`, `var a Animal = d`, `a.Sound()`}, `"woof"`},
		{"errors of a session pointer type compare", []string{`type P struct{ a int }; func (p *P) Error() string { return "p" }`, `pp := &P{1}; var e1 error = pp; e2 := e1; e1 == e2`}, `true`},
		{"and differ", []string{`type P struct{ a int }; func (p *P) Error() string { return "p" }`, `var e1 error = &P{1}; var e2 error = &P{1}; e1 != e2`}, `true`},
		{"returned from functions", []string{`type P struct{ a int }; func (p *P) Error() string { return "p" }`, `pp := &P{1}`, `func mk() error { return pp }; mk() == mk()`}, `true`},
		{"inside a function", []string{`type P struct{ a int }; func (p *P) Error() string { return "p" }`, `func same(a, b error) bool { return a == b }; e := error(&P{2}); same(e, e)`}, `true`},
		{"with a host error", []string{`type P struct{ a int }; func (p *P) Error() string { return "p" }`, `var e1 error = &P{1}; e1 == io.EOF`}, `false`},
		{"with the pointer itself", []string{`type P struct{ a int }; func (p *P) Error() string { return "p" }`, `pp := &P{1}; var e1 error = pp; e1 == pp`}, `true`},
		{"errors of a session value type compare", []string{`type V struct{ a int; b string }; func (v V) Error() string { return fmt.Sprint(v.a, v.b) }`, `func mk() error { return V{1, "x"} }; mk() == mk()`}, `true`},
		{"and differ in a field", []string{`type V struct{ a int; b string }; func (v V) Error() string { return fmt.Sprint(v.a, v.b) }`, `var e1 error = V{1, "y"}; var e2 error = V{2, "y"}; e1 == e2`}, `false`},
		{"with a value of the type", []string{`type V struct{ a int; b string }; func (v V) Error() string { return fmt.Sprint(v.a, v.b) }`, `var e1 error = V{1, "y"}; e1 == V{1, "y"}`}, `true`},
		{"host errors still compare", []string{`func f() error { return io.EOF }; f() == io.EOF`}, `true`},
		{"a switch on an error", []string{`type P struct{ a int }; func (p *P) Error() string { return "p" }`, `pp := &P{1}; var e1 error = pp`, `func sw(e error) string { switch e { case io.EOF: return "eof"; case e1: return "e1" }; return "none" }; sw(pp) + sw(io.EOF) + sw(&P{3})`}, `"e1eofnone"`},
		{"a switch on a call's error", []string{`type P struct{ a int }; func (p *P) Error() string { return "p" }`, `pp := &P{1}`, `func mk() error { return pp }; r := ""; switch mk() { case nil: r = "nil"; case error(pp): r = "pp" }; r`}, `"pp"`},
		{"errors.Is of values", []string{`type V struct{ a int; b string }; func (v V) Error() string { return fmt.Sprint(v.a, v.b) }`, `errors.Is(fmt.Errorf("w: %w", V{1, "x"}), V{1, "x"})`}, `true`},
		{"errors.Is of different values", []string{`type V struct{ a int; b string }; func (v V) Error() string { return fmt.Sprint(v.a, v.b) }`, `errors.Is(fmt.Errorf("w: %w", V{1, "x"}), V{2, "x"})`}, `false`},
		{"new of a constant", []string{`p := new(42); *p`}, `42`},
		{"new of a string in a function", []string{`func nn() *string { return new("in") }; *nn()`}, `"in"`},
		{"new of a composite literal", []string{`type P struct{ A int }; r := new(P{A: 1}); r.A`}, `1`},
		{"new of a type", []string{`r := new(int); *r`}, `0`},
		{"new of a variable of the input", []string{`x := 3.5; q := new(x); *q`}, `3.5`},
		{"new of a type parameter", []string{`func h[T any]() *T { return new(T) }; *h[string]()`}, `""`},
		{"slices.Sort", []string{`s := []int{3, 1, 2}; slices.Sort(s); s`}, `[]int{1, 2, 3}`},
		{"slices.Max", []string{`slices.Max([]int{3, 9, 2})`}, `9`},
		{"slices.Min with NaN", []string{`math.IsNaN(slices.Min([]float64{2, math.NaN(), 1}))`}, `true`},
		{"slices.SortFunc", []string{`type P struct{ N string; A int }; ps := []P{{"b", 2}, {"a", 1}}; slices.SortFunc(ps, func(x, y P) int { return cmp.Compare(x.A, y.A) }); ps[0].N`}, `"a"`},
		{"slices.SortStableFunc", []string{`s := []string{"bb", "a", "cc", "d"}; slices.SortStableFunc(s, func(x, y string) int { return len(x) - len(y) }); s`}, `[]string{"a", "d", "bb", "cc"}`},
		{"slices.BinarySearch", []string{`slices.BinarySearch([]int{1, 3, 5}, 3)`}, `1, true`},
		{"slices.IsSorted", []string{`slices.IsSorted([]string{"a", "b"})`}, `true`},
		{"slices.Sorted(maps.Keys(m))", []string{`m := map[string]int{"b": 1, "a": 2}; slices.Sorted(maps.Keys(m))`}, `[]string{"a", "b"}`},
		{"slices.Collect(maps.Values(m))", []string{`slices.Collect(maps.Values(map[int]string{1: "x"}))`}, `[]string{"x"}`},
		{"maps.Collect(maps.All(m))", []string{`len(maps.Collect(maps.All(map[int]int{1: 1, 2: 2})))`}, `2`},
		{"slices.Contains still", []string{`slices.Contains([]int{1, 2}, 2)`}, `true`},
		{"closures handed to compiled code get the iteration's variable", []string{
			`var wg sync.WaitGroup; var mu sync.Mutex; out := []int{}; for i := 0; i < 5; i++ { wg.Go(func() { mu.Lock(); out = append(out, i); mu.Unlock() }) }; wg.Wait(); slices.Sort(out); out`}, `[]int{0, 1, 2, 3, 4}`},
		{"and the body's variables", []string{
			`var wg sync.WaitGroup; var mu sync.Mutex; out := []int{}; for _, v := range []int{1, 2, 3} { y := v * 10; wg.Go(func() { mu.Lock(); out = append(out, y); mu.Unlock() }) }; wg.Wait(); slices.Sort(out); out`}, `[]int{10, 20, 30}`},
		{"with i := i", []string{
			`func run() []int { var wg sync.WaitGroup; var mu sync.Mutex; out := []int{}; for i := 0; i < 3; i++ { i := i; wg.Go(func() { mu.Lock(); out = append(out, i); mu.Unlock() }) }; wg.Wait(); slices.Sort(out); return out }; run()`}, `[]int{0, 1, 2}`},
		{"a field set after the closure is made", []string{`type C struct{ n int }; func (c *C) Inc() { c.n++ }`,
			`func t1() []int { var out []int; for i := 0; i < 2; i++ { var s C; f := func() int { return s.n }; s.n = 5; out = append(out, f()) }; return out }; t1()`}, `[]int{5, 5}`},
		{"a pointer method called after the closure is made", []string{`type C struct{ n int }; func (c *C) Inc() { c.n++ }`,
			`func t2() []int { var out []int; for i := 0; i < 2; i++ { var c C; f := func() int { return c.n }; c.Inc(); out = append(out, f()) }; return out }; t2()`}, `[]int{1, 1}`},
		{"an element set after the closure is made", []string{`func t3() []int { var out []int; for _, v := range []int{1, 2} { a := [1]int{v}; f := func() int { return a[0] }; a[0] = 10 * v; out = append(out, f()) }; return out }; t3()`}, `[]int{10, 20}`},
		{"a buffer the closure writes", []string{`func t4() int { n := 0; for i := 0; i < 2; i++ { var buf bytes.Buffer; f := func() { buf.WriteString("x") }; f(); n += buf.Len() }; return n }; t4()`}, `2`},
		{"a WaitGroup of the body", []string{"n := 0; for i := 0; i < 2; i++ {\n\tvar wg sync.WaitGroup\n\twg.Add(1)\n\tgo func() { defer wg.Done(); n += i + 1 }()\n\twg.Wait()\n}\nn"}, `3`},
		{"a value method on the range variable", []string{`type It struct{ id int }; func (it It) ID() int { return it.id }`,
			`var wg sync.WaitGroup; var mu sync.Mutex; got := []int{}; for _, v := range []It{{1}, {2}, {3}} { wg.Go(func() { mu.Lock(); got = append(got, v.ID()); mu.Unlock() }) }; wg.Wait(); slices.Sort(got); got`}, `[]int{1, 2, 3}`},
		{"a closure that changes its copy", []string{`hs := []func() int{}; for i := 0; i < 3; i++ { j := i; hs = append(hs, func() int { j++; return j }) }; hs[1]() + hs[1]()`}, `5`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, nil)
			for _, s := range tc.steps[:len(tc.steps)-1] {
				f.eval(t, s)
			}
			if got := f.value(t, tc.steps[len(tc.steps)-1]); got != tc.want {
				t.Errorf("got %s, want %s", got, tc.want)
			}
		})
	}
}

func TestEverydayGoRefusals(t *testing.T) {
	for src, want := range map[string]string{
		`type E3 struct{ c int }; func (e E3) Error() string { return "e3" }; var t3 E3; errors.As(E3{1}, &t3)`: "give the type's methods a pointer receiver",
		`q := new(store); q`:       "new(store): manhole cannot tell the type of store; write v := store and use &v",
		`var x any = 3; x.(error)`: "interface conversion",
		`type M []int; func (m M) Error() string { return "m" }; var e1 error = M{1}; e1 == e1`: "runtime error: comparing uncomparable type",
	} {
		f := newFixture(t, nil)
		_, err := f.in.Eval(context.Background(), src)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", src, err, want)
		}
	}
}

var pvLevel = 3
var pvName = "a"

// Assignments to compiled package variables, and session values passed
// to a compiled variadic interface parameter: two of yaegi's gaps.
func TestHostPackageCalls(t *testing.T) {
	syms := NewSymbols(map[string]map[string]reflect.Value{"example.com/pv/pv": {
		"Level": reflect.ValueOf(&pvLevel).Elem(),
		"Name":  reflect.ValueOf(&pvName).Elem(),
	}})
	in, err := New(Options{Symbols: syms})
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	for _, tc := range []struct{ src, want string }{
		{`pv.Level = 20; pv.Level`, `20`},
		{`pv.Level += 2; pv.Level`, `22`},
		{`pv.Name, pv.Level = "b", 1; pv.Name`, `"b"`},
		{`func set() { pv.Level = 7 }; set(); pv.Level`, `7`},
		{`type W struct{ n *int }; func (w W) Write(p []byte) (int, error) { *w.n += len(p); return len(p), nil }`, ``},
		{`n := 0; mw := io.MultiWriter(W{&n}, W{&n}); fmt.Fprint(mw, "ab"); n`, `4`},
		{`m := 0; ws := []io.Writer{W{&m}}; fmt.Fprint(io.MultiWriter(ws...), "abc"); m`, `3`},
		{`var one io.Writer = W{&m}; fmt.Fprint(io.MultiWriter(one), "x"); m`, `4`},
	} {
		res, err := in.Eval(context.Background(), tc.src)
		if err != nil {
			t.Fatalf("%s: %v", tc.src, err)
		}
		if res.Value != tc.want {
			t.Errorf("%s = %s, want %s", tc.src, res.Value, tc.want)
		}
	}
	if pvLevel != 7 || pvName != "b" {
		t.Errorf("the host's variables: %d %q", pvLevel, pvName)
	}
}
