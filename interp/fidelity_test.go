package interp

import (
	"strings"
	"testing"
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
