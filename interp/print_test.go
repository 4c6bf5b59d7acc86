package interp

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// printDecls are the session's types the printing tests use. Their fields
// differ: yaegi gives struct types of the same fields one reflect type.
const printDecls = `
type MyS struct{ A int; b string }
type Em struct{}
type St struct{ n int }
func (s St) String() string { return "st!" }
type E2 struct{ code int }
func (e E2) Error() string { return fmt.Sprintf("e2 %d", e.code) }
type PS struct{ ps int }
func (p *PS) String() string { return "ps!" }
type GS struct{ gs int }
func (g GS) GoString() string { return "GS!" }
type Boom struct{ boom int }
func (b Boom) String() string { panic("boom") }
type Loop struct{ loops int }
func (l Loop) String() string { for {} }
type C int
func (c C) String() string { return "cc" }
type Fm struct{ fm int }
func (f Fm) Format(s fmt.State, verb rune) { fmt.Fprintf(s, "Fm<%c>", verb) }
type Host struct{ At time.Duration; s *St }
type PE struct{ m string }
func (e *PE) Error() string { return "pe " + e.m }
`

func printFixture(t *testing.T) *fixture {
	t.Helper()
	f := newFixture(t, nil)
	f.eval(t, printDecls)
	return f
}

// Go's output for each of these is what the compiled program prints.
func TestPrintSessionTypesWithFmt(t *testing.T) {
	f := printFixture(t)
	for _, tc := range []struct{ src, want string }{
		{`fmt.Sprintf("%+v %T", MyS{1, "x"}, MyS{})`, `{A:1 b:x} main.MyS`},
		{`fmt.Sprintf("%v|%#v", MyS{1, "x"}, MyS{1, "x"})`, `{1 x}|main.MyS{A:1, b:"x"}`},
		{`fmt.Sprintf("%d|%x|%5v|%-4v|", MyS{3, "z"}, MyS{255, "z"}, MyS{1, "x"}, MyS{1, "x"})`, `{3 %!d(string=z)}|{ff 7a}|{    1     x}|{1    x   }|`},
		{`fmt.Sprintf("%12T|%-9T|%.4T|", MyS{}, MyS{}, MyS{})`, `    main.MyS|main.MyS |main|`},
		{`fmt.Sprintf("%[2]T %[1]v %[2]T", MyS{1, "x"}, St{})`, `main.St {1 x} main.St`},
		{`fmt.Sprintf("%*d %T", 3, 7, MyS{})`, `  7 main.MyS`},
		// Nested: slices, maps, pointers, interfaces.
		{`fmt.Sprintf("%+v %T", []MyS{{1, "a"}, {2, "b"}}, []MyS{})`, `[{A:1 b:a} {A:2 b:b}] []main.MyS`},
		{`fmt.Sprintf("%#v", []MyS{{1, "a"}})`, `[]main.MyS{main.MyS{A:1, b:"a"}}`},
		{`fmt.Sprintf("%#v", []MyS(nil))`, `[]main.MyS(nil)`},
		{`fmt.Sprintf("%+v %T", map[string]MyS{"k": {1, "a"}}, map[string]MyS{})`, `map[k:{A:1 b:a}] map[string]main.MyS`},
		{`fmt.Sprintf("%#v", map[int]MyS{2: {2, "b"}, 1: {1, "a"}})`, `map[int]main.MyS{1:main.MyS{A:1, b:"a"}, 2:main.MyS{A:2, b:"b"}}`},
		{`fmt.Sprintf("%+v %T", &MyS{1, "x"}, &MyS{})`, `&{A:1 b:x} *main.MyS`},
		{`fmt.Sprintf("%#v", &MyS{1, "x"})`, `&main.MyS{A:1, b:"x"}`},
		{`p := &MyS{}; s := fmt.Sprintf("%v", []*MyS{p}); s == fmt.Sprintf("[%p]", p)`, `true`},
		{`fmt.Sprintf("%#v", []*MyS{nil})`, `[]*main.MyS{(*main.MyS)(nil)}`},
		{`fmt.Sprintf("%+v", []any{MyS{1, "x"}, 2, nil})`, `[{A:1 b:x} 2 <nil>]`},
		{`var a any = MyS{1, "x"}; fmt.Sprintf("%+v %T", a, a)`, `{A:1 b:x} main.MyS`},
		{`fmt.Sprintf("%v", Host{At: time.Second, s: &St{}})`, `{1s st!}`},
		{`fmt.Sprintf("%+v", struct{ In MyS }{MyS{1, "x"}})`, `{In:{A:1 b:x}}`},
		// Methods: String, Error, GoString, pointer receivers, a Formatter.
		{`fmt.Sprintf("%v %s %q %T %#v %d", St{1}, St{1}, St{1}, St{1}, St{1}, St{3})`, `st! st! "st!" main.St main.St{n:1} {3}`},
		{`fmt.Sprintf("%v %+v %v", []St{{1}, {2}}, map[St]int{{1}: 1}, &St{})`, `[st! st!] map[st!:1] st!`},
		{`fmt.Sprintf("%v|%v|%T", E2{7}, []E2{{8}}, E2{})`, `e2 7|[e2 8]|main.E2`},
		{`fmt.Sprintf("%v %v %v", PS{1}, &PS{1}, []*PS{{2}})`, `{1} ps! [ps!]`},
		{`var np *St; fmt.Sprintf("%v", np)`, `<nil>`},
		{`fmt.Sprintf("%#v %v", GS{1}, GS{1})`, `GS! {1}`},
		{`fmt.Sprintf("%v", Boom{})`, `%!v(PANIC=String method: boom)`},
		{`fmt.Sprintf("%v %d", Fm{}, Fm{})`, `Fm<v> Fm<d>`},
		{`fmt.Sprintf("%v %s", C(1), C(2))`, `cc cc`},
		// A session value with methods in an interface: yaegi stores it
		// in a wrapper of its own, which fmt printed field by field.
		{`fmt.Sprintf("%v %+v", []any{St{1}, 2}, map[string]any{"k": St{2}})`, `[st! 2] map[k:st!]`},
		{`fmt.Sprintf("%v", struct{ A any }{St{1}})`, `{st!}`},
		{`var a any = St{1}; fmt.Sprintf("%v %T", []any{a}, a)`, `[st!] main.St`},
		// A session type over a basic type with a String method: yaegi
		// hands fmt its fmt.Stringer wrapper.
		{`fmt.Sprintf("%v %d %s %x %5v|", C(1), C(3), C(2), C(255), C(4))`, `cc 3 cc 6363    cc|`},
		// An error holding a session value, inside composites: yaegi's
		// wrapper printed its fields (IValue, WError) for %#v.
		{`var err error = &PE{"x"}; fmt.Sprintf("%v|%#v|%T|%s", []any{err}, []error{nil}, err, []error{err})`, `[pe x]|[]error{error(nil)}|*main.PE|[pe x]`},
		{`var err error = &PE{"x"}; fmt.Sprintf("%#v", err)`, `&main.PE{m:"x"}`},
		// %+v of a pointer field prints no plus sign, as fmt clears it.
		{`p := &MyS{}; s := fmt.Sprintf("%+v", struct{ M MyS; P *MyS }{MyS{1, "x"}, p}); s == fmt.Sprintf("{M:{A:1 b:x} P:%p}", p)`, `true`},
		// The other print functions.
		{`fmt.Sprint(MyS{1, "x"}, St{})`, `{1 x} st!`},
		{`fmt.Sprintln(MyS{1, "x"}, St{})`, "{1 x} st!\n"},
		{`fmt.Errorf("bad %+v: %v", MyS{1, "x"}, E2{3}).Error()`, `bad {A:1 b:x}: e2 3`},
		{`p := &MyS{}; fmt.Sprintf("%p %T", p, p) == fmt.Sprintf("%p", any(p)) + " *main.MyS"`, `true`},
		{`string(fmt.Appendf(nil, "%T", MyS{}))`, `main.MyS`},
		{`var b strings.Builder; fmt.Fprintf(&b, "%+v", MyS{1, "x"}); b.String()`, `{A:1 b:x}`},
		// Nothing of the session's: fmt's own output.
		{`fmt.Sprintf("%+v %T %v", struct{ A int }{1}, 1.5, map[int]string{10: "a", 9: "b", 2: "d"})`, `{A:1} float64 map[2:d 9:b 10:a]`},
		{`fmt.Sprintf("%d %!", 1)`, `1 %!!(MISSING)`},
		{`fmt.Sprintf("%T %T", MyS{})`, `main.MyS %!T(MISSING)`},
	} {
		got := f.value(t, tc.src)
		want := fmt.Sprintf("%q", tc.want)
		if tc.want == "true" {
			want = "true"
		}
		if got != want {
			t.Errorf("%s\n got %s\nwant %s", tc.src, got, want)
		}
	}
	f.eval(t, `fmt.Printf("%+v %T\n", MyS{1, "x"}, MyS{}); fmt.Println(St{}, []E2{{1}}); log.Printf("%+v", MyS{2, "y"})`)
	if got, want := f.stdout.String(), "{A:1 b:x} main.MyS\nst! [e2 1]\n"; got != want {
		t.Errorf("stdout = %q, want %q", got, want)
	}
	if got := f.stderr.String(); !strings.HasSuffix(got, " {A:2 b:y}\n") {
		t.Errorf("log's stderr = %q, want it to end in {A:2 b:y}", got)
	}
}

func TestPrintSessionTypesAtTheREPL(t *testing.T) {
	f := printFixture(t)
	for _, tc := range []struct{ src, want string }{
		{`MyS{1, "x"}`, `main.MyS{A:1, b:"x"}`},
		{`Em{}`, `main.Em{}`},
		{`struct{}{}`, `struct {}{}`},
		{`St{3}`, `st!`},
		{`&St{3}`, `st!`},
		{`E2{4}`, `e2 4`},
		{`PS{1}`, `main.PS{ps:1}`},
		{`&PS{1}`, `ps!`},
		{`C(2)`, `cc`},
		// Variables and constants of a session type that is a basic
		// type: yaegi's value is the basic type, and what the session
		// declared tells it is a C.
		{`c := C(2); c`, `cc`},
		{`var c2 C = 3; c2`, `cc`},
		{`c3 := C(2)`, ``},
		{`c3`, `cc`},
		{`c3 + 1`, `cc`},
		{`-c3`, `cc`},
		{`const k C = 1; k`, `cc`},
		{`const k2 C = 1`, ``},
		{`k2`, `cc`},
		{`n := int(c3); n`, `2`},
		{`const ( idle C = iota; running )`, ``},
		{`running`, `cc`},
		{`const ( idle2 = C(iota); running2 )`, ``},
		{`running2`, `cc`},
		{"type T2 int\nfunc (T2) String() string { return \"t2\" }\nt2 := T2(1)\nvar t3 = T2(2)", ``},
		{`t2`, `t2`},
		{`t3 * 2`, `t2`},
		{`Boom{}`, `%!v(PANIC=String method: boom)`},
		{`var err error = &PE{"x"}; s := fmt.Sprint([]any{err}); s`, `"[pe x]"`},
		{`var err error = &PE{"x"}; []error{err}[0] == err`, `true`},
		{`var err error = &PE{"x"}; p := err.(*PE); s := fmt.Sprintf("%v", []error{err}); s == "[pe x]" && p.m == "x"`, `true`},
		{`[]any{MyS{1, "x"}, St{2}, 3}`, `[]interface {}{main.MyS{A:1, b:"x"}, main.St{n:2}, 3}`},
		{`var x any = St{1}; x`, `st!`},
		{`map[string]any{"s": St{1}}`, `map[string]interface {}{"s":main.St{n:1}}`},
		{`[]St{{1}}`, `[]main.St{main.St{n:1}}`},
		{`map[int]string{10: "a", 9: "b", 2: "d"}`, `map[int]string{2:"d", 9:"b", 10:"a"}`},
		{`map[float64]bool{2.5: true, -1: false, 10: true}`, `map[float64]bool{-1:false, 2.5:true, 10:true}`},
		{`map[bool]int{true: 1, false: 0}`, `map[bool]int{false:0, true:1}`},
		{`map[[2]int]int{{2, 1}: 0, {1, 9}: 1, {1, 2}: 2}`, `map[[2]int]int{[2]int{1, 2}:2, [2]int{1, 9}:1, [2]int{2, 1}:0}`},
	} {
		if got := f.value(t, tc.src); got != tc.want {
			t.Errorf("%s\n got %s\nwant %s", tc.src, got, tc.want)
		}
	}
}

// A String method that loops for ever is stopped like any evaluation,
// called by the REPL's printer or by fmt; the session goes on.
func TestPrintSessionStringInterrupted(t *testing.T) {
	f := printFixture(t)
	for _, src := range []string{`Loop{}`, `fmt.Sprint(Loop{})`, `fmt.Sprint([]Loop{{}})`} {
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		_, err := f.in.Eval(ctx, src)
		cancel()
		if err == nil || !strings.Contains(err.Error(), "timed out") {
			t.Errorf("%s: err = %v, want a time-out", src, err)
		}
		if got := f.value(t, `St{}`); got != "st!" {
			t.Fatalf("after %s: St{} = %s", src, got)
		}
	}
}

// A map cut at maxElems shows its first keys in order.
func TestPrintBigMapFirstKeys(t *testing.T) {
	f := newFixture(t, nil)
	got := f.value(t, `m := map[int]int{}; for i := 0; i < 1000; i++ { m[999-i] = i }; m`)
	got = strings.Join(strings.Fields(got), " ") // keys are aligned
	for i := 0; i < maxElems; i++ {
		if !strings.Contains(got, fmt.Sprintf("%d: %d,", i, 999-i)) {
			t.Fatalf("key %d missing from\n%s", i, got)
		}
	}
	if strings.Contains(got, fmt.Sprintf(" %d: ", maxElems)) || !strings.Contains(got, "… (900 more)") {
		t.Errorf("want the first %d keys and a note of 900 more, got\n%s", maxElems, got)
	}
}

// Several sessions print their own types at once: names are per session
// (the same declaration gives each its own reflect type, or the same one).
func TestPrintSessionTypesConcurrently(t *testing.T) {
	const sessions, rounds = 4, 20
	var wg sync.WaitGroup
	for i := range sessions {
		f := newFixture(t, nil)
		wg.Add(1)
		go func() {
			defer wg.Done()
			f.eval(t, fmt.Sprintf("type T%d struct{ v int }\nfunc (x T%d) String() string { return \"t%d\" }", i, i, i))
			for range rounds {
				want := fmt.Sprintf(`"main.T%d t%d map[1:t%d]"`, i, i, i)
				src := fmt.Sprintf(`fmt.Sprintf("%%T %%v %%v", T%d{}, []T%d{{}}[0], map[int]T%d{1: {}})`, i, i, i)
				if got := f.value(t, src); got != want {
					t.Errorf("session %d: %s = %s, want %s", i, src, got, want)
					return
				}
				if got := f.value(t, fmt.Sprintf("T%d{}", i)); got != fmt.Sprintf("t%d", i) {
					t.Errorf("session %d: T%d{} = %s", i, i, got)
					return
				}
			}
		}()
	}
	wg.Wait()
}

// An error holding a session value prints as that value inside a
// composite, not as yaegi's wrapper; a panic with a session value prints
// its Error or String text, or the value by its declared name.
func TestPrintSessionErrorsAndPanics(t *testing.T) {
	f := printFixture(t)
	f.eval(t, `var err error = &PE{"x"}`)
	for src, want := range map[string]string{
		`[]error{err, io.EOF}`:       `^\[\]error\{\(\*main\.PE\)\(0x[0-9a-f]+\), \(\*errors\.errorString\)\(0x[0-9a-f]+\)\}$`,
		`map[string]error{"a": err}`: `^map\[string\]error\{"a":\(\*main\.PE\)\(0x[0-9a-f]+\)\}$`,
		`struct{ H error }{err}`:     `^struct \{ H error \}\{H:\(\*main\.PE\)\(0x[0-9a-f]+\)\}$`,
	} {
		if got := f.value(t, src); !regexp.MustCompile(want).MatchString(got) {
			t.Errorf("%s = %s, want %s", src, got, want)
		}
	}
	for src, want := range map[string]string{
		`panic(&PE{"p"})`:    `panic: pe p`,
		`panic(St{1})`:       `panic: st!`,
		`panic(MyS{1, "x"})`: `panic: main.MyS{A:1, b:"x"}`,
		`panic(err)`:         `panic: pe x`,
	} {
		if _, err := f.in.Eval(context.Background(), src); err == nil || err.Error() != want {
			t.Errorf("%s: %v, want %s", src, err, want)
		}
	}
}
