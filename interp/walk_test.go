package interp

import (
	"go/ast"
	"go/build"
	"go/parser"
	"go/token"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"testing"
)

// allNodes is one of each go/ast node type. TestWalkKnowsEveryNodeType
// checks the list against go/ast's source. Not ast.Directive, which no
// node holds (ast.ParseDirective reads one from a comment's text).
var allNodes = []ast.Node{
	&ast.Comment{}, &ast.CommentGroup{}, &ast.Field{}, &ast.FieldList{},
	&ast.BadExpr{}, &ast.Ident{}, &ast.Ellipsis{}, &ast.BasicLit{}, &ast.FuncLit{},
	&ast.CompositeLit{}, &ast.ParenExpr{}, &ast.SelectorExpr{}, &ast.IndexExpr{},
	&ast.IndexListExpr{}, &ast.SliceExpr{}, &ast.TypeAssertExpr{}, &ast.CallExpr{},
	&ast.StarExpr{}, &ast.UnaryExpr{}, &ast.BinaryExpr{}, &ast.KeyValueExpr{},
	&ast.ArrayType{}, &ast.StructType{}, &ast.FuncType{}, &ast.InterfaceType{},
	&ast.MapType{}, &ast.ChanType{},
	&ast.BadStmt{}, &ast.DeclStmt{}, &ast.EmptyStmt{}, &ast.LabeledStmt{},
	&ast.ExprStmt{}, &ast.SendStmt{}, &ast.IncDecStmt{}, &ast.AssignStmt{},
	&ast.GoStmt{}, &ast.DeferStmt{}, &ast.ReturnStmt{}, &ast.BranchStmt{},
	&ast.BlockStmt{}, &ast.IfStmt{}, &ast.CaseClause{}, &ast.SwitchStmt{},
	&ast.TypeSwitchStmt{}, &ast.CommClause{}, &ast.SelectStmt{}, &ast.ForStmt{},
	&ast.RangeStmt{},
	&ast.ImportSpec{}, &ast.ValueSpec{}, &ast.TypeSpec{},
	&ast.BadDecl{}, &ast.GenDecl{}, &ast.FuncDecl{},
	//lint:ignore SA1019 the test reads go/ast's own source and checks every node type, ast.Package too
	&ast.File{}, &ast.Package{},
}

// notChildren are the fields of nodes that hold nodes but are not
// children: ast.Walk skips them too (File.Imports and File.Comments
// repeat nodes found under Decls and the nodes).
var notChildren = map[string]bool{
	"File.Comments": true, "File.Imports": true, "File.Unresolved": true,
}

// TestWalkKnowsEveryNodeType reads go/ast's source: every type with an
// End method is a node and must be in allNodes, so that a Go release
// adding one fails here rather than in walk's panic.
func TestWalkKnowsEveryNodeType(t *testing.T) {
	dir := filepath.Join(build.Default.GOROOT, "src", "go", "ast")
	//lint:ignore SA1019 the test reads go/ast's own source and checks every node type, ast.Package too
	pkgs, err := parser.ParseDir(token.NewFileSet(), dir, nil, parser.SkipObjectResolution)
	if err != nil {
		t.Skipf("go/ast's source is not available: %v", err)
	}
	var inSource []string
	for _, p := range pkgs {
		if p.Name != "ast" {
			continue
		}
		for _, f := range p.Files {
			for _, d := range f.Decls {
				fd, ok := d.(*ast.FuncDecl)
				if !ok || fd.Recv == nil || fd.Name.Name != "End" {
					continue
				}
				if star, ok := fd.Recv.List[0].Type.(*ast.StarExpr); ok {
					inSource = append(inSource, star.X.(*ast.Ident).Name)
				}
			}
		}
	}
	listed := []string{"Directive"}
	for _, n := range allNodes {
		listed = append(listed, reflect.TypeOf(n).Elem().Name())
	}
	sort.Strings(inSource)
	sort.Strings(listed)
	if !slices.Equal(inSource, listed) {
		t.Errorf("go/ast's node types:\n%v\nallNodes:\n%v", inSource, listed)
	}
}

var nodeType = reflect.TypeOf((*ast.Node)(nil)).Elem()

// filled returns a node of n's type with every field that can hold a
// child set, to fresh nodes (two of them in a slice), and those children
// by field.
func filled(t *testing.T, n ast.Node) (ast.Node, map[string][]ast.Node) {
	t.Helper()
	v := reflect.New(reflect.TypeOf(n).Elem())
	kids := map[string][]ast.Node{}
	st := v.Elem().Type()
	for i := 0; i < st.NumField(); i++ {
		f := st.Field(i)
		name := st.Name() + "." + f.Name
		if notChildren[name] {
			continue
		}
		fv := v.Elem().Field(i)
		switch {
		case f.Type.Kind() == reflect.Slice && isNodeType(f.Type.Elem()):
			l := reflect.MakeSlice(f.Type, 2, 2)
			for j := 0; j < 2; j++ {
				c := fresh(f.Type.Elem())
				l.Index(j).Set(reflect.ValueOf(c))
				kids[f.Name] = append(kids[f.Name], c)
			}
			fv.Set(l)
		case f.Type.Kind() == reflect.Map && isNodeType(f.Type.Elem()):
			m := reflect.MakeMap(f.Type)
			for _, k := range []string{"a.go", "b.go"} {
				c := fresh(f.Type.Elem())
				m.SetMapIndex(reflect.ValueOf(k), reflect.ValueOf(c))
				kids[f.Name] = append(kids[f.Name], c)
			}
			fv.Set(m)
		case isNodeType(f.Type):
			c := fresh(f.Type)
			fv.Set(reflect.ValueOf(c))
			kids[f.Name] = []ast.Node{c}
		}
	}
	return v.Interface().(ast.Node), kids
}

// isNodeType reports whether a field of type t holds a node: an
// interface of nodes or a pointer to a node type (not *ast.Object nor
// *ast.Scope, which are no nodes).
func isNodeType(t reflect.Type) bool {
	if t.Kind() == reflect.Interface {
		return t.Implements(nodeType)
	}
	return t.Kind() == reflect.Pointer && t.Implements(nodeType)
}

// fresh returns a new node that a field of type t can hold.
func fresh(t reflect.Type) ast.Node {
	switch t {
	case reflect.TypeOf((*ast.Expr)(nil)).Elem():
		return &ast.Ident{Name: "x"}
	case reflect.TypeOf((*ast.Stmt)(nil)).Elem():
		return &ast.EmptyStmt{}
	case reflect.TypeOf((*ast.Decl)(nil)).Elem():
		return &ast.BadDecl{}
	case reflect.TypeOf((*ast.Spec)(nil)).Elem():
		return &ast.ImportSpec{}
	case nodeType:
		return &ast.BadExpr{}
	}
	return reflect.New(t.Elem()).Interface().(ast.Node)
}

// TestWalkVisitsEveryField walks a node of each type with every child
// field set: each child must be visited once, as a child of the node in
// its field, in ast.Walk's order.
func TestWalkVisitsEveryField(t *testing.T) {
	for _, proto := range allNodes {
		n, kids := filled(t, proto)
		name := reflect.TypeOf(n).Elem().Name()
		var got []ast.Node
		seen := map[ast.Node]string{}
		walk(n, func(c *cursor) bool {
			if c.Parent() == nil {
				return true
			}
			if c.Parent() != n {
				t.Errorf("%s: %T visited under %T", name, c.Node(), c.Parent())
			}
			got = append(got, c.Node())
			seen[c.Node()] = c.Field()
			return false
		}, nil)
		total := 0
		for field, l := range kids {
			for _, k := range l {
				total++
				if f, ok := seen[k]; !ok {
					t.Errorf("%s.%s: child not visited", name, field)
				} else if f != field {
					t.Errorf("%s.%s: child visited as field %s", name, field, f)
				}
			}
		}
		if len(got) != total {
			t.Errorf("%s: %d children visited, want %d", name, len(got), total)
		}
		//lint:ignore SA1019 the test reads go/ast's own source and checks every node type, ast.Package too
		if _, ok := n.(*ast.Package); ok {
			continue // ast.Walk visits a map in random order
		}
		var want []ast.Node
		ast.Inspect(n, func(c ast.Node) bool {
			if c != nil && c != n {
				want = append(want, c)
				return false
			}
			return c == n
		})
		if !slices.Equal(got, want) {
			t.Errorf("%s: children in the order %v, ast.Walk's is %v", name, got, want)
		}
	}
}

// TestWalkReplacesEveryField replaces each child of each node type
// through the cursor: the node's field must then hold the new child.
func TestWalkReplacesEveryField(t *testing.T) {
	for _, proto := range allNodes {
		n, kids := filled(t, proto)
		name := reflect.TypeOf(n).Elem().Name()
		repl := map[ast.Node]ast.Node{}
		for _, l := range kids {
			for _, k := range l {
				repl[k] = fresh(reflect.TypeOf(k))
				if _, ok := k.(*ast.Ident); ok {
					repl[k] = &ast.Ident{Name: "y"}
				}
			}
		}
		walk(n, nil, func(c *cursor) bool {
			if r, ok := repl[c.Node()]; ok {
				c.Replace(r)
			}
			return true
		})
		_, after := filledChildren(n)
		for field, l := range kids {
			for i, k := range l {
				if !slices.Contains(after[field], repl[k]) {
					t.Errorf("%s.%s[%d]: not replaced", name, field, i)
				}
			}
		}
	}
	root := &ast.Ident{Name: "x"}
	got := walk(root, func(c *cursor) bool { c.Replace(&ast.BasicLit{Value: "1"}); return true }, nil)
	if lit, ok := got.(*ast.BasicLit); !ok || lit.Value != "1" {
		t.Errorf("root replaced by %#v, want the literal", got)
	}
}

// filledChildren reads the child fields of n back, as filled set them.
func filledChildren(n ast.Node) (ast.Node, map[string][]ast.Node) {
	v := reflect.ValueOf(n).Elem()
	out := map[string][]ast.Node{}
	for i := 0; i < v.NumField(); i++ {
		f, fv := v.Type().Field(i), v.Field(i)
		switch {
		case f.Type.Kind() == reflect.Slice && isNodeType(f.Type.Elem()):
			for j := 0; j < fv.Len(); j++ {
				out[f.Name] = append(out[f.Name], fv.Index(j).Interface().(ast.Node))
			}
		case f.Type.Kind() == reflect.Map && isNodeType(f.Type.Elem()):
			for _, k := range fv.MapKeys() {
				out[f.Name] = append(out[f.Name], fv.MapIndex(k).Interface().(ast.Node))
			}
		case isNodeType(f.Type) && !fv.IsNil():
			out[f.Name] = []ast.Node{fv.Interface().(ast.Node)}
		}
	}
	return n, out
}

// TestWalkStopsAndSkips: pre returning false skips a node's children;
// post returning false ends the walk.
func TestWalkStopsAndSkips(t *testing.T) {
	e, err := parser.ParseExpr("f(g(1), h(2), 3)")
	if err != nil {
		t.Fatal(err)
	}
	var idents []string
	walk(e, func(c *cursor) bool {
		if id, ok := c.Node().(*ast.Ident); ok {
			idents = append(idents, id.Name)
		}
		_, inner := c.Node().(*ast.CallExpr)
		return !inner || c.Parent() == nil
	}, nil)
	if !slices.Equal(idents, []string{"f"}) {
		t.Errorf("with the inner calls skipped, saw %v", idents)
	}
	var lits []string
	walk(e, nil, func(c *cursor) bool {
		if l, ok := c.Node().(*ast.BasicLit); ok {
			lits = append(lits, l.Value)
			return l.Value != "2"
		}
		return true
	})
	if !slices.Equal(lits, []string{"1", "2"}) {
		t.Errorf("stopped after 2, saw %v", lits)
	}
}

// A callback that changes the list holding its node is stopped with a
// clear panic before the walk goes on (found by an attack: the walker
// read the list live, and an insertion before a loop walked the loop
// again, forever if each visit inserts). The passes change a node's own
// lists, in its post.
func TestWalkListChangedByACallback(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(b *ast.BlockStmt, i int)
	}{
		{"insert before", func(b *ast.BlockStmt, i int) {
			b.List = slices.Insert(b.List, i, ast.Stmt(&ast.EmptyStmt{}))
		}},
		{"insert before in place", func(b *ast.BlockStmt, i int) {
			b.List = slices.Grow(b.List, 1)
			b.List = slices.Insert(b.List, i, ast.Stmt(&ast.EmptyStmt{}))
		}},
		{"append", func(b *ast.BlockStmt, i int) {
			b.List = append(b.List, &ast.ExprStmt{X: ast.NewIdent("added")})
		}},
		{"remove the rest", func(b *ast.BlockStmt, i int) { b.List = b.List[:i] }},
		{"a new list", func(b *ast.BlockStmt, i int) { b.List = slices.Clone(b.List) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := parser.ParseFile(token.NewFileSet(), "", "package p; func f() { a(); for {}; b() }", parser.SkipObjectResolution)
			if err != nil {
				t.Fatal(err)
			}
			body := f.Decls[0].(*ast.FuncDecl).Body
			loops := 0
			defer func() {
				msg, _ := recover().(string)
				if want := "interp: walk: a callback changed the list ast.BlockStmt.List that holds its node"; msg != want {
					t.Errorf("panic %q, want %q", msg, want)
				}
				if loops != 1 {
					t.Errorf("the loop was visited %d times", loops)
				}
			}()
			walk(body, func(c *cursor) bool {
				if n, ok := c.Node().(*ast.ForStmt); ok && c.Parent() == body {
					loops++
					tc.change(body, slices.Index(body.List, ast.Stmt(n)))
				}
				return true
			}, nil)
		})
	}
}

// A field or list element holding a typed nil (a pass may leave one) is
// skipped, as a nil one is; so is a typed nil root's children.
func TestWalkSkipsTypedNils(t *testing.T) {
	var empty *ast.EmptyStmt
	var bad *ast.BadExpr
	var id *ast.Ident
	var field *ast.Field
	root := &ast.BlockStmt{List: []ast.Stmt{
		empty,
		&ast.ExprStmt{X: bad},
		&ast.DeclStmt{Decl: &ast.GenDecl{Specs: []ast.Spec{&ast.ValueSpec{Names: []*ast.Ident{id, ast.NewIdent("x")}}}}},
		&ast.ExprStmt{X: &ast.FuncLit{Type: &ast.FuncType{Params: &ast.FieldList{List: []*ast.Field{field}}}, Body: &ast.BlockStmt{}}},
	}}
	var seen []string
	walk(root, func(c *cursor) bool {
		if nilNode(reflect.ValueOf(c.Node())) {
			t.Errorf("visited a typed nil %T in %T.%s", c.Node(), c.Parent(), c.Field())
		}
		if id, ok := c.Node().(*ast.Ident); ok {
			seen = append(seen, id.Name)
		}
		return true
	}, nil)
	if !slices.Equal(seen, []string{"x"}) {
		t.Errorf("identifiers walked: %v", seen)
	}
	visits := 0
	walk(empty, func(*cursor) bool { visits++; return true }, nil)
	if visits != 1 {
		t.Errorf("a typed nil root: %d visits", visits)
	}
}

// BenchmarkWalk walks a file of about a thousand lines (this package's
// eval.go), every node with a pre and a post.
func BenchmarkWalk(b *testing.B) {
	f, err := parser.ParseFile(token.NewFileSet(), "eval.go", nil, parser.SkipObjectResolution)
	if err != nil {
		b.Fatal(err)
	}
	nodes := 0
	ast.Inspect(f, func(n ast.Node) bool { nodes++; return true })
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		seen := 0
		walk(f, func(*cursor) bool { seen++; return true }, func(*cursor) bool { return true })
		if seen*2 < nodes {
			b.Fatalf("walked %d nodes of %d", seen, nodes/2)
		}
	}
}
