package interp

import (
	"fmt"
	"go/ast"
	"go/token"
)

// yaegi v0.16.1 implements Go as of 1.20. The rewrites below give
// evaluated code the Go 1.21 and 1.22 features it lacks, by rewriting the
// AST before yaegi compiles it:
//
//   - the builtins min, max and clear (and manhole's own dump);
//   - range over an integer;
//   - loop variables declared per iteration.
//
// This file holds the modernizer and its passes over declarations; the
// builtins are in minmax.go, the loops in loops.go.
//
// Synthesized nodes take the position of the code they replace, so that
// errors still point at the user's line and column. Names starting with
// __mh are reserved for the temporaries.

// modernizer rewrites one group of the user's input.
type modernizer struct {
	pass
	inf *inferer
	err error

	// minmax holds the calls to the builtin min and max that are still to
	// be rewritten, by call.
	minmax map[*ast.CallExpr]string
	// synth marks the loops manhole wrote itself, which need no per
	// iteration rewrite.
	synth map[ast.Stmt]bool
	// funcOf holds the function each range statement is in (nil at top
	// level), for the returns of a range-over-func body.
	funcOf map[*ast.RangeStmt]*ast.FuncType

	// hoist is the hoister at work, and enter and leave its expression
	// walk's callbacks, made once (see hoister.expr).
	hoist        *hoister
	enter, leave func(*cursor) bool
}

func newModernizer(s sessionScope, fset *token.FileSet) *modernizer {
	m := &modernizer{
		pass:   pass{s: s, fset: fset},
		minmax: map[*ast.CallExpr]string{},
		synth:  map[ast.Stmt]bool{},
		funcOf: map[*ast.RangeStmt]*ast.FuncType{},
	}
	m.inf = m.newInferer()
	return m
}

func (m *modernizer) fail(pos token.Pos, format string, args ...any) {
	if m.err == nil {
		m.err = fmt.Errorf("%s: %s", positionOf(m.fset, pos), fmt.Sprintf(format, args...))
	}
}

// tmp returns a fresh name for a temporary, unique in the session: a
// temporary of the global block is a global variable.
func (m *modernizer) tmp() string { return m.s.fresh(helperName + "_") }

// file rewrites a group of declarations. The package-level variable
// declarations whose values need min or max expanded (which takes
// statements) are moved out of the file, into the statements returned,
// which run after it; all the file's variables move then, to keep their
// order of initialization.
func (m *modernizer) file(f *ast.File) ([]ast.Stmt, error) {
	for _, d := range f.Decls {
		if gd, ok := d.(*ast.GenDecl); ok && gd.Tok == token.VAR {
			gd.Specs = m.splitSpecs(gd.Specs)
		}
	}
	m.rewrite(f)
	editStmtLists(f, func(l []ast.Stmt) []ast.Stmt { return m.hoistList(l, false) })
	var vars []ast.Stmt
	move := false
	for _, d := range f.Decls {
		if gd, ok := d.(*ast.GenDecl); ok && m.hasMinMax(gd) {
			if gd.Tok == token.CONST {
				m.fail(gd.Pos(), "the interpreter cannot compute this min or max as a constant: use literal constants or untyped named constants")
			}
			move = move || gd.Tok == token.VAR
		}
	}
	if move {
		var decls []ast.Decl
		for _, d := range f.Decls {
			if gd, ok := d.(*ast.GenDecl); ok && gd.Tok == token.VAR {
				vars = append(vars, &ast.DeclStmt{Decl: gd})
				continue
			}
			decls = append(decls, d)
		}
		f.Decls = decls
		vars = m.hoistList(vars, true)
		m.globalGeneric(vars)
	}
	m.constMinMax(f)
	m.genericMinMax(f)
	for _, s := range vars {
		m.genericMinMax(s)
	}
	return vars, m.err
}

// globalGeneric refuses a top-level declaration whose type would come
// from a generic min or max: yaegi cannot size a global variable from a
// generic function's result (it panics with "nil reflect type"). It can
// in a statement of its own, which is expanded in place.
func (m *modernizer) globalGeneric(list []ast.Stmt) {
	var typeFrom func(x ast.Expr) *ast.CallExpr
	typeFrom = func(x ast.Expr) *ast.CallExpr {
		switch x := x.(type) {
		case *ast.ParenExpr:
			return typeFrom(x.X)
		case *ast.UnaryExpr:
			if x.Op == token.SUB || x.Op == token.ADD || x.Op == token.XOR {
				return typeFrom(x.X)
			}
		case *ast.BinaryExpr:
			switch x.Op {
			case token.ADD, token.SUB, token.MUL, token.QUO, token.REM, token.AND, token.OR, token.XOR, token.AND_NOT, token.SHL, token.SHR:
				if c := typeFrom(x.X); c != nil {
					return c
				}
				return typeFrom(x.Y)
			}
		case *ast.CallExpr:
			if _, ok := m.minmax[x]; ok {
				return x
			}
		}
		return nil
	}
	for _, s := range list {
		var vals []ast.Expr
		switch s := s.(type) {
		case *ast.AssignStmt:
			if s.Tok == token.DEFINE {
				vals = s.Rhs
			}
		case *ast.DeclStmt:
			if gd, ok := s.Decl.(*ast.GenDecl); ok && gd.Tok == token.VAR {
				for _, sp := range gd.Specs {
					if vs := sp.(*ast.ValueSpec); vs.Type == nil {
						vals = append(vals, vs.Values...)
					}
				}
			}
		}
		for _, v := range vals {
			if c := typeFrom(v); c != nil {
				m.fail(c.Pos(), "the interpreter cannot compute this %s here: assign it to a variable in a statement of its own first", m.minmax[c])
			}
		}
	}
}

// stmts rewrites a list of statements; top says that they run in the
// global block.
func (m *modernizer) stmts(list []ast.Stmt, top bool) ([]ast.Stmt, error) {
	if top {
		list = m.splitDefines(list)
	}
	root := &ast.BlockStmt{List: list}
	m.rewrite(root)
	root.List = m.hoistList(root.List, top)
	for _, s := range root.List {
		editStmtLists(s, func(l []ast.Stmt) []ast.Stmt { return m.hoistList(l, false) })
	}
	if top {
		m.globalGeneric(root.List)
	}
	m.constMinMax(root)
	m.genericMinMax(root)
	return root.List, m.err
}

// Globals declared together from one call (var a, b = f(), a, b := f())
// read as garbage from a
// function that a closure calls, in yaegi v0.16.1: every statement of a
// session runs in a closure. Each is declared from a temporary of its
// own instead, which yaegi gets right: var a, b = f() becomes
// var __mh_1, __mh_2 = f(); var a = __mh_1; var b = __mh_2.

func isCall(x ast.Expr) bool {
	_, ok := ast.Unparen(x).(*ast.CallExpr)
	return ok
}

// Comma-ok forms in the global block (v, ok := m[k], n, ok := x.(T),
// var v, ok = m[k]) make yaegi v0.16.1 panic with "nil type", which it
// also writes to the host's standard logger. Each value comes from an
// expression of its own instead, the operands evaluated once into
// temporaries:
//
//	__mh_1 := m; __mh_2 := k
//	v := __mh_1[__mh_2]
//	ok := func() bool { v, ok := __mh_1[__mh_2]; _, _ = v, ok; return ok }()
//
// A comma-ok receive cannot be written so without the element type; it
// is refused with a way around.

// commaOK returns the names and values that declare lhs from the
// comma-ok expression x, or ok false when x is not one.
func (m *modernizer) commaOK(lhs []*ast.Ident, x ast.Expr) (names []*ast.Ident, values []ast.Expr, ok bool) {
	if len(lhs) != 2 {
		return nil, nil, false
	}
	temp := func(pos token.Pos, v ast.Expr) string {
		t := m.tmp()
		names = append(names, &ast.Ident{Name: t, NamePos: pos})
		values = append(values, v)
		return t
	}
	id := func(name string) *ast.Ident { return &ast.Ident{Name: name, NamePos: x.Pos()} }
	// closure is func() T { v, ok := x; return r }(), r being v or ok.
	closure := func(result ast.Expr, rhs ast.Expr, returnOK bool) ast.Expr {
		ret := id("v")
		if returnOK {
			ret = id("ok")
		}
		return &ast.CallExpr{Fun: &ast.FuncLit{
			Type: &ast.FuncType{Func: x.Pos(), Params: &ast.FieldList{}, Results: &ast.FieldList{List: []*ast.Field{{Type: result}}}},
			Body: &ast.BlockStmt{List: []ast.Stmt{
				&ast.AssignStmt{Lhs: []ast.Expr{id("v"), id("ok")}, Tok: token.DEFINE, TokPos: x.Pos(), Rhs: []ast.Expr{rhs}},
				&ast.AssignStmt{Lhs: []ast.Expr{id("_"), id("_")}, Tok: token.ASSIGN, TokPos: x.Pos(), Rhs: []ast.Expr{id("v"), id("ok")}},
				&ast.ReturnStmt{Return: x.Pos(), Results: []ast.Expr{ret}},
			}},
		}}
	}
	var value, okay ast.Expr
	switch e := ast.Unparen(x).(type) {
	case *ast.IndexExpr:
		mp := temp(e.X.Pos(), e.X)
		key := temp(e.Index.Pos(), e.Index)
		index := func() ast.Expr { return &ast.IndexExpr{X: id(mp), Lbrack: e.Lbrack, Index: id(key), Rbrack: e.Rbrack} }
		value = index()
		okay = closure(id("bool"), index(), true)
	case *ast.TypeAssertExpr:
		if e.Type == nil {
			return nil, nil, false
		}
		v := temp(e.X.Pos(), e.X)
		assert := func() ast.Expr {
			return &ast.TypeAssertExpr{X: id(v), Lparen: e.Lparen, Type: e.Type, Rparen: e.Rparen}
		}
		value = closure(e.Type, assert(), false)
		okay = closure(id("bool"), assert(), true)
	case *ast.UnaryExpr:
		if e.Op != token.ARROW {
			return nil, nil, false
		}
		m.fail(lhs[0].Pos(), "the interpreter cannot declare %s, %s from a receive at the top level: declare them first (var %s T; var %s bool), then %s, %s = <-ch",
			lhs[0].Name, lhs[1].Name, lhs[0].Name, lhs[1].Name, lhs[0].Name, lhs[1].Name)
		return nil, nil, false
	default:
		return nil, nil, false
	}
	for i, v := range []ast.Expr{value, okay} {
		if lhs[i].Name == "_" {
			continue
		}
		names = append(names, lhs[i])
		values = append(values, v)
	}
	return names, values, true
}

func identList(xs []ast.Expr) ([]*ast.Ident, bool) {
	out := make([]*ast.Ident, len(xs))
	for i, x := range xs {
		id, ok := x.(*ast.Ident)
		if !ok {
			return nil, false
		}
		out[i] = id
	}
	return out, true
}

// splitSpecs splits the value specs of a package-level var declaration.
func (m *modernizer) splitSpecs(specs []ast.Spec) []ast.Spec {
	var out []ast.Spec
	for _, sp := range specs {
		vs, ok := sp.(*ast.ValueSpec)
		if ok && vs.Type == nil && len(vs.Values) == 1 {
			if names, values, ok := m.commaOK(vs.Names, vs.Values[0]); ok {
				for i := range names {
					out = append(out, &ast.ValueSpec{Names: []*ast.Ident{names[i]}, Values: []ast.Expr{values[i]}})
				}
				continue
			}
		}
		if !ok || len(vs.Names) < 2 || len(vs.Values) != 1 || !isCall(vs.Values[0]) {
			out = append(out, sp)
			continue
		}
		tmp := &ast.ValueSpec{Values: vs.Values}
		var named []ast.Spec
		for _, n := range vs.Names {
			t := ast.NewIdent(m.tmp())
			t.NamePos = n.Pos()
			tmp.Names = append(tmp.Names, t)
			if n.Name != "_" {
				named = append(named, &ast.ValueSpec{Names: []*ast.Ident{n}, Type: vs.Type, Values: []ast.Expr{ast.NewIdent(t.Name)}})
			}
		}
		out = append(append(out, tmp), named...)
	}
	return out
}

// splitDefines does the same to the := statements of the global block.
// The temporaries are zeroed right after (__mh.Zero), not to keep the
// values alive for the session.
func (m *modernizer) splitDefines(list []ast.Stmt) []ast.Stmt {
	var out []ast.Stmt
	for _, s := range list {
		a, ok := s.(*ast.AssignStmt)
		if ok && a.Tok == token.DEFINE && len(a.Rhs) == 1 {
			if lhs, idents := identList(a.Lhs); idents {
				if names, values, ok := m.commaOK(lhs, a.Rhs[0]); ok {
					for i := range names {
						out = append(out, &ast.AssignStmt{Lhs: []ast.Expr{names[i]}, Tok: token.DEFINE, TokPos: a.TokPos, Rhs: []ast.Expr{values[i]}})
					}
					continue
				}
			}
		}
		if !ok || a.Tok != token.DEFINE || len(a.Lhs) < 2 || len(a.Rhs) != 1 || !isCall(a.Rhs[0]) {
			out = append(out, s)
			continue
		}
		tmp := &ast.AssignStmt{Tok: token.DEFINE, TokPos: a.TokPos, Rhs: a.Rhs}
		var named []ast.Stmt
		var addrs []ast.Expr
		for _, l := range a.Lhs {
			id, ok := l.(*ast.Ident)
			if !ok {
				return list // not Go; the compiler says why
			}
			t := &ast.Ident{Name: m.tmp(), NamePos: id.Pos()}
			tmp.Lhs = append(tmp.Lhs, t)
			addrs = append(addrs, &ast.UnaryExpr{OpPos: id.Pos(), Op: token.AND, X: ast.NewIdent(t.Name)})
			if id.Name != "_" {
				named = append(named, &ast.AssignStmt{Lhs: []ast.Expr{id}, Tok: token.DEFINE, TokPos: a.TokPos, Rhs: []ast.Expr{ast.NewIdent(t.Name)}})
			}
		}
		out = append(append(out, tmp), named...)
		out = append(out, helperCall("Zero", a.End(), addrs...))
	}
	return out
}

// selfDefines splits a global block's statements after each := whose
// right side reads a name its left side declares (x := x + 1, p := *p),
// which then computes its values into temporaries:
//
//	__mh_1 := x + 1  // ends a segment
//	x := __mh_1      // starts the next one
//	__mh.Zero(&__mh_1)
//
// yaegi declares the globals of a block before it compiles the block's
// statements, so in one block the right side would read the new variable,
// zero (x := x + 1 gave 1 where the session's or the namespace's x was
// 5; p := *p did not compile). The segments are compiled in turn, then
// run in turn.
func (m *modernizer) selfDefines(list []ast.Stmt) [][]ast.Stmt {
	var segs [][]ast.Stmt
	var cur []ast.Stmt
	for _, s := range list {
		a, ok := s.(*ast.AssignStmt)
		if !ok || a.Tok != token.DEFINE || !readsOwnNames(a) {
			cur = append(cur, s)
			continue
		}
		lhs, idents := identList(a.Lhs)
		if !idents {
			cur = append(cur, s) // not Go; the compiler says why
			continue
		}
		tmp := &ast.AssignStmt{Tok: token.DEFINE, TokPos: a.TokPos, Rhs: a.Rhs}
		def := &ast.AssignStmt{Tok: token.DEFINE, TokPos: a.TokPos}
		var addrs []ast.Expr
		for _, id := range lhs {
			t := &ast.Ident{Name: m.tmp(), NamePos: id.Pos()}
			tmp.Lhs = append(tmp.Lhs, t)
			def.Lhs = append(def.Lhs, id)
			def.Rhs = append(def.Rhs, &ast.Ident{Name: t.Name, NamePos: id.Pos()})
			addrs = append(addrs, &ast.UnaryExpr{OpPos: id.Pos(), Op: token.AND, X: &ast.Ident{Name: t.Name, NamePos: id.Pos()}})
		}
		segs = append(segs, append(cur, tmp))
		cur = []ast.Stmt{def, helperCall("Zero", a.End(), addrs...)}
	}
	return append(segs, cur)
}

// readsOwnNames reports whether the right side of a := reads a name that
// its left side declares, in a function literal too (f := func() int {
// return f() + 1 } calls the session's f). A field name in a struct
// literal or a selector, or a parameter of the same name, counts too:
// splitting such a statement changes nothing. A comma-ok receive is left
// alone: it is refused at the top level, in its own names.
func readsOwnNames(a *ast.AssignStmt) bool {
	if len(a.Rhs) == 1 {
		if u, ok := ast.Unparen(a.Rhs[0]).(*ast.UnaryExpr); ok && u.Op == token.ARROW && len(a.Lhs) == 2 {
			return false
		}
	}
	names := map[string]bool{}
	for _, l := range a.Lhs {
		if id, ok := l.(*ast.Ident); ok && id.Name != "_" {
			names[id.Name] = true
		}
	}
	found := false
	for _, r := range a.Rhs {
		ast.Inspect(r, func(n ast.Node) bool {
			if id, ok := n.(*ast.Ident); ok {
				found = found || names[id.Name]
			}
			return !found
		})
	}
	return found
}

// rewrite applies the loop rewrites and the builtin calls under root.
func (m *modernizer) rewrite(root ast.Node) {
	ast.Walk(&funcScope{m: m.funcOf}, root)
	editStmtLists(root, m.loops)
	editExprs(root, false, m.builtin)
}

func define(pos token.Pos, names []string, values ...ast.Expr) *ast.AssignStmt {
	lhs := make([]ast.Expr, len(names))
	for i, n := range names {
		lhs[i] = ident(n, pos)
	}
	return &ast.AssignStmt{Lhs: lhs, TokPos: pos, Tok: token.DEFINE, Rhs: values}
}

// cloneExpr copies an expression that simpleExpr or pureExpr accepts;
// anything else is returned as is. A copied name resolves as the name
// does (see sessionScope.alias).
func (p *pass) cloneExpr(x ast.Expr) ast.Expr {
	switch x := x.(type) {
	case *ast.Ident:
		c := *x
		p.s.alias(&c, x)
		return &c
	case *ast.BasicLit:
		c := *x
		return &c
	case *ast.ParenExpr:
		return &ast.ParenExpr{Lparen: x.Lparen, X: p.cloneExpr(x.X), Rparen: x.Rparen}
	case *ast.SelectorExpr:
		return &ast.SelectorExpr{X: p.cloneExpr(x.X), Sel: p.cloneExpr(x.Sel).(*ast.Ident)}
	case *ast.UnaryExpr:
		return &ast.UnaryExpr{OpPos: x.OpPos, Op: x.Op, X: p.cloneExpr(x.X)}
	case *ast.BinaryExpr:
		return &ast.BinaryExpr{X: p.cloneExpr(x.X), OpPos: x.OpPos, Op: x.Op, Y: p.cloneExpr(x.Y)}
	case *ast.StarExpr:
		return &ast.StarExpr{Star: x.Star, X: p.cloneExpr(x.X)}
	case *ast.IndexExpr:
		return &ast.IndexExpr{X: p.cloneExpr(x.X), Lbrack: x.Lbrack, Index: p.cloneExpr(x.Index), Rbrack: x.Rbrack}
	case *ast.CallExpr:
		args := make([]ast.Expr, len(x.Args))
		for i, a := range x.Args {
			args[i] = p.cloneExpr(a)
		}
		return &ast.CallExpr{Fun: p.cloneExpr(x.Fun), Lparen: x.Lparen, Args: args, Ellipsis: x.Ellipsis, Rparen: x.Rparen}
	}
	return x
}
