package interp

import (
	"context"
	"go/ast"
	"go/build"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// fileIdents lists the identifiers of f in walk order.
func fileIdents(f *ast.File) []*ast.Ident {
	var ids []*ast.Ident
	ast.Inspect(f, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok {
			ids = append(ids, id)
		}
		return true
	})
	return ids
}

var objKinds = map[ast.ObjKind]objKind{
	ast.Var: varObj, ast.Con: constObj, ast.Typ: typeObj, ast.Fun: funcObj, ast.Lbl: labelObj,
}

// compareResolution parses src with go/parser's object resolution and
// with resolve, and reports where they differ: which identifiers are
// resolved, to what kind, declared where, and which identifiers share a
// declaration; and the first declaration error.
func compareResolution(t *testing.T, name, src string) {
	t.Helper()
	fa, errA := parser.ParseFile(token.NewFileSet(), name, src, parser.DeclarationErrors)
	fset := token.NewFileSet()
	fb, errB := parser.ParseFile(fset, name, src, parser.SkipObjectResolution)
	res := resolution{}
	if errB == nil {
		errB = resolve(fset, fb, res)
	}
	if (errA == nil) != (errB == nil) || errA != nil && firstError(errA) != firstError(errB) {
		t.Errorf("%s: go/parser says %v, resolve says %v", name, errA, errB)
		return
	}
	if fa == nil || fb == nil || errA != nil {
		return
	}
	a, b := fileIdents(fa), fileIdents(fb)
	if len(a) != len(b) {
		t.Fatalf("%s: %d and %d identifiers", name, len(a), len(b))
	}
	//lint:ignore SA1019 the resolver is compared with go/parser's deprecated resolution
	same := map[*ast.Object]*object{}
	for i := range a {
		pos := fset.Position(b[i].Pos())
		oa, ob := a[i].Obj, res[b[i]]
		switch {
		case oa == nil && ob == nil:
			continue
		case oa == nil || ob == nil:
			t.Errorf("%s: %s %s: go/parser resolved it to %v, resolve to %v", name, pos, a[i].Name, oa, ob)
			continue
		case objKinds[oa.Kind] != ob.kind:
			t.Errorf("%s: %s %s: kinds %v and %d", name, pos, a[i].Name, oa.Kind, ob.kind)
		}
		if d, ok := oa.Decl.(ast.Node); !ok || d.Pos() != ob.decl.Pos() {
			t.Errorf("%s: %s %s: declared at %v and at %v", name, pos, a[i].Name, oa.Decl, ob.decl)
		}
		if prev, ok := same[oa]; ok && prev != ob {
			t.Errorf("%s: %s %s: resolve made two objects of one", name, pos, a[i].Name)
		}
		same[oa] = ob
	}
}

func firstError(err error) string {
	if err == nil {
		return ""
	}
	return strings.SplitN(err.Error(), " (and ", 2)[0]
}

// TestResolveAsGoParser compares resolve with go/parser's own object
// resolution, which the rewrites relied on, over yaegi's test corpus and
// the sources of go/ast, go/parser and go/types.
func TestResolveAsGoParser(t *testing.T) {
	var files []string
	m, _ := filepath.Glob(filepath.Join(yaegiModuleDir(t), "_test", "*.go"))
	files = append(files, m...)
	for _, pkg := range []string{"go/ast", "go/parser", "go/types", "net/http"} {
		m, _ := filepath.Glob(filepath.Join(build.Default.GOROOT, "src", pkg, "*.go"))
		files = append(files, m...)
	}
	if len(files) < 500 {
		t.Fatalf("only %d files to compare", len(files))
	}
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		compareResolution(t, f, string(src))
	}
}

// TestResolveShadowing checks the cases the passes must get right, each
// against go/parser's resolution and by what an evaluation shows.
func TestResolveShadowing(t *testing.T) {
	for _, src := range []string{
		// a local named like a package
		"package main; func f() { strings := []string{\"a\"}; _ = len(strings); fmt := 1; _ = fmt }",
		// a parameter shadowing a package-level name
		"package main; var n = 1; func f(n int) int { return n + 1 }",
		// a type and a variable of one name in nested scopes
		"package main; type T int; func f() { var T = 2; { type T string; var x T; _ = x }; _ = T }",
		// labels, and a label named like a variable
		"package main; func f() { L := 1; L: for { for { continue L }; break L }; _ = L }",
		// closures
		"package main; func f() func() int { x := 1; return func() int { x := x + 1; return x } }",
		// for-loop variables
		"package main; func f() { for i := 0; i < 3; i++ { i := i; _ = i }; for k, v := range \"ab\" { _, _ = k, v } }",
		// a type switch with x := y.(type)
		"package main; func f(y any) { switch x := y.(type) { case int: _ = x + 1; case string: _ = x + \"\"; default: _ = x } }",
		// generic methods: receiver type parameters stay unresolved
		"package main; type L[T any] []T; func (l L[T]) At(i int) T { var z T; _ = z; return l[i] }",
		// composite literal keys
		"package main; type P struct{ X int }; func f() { X := 1; _ = P{X: X}; _ = map[string]int{\"a\": X} }",
		// declaration errors
		"package main; func f() { a := 1; a := 2 }",
		"package main; func f() { var a int; var a string }",
		"package main; func f() { goto M }",
		// scopes nested deeper than go/parser resolved
		"package main; func f() {" + strings.Repeat("{", 1100) + strings.Repeat("}", 1100) + "}",
		"package main; func f() { goto L; " + strings.Repeat("if true {", 1100) + strings.Repeat("}", 1100) + "}",
	} {
		compareResolution(t, "x.go", src)
	}
}

// TestShadowedNames evaluates inputs whose rewrites depend on what a
// name refers to.
func TestShadowedNames(t *testing.T) {
	in, err := New(Options{Namespace: map[string]any{"limit": 3}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { in.Close() })
	for _, c := range []struct{ src, want string }{
		// a local named like a package is not auto-imported
		{"strings := []string{\"b\", \"a\"}; len(strings)", "2"},
		{"func up(strings string) string { return strings + \"!\" }; up(\"x\")", `"x!"`},
		// a parameter shadowing a namespace value
		{"func twice(limit int) int { return limit * 2 }; twice(5)", "10"},
		{"limit", "3"},
		// a type and a variable of one name in nested scopes
		{"type T int; func g() string { var T = \"v\"; { type T []int; _ = T{1} }; return T }; g()", `"v"`},
		// labels
		{"n := 0; L: for i := range 3 { for j := range 3 { if j == 1 { continue L }; n += i*10 + j } }; n", "30"},
		// closures and per-iteration loop variables
		{"var fs []func() int; for i := 0; i < 3; i++ { fs = append(fs, func() int { return i }) }; fs[0]() + fs[2]()", "2"},
		{"x := 1; f := func() int { x := x + 10; return x }; f() + x", "12"},
		// a type switch with x := y.(type)
		{"func kind(y any) string { switch x := y.(type) { case int: return \"int\"; case string: return x + \"!\" }; return \"?\" }; kind(\"s\")", `"s!"`},
		// min and max as locals
		{"func m() int { min := 7; return min }; m()", "7"},
		{"max(2, limit)", "3"},
		// a local variable named len
		{"func h() int { len := 4; return len }; h()", "4"},
	} {
		res, err := in.Eval(context.Background(), c.src)
		if err != nil {
			t.Errorf("%s: %v", c.src, err)
			continue
		}
		if res.Value != c.want {
			t.Errorf("%s = %s, want %s", c.src, res.Value, c.want)
		}
	}
}

var objUse = regexp.MustCompile(`\.Obj\b`)

// TestNoIdentObj keeps the deprecated ast.Ident.Obj out of the package:
// the input is parsed without it (parser.SkipObjectResolution), so a
// pass reading it would see nil everywhere.
func TestNoIdentObj(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(src), "\n") {
			code, _, _ := strings.Cut(line, "//")
			if objUse.MatchString(code) {
				t.Errorf("%s:%d: reads .Obj: %s", f, i+1, strings.TrimSpace(line))
			}
		}
	}
}

// TestSignatureKeepsResolution: a signature kept for later inputs
// (funcResults) resolves as in its own input, where go/parser's objects
// stayed on it: the result type T of a generic function is its type
// parameter, not the session's type T.
func TestSignatureKeepsResolution(t *testing.T) {
	in, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { in.Close() })
	for _, src := range []string{"type T int", "func Zero[T any]() T { var z T; return z }", "1"} {
		if _, err := in.Eval(context.Background(), src); err != nil {
			t.Fatalf("%s: %v", src, err)
		}
	}
	id := in.funcResults["Zero"].Results.List[0].Type.(*ast.Ident)
	o := in.obj(id)
	if o == nil || o.kind != typeObj {
		t.Fatalf("Zero's result type resolves to %+v, want its type parameter", o)
	}
	if _, ok := o.decl.(*ast.Field); !ok {
		t.Errorf("Zero's result type is declared by %T, want the type parameter's *ast.Field", o.decl)
	}
	if got := (&inferer{s: in}).typeExprType(id); got.kind != unknownType.kind || got.named != "" {
		t.Errorf("Zero's result type is inferred as %+v: the session's T, not the type parameter", got)
	}
	if _, err := in.Eval(context.Background(), "func Zero() int { return 0 }"); err != nil {
		t.Fatal(err)
	}
	if in.sigs[id] != nil {
		t.Error("the replaced signature's names are still kept")
	}
}

// TestResolveGroupedGenericType: go/parser left a type declared after a
// generic type in the same group unresolved (the type parameters' scope
// stayed open over the rest of the group); resolve declares it in the
// package scope, as Go does.
func TestResolveGroupedGenericType(t *testing.T) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "x.go", "package main; type ( A[T any] struct{ x T }; B int ); var b B", parser.SkipObjectResolution)
	if err != nil {
		t.Fatal(err)
	}
	res := resolution{}
	if err := resolve(fset, f, res); err != nil {
		t.Fatal(err)
	}
	b := f.Decls[1].(*ast.GenDecl).Specs[0].(*ast.ValueSpec).Type.(*ast.Ident)
	if o := res[b]; o == nil || o.kind != typeObj || o.decl != f.Decls[0].(*ast.GenDecl).Specs[1] {
		t.Errorf("B resolves to %+v, want B's type spec", o)
	}
}
