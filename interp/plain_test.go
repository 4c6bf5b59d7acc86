package interp

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"
)

// plainHost is a host type the plain expressions below read.
type plainHost struct {
	N    int
	Name string
	D    time.Duration
	Tags map[string]int
}

// plainSetup declares what the plain expressions read: session
// variables, a session type whose String method the REPL calls, host
// values.
const plainSetup = `x := 3
y := 0
f := 1.5
s := []int{1, 2}
a := [3]string{"a", "b", "c"}
m := map[string]int{"a": 1}
type P struct{ A int; B string }
p := &P{A: 4, B: "b"}
var np *P
b := true
r := 'r'
type C float64
func (c C) String() string { return "C!" }
c := C(2)
type V int
v := V(9)
var e error = nil`

// plainCases: expressions and whether they run plain (see runPlain).
var plainCases = []struct {
	src   string
	plain bool
}{
	{"1+1", true},
	{"'a'", true},
	{"1.5", true},
	{"2i", true},
	{`"s" + "t"`, true},
	{"1 << 62", true},
	{"1 << 70", false}, // overflows int: refused before either (see TestShownConstantOverflows)
	{"x", true},
	{"x*2 + y", true},
	{"-x", true},
	{"^x", true},
	{"!b", true},
	{"b && x > 1", true},
	{"f / 2", true},
	{"x / y", true},  // a runtime panic
	{"x / 0", false}, // a compile error: the init function's tells it
	{"s[1] + x", true},
	{"s[5]", true}, // index out of range
	{"a[2]", true},
	{"m[\"a\"]", true},
	{"m[\"none\"]", true},
	{"p.A", true},
	{"p.B + \"!\"", true},
	{"(*p).A", true},
	{"np.A", true}, // nil dereference
	{"r", true},
	{"C(3)", false}, // a session type with a String method
	// Variables of session types that are basic types (yaegi's values
	// are of the basic type): the declarations tell their type.
	{"v", false},
	{"c", false},
	{"c + 1", false},
	{"h.N", true},
	{"h.Name", true},
	{"h.D", true}, // a host type, with a String method
	{"h.Tags[\"k\"]", true},
	{"hp.N + 1", true},
	{"undefinedName", false},
	{"int", false},
	{"e", false},
	{"s", false},
	{"p", false},
	{"len(s)", false},
	{"float64(x)", false},
	{"nil", false},
}

// TestPlainExpressionsAsInInit: an expression run plain, in the global
// block, has the result and the error it has when it runs in an init
// function with __mh.Show, as it did before runPlain; and the ones that
// should run plain do.
func TestPlainExpressionsAsInInit(t *testing.T) {
	ns := map[string]any{
		"h":  plainHost{N: 5, Name: "host", D: time.Second, Tags: map[string]int{"k": 7}},
		"hp": &plainHost{N: 6},
	}
	newIn := func() *Interp {
		in, err := New(Options{Namespace: ns})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { in.Close() })
		if _, err := in.Eval(context.Background(), plainSetup); err != nil {
			t.Fatal(err)
		}
		return in
	}
	plain, wrapped := newIn(), newIn()
	var mu sync.Mutex
	var src []string
	plain.SetDebugRewrite(func(s string) {
		mu.Lock()
		src = append(src, s)
		mu.Unlock()
	})
	ctx := context.Background()
	for _, c := range plainCases {
		mu.Lock()
		src = nil
		mu.Unlock()
		got, gotErr := plain.Eval(ctx, c.src)
		wrapped.gen.plainNodes = maxPlainNodes // no plain runs
		want, wantErr := wrapped.Eval(ctx, c.src)
		if got != want || errString(gotErr) != errString(wantErr) {
			t.Errorf("%s: plain %+v, %v; in an init function %+v, %v", c.src, got, gotErr, want, wantErr)
		}
		mu.Lock()
		compiled := strings.Join(src, "\n")
		mu.Unlock()
		if ran := compiled != "" && !strings.Contains(compiled, "func init()"); ran != c.plain {
			t.Errorf("%s: compiled as %q; want plain %v", c.src, compiled, c.plain)
		}
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// TestPlainExpressionsKeepTheFrameBounded: in a session that cannot move
// to a new interpreter, plain expressions stop taking slots of yaegi's
// global frame once they took maxPlainNodes: they run in init functions
// again.
func TestPlainExpressionsKeepTheFrameBounded(t *testing.T) {
	in, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	ctx := context.Background()
	// A closure assigned twice cannot be recreated in a new interpreter.
	if _, err := in.Eval(ctx, "g := func() int { return 1 }; g = func() int { return 2 }; x := 3"); err != nil {
		t.Fatal(err)
	}
	start, err := frameSlots(in.gen.yi)
	if err != nil {
		t.Fatal(err)
	}
	base := start.Len()
	for i := 0; i < 2*maxPlainNodes; i++ {
		if res, err := in.Eval(ctx, "x*2 + x"); err != nil || res.Value != "9" {
			t.Fatalf("input %d: %+v, %v", i, res, err)
		}
	}
	if in.recycleCount() != 0 {
		t.Fatalf("the session moved to a new interpreter %d times; the test needs one that cannot", in.recycleCount())
	}
	slots, _ := frameSlots(in.gen.yi)
	if n := slots.Len(); n > base+maxPlainNodes {
		t.Errorf("yaegi's global frame grew from %d to %d slots in %d inputs; want at most %d more", base, n, 2*maxPlainNodes, maxPlainNodes)
	}
	if in.gen.plainNodes < maxPlainNodes-10 {
		t.Errorf("plain nodes %d: the inputs did not run plain until the bound", in.gen.plainNodes)
	}
}

// TestShownConstantOverflows: an untyped constant shown as a value that
// its default type cannot hold is refused, as Go refuses it. (yaegi
// showed nothing for it in __mh.Show, and panicked for it alone.)
func TestShownConstantOverflows(t *testing.T) {
	in, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	for src, want := range map[string]string{
		"1 << 70":       "1:1: 1180591620717411303424 (untyped constant) overflows int",
		"-1 << 63 - 1":  "1:1: -9223372036854775809 (untyped constant) overflows int",
		"'a' + 1<<40":   "1:1: 1099511627873 (untyped constant) overflows rune",
		"1e308 * 10":    "1:1: 1e+309 (untyped constant) overflows float64",
		"(1 << 62) * 2": "1:1: 9223372036854775808 (untyped constant) overflows int",
	} {
		if res, err := in.Eval(context.Background(), src); err == nil || err.Error() != want {
			t.Errorf("%s: %+v, %v; want %q", src, res, err, want)
		}
	}
	for src, want := range map[string]string{"1 << 62": "4611686018427387904", "-1 << 63": "-9223372036854775808", "'a' + 1": "98", "1e308": "1e+308"} {
		if res, err := in.Eval(context.Background(), src); err != nil || res.Value != want {
			t.Errorf("%s: %+v, %v; want %s", src, res, err, want)
		}
	}
}
