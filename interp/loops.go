package interp

import (
	"go/ast"
	"go/token"
	"reflect"
	"slices"
)

// loops rewrites the loops of a statement list: range over an integer,
// range over a function, and per-iteration loop variables.
func (m *modernizer) loops(list []ast.Stmt) []ast.Stmt {
	var out []ast.Stmt
	for _, s := range list {
		label := (*ast.LabeledStmt)(nil)
		loop := s
		if l, ok := s.(*ast.LabeledStmt); ok {
			label, loop = l, l.Stmt
		}
		switch loop := loop.(type) {
		case *ast.ForStmt:
			if !m.synth[loop] {
				m.perIterationFor(loop, label)
			}
		case *ast.RangeStmt:
			if m.synth[loop] {
				break
			}
			t := m.inf.exprType(loop.X)
			switch {
			case isIntKind(t.kind):
				if loop.Value != nil {
					m.fail(loop.Value.Pos(), "range over an integer permits only one iteration variable")
					break
				}
				out = append(out, m.rangeInt(loop, label)...)
				continue
			case t.kind == reflect.Func:
				out = append(out, m.rangeFunc(loop, label, t)...)
				continue
			default:
				m.perIterationRange(loop)
			}
		}
		out = append(out, s)
	}
	return out
}

// rangeInt rewrites `for i := range n { body }`, with n of an integer type,
// into
//
//	for __mh_n, __mh_i := n, n-n; __mh_i < __mh_n; __mh_i++ {
//		i := __mh_i
//		body
//	}
//
// n-n is a zero of n's type. An n with side effects is evaluated once,
// before the loop, in a block with it (or before the label of a labeled
// loop, which must stay on the for).
func (m *modernizer) rangeInt(r *ast.RangeStmt, label *ast.LabeledStmt) []ast.Stmt {
	pos := r.For
	n, i := m.tmp(), m.tmp()
	var pre []ast.Stmt
	var init *ast.AssignStmt
	if m.pureExpr(r.X) {
		zero := &ast.BinaryExpr{X: paren(m.cloneExpr(r.X)), OpPos: pos, Op: token.SUB, Y: paren(m.cloneExpr(r.X))}
		init = define(pos, []string{n, i}, r.X, zero)
	} else {
		pre = append(pre, define(pos, []string{n}, r.X))
		init = define(pos, []string{i}, &ast.BinaryExpr{X: ident(n, pos), OpPos: pos, Op: token.SUB, Y: ident(n, pos)})
	}
	body := r.Body.List
	if key, ok := r.Key.(*ast.Ident); ok && key.Name != "_" || r.Key != nil && r.Tok == token.ASSIGN {
		if r.Tok == token.DEFINE {
			if redeclares(body, []string{key.Name}) {
				body = []ast.Stmt{&ast.BlockStmt{Lbrace: r.Body.Lbrace, List: body, Rbrace: r.Body.Rbrace}}
			}
			body = append([]ast.Stmt{define(r.Key.Pos(), []string{key.Name}, ident(i, pos))}, body...)
		} else {
			body = append([]ast.Stmt{&ast.AssignStmt{Lhs: []ast.Expr{r.Key}, TokPos: r.TokPos, Tok: token.ASSIGN, Rhs: []ast.Expr{ident(i, pos)}}}, body...)
		}
	}
	loop := &ast.ForStmt{
		For:  pos,
		Init: init,
		Cond: &ast.BinaryExpr{X: ident(i, pos), OpPos: pos, Op: token.LSS, Y: ident(n, pos)},
		Post: &ast.IncDecStmt{X: ident(i, pos), TokPos: pos, Tok: token.INC},
		Body: &ast.BlockStmt{Lbrace: r.Body.Lbrace, List: body, Rbrace: r.Body.Rbrace},
	}
	m.synth[loop] = true
	var s ast.Stmt = loop
	if label != nil {
		label.Stmt = loop
		s = label
	}
	if len(pre) == 0 {
		return []ast.Stmt{s}
	}
	if label != nil {
		return append(pre, s)
	}
	return []ast.Stmt{&ast.BlockStmt{Lbrace: pos, List: append(pre, s), Rbrace: r.End()}}
}

func paren(x ast.Expr) ast.Expr { return &ast.ParenExpr{Lparen: x.Pos(), X: x, Rparen: x.End()} }

// redeclares reports whether a statement list declares one of names at its
// own level: the body of a loop may redeclare its loop variables, which a
// copy at the top of the same block would make an error.
func redeclares(list []ast.Stmt, names []string) bool {
	want := map[string]bool{}
	for _, n := range names {
		want[n] = true
	}
	for _, s := range list {
		if l, ok := s.(*ast.LabeledStmt); ok {
			s = l.Stmt
		}
		switch s := s.(type) {
		case *ast.AssignStmt:
			if s.Tok == token.DEFINE {
				for _, l := range s.Lhs {
					if id, ok := l.(*ast.Ident); ok && want[id.Name] {
						return true
					}
				}
			}
		case *ast.DeclStmt:
			if gd, ok := s.Decl.(*ast.GenDecl); ok {
				for _, sp := range gd.Specs {
					switch sp := sp.(type) {
					case *ast.ValueSpec:
						for _, id := range sp.Names {
							if want[id.Name] {
								return true
							}
						}
					case *ast.TypeSpec:
						if want[sp.Name.Name] {
							return true
						}
					}
				}
			}
		}
	}
	return false
}

// loopVars returns the names a for or range statement declares.
func loopVars(exprs ...ast.Expr) []string {
	var names []string
	for _, e := range exprs {
		if id, ok := e.(*ast.Ident); ok && id.Name != "_" {
			names = append(names, id.Name)
		}
	}
	return names
}

// captures reports whether body can keep a loop variable beyond its
// iteration: a function literal that mentions it, or its address taken.
// Only then does the difference between per-loop and per-iteration
// variables show.
func captures(body ast.Node, names []string) bool {
	want := map[string]bool{}
	for _, n := range names {
		want[n] = true
	}
	found := false
	ast.Inspect(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			ast.Inspect(n.Body, func(n ast.Node) bool {
				if id, ok := n.(*ast.Ident); ok && want[id.Name] {
					found = true
				}
				return !found
			})
			return false
		case *ast.UnaryExpr:
			if n.Op == token.AND && want[rootName(n.X)] {
				found = true
			}
		}
		return !found
	})
	return found
}

// rootName returns the variable an addressable expression starts from:
// v for v, v.f, v[i], (v).f.
func rootName(x ast.Expr) string {
	for {
		switch e := x.(type) {
		case *ast.Ident:
			return e.Name
		case *ast.SelectorExpr:
			x = e.X
		case *ast.IndexExpr:
			x = e.X
		case *ast.ParenExpr:
			x = e.X
		default:
			return ""
		}
	}
}

// assigns reports whether body may change one of the named variables.
func assigns(body ast.Node, names []string) bool {
	want := map[string]bool{}
	for _, n := range names {
		want[n] = true
	}
	found := false
	ast.Inspect(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.AssignStmt:
			if n.Tok != token.DEFINE {
				for _, l := range n.Lhs {
					if id, ok := l.(*ast.Ident); ok && want[id.Name] {
						found = true
					}
				}
			}
		case *ast.IncDecStmt:
			if id, ok := n.X.(*ast.Ident); ok && want[id.Name] {
				found = true
			}
		case *ast.RangeStmt:
			if n.Tok == token.ASSIGN {
				for _, e := range []ast.Expr{n.Key, n.Value} {
					if id, ok := e.(*ast.Ident); ok && want[id.Name] {
						found = true
					}
				}
			}
		case *ast.UnaryExpr:
			if n.Op == token.AND && want[rootName(n.X)] {
				found = true
			}
		}
		return !found
	})
	return found
}

// perIterationRange gives `for k, v := range x` a fresh k and v in each
// iteration, as in Go 1.22, when the body can tell: a copy at the top of
// the body is exact, since range assigns the next values from its own
// state.
func (m *modernizer) perIterationRange(r *ast.RangeStmt) {
	var names []string
	if r.Tok == token.DEFINE {
		names = loopVars(r.Key, r.Value)
	}
	m.freshClosures(r.Body, names)
	if len(names) == 0 || !captures(r.Body, names) {
		return
	}
	m.copyAtTop(r.Body, names, r.TokPos)
}

// freshClosures makes each function literal in body that uses one of
// names take its own copy when it is made:
//
//	func() func() { i := i; return func() { use(i) } }()
//
// yaegi keeps a block's variables in the function's frame, one slot for
// every iteration, so that a closure handed to compiled code
// (wg.Go(func() {...})) would see the last iteration's value; a call has
// a frame of its own. Exact when nothing assigns the names. (Not inlined
// in its three callers: each would take a copy of the callback.)
//
//go:noinline
func (m *modernizer) freshClosures(body *ast.BlockStmt, names []string) {
	editExprs(body, true, func(x ast.Expr) ast.Expr {
		fl, ok := x.(*ast.FuncLit)
		if !ok {
			return x
		}
		copies := m.closureCopies(body, fl, names)
		if len(copies) == 0 {
			return x
		}
		pos := fl.Pos()
		vals := make([]ast.Expr, len(copies))
		for i, n := range copies {
			vals[i] = ident(n, pos)
		}
		outer := &ast.FuncLit{
			Type: &ast.FuncType{Func: pos, Params: &ast.FieldList{}, Results: &ast.FieldList{List: []*ast.Field{{Type: fl.Type}}}},
			Body: &ast.BlockStmt{Lbrace: pos, List: []ast.Stmt{
				define(pos, copies, vals...),
				&ast.ReturnStmt{Return: pos, Results: []ast.Expr{fl}},
			}, Rbrace: pos},
		}
		return &ast.CallExpr{Fun: outer, Lparen: pos, Rparen: pos}
	})
}

// mutated reports whether body may change the variable name, or a part
// of it, in place: an assignment to it, to a field or an element of it
// (x.f = 1, x[i]++), its address taken, or a method called on it that
// may have a pointer receiver (wg.Add(1), buf.WriteString(s)) — a copy
// would then miss the change.
func (m *modernizer) mutated(body ast.Node, name string) bool {
	root := func(x ast.Expr) bool { return rootName(x) == name }
	found := false
	ast.Inspect(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.AssignStmt:
			if n.Tok != token.DEFINE {
				found = found || slices.ContainsFunc(n.Lhs, root)
			}
		case *ast.IncDecStmt:
			found = found || root(n.X)
		case *ast.RangeStmt:
			if n.Tok == token.ASSIGN {
				found = found || n.Key != nil && root(n.Key) || n.Value != nil && root(n.Value)
			}
		case *ast.UnaryExpr:
			found = found || n.Op == token.AND && root(n.X)
		case *ast.CallExpr:
			if sel, ok := ast.Unparen(n.Fun).(*ast.SelectorExpr); ok && root(sel.X) && !m.keepsReceiver(sel) {
				found = true
			}
		}
		return !found
	})
	return found
}

// keepsReceiver reports whether the call of the method sel surely leaves
// its receiver variable as it is: the variable is a pointer, map, chan,
// func or interface (the method may change what it points to, which a
// copy shares), or the method has a value receiver.
func (m *modernizer) keepsReceiver(sel *ast.SelectorExpr) bool {
	id, ok := sel.X.(*ast.Ident)
	if !ok {
		return false // x.f.M(): M may change the field in place
	}
	switch m.inf.exprType(id).kind {
	case reflect.Pointer, reflect.Map, reflect.Chan, reflect.Func, reflect.Interface:
		return true
	}
	return m.byValue(id, sel.Sel.Name)
}

// closureCopies returns the variables fl uses that are the loop's (names)
// or declared in the loop's body outside fl, and that nothing in body
// may change (see mutated): those a copy when fl is made keeps exact.
func (m *modernizer) closureCopies(body *ast.BlockStmt, fl *ast.FuncLit, names []string) []string {
	var out []string
	seen := map[string]bool{}
	ast.Inspect(fl.Body, func(n ast.Node) bool {
		id, ok := n.(*ast.Ident)
		if !ok || seen[id.Name] {
			return true
		}
		local := false
		o := m.s.obj(id)
		if o != nil && o.kind == varObj {
			p := o.decl.Pos()
			if p >= fl.Pos() && p < fl.End() {
				return true // fl's own
			}
			local = p > body.Lbrace && p < body.Rbrace
		}
		if o == nil || o.kind == varObj && !local {
			local = local || slices.Contains(names, id.Name)
		}
		if local && !m.mutated(body, id.Name) {
			seen[id.Name] = true
			out = append(out, id.Name)
		}
		return true
	})
	return out
}

// copyAtTop starts body with `a, b := a, b`.
func (m *modernizer) copyAtTop(body *ast.BlockStmt, names []string, pos token.Pos) {
	list := body.List
	if redeclares(list, names) {
		list = []ast.Stmt{&ast.BlockStmt{Lbrace: body.Lbrace, List: list, Rbrace: body.Rbrace}}
	}
	vals := make([]ast.Expr, len(names))
	for i, n := range names {
		vals[i] = ident(n, pos)
	}
	body.List = append([]ast.Stmt{define(pos, names, vals...)}, list...)
}

// perIterationFor gives a three-clause loop Go 1.22's per-iteration
// variables when its body can tell (see captures). If the body never
// assigns them, a copy at the top of the body is exact. Otherwise the
// copy is written back at the end of the iteration, and before each
// continue, so that the post statement works on the latest value, as in
// Go's own desugaring:
//
//	for i := 0; i < n; i++ {
//		__mh_o := &i         // the loop's variable
//		i := *__mh_o         // this iteration's
//		__mh_p := &i
//		{ body, with continue → { *__mh_o = *__mh_p; continue } }
//		*__mh_o = i
//	}
func (m *modernizer) perIterationFor(f *ast.ForStmt, label *ast.LabeledStmt) {
	init, ok := f.Init.(*ast.AssignStmt)
	if !ok || init.Tok != token.DEFINE {
		m.freshClosures(f.Body, nil)
		return
	}
	names := loopVars(init.Lhs...)
	m.freshClosures(f.Body, names)
	if len(names) == 0 || !captures(f.Body, names) {
		return
	}
	pos := f.Body.Lbrace
	if !assigns(f.Body, names) {
		m.copyAtTop(f.Body, names, pos)
		return
	}
	outer := make([]string, len(names))
	inner := make([]string, len(names))
	addrs, derefs, innerAddrs := make([]ast.Expr, len(names)), make([]ast.Expr, len(names)), make([]ast.Expr, len(names))
	for i, n := range names {
		outer[i], inner[i] = m.tmp(), m.tmp()
		addrs[i] = &ast.UnaryExpr{OpPos: pos, Op: token.AND, X: ident(n, pos)}
		derefs[i] = &ast.StarExpr{Star: pos, X: ident(outer[i], pos)}
		innerAddrs[i] = &ast.UnaryExpr{OpPos: pos, Op: token.AND, X: ident(n, pos)}
	}
	writeBack := func(pos token.Pos, fromInner bool) ast.Stmt {
		lhs, rhs := make([]ast.Expr, len(names)), make([]ast.Expr, len(names))
		for i, n := range names {
			lhs[i] = &ast.StarExpr{Star: pos, X: ident(outer[i], pos)}
			if fromInner {
				rhs[i] = &ast.StarExpr{Star: pos, X: ident(inner[i], pos)}
			} else {
				rhs[i] = ident(n, pos)
			}
		}
		return &ast.AssignStmt{Lhs: lhs, TokPos: pos, Tok: token.ASSIGN, Rhs: rhs}
	}
	var labelName string
	if label != nil {
		labelName = label.Label.Name
	}
	continues := 0
	replaceContinues(f.Body, labelName, func(b *ast.BranchStmt) ast.Stmt {
		continues++
		return &ast.BlockStmt{Lbrace: b.Pos(), List: []ast.Stmt{writeBack(b.Pos(), true), b}, Rbrace: b.End()}
	})
	list := []ast.Stmt{
		define(pos, outer, addrs...),
		define(pos, names, derefs...),
	}
	if continues > 0 {
		list = append(list, define(pos, inner, innerAddrs...))
	}
	end := f.Body.Rbrace
	list = append(list, &ast.BlockStmt{Lbrace: f.Body.Lbrace, List: f.Body.List, Rbrace: end}, writeBack(end, false))
	f.Body.List = list
}

// replaceContinues replaces the continue statements of a loop body that
// continue that loop: unlabeled ones outside nested loops, and those
// naming its label anywhere. Function literals are not entered.
func replaceContinues(body *ast.BlockStmt, label string, repl func(*ast.BranchStmt) ast.Stmt) {
	exits(body, func(s ast.Stmt, loops, _ int) ast.Stmt {
		b, ok := s.(*ast.BranchStmt)
		if ok && b.Tok == token.CONTINUE && (b.Label == nil && loops == 0 || b.Label != nil && b.Label.Name == label && label != "") {
			return repl(b)
		}
		return s
	})
}

// exits calls repl on each break, continue and return statement of a
// loop body, outside function literals, with the number of loops and of
// switches and selects around it in body, and puts repl's result in its
// place.
func exits(body *ast.BlockStmt, repl func(s ast.Stmt, loops, switches int) ast.Stmt) {
	var loops, switches int
	count := func(n ast.Node, d int) {
		switch n.(type) {
		case *ast.ForStmt, *ast.RangeStmt:
			loops += d
		case *ast.SwitchStmt, *ast.TypeSwitchStmt, *ast.SelectStmt:
			switches += d
		}
	}
	walk(body, func(c *cursor) bool {
		switch s := c.Node().(type) {
		case *ast.FuncLit:
			return false
		case *ast.BranchStmt, *ast.ReturnStmt:
			if r := repl(s.(ast.Stmt), loops, switches); r != s {
				c.Replace(r)
			}
			return false
		}
		count(c.Node(), 1)
		return true
	}, func(c *cursor) bool {
		count(c.Node(), -1)
		return true
	})
}
