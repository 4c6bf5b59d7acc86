package interp

import (
	"go/parser"
	"go/types"
	"testing"
)

// exprString must write what go/types.ExprString writes.
func TestExprStringMatchesGoTypes(t *testing.T) {
	for _, src := range []string{
		`a`, `a.b.c`, `f(x, y...)`, `m[k]`, `F[int, string]`, `s[1:2]`, `s[:2:3]`, `s[1:]`,
		`x.(T)`, `*p`, `-x`, `!ok`, `<-ch`, `a + b*c`, `(a + b) * c`, `[]int{1, 2}`, `[3]string{}`,
		`[...]int{1}`, `map[string][]int{}`, `struct{ a, b int; c string }{}`, `func(a int, b ...string) (int, error) { return 0, nil }`,
		`func() {}`, `interface{ M(int) bool; N() }(nil)`, `chan<- int(nil)`, `(<-chan int)(nil)`, `chan int(nil)`,
		`"s" + 'c'`, `1.5i`, `&T{A: 1}`, `func(f func(int) int) {}`, `T{}.M`, `pkg.F[T](x)`,
	} {
		x, err := parser.ParseExpr(src)
		if err != nil {
			t.Fatalf("%s: %v", src, err)
		}
		if got, want := exprString(x), types.ExprString(x); got != want {
			t.Errorf("%s: got %q, want %q", src, got, want)
		}
	}
}
