package interp

import (
	"context"
	"strings"
	"testing"
)

// Compile errors read as the Go compiler's: no yaegi type categories
// (stringT), no missing names, no "unsupported assign expression".
func TestGoErrorTexts(t *testing.T) {
	for _, tc := range []struct{ setup, src, want string }{
		{`type S struct{}; func (S) M(a, b int) int { return a + b }`, `S{}.M(1)`, "not enough arguments in call to S{}.M"},
		{`func two(a, b int) int { return a + b }`, `two(1)`, "not enough arguments in call to two"},
		{``, `func nr() (int, error) { return 1 }`, "not enough return values"},
		{``, `a, b := 1`, "assignment mismatch: 2 variables but 1 value"},
		{``, `var c, d = 1`, "assignment mismatch: 2 variables but 1 value"},
		{``, `func rs() int { return "s" }`, `cannot use "s" (untyped string constant) as int value in return statement`},
		{``, `str := "x"; var n int; n = str`, `cannot use str (variable of type string) as int value in assignment`},
		{`func two(a, b int) int { return a + b }`, `str := "x"; two(str, 1)`, `cannot use str (variable of type string) as int value in argument to two`},
		{``, `stats.Nope`, "stats.Nope undefined (no field or method Nope)"},
		{``, `stats.Requests()`, "cannot call non-function"},
		{``, `if 1 {}`, "1:4: non-boolean condition in if statement"},
		{``, `for "a" {}`, "non-boolean condition in for statement"},
		{``, `x := 1; if x {}`, "non-boolean condition in if statement"},
		{`func nothing() {}`, `y := nothing()`, "nothing() (no value) used as value"},
		{``, `func nothing2() {}; var z = nothing2()`, "nothing2() (no value) used as value"},
		{``, `x := []int{1}; x.Foo()`, "x.Foo undefined (no field or method Foo)"},
		{``, `x, y := 1, 2, 3`, "1:1: assignment mismatch: 2 variables but 3 values"},
		{``, `var a, b = 1, 2, 3`, "assignment mismatch: 2 variables but 3 values"},
		{``, `var a, b = strings.Cut("a,b", ",")`, "assignment mismatch: 2 variables but strings.Cut returns 3 values"},
		{``, `a, b := strings.Cut("a,b", ",")`, "assignment mismatch: 2 variables but strings.Cut returns 3 values"},
		{`func three() (int, int, int) { return 1, 2, 3 }`, `var a, b = three()`, "assignment mismatch: 2 variables but three returns 3 values"},
		{`func one() int { return 1 }`, `a, b := one()`, "assignment mismatch: 2 variables but one returns 1 value"},
		{``, `nil == nil`, "invalid operation: nil == nil (operator == not defined on nil)"},
		{`func nothing() {}`, `nothing() + 1`, "nothing() (no value) used as value"},
		{`func nothing() {}`, `fmt.Println(nothing())`, "nothing() (no value) used as value"},
		{`func nothing() {}`, `func g() int { return nothing() }`, "nothing() (no value) used as value"},
	} {
		f := newFixture(t, nil)
		if tc.setup != "" {
			f.eval(t, tc.setup)
		}
		_, err := f.in.Eval(context.Background(), tc.src)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.src, err, tc.want)
			continue
		}
		for _, internal := range []string{"stringT", "intT", "__mh", "func() literal", "unsupported assign", "yaegi", "reflect"} {
			if strings.Contains(err.Error(), internal) {
				t.Errorf("%s: %v names yaegi's internals (%s)", tc.src, err, internal)
			}
		}
	}
}

// A group of declarations and statements shows only its own value: a
// call's result of an earlier group is not printed again.
func TestNoStaleResult(t *testing.T) {
	f := newFixture(t, nil)
	f.eval(t, `func qadd(n int) int { return n + 9 }`)
	res := f.eval(t, `qadd(1); type QQ2 struct{}; fmt.Println("x")`)
	if res.HasValue || strings.Contains(res.Value, "10") {
		t.Errorf("the input shows %q (has value %v), want nothing", res.Value, res.HasValue)
	}
	if got := f.stdout.String(); got != "x\n" {
		t.Errorf("stdout %q, want x", got)
	}
}
