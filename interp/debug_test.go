package interp

import (
	"context"
	"go/ast"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// SetDebugRewrite's hook gets each source yaegi compiles for an input, in
// order, and nothing once it is turned off.
func TestSetDebugRewrite(t *testing.T) {
	f := newFixture(t, nil)
	var got []string
	f.in.SetDebugRewrite(func(src string) { got = append(got, src) })
	f.eval(t, "x := 3")
	if res := f.eval(t, "strings.Repeat(\"a\", min(x, 2))"); res.Value != `"aa"` {
		t.Fatalf("result %q", res.Value)
	}
	want := []string{
		"__mh.Check()\nx := 3\n__mh.Check()",
		`import "strings"`,
		"package main\n\nfunc init() {\n\tdefer __mh.Guard()()\n\t__mh_1 := x\n\tif 2 < __mh_1 {\n\t\t__mh_1 = 2\n\t}\n\t__mh.Show(strings.Repeat(\"a\", __mh_1))\n}",
	}
	if strings.Join(got, "\n--\n") != strings.Join(want, "\n--\n") {
		t.Errorf("the hook got\n%s\nwant\n%s", strings.Join(got, "\n--\n"), strings.Join(want, "\n--\n"))
	}
	f.in.SetDebugRewrite(nil)
	got = nil
	f.eval(t, "x + 1")
	if got != nil {
		t.Errorf("turned off, the hook still got %q", got)
	}
}

// A move to a new interpreter compiles the session's declarations again:
// the hook sees none of it, only the input that triggered the move.
func TestDebugRewriteNotForRecycles(t *testing.T) {
	f := newFixture(t, nil)
	f.eval(t, `func words() int { return min(len(strings.Fields("a b c")), 5) }`)
	f.eval(t, `type T struct{ N int }`)
	var got []string
	f.in.SetDebugRewrite(func(src string) { got = append(got, src) })
	f.in.nextRecycle = 0 // due at the next input
	before := f.in.recycles
	if res := f.eval(t, "words() + T{N: 1}.N"); res.Value != "4" {
		t.Fatalf("result %q", res.Value)
	}
	if f.in.recycles != before+1 {
		t.Fatalf("the input did not move the session (%d moves, was %d)", f.in.recycles, before)
	}
	if len(got) != 1 || !strings.Contains(got[0], "__mh.Show(words() + T{N: 1}.N)") {
		t.Errorf("the hook got %q, want the input alone", got)
	}
}

// Off, the hook costs no allocation.
func TestDebugRewriteOffAllocatesNothing(t *testing.T) {
	f := newFixture(t, nil)
	n := &ast.BlockStmt{List: []ast.Stmt{&ast.ExprStmt{X: ast.NewIdent("x")}}}
	if a := testing.AllocsPerRun(100, func() {
		f.in.debugSource(n)
		f.in.debugImports([]string{"strings"})
	}); a != 0 {
		t.Errorf("%v allocations per input with the hook off", a)
	}
}

// MANHOLE_DEBUG=rewrite makes New write each source to Stderr. The
// variable is read once per process: the test runs itself again with it.
func TestDebugRewriteEnv(t *testing.T) {
	if os.Getenv("MANHOLE_DEBUG_TEST_CHILD") != "" {
		var stderr safeBuffer
		in, err := New(Options{Stderr: &stderr})
		if err != nil {
			t.Fatal(err)
		}
		defer in.Close()
		if _, err := in.Eval(context.Background(), "for i := range 2 { print(i) }"); err != nil {
			t.Fatal(err)
		}
		os.Stdout.WriteString("STDERR[" + stderr.String() + "]\n")
		return
	}
	for env, want := range map[string]bool{"rewrite": true, "gc,rewrite": true, "": false, "rewrites": false} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestDebugRewriteEnv$", "-test.count=1")
		cmd.Env = append(os.Environ(), "MANHOLE_DEBUG_TEST_CHILD=1", "MANHOLE_DEBUG="+env)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("MANHOLE_DEBUG=%s: %v\n%s", env, err, out)
		}
		_, stderr, _ := strings.Cut(string(out), "STDERR[")
		stderr, _, _ = strings.Cut(stderr, "]\n")
		shown := strings.HasPrefix(stderr, "// rewritten:\npackage main\n\nfunc init() {\n\tdefer __mh.Guard()()\n\tfor __mh_1, __mh_2 := 2, (2) - (2); __mh_2 < __mh_1; __mh_2++ {")
		if shown != want || !want && stderr != "" {
			t.Errorf("MANHOLE_DEBUG=%s: Stderr %q", env, stderr)
		}
	}
}
