package interp

import (
	"context"
	"errors"
	"math"
	"runtime"
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
// variables and types. (No function or method: see
// TestPlainExpressionsNotNextToSessionCode; print_test.go has the
// session types with String methods.)
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
type V int
v := V(9)
var e error = nil
const u uint64 = 1 << 63
type T int`

// plainCases: expressions and whether they run plain (see runPlain).
var plainCases = []struct {
	src   string
	plain bool
}{
	{"1+1", true},
	{"'a'", true},
	{"1.5", true},
	{`"s" + "t"`, true},
	{"1 << 62", true},
	{"1 << 1000000", false},
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
	{"p.B + \"!\"", false}, // an operator on strings
	{"p.B == \"b\"", false},
	{"p.B[0]", true},
	{"len(p.B)", false},
	{"(*p).A", false}, // an explicit dereference
	{"*p", false},     // not a basic type
	{"np.A", true},    // nil dereference
	{"r", true},
	// A variable of a session type that is a basic type: the
	// declaration tells its type (see noteDeclTypes).
	{"v", false},
	{"V(1)", false},
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
	{"u + 0", false}, // a session constant: yaegi gives untyped ones their default type
	{"x + 1<<62", true},
	{"x + 1<<70", false}, // overflows int (init path: nothing shown)
	{"1.0 << x", false},  // Go refuses: a float shifted
	{"1 << x", false},
	{"x << 2", true},
	{"2i", false}, // yaegi gets some complex constants wrong (1e400i)
	{"math.MaxUint64", false},
	{"math.Pi * f", false}, // an untyped constant of a package
	{"a == a", false},      // arrays: a comparison may take seconds
	{"p == p", false},
	{"m[\"a\"] == 1", true},
	{"iota", false},
	{"T == T", false},
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
	if _, err := in.Eval(ctx, "x := 3"); err != nil {
		t.Fatal(err)
	}
	// As a session that cannot move (a closure assigned twice, say; one
	// made of session code could not run plain at all).
	in.nextRecycle = math.MaxInt
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

// TestPlainExpressionsUnderLoad: several sessions at once evaluate plain
// expressions, some of them cancelled at once or after a few
// microseconds, while the host is busy: every result that is not
// cancelled is right, a cancelled one is an interruption (never an
// abandoned call: a plain expression calls nothing), and no session
// breaks or keeps a goroutine once closed. Half the sessions have a
// goroutine of their own running, which makes their expressions run in
// init functions (see TestPlainExpressionsNotNextToSessionCode).
func TestPlainExpressionsUnderLoad(t *testing.T) {
	rounds := 300
	if testing.Short() {
		rounds = 50
	}
	before := runtime.NumGoroutine()
	type cfg struct {
		Limit int
		Name  string
	}
	ns := map[string]any{"cfg": &cfg{Limit: 40, Name: "svc"}}
	// The app, busy with its own map.
	stop := make(chan struct{})
	var app sync.WaitGroup
	app.Add(1)
	go func() {
		defer app.Done()
		m := map[int]int{}
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			m[i%1000] = i
		}
	}()
	var wg sync.WaitGroup
	for c := 0; c < 4; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			in, err := New(Options{Namespace: ns})
			if err != nil {
				t.Error(err)
				return
			}
			defer in.Close()
			ctx := context.Background()
			setup := "x := 3; s := []int{1, 2}"
			if c%2 == 1 {
				// Stopped by the first cancellation (yaegi issue 1686).
				setup += "; n := 0; go func() { for { n++ } }()"
			}
			if _, err := in.Eval(ctx, setup); err != nil {
				t.Error(err)
				return
			}
			cases := []struct{ src, want string }{
				{"x*2 + s[1]", "8"},
				{"cfg.Limit + x", "43"},
				{`cfg.Name + "!"`, `"svc!"`},
				{"1 << 40", "1099511627776"},
				{"s[5]", ""}, // index out of range: an error
			}
			for i := 0; i < rounds; i++ {
				tc := cases[i%len(cases)]
				ectx, cancel := ctx, context.CancelFunc(func() {})
				switch i % 3 {
				case 1:
					ectx, cancel = context.WithCancel(ctx)
					cancel()
				case 2:
					ectx, cancel = context.WithTimeout(ctx, time.Duration(i%50)*time.Microsecond)
				}
				res, err := in.Eval(ectx, tc.src)
				cancel()
				var ie *interruptedError
				switch {
				case errors.As(err, &ie):
					if ie.abandoned {
						t.Errorf("%s: %v", tc.src, err)
					}
				case tc.want == "":
					if err == nil || !strings.Contains(err.Error(), "index out of range") {
						t.Errorf("%s: %+v, %v; want index out of range", tc.src, res, err)
					}
				case err != nil || res.Value != tc.want:
					t.Errorf("%s: %+v, %v; want %s", tc.src, res, err, tc.want)
				}
			}
			if res, err := in.Eval(ctx, "x + s[0]"); err != nil || res.Value != "4" {
				t.Errorf("after the rounds: %+v, %v", res, err)
			}
			if plain := !in.gen.elsewhere && in.gen.plainNodes > 0; plain != (c%2 == 0) {
				t.Errorf("session %d: plain %v (plain nodes %d, elsewhere %v)", c, plain, in.gen.plainNodes, in.gen.elsewhere)
			}
		}()
	}
	wg.Wait()
	close(stop)
	app.Wait()
	deadline := time.Now().Add(10 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		t.Errorf("%d goroutines after the sessions closed, %d before", n, before)
	}
}

// TestPlainExpressionsNotNextToSessionCode: once an interpreter compiled
// code of the session's that may run on another goroutine (a function, a
// method, a function literal, a go statement), expressions run in init
// functions: one run in the global block may grow yaegi's global frame,
// which that code reads without a lock (a data race, which -race
// reports here). Manhole's own init functions do not count.
func TestPlainExpressionsNotNextToSessionCode(t *testing.T) {
	for _, code := range []string{
		"go func() { for { y++ } }()",
		"func bump() { y++ }",
		"type T struct{}; func (T) M() {}",
		"f := func() int { return 1 }",
		"var g = func() {}",
	} {
		in, err := New(Options{})
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		for _, src := range []string{"var y int", "x := 1", "x + 1", "fmt.Sprint(x)", "x + 2"} {
			if _, err := in.Eval(ctx, src); err != nil {
				t.Fatal(src, err)
			}
		}
		if in.gen.elsewhere || in.gen.plainNodes == 0 {
			t.Errorf("before %s: elsewhere %v, plain nodes %d: want plain runs", code, in.gen.elsewhere, in.gen.plainNodes)
		}
		if _, err := in.Eval(ctx, code); err != nil {
			t.Fatal(code, err)
		}
		nodes := in.gen.plainNodes
		for i := 0; i < 100; i++ {
			if res, err := in.Eval(ctx, "x + 1"); err != nil || res.Value != "2" {
				t.Fatalf("after %s: %+v, %v", code, res, err)
			}
		}
		if !in.gen.elsewhere || in.gen.plainNodes != nodes {
			t.Errorf("after %s: elsewhere %v, plain nodes %d -> %d: want no plain run", code, in.gen.elsewhere, nodes, in.gen.plainNodes)
		}
		in.Close()
	}
}

// TestPlainNilDereference: a nil dereference in a plain expression is
// Go's panic. (yaegi's global block gives no value for it, or reflect's
// panic at a zero Value.)
func TestPlainNilDereference(t *testing.T) {
	in, err := New(Options{Namespace: map[string]any{"hnil": (*plainHost)(nil), "hpn": (*int)(nil)}})
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	ctx := context.Background()
	if _, err := in.Eval(ctx, "type P struct{ A int; Q *P }; var np *P; pp := &P{}"); err != nil {
		t.Fatal(err)
	}
	for _, src := range []string{"hnil.N", "np.A", "pp.Q.A", "pp.Q.Q.A + 1"} {
		res, err := in.Eval(ctx, src)
		if want := "panic: runtime error: invalid memory address or nil pointer dereference"; err == nil || err.Error() != want {
			t.Errorf("%s: %+v, %v; want %s", src, res, err, want)
		}
	}
	if in.gen.plainNodes == 0 {
		t.Error("no input ran plain")
	}
}

// TestLongExpressionsRunInAnInitFunction: an expression of more than
// maxPlainExpr nodes is not plain, so that its check costs no more than
// its compile (a chain of 1990 additions took a second in plainNodes),
// and gives Go's value there; one of maxPlainExpr nodes still runs plain.
func TestLongExpressionsRunInAnInitFunction(t *testing.T) {
	in, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	ctx := context.Background()
	if _, err := in.Eval(ctx, "x := 1"); err != nil {
		t.Fatal(err)
	}
	for _, src := range []string{
		strings.Repeat("x + ", 1989) + "x",
		strings.Repeat("- ", 1990) + "x",
		strings.Repeat("(", 1990) + "x" + strings.Repeat(")", 1990),
	} {
		before := in.gen.plainNodes
		res, err := in.Eval(ctx, src)
		if err != nil {
			t.Fatalf("%.20s...: %v", src, err)
		}
		if in.gen.plainNodes != before {
			t.Errorf("%.20s... (%d bytes) ran plain", src, len(src))
		}
		want := "1"
		switch {
		case strings.HasPrefix(src, "x +"):
			want = "1990"
		case strings.HasPrefix(src, "- ") && 1990%2 == 1:
			want = "-1"
		}
		if res.Value != want {
			t.Errorf("%.20s... = %q, want %q", src, res.Value, want)
		}
	}
	// x + x + ... with 32 terms: 32 names and 31 operators, 63 nodes.
	before := in.gen.plainNodes
	res, err := in.Eval(ctx, strings.Repeat("x + ", 31)+"x")
	if err != nil || res.Value != "32" {
		t.Fatalf("32 terms: %+v, %v", res, err)
	}
	if in.gen.plainNodes == before {
		t.Errorf("an expression of %d nodes did not run plain", 63)
	}
}
