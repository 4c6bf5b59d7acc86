package interp

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/gomanhole/manhole/internal/testexp"
	"github.com/gomanhole/manhole/internal/testkit"
)

// Store, Stats and Config stand for types of the host application: yaegi
// knows them only through reflect.
// Store is guarded by a RWMutex (the demo's by a Mutex), so that the tests
// call methods that take both kinds of lock.
type Store struct {
	mu sync.RWMutex
	m  map[string]string
}

func (s *Store) Get(k string) (string, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	v, ok := s.m[k]
	return v, ok
}

func (s *Store) Set(k, v string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.m[k] = v
}

func (s *Store) Len() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.m)
}

type Stats struct {
	Requests int64
	Errors   int64
}

type Config struct {
	Level int
	Name  string
}

// safeBuffer is written by evaluated code, possibly from its goroutines,
// and read by the test.
type safeBuffer = testexp.LockedBuffer

type fixture struct {
	in             *Interp
	stdout, stderr *safeBuffer
	store          *Store
	stats          *Stats
	cfg            *Config
}

func newFixture(t testing.TB, extra map[string]any) *fixture {
	t.Helper()
	f := &fixture{
		stdout: &safeBuffer{},
		stderr: &safeBuffer{},
		store:  &Store{m: map[string]string{}},
		stats:  &Stats{Requests: 3},
		cfg:    &Config{Level: 1, Name: "app"},
	}
	ns := map[string]any{"store": f.store, "stats": f.stats, "cfg": f.cfg}
	for k, v := range extra {
		ns[k] = v
	}
	in, err := New(Options{Namespace: ns, Stdout: f.stdout, Stderr: f.stderr})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { in.Close() })
	f.in = in
	return f
}

// eval evaluates src and fails the test on an error.
func (f *fixture) eval(t testing.TB, src string) Result {
	t.Helper()
	res, err := f.in.Eval(context.Background(), src)
	if err != nil {
		t.Fatalf("Eval(%q): %v", src, err)
	}
	return res
}

// value evaluates src and returns the printed value, "" without one.
func (f *fixture) value(t testing.TB, src string) string {
	t.Helper()
	res := f.eval(t, src)
	if !res.HasValue {
		return ""
	}
	return res.Value
}

// waitFor is the tests' one polling helper (internal/testkit).
var waitFor = testkit.Eventually

func TestNamespaceValuesByBareName(t *testing.T) {
	f := newFixture(t, nil)

	f.eval(t, `store.Set("k", "v")`)
	if v, ok := f.store.Get("k"); !ok || v != "v" {
		t.Fatalf("the host does not see store.Set: %q %v", v, ok)
	}
	if got := f.value(t, `store.Get("k")`); got != `"v", true` {
		t.Errorf(`store.Get("k") = %s, want "v", true`, got)
	}
	if got := f.value(t, `store.Len()`); got != "1" {
		t.Errorf("store.Len() = %s, want 1", got)
	}

	f.stats.Requests = 41
	if got := f.value(t, `stats.Requests`); got != "41" {
		t.Errorf("stats.Requests = %s, want the live 41", got)
	}
	f.stats.Requests++
	if got := f.value(t, `stats.Requests`); got != "42" {
		t.Errorf("stats.Requests = %s, want the live 42", got)
	}

	f.eval(t, `cfg.Level = 5`)
	if f.cfg.Level != 5 {
		t.Errorf("cfg.Level = 5 did not write through: the host sees %d", f.cfg.Level)
	}
	if got := f.value(t, `cfg`); got != `&interp.Config{Level:5, Name:"app"}` {
		t.Errorf("cfg = %s", got)
	}
}

func TestNamespaceFuncAndPlainValues(t *testing.T) {
	calls := 0
	f := newFixture(t, map[string]any{
		"flush":   func() int { calls++; return calls },
		"limit":   10,
		"nothing": nil,
	})
	if got := f.value(t, `flush()`); got != "1" {
		t.Errorf("flush() = %s, want 1", got)
	}
	if calls != 1 {
		t.Errorf("flush called %d times, want 1", calls)
	}
	if got := f.value(t, `limit * 2`); got != "20" {
		t.Errorf("limit * 2 = %s, want 20", got)
	}
	if got := f.value(t, `nothing == nil`); got != "true" {
		t.Errorf("nothing == nil = %s, want true", got)
	}
}

func TestNamespaceNameValidation(t *testing.T) {
	for _, tc := range []struct {
		name string
		ok   bool
	}{
		{"store", true},
		{"log", true}, // hides the log package from automatic imports
		{"_x", true},
		{"", false},
		{"1x", false},
		{"a-b", false},
		{"func", false},
		{"_", false},
		{"len", false},
		{"nil", false},
		{"int", false},
		{"error", false},
		{"__mh_x", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in, err := New(Options{Namespace: map[string]any{tc.name: 1}})
			if (err == nil) != tc.ok {
				t.Fatalf("New with name %q: err = %v, want ok = %v", tc.name, err, tc.ok)
			}
			if err == nil {
				in.Close()
			} else if !strings.Contains(err.Error(), "namespace name") {
				t.Errorf("error does not say what to change: %v", err)
			}
		})
	}
}

func TestNamespaceNameHidesPackage(t *testing.T) {
	f := newFixture(t, map[string]any{"time": &Config{Level: 7}})
	if got := f.value(t, `time.Level`); got != "7" {
		t.Errorf("time.Level = %s, want the namespace value's 7", got)
	}
}

func TestStdlibWithoutImport(t *testing.T) {
	f := newFixture(t, nil)
	for _, tc := range []struct{ name, src, want string }{
		{"fmt", `fmt.Sprint(1, "a")`, `"1a"`},
		{"strings", `strings.ToUpper("abc")`, `"ABC"`},
		{"time", `time.Now().IsZero()`, `false`},
		{"runtime", `runtime.NumGoroutine() > 0`, `true`},
		{"nested path", `filepath.Join("a", "b")`, `"a/b"`},
		{"preferred rand", `rand.Intn(1)`, `0`},
		{"in a function", "func up(s string) string { return strings.ToUpper(s) }\nup(\"x\")", `"X"`},
		{"in a type", "type D struct{ T time.Duration }\nD{T: time.Second}.T", `1s`},
		{"generic source package", `slices.Contains([]int{1, 2}, 2)`, `true`},
		{"explicit import after automatic", "import \"strings\"\nstrings.ToLower(\"ABC\")", `"abc"`},
		{"explicit import group", "import (\n\t\"strings\"\n\t\"bytes\"\n)\nbytes.Equal([]byte(\"a\"), []byte(strings.ToLower(\"A\")))", `true`},
		{"aliased import", "import str \"strings\"\nstr.Repeat(\"ab\", 2)", `"abab"`},
		{"import twice", "import \"sort\"\nimport \"sort\"\nsort.IntsAreSorted([]int{1, 2})", `true`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := f.value(t, tc.src); got != tc.want {
				t.Errorf("%s = %s, want %s", tc.src, got, tc.want)
			}
		})
	}
}

func TestImportOutsideStdlibRefused(t *testing.T) {
	f := newFixture(t, nil)
	_, err := f.in.Eval(context.Background(), `import "github.com/x/y"`)
	if err == nil || !strings.Contains(err.Error(), "not available") {
		t.Fatalf("import of a non-standard package: err = %v", err)
	}
}

func TestResults(t *testing.T) {
	f := newFixture(t, nil)
	for _, tc := range []struct {
		name, src string
		want      string // "" means no value
	}{
		{"arithmetic", `1+1`, `2`},
		{"string is quoted", `"abc"`, `"abc"`},
		{"float", `1.5 * 2`, `3`},
		{"bool", `1 < 2`, `true`},
		{"struct pointer", `stats`, `&interp.Stats{Requests:3, Errors:0}`},
		{"two results", `store.Get("missing")`, `"", false`},
		{"call without result", `store.Set("a", "b")`, ``},
		{"define", `x := 1`, ``},
		{"assignment", `x = 2`, ``},
		{"mixed input ends in expression", `var m = map[string]int{}; m["a"] = 1; m`, `map[string]int{"a":1}`},
		{"multi-line if", "if x == 2 {\n\tx = 3\n}", ``},
		{"after if", `x`, `3`},
		{"slice", `[]string{"a", "b"}`, `[]string{"a", "b"}`},
		{"nil", `error(nil)`, `nil`},
		{"error prints its text", `errors.New("boom")`, `boom`},
		{"Stringer prints its text", `2 * time.Second`, `2s`},
		{"byte slice", `[]byte("hi")`, `[]byte("hi")`},
		{"unsigned in decimal", `uint64(1500)`, `1500`},
		{"unsigned field in decimal", `struct{ N uint32 }{7}`, `struct { N uint32 }{N:7}`},
		{"byte in a composite", `[2]byte{1, 2}`, `[2]uint8{0x1, 0x2}`},
		{"nil slice", `[]int(nil)`, `[]int(nil)`},
		{"nil pointer", `(*int)(nil)`, `(*int)(nil)`},
		{"nested pointer", `struct{ P *int }{}`, `struct { P *int }{P:(*int)(nil)}`},
		{"map sorted", `map[string]int{"b": 2, "a": 1}`, `map[string]int{"a":1, "b":2}`},
		{"nested GoStringer", `struct{ T time.Time }{time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)}`, `struct { T time.Time }{T:time.Date(2020, time.January, 2, 3, 4, 5, 0, time.UTC)}`},
		{"fmt.Println prints no n, err", `fmt.Println("out")`, ``},
		{"func declaration", `func double(n int) int { return 2 * n }`, ``},
		{"func call", `double(21)`, `42`},
		{"type declaration", `type point struct{ X, Y int }`, ``},
		{"interpreted struct", `point{1, 2}`, `main.point{X:1, Y:2}`},
		{"const declaration", `const big = 1 << 10`, ``},
		{"const", `big`, `1024`},
		{"var declaration", `var greeting = "hi"`, ``},
		{"var", `greeting + "!"`, `"hi!"`},
		{"comment only", `// nothing`, ``},
		{"empty", ``, ``},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := f.eval(t, tc.src)
			if tc.want == "" {
				if res.HasValue {
					t.Errorf("%q printed %s, want nothing", tc.src, res.Value)
				}
				return
			}
			if !res.HasValue || res.Value != tc.want {
				t.Errorf("%q = %q (HasValue %v), want %q", tc.src, res.Value, res.HasValue, tc.want)
			}
		})
	}
}

func TestDeclarationsPersist(t *testing.T) {
	f := newFixture(t, nil)
	f.eval(t, `type counter struct{ n int }`)
	f.eval(t, `func (c *counter) inc() int { c.n++; return c.n }`)
	f.eval(t, `var c = &counter{}`)
	f.eval(t, `c.inc()`)
	if got := f.value(t, `c.inc()`); got != "2" {
		t.Errorf("c.inc() = %s, want 2", got)
	}
	f.eval(t, `func double(n int) int { return 2 * n }`)
	f.eval(t, `func double(n int) int { return 3 * n }`) // redefinition wins, as in a REPL
	if got := f.value(t, `double(2)`); got != "6" {
		t.Errorf("double(2) = %s, want 6", got)
	}
}

func TestValueTooDeepOrCyclic(t *testing.T) {
	f := newFixture(t, nil)
	got := f.value(t, `m := map[string]any{}; m["self"] = m; m`)
	if want := `map[string]interface {}{"self":<cycle: map[string]interface {}>}`; got != want {
		t.Errorf("cyclic map printed %q, want %q", got, want)
	}
	got = f.value(t, `s := make([]int, 1<<21); s`)
	if len(got) > maxValueLen+100 || !strings.Contains(got, "… (2097052 more)") {
		t.Errorf("huge slice printed %d bytes: %q", len(got), got)
	}
}

func TestOutputGoesToOptionWriters(t *testing.T) {
	f := newFixture(t, nil)
	for _, tc := range []struct {
		name, src string
		stdout    string
		stderr    string
	}{
		{"fmt.Println", `fmt.Println("println")`, "println\n", ""},
		{"fmt.Printf", `fmt.Printf("%d-%s\n", 1, "printf")`, "1-printf\n", ""},
		{"fmt.Print", `fmt.Print("print")`, "print", ""},
		{"println builtin", `println("builtin")`, "builtin\n", ""},
		{"print builtin", `print("b")`, "b", ""},
		{"os.Stdout.Write", `os.Stdout.Write([]byte("write"))`, "write", ""},
		{"fmt.Fprintln(os.Stdout)", `fmt.Fprintln(os.Stdout, "fprintln")`, "fprintln\n", ""},
		{"os.Stderr", `fmt.Fprint(os.Stderr, "stderr")`, "", "stderr"},
		{"log.Print", `log.Print("logged")`, "", "logged\n"},
		{"log.New", `log.New(os.Stderr, "p: ", 0).Print("new")`, "", "p: new\n"},
		// The channel is local: a goroutine using a session-level variable
		// races with yaegi growing its global frame (see the package doc).
		{"goroutine", `func() { done := make(chan bool); go func() { fmt.Println("from goroutine"); done <- true }(); <-done }()`, "from goroutine\n", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			outBefore, errBefore := len(f.stdout.String()), len(f.stderr.String())
			f.eval(t, tc.src)
			out, errOut := f.stdout.String()[outBefore:], f.stderr.String()[errBefore:]
			if out != tc.stdout {
				t.Errorf("stdout got %q, want %q", out, tc.stdout)
			}
			if !strings.HasSuffix(errOut, tc.stderr) || (tc.stderr == "" && errOut != "") {
				t.Errorf("stderr got %q, want it to end with %q", errOut, tc.stderr)
			}
		})
	}
}

func TestNilWritersDiscard(t *testing.T) {
	in, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	if _, err := in.Eval(context.Background(), `fmt.Println("x"); println("y"); log.Print("z")`); err != nil {
		t.Fatal(err)
	}
}

func TestErrorsPointAtTheUsersInput(t *testing.T) {
	f := newFixture(t, nil)
	for _, tc := range []struct{ name, src, want string }{
		{"undefined on line 2", "x := 1\ny := undefinedVar", "2:6: undefined: undefinedVar"},
		{"type mismatch in expression", "n := 1\n\n  n + \"a\"", "3:3: invalid operation: mismatched types int and untyped string"},
		{"syntax error", "x := )", "1:6: expected operand, found ')'"},
		{"unexpected end", "x := ", "1:6: expected operand, found end of input"},
		{"top-level return", "return", "1:1: return is only allowed inside a function"},
		{"top-level defer", `defer println("x")`, "1:1: defer is only supported inside a function"},
		{"func main", `func main() { println("again") }`, "1:6: the name main cannot be declared here (the interpreter would run it after every input)"},
		{"main variable", `x, main := 1, 2`, "1:4: the name main cannot be declared here (the interpreter would run it after every input)"},
		{"reserved prefix", `__mh := 1`, "1:1: names starting with __mh are reserved"},
		// Each of these overflowed the stack of yaegi's compiler, a fatal
		// error for the whole process (found by FuzzEval).
		{"func name as its parameter type", `func f(x f) {}`, "1:10: f is not a type"},
		{"func name as its result type", `func g() g { return nil }`, "1:10: g is not a type"},
		{"parameter name as result type", `func h(h int) h { return 0 }`, "1:15: h is not a type"},
		{"func name shadowed by parameter", `func A(A A) A { return (0) }`, "1:10: A is not a type"},
		{"session variable as a type", "v := 1\nvar w v", "2:7: v is not a type"},
		{"namespace value as a type", `var s store`, "1:7: store is not a type"},
		{"recursive alias", `type T = *T`, "1:6: invalid recursive type alias T"},
		{"recursive alias in a struct", `type T = struct{ next *T }`, "1:6: invalid recursive type alias T"},
		{"alias cycle", "type A = []B\ntype B = A", "1:6: invalid recursive type alias A"},
		// yaegi's compiler instantiated these without end, eating memory
		// until the host died.
		{"instantiation cycle", "func f[P any](n int) { if n > 0 { f[[]P](n-1) } }", "1:35: instantiation cycle: f instantiates f with a type built from its own type parameters"},
		{"inferred instantiation cycle", "func f[P any](n int, x P) { if n > 0 { f(n-1, []P{x}) } }", "1:40: instantiation cycle: f instantiates f with a type built from its own type parameters"},
		{"inferred instantiation cycle through a pointer", "func f[P any](n int, x P) { if n > 0 { f(n-1, &x) } }", "1:40: instantiation cycle: f instantiates f with a type built from its own type parameters"},
		{"mutual instantiation cycle", "func a[P any]() { b[map[string]P]() }\nfunc b[Q any]() { a[Q]() }", "1:19: instantiation cycle: a instantiates b with a type built from its own type parameters"},
		// yaegi's compiler recursed until the stack was exhausted (a
		// fatal error) instantiating g[int] with a float64.
		{"type parameter local to a concrete instantiation", "func g[T any](n T) T { var x T; if false { g[int](x) }; return n }", "1:51: cannot use x (value of type T) as int value in argument to g[int]"},
		{"type parameter copy to a concrete instantiation", "func g[T any](n T) T { m := n; if false { g[int](m) }; return n }", "1:50: cannot use m (value of type T) as int value in argument to g[int]"},
		{"type parameter value to a concrete instantiation", "func g[T int | float64](n T) T { if n < 2 { return n }; return g[int](n-1) }", "1:71: cannot use n - 1 (value of type T) as int value in argument to g[int]"},
		{"recursive generic type", "type T[P any] struct{ x *T[T[P]] }", "1:26: instantiation cycle: T instantiates T with a type built from its own type parameters"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.in.Eval(context.Background(), tc.src)
			if err == nil || err.Error() != tc.want {
				t.Errorf("Eval(%q) error = %v, want %q", tc.src, err, tc.want)
			}
			if got := f.value(t, "1+1"); got != "2" {
				t.Errorf("after the error, 1+1 = %s", got)
			}
		})
	}
}

func TestGenericRecursionAllowed(t *testing.T) {
	f := newFixture(t, nil)
	f.eval(t, "func count[P any](n int, x P) int { if n == 0 { return 0 }; return 1 + count(n-1, x) }")
	if got := f.value(t, `count(3, "a")`); got != "3" {
		t.Errorf("count = %s, want 3", got)
	}
	f.eval(t, "type List[T any] struct{ v T; next *List[T] }")
	f.eval(t, "func (l *List[T]) Len() int { if l == nil { return 0 }; return 1 + l.next.Len() }")
	if got := f.value(t, `(&List[int]{v: 1, next: &List[int]{v: 2}}).Len()`); got != "2" {
		t.Errorf("Len = %s, want 2", got)
	}
}

func TestAliasCycleAcrossInputs(t *testing.T) {
	f := newFixture(t, nil)
	f.eval(t, `type C = []D`) // yaegi resolves D lazily
	_, err := f.in.Eval(context.Background(), `type D = map[string]C`)
	if err == nil || err.Error() != "1:6: invalid recursive type alias D" {
		t.Fatalf("error = %v", err)
	}
	if got := f.value(t, "1+1"); got != "2" {
		t.Fatalf("1+1 = %s", got)
	}
}

func TestEvalAfterClose(t *testing.T) {
	in, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := in.Close(); err != nil {
		t.Fatal(err)
	}
	if err := in.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if _, err := in.Eval(context.Background(), "1"); err != ErrClosed {
		t.Fatalf("Eval after Close: %v, want ErrClosed", err)
	}
}
