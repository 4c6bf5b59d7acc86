package interp

import (
	"bytes"
	"context"
	"fmt"
	"go/ast"
	"go/parser"
	goprinter "go/printer"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// srcPrinted is what go/printer writes of n once every position in it is
// the same: the text then depends on the tree alone, not on where the
// source had its line breaks.
func srcPrinted(t *testing.T, n ast.Node) string {
	t.Helper()
	samePositions(n)
	var b bytes.Buffer
	if err := (&goprinter.Config{Mode: goprinter.UseSpaces | goprinter.TabIndent, Tabwidth: 8}).Fprint(&b, token.NewFileSet(), n); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// samePositions sets every valid position in n to 1. Positions that are
// not valid stay so: some mean something (a call's ..., an alias's =, a
// declaration's parentheses).
func samePositions(n ast.Node) {
	posType := reflect.TypeFor[token.Pos]()
	seen := map[uintptr]bool{}
	var walk func(v reflect.Value)
	walk = func(v reflect.Value) {
		switch v.Kind() {
		case reflect.Pointer:
			if v.IsNil() || seen[v.Pointer()] {
				return
			}
			seen[v.Pointer()] = true
			if t := v.Type().String(); t == "*ast.Object" || t == "*ast.Scope" {
				return // go/parser's object resolution, not source
			}
			walk(v.Elem())
		case reflect.Interface:
			if !v.IsNil() {
				walk(v.Elem())
			}
		case reflect.Slice:
			for i := range v.Len() {
				walk(v.Index(i))
			}
		case reflect.Struct:
			for i := range v.NumField() {
				f := v.Field(i)
				if f.Type() == posType {
					if f.Int() != 0 {
						f.SetInt(1)
					}
					continue
				}
				walk(f)
			}
		}
	}
	walk(reflect.ValueOf(n))
}

// sameTree reports where a and b differ, ignoring positions (but for the
// two that mean something), resolved objects, parentheses and empty
// statements: a tree the rewrites built has no positions, and no
// parentheses where sourceText must write some.
func sameTree(a, b any) string {
	var diff func(path string, x, y reflect.Value) string
	posType := reflect.TypeFor[token.Pos]()
	norm := func(v reflect.Value) reflect.Value {
		for v.Kind() == reflect.Interface && !v.IsNil() {
			if p, ok := v.Interface().(*ast.ParenExpr); ok {
				v = reflect.ValueOf(&p.X).Elem()
				continue
			}
			break
		}
		return v
	}
	stmts := func(v reflect.Value) reflect.Value {
		if list, ok := v.Interface().([]ast.Stmt); ok {
			var kept []ast.Stmt
			for _, s := range list {
				if _, empty := s.(*ast.EmptyStmt); !empty {
					kept = append(kept, s)
				}
			}
			return reflect.ValueOf(kept)
		}
		return v
	}
	diff = func(path string, x, y reflect.Value) string {
		x, y = norm(x), norm(y)
		if x.Kind() != y.Kind() || x.Type() != y.Type() {
			return fmt.Sprintf("%s: %s vs %s", path, x.Type(), y.Type())
		}
		// go/parser's object resolution (deprecated, named by string so
		// staticcheck's SA1019 does not fire) is not part of the source.
		switch x.Type().String() {
		case "*ast.Object", "*ast.Scope":
			return ""
		}
		switch x.Kind() {
		case reflect.Interface, reflect.Pointer:
			if x.IsNil() || y.IsNil() {
				if x.IsNil() != y.IsNil() {
					return path + ": nil vs not nil"
				}
				return ""
			}
			return diff(path, x.Elem(), y.Elem())
		case reflect.Slice:
			x, y = stmts(x), stmts(y)
			if x.Len() != y.Len() {
				return fmt.Sprintf("%s: %d vs %d elements", path, x.Len(), y.Len())
			}
			for i := range x.Len() {
				if d := diff(fmt.Sprintf("%s[%d]", path, i), x.Index(i), y.Index(i)); d != "" {
					return d
				}
			}
			return ""
		case reflect.Struct:
			for i := range x.NumField() {
				f := x.Type().Field(i)
				if f.Type == posType {
					// Only these positions say something: a call's ...
					// and an alias's =.
					meaningful := x.Type() == reflect.TypeFor[ast.CallExpr]() && f.Name == "Ellipsis" ||
						x.Type() == reflect.TypeFor[ast.TypeSpec]() && f.Name == "Assign"
					if meaningful && (x.Field(i).Int() != 0) != (y.Field(i).Int() != 0) {
						return fmt.Sprintf("%s.%s: one position is valid, not the other", path, f.Name)
					}
					continue
				}
				if f.Name == "Implicit" || f.Name == "Incomplete" || f.Name == "GoVersion" || f.Name == "Unresolved" {
					continue
				}
				if d := diff(path+"."+f.Name, x.Field(i), y.Field(i)); d != "" {
					return d
				}
			}
			return ""
		default:
			if !reflect.DeepEqual(x.Interface(), y.Interface()) {
				return fmt.Sprintf("%s: %v vs %v", path, x.Interface(), y.Interface())
			}
			return ""
		}
	}
	return diff("", reflect.ValueOf(a), reflect.ValueOf(b))
}

// parseSource parses what sourceText wrote of a node of n's kind.
func parseSource(fset *token.FileSet, n ast.Node, src string) (ast.Node, error) {
	switch n := n.(type) {
	case *ast.File:
		return parser.ParseFile(fset, "", src, parser.SkipObjectResolution)
	case ast.Decl:
		f, err := parser.ParseFile(fset, "", "package p\n"+src, parser.SkipObjectResolution)
		if err != nil {
			return nil, err
		}
		if len(f.Decls) != 1 {
			return nil, fmt.Errorf("%d declarations", len(f.Decls))
		}
		return f.Decls[0], nil
	case ast.Stmt:
		f, err := parser.ParseFile(fset, "", "package p\nfunc _() {\n"+src+"\n}", parser.SkipObjectResolution)
		if err != nil {
			return nil, err
		}
		body := f.Decls[0].(*ast.FuncDecl).Body
		if _, block := n.(*ast.BlockStmt); block {
			return body, nil
		}
		if len(body.List) != 1 {
			return nil, fmt.Errorf("%d statements", len(body.List))
		}
		return body.List[0], nil
	case ast.Expr:
		return parser.ParseExpr(src)
	}
	return nil, fmt.Errorf("no parser for %T", n)
}

// checkRoundTrip checks that sourceText of n parses back to n: the same
// tree, and for a parsed n the same text from go/printer. (Of a tree the
// parser did not make, go/printer may write what does not parse back the
// same: chan <-chan int, if x == T{} {.)
func checkRoundTrip(t *testing.T, name string, n ast.Node, parsed bool) {
	t.Helper()
	src := sourceText(n)
	back, err := parseSource(token.NewFileSet(), n, src)
	if err != nil {
		t.Errorf("%s: sourceText wrote what does not parse: %v\n%s", name, err, numbered(src))
		return
	}
	if d := sameTree(n, back); d != "" {
		t.Errorf("%s: sourceText's source parses to another tree: %s\n%s", name, d, numbered(src))
		return
	}
	if _, block := n.(*ast.BlockStmt); block || !parsed {
		return // a block is printed as statements, parsed back as a block
	}
	if got, want := srcPrinted(t, back), srcPrinted(t, n); got != want {
		t.Errorf("%s: go/printer prints sourceText's source\n%s\nnot as the original\n%s", name, got, want)
	}
}

func numbered(src string) string {
	var b strings.Builder
	for i, l := range strings.Split(src, "\n") {
		fmt.Fprintf(&b, "%4d  %s\n", i+1, l)
	}
	return b.String()
}

// The printer writes every kind of statement, declaration and expression
// so that it parses back to the same tree.
func TestSourceTextRoundTrip(t *testing.T) {
	src := `package p

import (
	"context"
	"time"
	"fmt"
	str "strings"
	. "math"
	_ "embed"
)
import "os"

const c = 1
const (
	a = iota
	b
	d, e int = 1, 2
)

var (
	x, y = 1, 2
	z    []map[string]*struct{ A int "json:\"a\""; b, c chan<- <-chan int }
)
var w interface {
	fmt.Stringer
	M(int, ...string) (n int, err error)
	~int | ~string
}

type T[P any, Q interface{ ~[]P }] struct {
	F P ` + "`json:\"f\"`" + `
	Q
	*T[P, Q]
}
type A = T[int, []int]
type G[P *int,] struct{}
type U[P interface{ *int }] []P
type (
	F func(int) (string, error)
	C chan (<-chan int)
)

func (t *T[P, Q]) M(p P) (q Q) { return }
func (T[_, _]) N()
func f[K comparable, V any](m map[K]V, ks ...K) {}

func g() (err error) {
	defer func() { recover() }()
	go f[int, int](nil)
	x := [...]int{1, 2, 3: 4}
	s := x[1:2:3]
	_ = s[:]
	_ = s[1:]
	var i any = &T[int, []int]{F: 1}
	if v, ok := i.(*T[int, []int]); ok && v != nil {
		return nil
	} else if v == nil {
	} else {
		err = fmt.Errorf("%d", -x[0])
	}
	for {
		break
	}
	for i < 10 {
		i++
	}
	for i := 0; i < 10; i++ {
		continue
	}
	for ; ; x[0]-- {
	}
	for i := 0; ; {
		_ = i
	}
	for range 10 {
	}
	for k := range x {
		_ = k
	}
	for k, v := range x {
		_, _ = k, v
	}
	var k, v int
	for k, v = range x {
	}
	switch {
	case k > 0, v < 0:
		fallthrough
	default:
	}
	switch k := 1; k {
	case 1:
	}
	switch x := 2; {
	}
	switch t := i.(type) {
	case int, string:
		_ = t
	case nil:
	}
	switch i.(type) {
	}
	ch := make(chan int, 1)
	select {
	case v := <-ch:
		_ = v
	case ch <- 1:
	case <-ch:
	default:
	}
L:
	for {
		break L
	}
M:
	;
	goto M
	{
		x := 1
		x += 2
		x <<= 1
		x &^= 4
		_ = x &^ 1
	}
	if (T[int, []int]{}) == (T[int, []int]{}) {
	}
	for _, v := range []int{1} {
		_ = v
	}
	_ = func(a, b int, c ...string) (int, error) { return a + b*(b-a), nil }
	_ = !(k > 0) || k < 0 && -k > 0
	_ = <-ch + ^k - - -k + +(+k)
	p := &k
	_ = *p**p
	_ = &*p
	_ = (*T[int, []int]).M
	_ = (func())(nil)
	_ = (chan int)(nil)
	_ = struct{}{}
	_ = map[string]int{"a": 1}
	_ = [][]int{{1}, {2, 3}}
	_ = 'x' + 1.5i + 0x1p-2
	_ = "a" + ` + "`b`" + `
	fmt.Println(x, s, str.ToUpper("a"), Pi, os.Args)
	return
}
`
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "p.go", src, parser.SkipObjectResolution)
	if err != nil {
		t.Fatal(err)
	}
	checkRoundTrip(t, "every kind", f, true)
	for _, d := range f.Decls {
		checkRoundTrip(t, "a declaration", d, true)
		if fd, ok := d.(*ast.FuncDecl); ok && fd.Body != nil {
			for _, s := range fd.Body.List {
				checkRoundTrip(t, "a statement", s, true)
			}
		}
	}
}

// Trees the rewrites build are not parsed: they have no parentheses, and
// nodes side by side that the parser would never produce.
func TestSourceTextSynthesized(t *testing.T) {
	id := func(n string) *ast.Ident { return ast.NewIdent(n) }
	bin := func(x ast.Expr, op token.Token, y ast.Expr) ast.Expr { return &ast.BinaryExpr{X: x, Op: op, Y: y} }
	un := func(op token.Token, x ast.Expr) ast.Expr { return &ast.UnaryExpr{Op: op, X: x} }
	body := &ast.BlockStmt{}
	for _, c := range []struct {
		name string
		n    ast.Node
		want string
	}{
		{"left operand of lower precedence", bin(bin(id("a"), token.ADD, id("b")), token.MUL, id("c")), "(a + b) * c"},
		{"right operand of the same precedence", bin(id("a"), token.SUB, bin(id("b"), token.SUB, id("c"))), "a - (b - c)"},
		{"left operand of the same precedence", bin(bin(id("a"), token.SUB, id("b")), token.SUB, id("c")), "a - b - c"},
		{"unary of a binary", un(token.NOT, bin(id("a"), token.LAND, id("b"))), "!(a && b)"},
		{"negation of a negation", un(token.SUB, un(token.SUB, id("a"))), "- -a"},
		{"address of a complement", un(token.AND, un(token.XOR, id("a"))), "& ^a"},
		{"selector of a dereference", &ast.SelectorExpr{X: &ast.StarExpr{X: id("p")}, Sel: id("f")}, "(*p).f"},
		{"call of a binary", &ast.CallExpr{Fun: bin(id("f"), token.ADD, id("g"))}, "(f + g)()"},
		{"call of a func type", &ast.CallExpr{Fun: &ast.FuncType{Params: &ast.FieldList{}}, Args: []ast.Expr{id("nil")}}, "(func())(nil)"},
		{"channel of a receive channel", &ast.ChanType{Dir: ast.SEND | ast.RECV, Value: &ast.ChanType{Dir: ast.RECV, Value: id("int")}}, "chan (<-chan int)"},
		{"composite literal in a condition", &ast.IfStmt{Cond: bin(id("x"), token.EQL, &ast.CompositeLit{Type: id("T")}), Body: body}, "if x == (T{}) {}"},
		{"composite literal in a call in a condition", &ast.IfStmt{Cond: &ast.CallExpr{Fun: id("f"), Args: []ast.Expr{&ast.CompositeLit{Type: id("T")}}}, Body: body}, "if f(T{}) {}"},
		{"composite literal of a generic type in a condition", &ast.IfStmt{Cond: bin(&ast.CompositeLit{Type: &ast.IndexExpr{X: id("G"), Index: id("int")}}, token.NEQ, id("x")), Body: body}, "if (G[int]{}) != x {}"},
		{"composite literal of a slice type in a switch", &ast.SwitchStmt{Tag: &ast.IndexExpr{X: &ast.CompositeLit{Type: &ast.ArrayType{Elt: id("int")}, Elts: []ast.Expr{id("x")}}, Index: id("i")}, Body: body}, "switch []int{x}[i] {\n}"},
		{"composite literal in a range", &ast.RangeStmt{Key: id("k"), Tok: token.DEFINE, X: &ast.CompositeLit{Type: &ast.SelectorExpr{X: id("pkg"), Sel: id("T")}}, Body: body}, "for k := range (pkg.T{}) {}"},
		{"several specs without parentheses", &ast.GenDecl{Tok: token.VAR, Specs: []ast.Spec{
			&ast.ValueSpec{Names: []*ast.Ident{id("a")}, Type: id("int")},
			&ast.ValueSpec{Names: []*ast.Ident{id("b")}, Values: []ast.Expr{id("a")}},
		}}, "var (\n\ta int\n\tb = a\n)"},
		{"a label on an empty statement", &ast.BlockStmt{List: []ast.Stmt{
			&ast.LabeledStmt{Label: id("L"), Stmt: &ast.EmptyStmt{}},
			&ast.ExprStmt{X: &ast.CallExpr{Fun: id("f")}},
		}}, "L: ;\nf()"},
	} {
		if got := sourceText(c.n); got != c.want {
			t.Errorf("%s: got %q, want %q", c.name, got, c.want)
		}
		checkRoundTrip(t, c.name, c.n, false)
	}
}

// The printer round-trips every file of yaegi's own test corpus that
// parses, and a few packages of the standard library.
func TestSourceTextCorpus(t *testing.T) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/traefik/yaegi").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	files, err := filepath.Glob(filepath.Join(strings.TrimSpace(string(out)), "_test", "*.go"))
	if err != nil || len(files) < 500 {
		t.Fatalf("yaegi's corpus: %d files, %v", len(files), err)
	}
	goroot, err := exec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		t.Fatalf("go env GOROOT: %v", err)
	}
	for _, dir := range []string{"slices", "maps", "go/printer", "go/parser", "net/http"} {
		more, _ := filepath.Glob(filepath.Join(strings.TrimSpace(string(goroot)), "src", dir, "*.go"))
		files = append(files, more...)
	}
	parsed := 0
	for _, name := range files {
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		f, err := parser.ParseFile(token.NewFileSet(), name, src, parser.SkipObjectResolution)
		if err != nil {
			continue // some of the corpus tests syntax errors
		}
		parsed++
		checkRoundTrip(t, name, f, true)
	}
	if parsed < 500 {
		t.Errorf("only %d files parsed", parsed)
	}
	t.Logf("%d files round-trip", parsed)
}

// What yaegi compiles for each program of its own corpus, rewritten,
// reads back the same from sourceText's source: the printer is right on
// the trees the rewrites build, not only on parsed ones. The programs are
// declared (their main is not called).
func TestSourceTextOfRewrittenCorpus(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles yaegi's corpus")
	}
	progs := loadCorpus(t, filepath.Join(yaegiModuleDir(t), "_test"), "*.go")
	units := 0
	for _, p := range progs {
		if p.parseErr != nil || isolated[p.name] != "" {
			continue
		}
		func() {
			in, err := New(Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer in.Close()
			hook := func(n ast.Node) {
				units++
				checkRoundTrip(t, p.name, n, false)
			}
			in.debug.Store(&hook)
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			in.Eval(ctx, p.whole) // a program yaegi refuses still showed what it was given
		}()
	}
	if units < 1000 {
		t.Errorf("only %d compilations seen", units)
	}
	t.Logf("%d programs, %d compilations read back the same", len(progs), units)
}
