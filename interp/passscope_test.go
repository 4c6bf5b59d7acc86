package interp

import (
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// testScope is a session written out by hand: the passes and the
// inferer run against it with no interpreter behind them.
type testScope struct {
	res        resolution
	names      map[string]sessionName
	funcs      map[string]*ast.FuncType
	aliases    map[string][]string
	globals    map[string]reflect.Value
	pkgs       map[string]map[string]reflect.Value // by name, which is the path
	valueRecv  map[string]bool
	needErrors bool
	temps      int
}

func (s *testScope) obj(id *ast.Ident) *object { return s.res[id] }

func (s *testScope) unresolved(id *ast.Ident) bool {
	_, named := s.names[id.Name]
	_, isPkg := s.pkgs[id.Name]
	return s.res[id] == nil && !predeclared[id.Name] && !named && !isPkg
}

func (s *testScope) session(name string) sessionName        { return s.names[name] }
func (s *testScope) funcType(key string) *ast.FuncType      { return s.funcs[key] }
func (s *testScope) aliasRefs(name string) []string         { return s.aliases[name] }
func (s *testScope) globalValues() map[string]reflect.Value { return s.globals }
func (s *testScope) namedType(reflect.Type) string          { return "" }
func (s *testScope) printChecked(string) bool               { return false }
func (s *testScope) mainType(string) bool                   { return false }
func (s *testScope) needErrorHelpers()                      { s.needErrors = true }
func (s *testScope) needGenericHelpers()                    {}
func (s *testScope) valueReceiver(key string) bool          { return s.valueRecv[key] }
func (s *testScope) printsItself(string) bool               { return false }
func (s *testScope) alias(copy, id *ast.Ident)              { s.res.alias(copy, id) }
func (s *testScope) fresh(prefix string) string             { s.temps++; return prefix + strconv.Itoa(s.temps) }
func (s *testScope) pkgName(path string) (string, bool)     { _, ok := s.pkgs[path]; return path, ok }
func (s *testScope) symbol(p, name string) (reflect.Value, bool) {
	v, ok := s.pkgs[p][name]
	return v, ok
}

func (s *testScope) pkgPath(name string) (string, bool) {
	if _, ok := s.names[name]; ok {
		return "", false
	}
	_, ok := s.pkgs[name]
	return name, ok
}

type scopeCache struct {
	Hits int
	m    map[string]int
}

func (c *scopeCache) Len() int { return len(c.m) }

// newTestScope returns a session with a namespace value cache (a
// *scopeCache) and nums (a []int), an error value boom, a float64
// variable rate, the functions double(int) int, nothing() and the generic
// Map, an alias A = B, a struct type P with a value method Run, and
// package strings.
func newTestScope(t *testing.T) *testScope {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), "session.go", `package main
func double(n int) int { return 2 * n }
func nothing() {}
func Map[T, U any](s []T, f func(T) U) []U { return nil }`, parser.SkipObjectResolution)
	if err != nil {
		t.Fatal(err)
	}
	funcs := map[string]*ast.FuncType{}
	for _, d := range f.Decls {
		funcs[d.(*ast.FuncDecl).Name.Name] = d.(*ast.FuncDecl).Type
	}
	ns := func(v any) sessionName { return sessionName{namespace: true, valueType: reflect.TypeOf(v)} }
	return &testScope{
		names: map[string]sessionName{
			"cache": ns(&scopeCache{}), "nums": ns([]int{}), "boom": ns(error(nil)),
			"rate":   {declared: true},
			"double": {declared: true}, "nothing": {declared: true}, "Map": {declared: true},
			"A": {declared: true, isType: true}, "B": {declared: true, isType: true},
			"P": {declared: true, isType: true, typeKind: reflect.Struct},
		},
		valueRecv: map[string]bool{"P.Run": true},
		funcs:     funcs,
		aliases:   map[string][]string{"A": {"B"}},
		globals:   map[string]reflect.Value{"rate": reflect.ValueOf(new(float64)).Elem()},
		pkgs:      map[string]map[string]reflect.Value{"strings": {"Repeat": reflect.ValueOf(strings.Repeat)}},
	}
}

// parse parses src as the body of a function, or as declarations if it
// starts with "type", and resolves its names into s.
func (s *testScope) parse(t *testing.T, src string) (*pass, *ast.File) {
	t.Helper()
	if !strings.HasPrefix(src, "type") {
		src = "func _() {\n" + src + "\n}"
	}
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "input.go", "package main\n"+src, parser.SkipObjectResolution)
	if err != nil {
		t.Fatal(err)
	}
	s.res = resolution{}
	if err := resolve(fset, f, s.res); err != nil {
		t.Fatal(err)
	}
	return &pass{s: s, fset: fset}, f
}

// lastExpr is the expression of the last statement of f's function.
func lastExpr(f *ast.File) ast.Expr {
	body := f.Decls[0].(*ast.FuncDecl).Body.List
	return body[len(body)-1].(*ast.ExprStmt).X
}

// TestInfererAlone infers types from what a session tells through
// sessionScope and from the input, with no interpreter.
func TestInfererAlone(t *testing.T) {
	for _, tc := range []struct {
		src  string
		kind reflect.Kind
		rt   reflect.Type // when it comes from reflection
	}{
		{"cache.Hits", reflect.Int, reflect.TypeFor[int]()},
		{"cache.Len()", reflect.Int, reflect.TypeFor[int]()},
		{"nums[0]", reflect.Int, reflect.TypeFor[int]()},
		{"strings.Repeat(\"a\", 2)", reflect.String, reflect.TypeFor[string]()},
		{"rate", reflect.Float64, reflect.TypeFor[float64]()},
		{"double(3)", reflect.Int, nil},              // the session function's signature
		{"x := double(1) > 2\nx", reflect.Bool, nil}, // an input's variable
	} {
		p, f := newTestScope(t).parse(t, tc.src)
		got := p.newInferer().exprType(lastExpr(f))
		if got.kind != tc.kind || got.rt != tc.rt {
			t.Errorf("%s: kind %v, type %v; want %v, %v", tc.src, got.kind, got.rt, tc.kind, tc.rt)
		}
	}
}

// TestPassesAlone runs the checks and the passes against a session
// written by hand: they refuse with the Go compiler's words, rewrite, and
// ask for what they need.
func TestPassesAlone(t *testing.T) {
	refusals := []struct {
		src, want string
		run       func(p *pass, f *ast.File) error
	}{
		{"y := nothing()\n_ = y", "3:6: nothing() (no value) used as value",
			func(p *pass, f *ast.File) error { return p.valueChecks(f) }},
		{"_ = cache.m", "3:11: cache.m undefined (cannot refer to unexported field m; print cache to see it)",
			func(p *pass, f *ast.File) error { return p.checkUnexported(f) }},
		{"var v cache\n_ = v", "3:7: cache is not a type",
			func(p *pass, f *ast.File) error { return p.checkTypes(f) }},
		{"type B = A", "2:6: invalid recursive type alias B", // through the session's A = B
			func(p *pass, f *ast.File) error { return p.checkAliases(f) }},
	}
	for _, tc := range refusals {
		p, f := newTestScope(t).parse(t, tc.src)
		if err := tc.run(p, f); err == nil || err.Error() != tc.want {
			t.Errorf("%q: got %v, want %s", tc.src, err, tc.want)
		}
	}

	// Map's type arguments, inferred from a namespace value's type and a
	// function literal, are written out.
	s := newTestScope(t)
	p, f := s.parse(t, `Map(nums, func(i int) string { return "" })`)
	if err := p.genericCalls(f); err != nil {
		t.Fatal(err)
	}
	if got := exprString(lastExpr(f).(*ast.CallExpr).Fun); got != "Map[int, string]" {
		t.Errorf("genericCalls wrote %s, want Map[int, string]", got)
	}

	// An error value stored in an error variable goes through a helper,
	// which the pass asks the session to declare.
	p, f = s.parse(t, "var err error = boom\n_ = err")
	if err := p.errorValues(f); err != nil {
		t.Fatal(err)
	}
	spec := f.Decls[0].(*ast.FuncDecl).Body.List[0].(*ast.DeclStmt).Decl.(*ast.GenDecl).Specs[0].(*ast.ValueSpec)
	if got := exprString(spec.Values[0]); got != "__mh_asError(boom)" || !s.needErrors {
		t.Errorf("errorValues wrote %s and asked for the helpers: %v; want __mh_asError(boom), true", got, s.needErrors)
	}
}

// TestModernizerAlone rewrites a range over an integer, which it tells
// from a range over a slice by the inferer, against a session written by
// hand: the copies of n it writes resolve as n.
func TestModernizerAlone(t *testing.T) {
	s := newTestScope(t)
	p, f := s.parse(t, "n := double(2)\nfor i := range n { print(i) }\nfor j := range nums { print(j) }")
	body := f.Decls[0].(*ast.FuncDecl).Body
	list, err := newModernizer(s, p.fset).stmts(body.List, false)
	if err != nil {
		t.Fatal(err)
	}
	body.List = list
	var b strings.Builder
	if err := format.Node(&b, p.fset, f); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"for __mh_1, __mh_2 := n, (n)-(n); __mh_2 < __mh_1; __mh_2++ {\n\t\ti := __mh_2\n",
		"for j := range nums {",
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("modernized without %q:\n%s", want, b.String())
		}
	}
	n := list[0].(*ast.AssignStmt).Lhs[0].(*ast.Ident)
	zero := list[1].(*ast.ForStmt).Init.(*ast.AssignStmt).Rhs[1].(*ast.BinaryExpr)
	if cp := zero.X.(*ast.ParenExpr).X.(*ast.Ident); cp == n || s.obj(n) == nil || s.obj(cp) != s.obj(n) {
		t.Errorf("the copy of n in %s resolves to %v, want n's object %v", exprString(zero), s.obj(cp), s.obj(n))
	}
}

// TestRewriterAlone runs the rewriter's go statement against a session
// written by hand: the arguments and a value receiver are evaluated at
// once into temporaries, a function of the session is called by name.
func TestRewriterAlone(t *testing.T) {
	s := newTestScope(t)
	p, f := s.parse(t, "var p P\nx := 1\ngo double(x)\ngo p.Run()")
	newRewriter(s, p.fset).rewrite(f)
	var b strings.Builder
	if err := format.Node(&b, p.fset, f); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"__mh_g1 := x\n", "double(__mh_g1)",
		"__mh_g2 := p\n", "__mh_g2.Run()",
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("rewritten without %q:\n%s", want, b.String())
		}
	}
}
