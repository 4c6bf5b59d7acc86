package interp

import (
	"context"
	"testing"
)

// evalCase is one input of a table test: its value, or its error.
type evalCase struct {
	name  string
	setup string // evaluated first, in the same session
	src   string
	want  string // the value; "" for none
	err   string // the whole error, if one is expected
}

func runCases(t *testing.T, f *fixture, cases []evalCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.setup != "" {
				f.eval(t, tc.setup)
			}
			res, err := f.in.Eval(context.Background(), tc.src)
			if tc.err != "" {
				if err == nil || err.Error() != tc.err {
					t.Fatalf("Eval(%q) error = %v, want %q", tc.src, err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Eval(%q): %v", tc.src, err)
			}
			if got := res.Value; got != tc.want || res.HasValue != (tc.want != "") {
				t.Errorf("Eval(%q) = %q (HasValue %v), want %q", tc.src, got, res.HasValue, tc.want)
			}
		})
	}
}

func TestMinMaxClear(t *testing.T) {
	f := newFixture(t, map[string]any{"limit": 10})
	f.eval(t, `x := 5; y := 3.5; var u8 uint8 = 200`)
	runCases(t, f, []evalCase{
		{name: "min of integer constants", src: `min(3, 1, 2)`, want: `1`},
		{name: "max of float constants", src: `max(1.5, 2.5)`, want: `2.5`},
		{name: "min of strings", src: `min("b", "a", "c")`, want: `"a"`},
		{name: "mixed constants are untyped float", src: `fmt.Sprintf("%T %v", min(1, 2.5), min(1, 2.5))`, want: `"float64 1"`},
		{name: "rune constants", src: `fmt.Sprintf("%T", max('a', 'b'))`, want: `"int32"`},
		{name: "negative constant", src: `min(-3, 2)`, want: `-3`},
		{name: "negative float constant", src: `max(-0.5, -2)`, want: `-0.5`},
		{name: "constant expression", src: `max(1<<10, 2*3)`, want: `1024`},
		{name: "one argument", src: `min(7)`, want: `7`},
		{name: "variable and constant", src: `min(x, 2)`, want: `2`},
		{name: "constant converts to the variable's type", src: `fmt.Sprintf("%T %v", max(1, y), max(1, y))`, want: `"float64 3.5"`},
		{name: "small unsigned type kept", src: `fmt.Sprintf("%T %v", max(u8, 7), max(u8, 7))`, want: `"uint8 200"`},
		{name: "named type kept", src: `max(3*time.Second, time.Second)`, want: `3s`},
		{name: "namespace value", src: `min(limit, x)`, want: `5`},
		{name: "in a define", src: `z := max(x, 10); z + 1`, want: `11`},
		{name: "in an assignment", src: `w := 0; w = min(x, 4); w`, want: `4`},
		{name: "nested", src: `min(4, max(1, x), 9)`, want: `4`},
		{name: "in a function", setup: `func clamp(v, lo, hi int) int { return max(lo, min(v, hi)) }`, src: `clamp(12, 0, 10) + clamp(-3, 0, 10)`, want: `10`},
		{name: "in a loop condition", src: `n := 0; for i := 0; i < min(x, 3); i++ { n++ }; n`, want: `3`},
		{name: "after &&", src: `x > 0 && min(x, 2) == 2`, want: `true`},
		{name: "in an else if", src: `r := ""; if x > 10 { r = "big" } else if min(x, 1) == 1 { r = "small" }; r`, want: `"small"`},
		{name: "in an if init", src: `if m := min(x, 2); m == 2 { "two" } else { "other" }`, err: ``, want: ``},
		{name: "arguments evaluated once, in order", setup: `var order []string; note := func(s string, v int) int { order = append(order, s); return v }`,
			src: `r := min(note("a", 5), note("b", 3)) + max(note("c", 1), 0); fmt.Sprint(r, order)`, want: `"4 [a b c]"`},
		{name: "order kept after a call", setup: `order = nil`,
			src: `fmt.Sprint(note("a", 0)+min(note("b", 5), note("c", 3)), order)`, want: `"3 [a b c]"`},
		{name: "NaN wins in min", src: `math.IsNaN(min(1, math.NaN(), 3))`, want: `true`},
		{name: "NaN wins in max", src: `math.IsNaN(max(math.NaN(), 1))`, want: `true`},
		{name: "local function named min", src: `func() int { min := func(a, b int) int { return 42 }; return min(1, 2) }()`, want: `42`},
		{name: "clear a slice", src: `s := []int{1, 2, 3}; clear(s); s`, want: `[]int{0, 0, 0}`},
		{name: "clear a map", src: `m := map[string]int{"a": 1}; clear(m); len(m)`, want: `0`},
		{name: "clear a nil map", src: `var nm map[string]int; clear(nm); nm == nil`, want: `true`},
		{name: "clear keeps length", src: `s2 := make([]string, 2, 5); s2[0] = "a"; clear(s2); fmt.Sprint(len(s2), cap(s2), s2[0] == "")`, want: `"2 5 true"`},
		{name: "package-level var", src: `var pv = max(x, 10); pv`, want: `10`},
		{name: "package-level vars keep their order", src: `var pa, pb = min(x, 2), pg(); var pc = pa + pb; func pg() int { return 8 }; pc`, want: `10`},
		{name: "named constants fold", setup: `const K = 3`, src: `fmt.Sprintf("%T %v", min(K, 2.5), min(K, 2.5))`, want: `"float64 2.5"`},
		{name: "constant declaration", src: `const kc = min(K, 2); kc`, want: `2`},
		{name: "local constant", src: `func() int { const M = 9; return max(M, 4) }()`, want: `9`},
		{name: "standard library constant", src: `max(math.MaxInt8, 3)`, want: `127`},
		{name: "bool with min at top level", src: `ok := x > 0 && min(x, 2) == 2; ok`, want: `true`},
		{name: "not a constant", src: `const bad = min(x, 1)`, err: `1:1: the interpreter cannot compute this min or max as a constant: use literal constants or untyped named constants`},
		{name: "typed by a min after a call, at top level", src: `q := note("q", 1) + min(x, 3)`, err: `1:21: the interpreter cannot compute this min here: assign it to a variable in a statement of its own first`},
		{name: "no arguments", src: `min()`, err: `1:5: not enough arguments for min() (expected 1, found 0)`},
		{name: "mismatched constants", src: `min(1, "a")`, err: `1:8: invalid operation: mismatched types untyped string and int`},
		{name: "clear with two arguments", src: `clear(x, x)`, err: `1:1: clear takes exactly one argument, a map or a slice`},
		{name: "clear of an integer", src: `clear(x)`, err: `panic: invalid argument: clear(int): argument must be a map or a slice`},
	})
	t.Run("session function named max", func(t *testing.T) {
		g := newFixture(t, nil)
		g.eval(t, `func max(a, b int) int { return -1 }`)
		if got := g.value(t, `max(1, 2)`); got != "-1" {
			t.Errorf("max(1, 2) = %s, want the session's -1", got)
		}
	})
}

func TestRangeOverInt(t *testing.T) {
	f := newFixture(t, map[string]any{"limit": 3})
	f.eval(t, `type counter struct{ N int }; c := counter{N: 2}; var u uint8 = 3`)
	runCases(t, f, []evalCase{
		{name: "literal", src: `s := ""; for i := range 3 { s += fmt.Sprint(i) }; s`, want: `"012"`},
		{name: "variable", src: `n := 4; t := 0; for i := range n { t += i }; t`, want: `6`},
		{name: "session variable", src: `t := 0; for i := range c.N { t += i + 1 }; t`, want: `3`},
		{name: "len", src: `s := []string{"a", "b"}; r := ""; for i := range len(s) { r += s[i] }; r`, want: `"ab"`},
		{name: "namespace value", src: `t := 0; for range limit { t++ }; t`, want: `3`},
		{name: "field of a namespace value", src: `t := 0; for range cfg.Level + 1 { t++ }; t`, want: `2`},
		{name: "typed integer gives its type", src: `k := ""; for i := range u { k = fmt.Sprintf("%T", i) }; k`, want: `"uint8"`},
		{name: "no iteration variable", src: `t := 0; for range 5 { t++ }; t`, want: `5`},
		{name: "zero and negative", src: `t := 0; for range 0 { t++ }; for range -2 { t++ }; t`, want: `0`},
		{name: "assignment to a variable", src: `var j int; for j = range 4 {}; j`, want: `3`},
		{name: "evaluated once", src: `n := 3; t := 0; for range n { n = 10; t++ }; t`, want: `3`},
		{name: "expression with a call evaluated once", src: `calls := 0; three := func() int { calls++; return 3 }; for range three() {}; calls`, want: `1`},
		{name: "body changes the variable", src: `t := 0; for i := range 3 { i += 10; t++ }; t`, want: `3`},
		{name: "body redeclares the variable", src: `s := ""; for i := range 2 { i := i * 5; s += fmt.Sprint(i) }; s`, want: `"05"`},
		{name: "break and continue", src: `s := ""; for i := range 10 { if i == 1 { continue }; if i == 4 { break }; s += fmt.Sprint(i) }; s`, want: `"023"`},
		{name: "labeled", src: "s := \"\"\nL: for i := range 3 {\n\tfor j := range 3 {\n\t\tif j == 1 { continue L }\n\t\ts += fmt.Sprint(i*10+j, \",\")\n\t}\n}\ns", want: `"0,10,20,"`},
		{name: "labeled with a call", src: "calls := 0; n := func() int { calls++; return 2 }\nL: for range n() { for { break L } }\ncalls", want: `1`},
		{name: "in a function", setup: `func sum(n int) (t int) { for i := range n { t += i }; return }`, src: `sum(5)`, want: `10`},
		{name: "a function's result", setup: `func three() int { return 3 }`, src: `t := 0; for i := range three() { t += i }; t`, want: `3`},
		{name: "method of a session type", setup: `func (c counter) Len() int { return c.N }`, src: `t := 0; for range c.Len() { t++ }; t`, want: `2`},
		{name: "closures get their iteration's value", src: `var fs []func() int; for i := range 3 { fs = append(fs, func() int { return i }) }; fs[0]() + fs[1]()*10 + fs[2]()*100`, want: `210`},
		{name: "two variables", src: `for i, j := range 10 {}`, err: `1:8: range over an integer permits only one iteration variable`},
	})
}

func TestLoopVariablesPerIteration(t *testing.T) {
	f := newFixture(t, nil)
	runCases(t, f, []evalCase{
		{name: "three-clause loop and closures", src: `var fs []func() int; for i := 0; i < 3; i++ { fs = append(fs, func() int { return i }) }; fs[0]() + fs[1]() + fs[2]()`, want: `3`},
		{name: "range loop and closures", src: `var fs []func() string; for _, v := range []string{"a", "b"} { fs = append(fs, func() string { return v }) }; fs[0]() + fs[1]()`, want: `"ab"`},
		{name: "range key and closures", src: `var fs []func() int; for k := range map[int]bool{7: true} { fs = append(fs, func() int { return k }) }; fs[0]()`, want: `7`},
		{name: "address of the variable", src: `var ps []*int; for i := 0; i < 3; i++ { ps = append(ps, &i) }; *ps[0] + *ps[1] + *ps[2]`, want: `3`},
		// Go 1.22: the post statement works on a copy of the iteration's
		// variable, so a change in the body counts and a closure keeps
		// the value it saw.
		{name: "body changes the variable", src: `var fs []func() int; n := 0; for i := 0; i < 6; i++ { fs = append(fs, func() int { return i }); i++; n++ }; fmt.Sprint(n, fs[0](), fs[1](), fs[2]())`, want: `"3 1 3 5"`},
		{name: "continue after a change", src: `var fs []func() int; for i := 0; i < 6; i++ { if i == 2 { i += 1; continue }; fs = append(fs, func() int { return i }) }; fmt.Sprint(len(fs), fs[0](), fs[1](), fs[2](), fs[3]())`, want: `"4 0 1 4 5"`},
		{name: "labeled continue from an inner loop", src: "var fs []func() int\nL: for i := 0; i < 4; i++ {\n\tfs = append(fs, func() int { return i })\n\tfor {\n\t\ti++\n\t\tcontinue L\n\t}\n}\nfmt.Sprint(len(fs), fs[0](), fs[1]())", want: `"2 1 3"`},
		{name: "two variables", src: `var fs []func() int; for i, j := 0, 10; i < 3; i, j = i+1, j-1 { fs = append(fs, func() int { return i*100 + j }) }; fmt.Sprint(fs[0](), fs[2]())`, want: `"10 208"`},
		{name: "body redeclares the variable", src: `var fs []func() int; for i := 0; i < 2; i++ { i := i * 10; fs = append(fs, func() int { return i }) }; fs[0]() + fs[1]()`, want: `10`},
		// The channel is local: a goroutine using a session-level
		// variable races with yaegi growing its global frame.
		{name: "goroutines", src: `func() int { ch := make(chan int, 3); for i := 0; i < 3; i++ { go func() { ch <- i }() }; return <-ch + <-ch + <-ch }()`, want: `3`},
		{name: "no closure: plain loop", src: `n := 0; for i := 0; i < 10; i++ { i++; n++ }; n`, want: `5`},
	})
}

func TestRangeOverFunc(t *testing.T) {
	f := newFixture(t, nil)
	f.eval(t, `func count(n int) func(func(int) bool) { return func(yield func(int) bool) { for i := range n { if !yield(i) { return } } } }`)
	f.eval(t, `func pairs(yield func(string, int) bool) { _ = yield("a", 1) && yield("b", 2) }`)
	runCases(t, f, []evalCase{
		{name: "function literal", src: `s := ""; for x := range func(yield func(int) bool) { _ = yield(1) && yield(2) } { s += fmt.Sprint(x) }; s`, want: `"12"`},
		{name: "session function", src: `t := 0; for i := range count(4) { t += i }; t`, want: `6`},
		{name: "two values", src: `s := ""; for k, v := range pairs { s += fmt.Sprint(k, v) }; s`, want: `"a1b2"`},
		{name: "one of two values", src: `s := ""; for k := range pairs { s += k }; s`, want: `"ab"`},
		{name: "no variable", src: `t := 0; for range count(3) { t++ }; t`, want: `3`},
		{name: "assignment", src: `var last int; for last = range count(3) {}; last`, want: `2`},
		{name: "break and continue", src: `s := ""; for i := range count(10) { if i == 1 { continue }; if i == 3 { break }; s += fmt.Sprint(i) }; s`, want: `"02"`},
		{name: "break in a switch stays in the switch", src: `s := ""; for i := range count(3) { switch i { case 1: break }; s += fmt.Sprint(i) }; s`, want: `"012"`},
		{name: "return from the function", setup: `func first(n int) int { for i := range count(n) { if i*i > 5 { return i } }; return -1 }`, src: `fmt.Sprint(first(10), first(2))`, want: `"3 -1"`},
		{name: "return of two results", setup: `func find(s string) (int, bool) { for i := range count(len(s)) { if s[i] == 'x' { return i, true } }; return 0, false }`, src: `find("abx")`, want: `2, true`},
		{name: "named results", setup: `func named() (r int) { for i := range count(10) { r += i; if i == 4 { return } }; return 99 }`, src: `named()`, want: `10`},
		{name: "return from nested ranges", setup: `func nested() int { for i := range count(3) { for j := range count(3) { if i*j == 2 { return i*10 + j } } }; return -1 }`, src: `nested()`, want: `12`},
		{name: "labeled continue", src: "s := \"\"\nL: for i := range count(3) {\n\tfor j := range 3 {\n\t\tif j == 1 { continue L }\n\t\ts += fmt.Sprint(i*10+j, \",\")\n\t}\n}\ns", want: `"0,10,20,"`},
		{name: "closures get their iteration's value", src: `var fs []func() int; for i := range count(3) { fs = append(fs, func() int { return i }) }; fs[0]() + fs[1]()*10 + fs[2]()*100`, want: `210`},
		{name: "defer is refused", src: "func d() {\n\tfor i := range count(3) { defer println(i) }\n}", err: `2:28: defer in the body of a range over a function is not supported by the interpreter`},
		{name: "goto is refused", src: "func g() {\n\tfor range count(3) { goto E }\nE:\n}", err: `2:23: goto E in the body of a range over a function is not supported by the interpreter`},
		{name: "too many variables", src: `for a, b := range count(3) {}`, err: `1:19: range over this function permits only 1 iteration variables`},
		{name: "return at top level", src: `for i := range count(3) { return }`, err: `1:27: return is only allowed inside a function`},
	})
}

// Rewritten code keeps the positions of the user's code: errors point
// at the line and column the user typed.
func TestErrorPositionsAfterRewrites(t *testing.T) {
	f := newFixture(t, nil)
	f.eval(t, `x := 1`)
	runCases(t, f, []evalCase{
		{name: "in the body of a range over an integer", src: "for i := range 3 {\n\ty := i + \"a\"\n}", err: `2:7: invalid operation: mismatched types int and untyped string`},
		{name: "in an argument of min", src: "z := min(x,\n\tundefinedVar)", err: `2:2: undefined: undefinedVar`},
		{name: "in a per-iteration loop body", src: "for i := 0; i < 3; i++ {\n\tf := func() int { return i }\n\ti += nope\n\t_ = f\n}", err: `3:7: undefined: nope`},
		{name: "in the body of a range over a function", src: "for i := range func(yield func(int) bool) {} {\n\t_ = i + \"s\"\n}", err: `2:6: invalid operation: mismatched types int and untyped string`},
		{name: "in a printed max", src: `fmt.Println(max(x, "s"))`, err: `1:20: invalid operation: mismatched types untyped string and int`},
		{name: "after a multi-line declaration", src: "func f() int {\n\treturn 1\n}\nfor i := range f() {\n\ti.Foo()\n}", err: `5:2: i.Foo undefined (no field or method Foo)`},
	})
}
