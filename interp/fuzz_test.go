package interp

import (
	"context"
	"testing"
	"time"
)

// FuzzEval feeds arbitrary input to one interpreter: whatever it is, the
// test process must survive and the interpreter must still evaluate.
func FuzzEval(f *testing.F) {
	for _, seed := range []string{
		"1+1",
		`x := 1; x`,
		`func f(n int) int { return f(n+1) }; f(0)`,
		`go func() { panic("x") }()`,
		`for {}`,
		`for i := range 5 {}`,
		`var m = map[string]int{}; m["a"] = 1; m`,
		`type T struct{ X int }; T{1}`,
		`import "strings"; strings.ToUpper("a")`,
		"if true {\n\tfmt.Println(1)\n}",
		`select {}`,
		`ch := make(chan int); close(ch); close(ch)`,
		`defer println(1)`,
		`return`,
		`os.Exit(2)`,
		`[]int{}[1]`,
		"`raw",
		`)`,
		`func() {}()`,
		`goto L; L:`,
		`func g[T any](x T) T { return x }; g(1)`,
		`type S struct{ a []S; m map[string]*S }; func (s *S) M() int { return len(s.a) }; (&S{}).M()`,
		`type I interface{ M() int }; var i I; i == nil`,
		`var a [3]int; a[1:]`,
		`switch x := any(1).(type) { case int: x++ }`,
		`func f(xs ...int) int { return len(xs) }; f([]int{1, 2}...)`,
		`store.Set("a", "b"); store.Get("a")`,
		`cfg.Level++; cfg`,
		`min(3, 1, 2) + max(x, 1.5)`,
		`var v = max(len("ab"), 1); const c = min(1, 2); v + c`,
		`s := []int{1}; clear(s); m := map[int]int{}; clear(m)`,
		`dump(cfg, []byte{0, 1}, map[string]any{"a": nil})`,
		`for i := range 3 { for j := range i { _ = j } }`,
		`var fs []func() int; for i := 0; i < 3; i++ { fs = append(fs, func() int { i++; return i }); if i == 1 { continue } }`,
		`L: for i := range 2 { for range i { continue L } }`,
		`for x := range func(yield func(int) bool) { yield(1) } { if x > 0 { break } }`,
		`func f() (r int) { for x := range func(y func(int, string) bool) { y(1, "a") } { return x }; return }`,
		`type T struct{ next *T; v int }; t := &T{v: 1}; t.next = t; dump(t); t`,
		`strings.Repeat("x", 5000)`,
		`[]int{1, 2}[5]`,
		"a := 1\nb := undefinedThing",
	} {
		f.Add(seed)
	}
	// Move to a new interpreter often, so that replaying whatever the
	// inputs declared is fuzzed too.
	oldAfter := recycleAfter
	recycleAfter = 5
	f.Cleanup(func() { recycleAfter = oldAfter })
	stderr := &safeBuffer{}
	in, err := New(Options{
		Namespace: map[string]any{"store": &Store{m: map[string]string{}}, "cfg": &Config{}},
		Stderr:    stderr,
	})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { in.Close() })
	f.Fuzz(func(t *testing.T, src string) {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
		defer cancel()
		_, _ = in.Eval(ctx, src)
		_ = Incomplete(src)
		res, err := in.Eval(context.Background(), "1+1")
		if err != nil || res.Value != "2" {
			t.Fatalf("after %q: 1+1 = %q, %v", src, res.Value, err)
		}
	})
}
