package interp

import (
	"context"
	"strings"
	"testing"
)

// Generic code beyond the trivial, which yaegi alone gets wrong: type
// arguments fixed only by a function argument's result, a top-level :=
// of a generic call, untyped constants, ranges over generic iterators.
func TestGenericCalls(t *testing.T) {
	const mapFn = `func Map[T, U any](s []T, f func(T) U) []U { r := []U{}; for _, x := range s { r = append(r, f(x)) }; return r }`
	const seq = `func Seq[T any](xs ...T) func(yield func(T) bool) { return func(yield func(T) bool) { for _, x := range xs { if !yield(x) { return } } } }`
	for _, tc := range []struct {
		name  string
		steps []string
		want  string
	}{
		{"Map with a func literal", []string{mapFn, `Map([]int{1, 2}, func(i int) string { return fmt.Sprint(i) })`}, `[]string{"1", "2"}`},
		{"Map with a package function", []string{mapFn, `Map([]int{1, 2}, strconv.Itoa)`}, `[]string{"1", "2"}`},
		{"Map of one input", []string{mapFn + "\nMap([]string{\"a\"}, strings.ToUpper)"}, `[]string{"A"}`},
		{"top-level := of a generic call", []string{mapFn, `x := Map([]int{1, 2}, strconv.Itoa)`, `x`}, `[]string{"1", "2"}`},
		{"top-level := of an explicit instantiation", []string{mapFn, `x := Map[int, string]([]int{3}, strconv.Itoa)`, `x`}, `[]string{"3"}`},
		{"a session variable as the argument", []string{mapFn, `xs := []string{"a", "b"}`, `y := Map(xs, strings.ToUpper)`, `y`}, `[]string{"A", "B"}`},
		{"union constraint", []string{`func Sum[T int | float64](s []T) T { var r T; for _, x := range s { r += x }; return r }`, `Sum([]float64{1.5, 2})`}, `3.5`},
		{"named constraint", []string{`type Number interface{ ~int | ~float64 }; func Sum[T Number](s []T) T { var r T; for _, x := range s { r += x }; return r }`, `Sum([]int{1, 2})`}, `3`},
		{"untyped constants take the largest default type", []string{`func Max2[T int | float64](a, b T) T { if a > b { return a }; return b }`, `Max2(2, 3.5)`}, `3.5`},
		{"untyped constants at the top level", []string{`func Max2[T int | float64](a, b T) T { if a > b { return a }; return b }`, `q := Max2(1, 2)`, `q`}, `2`},
		{"three type parameters", []string{`func Reduce[T, A any](s []T, init A, f func(A, T) A) A { acc := init; for _, v := range s { acc = f(acc, v) }; return acc }`, `Reduce([]int{1, 2, 3}, "", func(a string, v int) string { return a + fmt.Sprint(v) })`}, `"123"`},
		{"generic type with methods", []string{`type Stack[T any] struct{ items []T }; func (s *Stack[T]) Push(v T) { s.items = append(s.items, v) }; func (s *Stack[T]) Pop() T { v := s.items[len(s.items)-1]; s.items = s.items[:len(s.items)-1]; return v }`, `var st Stack[int]; st.Push(1); st.Push(2); st.Pop()`}, `2`},
		{"slices.Clone at the top level", []string{`s := slices.Clone([]int{1, 2})`, `s`}, `[]int{1, 2}`},
		{"range over a session iterator", []string{seq, `n := 0; for x := range Seq(4, 5) { n += x }; n`}, `9`},
		{"range over slices.All", []string{`r := ""; for i, v := range slices.All([]string{"a", "b"}) { r += fmt.Sprint(i) + v }; r`}, `"0a1b"`},
		{"range over maps.Keys", []string{`r := 0; for k := range maps.Keys(map[int]bool{3: true}) { r = k }; r`}, `3`},
		{"iter.Seq", []string{`func count(n int) iter.Seq[int] { return func(yield func(int) bool) { for i := 0; i < n; i++ { if !yield(i) { return } } } }`, `n := 0; for v := range count(4) { n += v }; n`}, `6`},
		{"iter.Seq2 of maps.All", []string{`var s iter.Seq2[string, int] = maps.All(map[string]int{"a": 1})`, `r := ""; for k, v := range s { r = k + fmt.Sprint(v) }; r`}, `"a1"`},
		{"iter imported", []string{`import "iter"`, `var q iter.Seq[int]; q == nil`}, `true`},
		{"slices.Collect of an iter.Seq", []string{`func count(n int) iter.Seq[int] { return func(yield func(int) bool) { for i := 0; i < n; i++ { if !yield(i) { return } } } }`, `slices.Collect(count(3))`}, `[]int{0, 1, 2}`},
		{"a constant expression", []string{`func Id[T any](x T) T { return x }`, `k := Id(1 + 2)`, `k`}, `3`},
		{"a float constant expression", []string{`func Id[T any](x T) T { return x }`, `x := Id(2.5 * 2); fmt.Sprintf("%T", x)`}, `"float64"`},
		{"a result of len", []string{`func Id[T any](x T) T { return x }`, `var e = Id(len("ab"))`, `e`}, `2`},
		{"a namespace value", []string{`func Id[T any](x T) T { return x }`, `c := Id(cfg)`, `c.Name`}, `"app"`},
		{"range over a generic result of an integer", []string{`func id[T any](x T) T { return x }`, `n := 0; for i := range id(3) { n += i }; n`}, `3`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, nil)
			for _, s := range tc.steps[:len(tc.steps)-1] {
				f.eval(t, s)
			}
			if got := f.value(t, tc.steps[len(tc.steps)-1]); got != tc.want {
				t.Errorf("got %s, want %s", got, tc.want)
			}
			if s := f.stderr.String(); s != "" {
				t.Errorf("stderr: %s", s)
			}
		})
	}
}

// A top-level declaration from a generic call manhole cannot type is an
// error of its own: yaegi would write "nil reflect type" to the host's log.
func TestGenericCallsUnknown(t *testing.T) {
	f := newFixture(t, map[string]any{"hidden": &hiddenT{}})
	f.eval(t, `func Id[T any](x T) T { return x }`)
	for _, src := range []string{`v := Id(unknownThing())`, `w := Id(hidden)`, `var w2 = Id(hidden)`} {
		_, err := f.in.Eval(context.Background(), src)
		if err == nil || !strings.Contains(err.Error(), "manhole cannot infer the type arguments of Id") && !strings.Contains(err.Error(), "undefined") {
			t.Errorf("%s: %v", src, err)
		}
	}
	if s := f.stderr.String(); s != "" {
		t.Errorf("stderr: %s", s)
	}
}

//lint:ignore U1000 the test is about a host type with an unexported field
type hiddenT struct{ n int }
