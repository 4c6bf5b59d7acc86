package interp

import (
	"go/ast"
	"go/parser"
	"go/token"
	"reflect"
	"strings"
)

// funcScope records the function each range statement is in. A pointer,
// so that Visit does not box a copy at every node.
type funcScope struct {
	m   map[*ast.RangeStmt]*ast.FuncType
	cur *ast.FuncType
}

func (v *funcScope) Visit(n ast.Node) ast.Visitor {
	switch n := n.(type) {
	case *ast.FuncDecl:
		return &funcScope{m: v.m, cur: n.Type}
	case *ast.FuncLit:
		return &funcScope{m: v.m, cur: n.Type}
	case *ast.RangeStmt:
		v.m[n] = v.cur
	}
	return v
}

// rangeFunc rewrites a range over a function (Go 1.23), which yaegi
// lacks, into a call of the function with a yield closure:
//
//	for k, v := range seq { body }
//
// becomes
//
//	{
//		var __mh_ret bool               // if body returns
//		seq(func(k K, v V) bool { body'; return true })
//		if __mh_ret { return ... }
//	}
//
// where in body', continue is `return true`, break `return false`, and
// a return from the enclosing function stores its results, sets
// __mh_ret and returns false. K and V must be known from the function's
// type: a function literal, a declaration in the session, or a namespace
// value whose element types can be named. A body with defer, goto, or a
// break or continue to an outer loop is refused: it cannot move into a
// closure unchanged.
func (m *modernizer) rangeFunc(r *ast.RangeStmt, label *ast.LabeledStmt, t typeInfo) []ast.Stmt {
	pos := r.For
	yieldParams, ok := m.yieldParams(t, pos)
	if !ok {
		m.fail(r.X.Pos(), "range over a function: the interpreter cannot tell its element types here; call the function with a yield func instead")
		return nil
	}
	vars := []ast.Expr{r.Key, r.Value}
	n := 0
	for _, v := range vars {
		if v != nil {
			n++
		}
	}
	if n > len(yieldParams) {
		m.fail(r.X.Pos(), "range over this function permits only %d iteration variables", len(yieldParams))
		return nil
	}
	var labelName string
	if label != nil {
		labelName = label.Label.Name
	}
	if bad := m.unmovable(r.Body, labelName); bad != nil {
		m.fail(bad.Pos(), "%s in the body of a range over a function is not supported by the interpreter", stmtWord(bad))
		return nil
	}
	fn := m.funcOf[r]

	// The yield closure's parameters.
	params := &ast.FieldList{Opening: pos, Closing: pos}
	var assign []ast.Stmt
	var names []string
	for i, typ := range yieldParams {
		name := "_"
		if i < len(vars) && vars[i] != nil {
			if id, ok := vars[i].(*ast.Ident); ok && r.Tok == token.DEFINE {
				name = id.Name
			} else if !(ok && id.Name == "_") {
				name = m.tmp()
				assign = append(assign, &ast.AssignStmt{Lhs: []ast.Expr{vars[i]}, TokPos: r.TokPos, Tok: token.ASSIGN, Rhs: []ast.Expr{ident(name, pos)}})
			}
		}
		if name != "_" {
			names = append(names, name)
		}
		params.List = append(params.List, &ast.Field{Names: []*ast.Ident{ident(name, pos)}, Type: typ})
	}
	yieldType := &ast.FuncType{Func: pos, Params: params, Results: &ast.FieldList{List: []*ast.Field{{Type: ident("bool", pos)}}}}

	// The body's control flow.
	ret := ""
	var results []string // temporaries for unnamed results
	named := fn != nil && fn.Results != nil && len(fn.Results.List) > 0 && len(fn.Results.List[0].Names) > 0
	returns := false
	m.branches(r.Body, labelName, func(s ast.Stmt) ast.Stmt {
		switch s := s.(type) {
		case *ast.BranchStmt:
			v := "true"
			if s.Tok == token.BREAK {
				v = "false"
			}
			return &ast.ReturnStmt{Return: s.Pos(), Results: []ast.Expr{ident(v, s.Pos())}}
		case *ast.ReturnStmt:
			returns = true
			if fn == nil {
				m.fail(s.Pos(), "return is only allowed inside a function")
				return s
			}
			if ret == "" {
				ret = m.tmp()
			}
			p := s.Pos()
			var list []ast.Stmt
			if len(s.Results) > 0 {
				var lhs []ast.Expr
				if named {
					for _, f := range fn.Results.List {
						for _, n := range f.Names {
							lhs = append(lhs, ident(n.Name, p))
						}
					}
				} else {
					if results == nil {
						for _, f := range fn.Results.List {
							for k := 0; k < max(1, len(f.Names)); k++ {
								results = append(results, m.tmp())
							}
						}
					}
					for _, n := range results {
						lhs = append(lhs, ident(n, p))
					}
				}
				list = append(list, &ast.AssignStmt{Lhs: lhs, TokPos: p, Tok: token.ASSIGN, Rhs: s.Results})
			}
			list = append(list,
				&ast.AssignStmt{Lhs: []ast.Expr{ident(ret, p)}, TokPos: p, Tok: token.ASSIGN, Rhs: []ast.Expr{ident("true", p)}},
				&ast.ReturnStmt{Return: p, Results: []ast.Expr{ident("false", p)}})
			return &ast.BlockStmt{Lbrace: p, List: list, Rbrace: p}
		}
		return s
	})

	body := r.Body.List
	if redeclares(body, names) {
		body = []ast.Stmt{&ast.BlockStmt{Lbrace: r.Body.Lbrace, List: body, Rbrace: r.Body.Rbrace}}
	}
	body = append(assign, body...)
	body = append(body, &ast.ReturnStmt{Return: r.Body.Rbrace, Results: []ast.Expr{ident("true", r.Body.Rbrace)}})
	lit := &ast.FuncLit{Type: yieldType, Body: &ast.BlockStmt{Lbrace: r.Body.Lbrace, List: body, Rbrace: r.Body.Rbrace}}
	// Range statements now in the closure return from it.
	ast.Inspect(lit.Body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.RangeStmt:
			m.funcOf[n] = yieldType
		}
		return true
	})

	var out []ast.Stmt
	if returns && ret != "" {
		out = append(out, varDecl(pos, ret, ident("bool", pos)))
		for i, n := range results {
			out = append(out, varDecl(pos, n, cloneType(resultType(fn, i), pos)))
		}
	}
	out = append(out, &ast.ExprStmt{X: &ast.CallExpr{Fun: r.X, Lparen: pos, Args: []ast.Expr{lit}, Rparen: r.End()}})
	if returns && ret != "" {
		var res []ast.Expr
		for _, n := range results {
			res = append(res, ident(n, pos))
		}
		out = append(out, &ast.IfStmt{If: pos, Cond: ident(ret, pos), Body: &ast.BlockStmt{Lbrace: pos, Rbrace: pos,
			List: []ast.Stmt{&ast.ReturnStmt{Return: pos, Results: res}}}})
	}
	return []ast.Stmt{&ast.BlockStmt{Lbrace: pos, List: out, Rbrace: r.End()}}
}

func varDecl(pos token.Pos, name string, typ ast.Expr) ast.Stmt {
	return &ast.DeclStmt{Decl: &ast.GenDecl{TokPos: pos, Tok: token.VAR, Specs: []ast.Spec{
		&ast.ValueSpec{Names: []*ast.Ident{ident(name, pos)}, Type: typ},
	}}}
}

// resultType returns the type of a function's i-th result.
func resultType(fn *ast.FuncType, i int) ast.Expr {
	for _, f := range fn.Results.List {
		n := max(1, len(f.Names))
		if i < n {
			return f.Type
		}
		i -= n
	}
	return nil
}

func stmtWord(s ast.Stmt) string {
	switch s := s.(type) {
	case *ast.DeferStmt:
		return "defer"
	case *ast.BranchStmt:
		return s.Tok.String() + " " + s.Label.Name
	}
	return "this statement"
}

// unmovable returns a statement of body that cannot move into a closure:
// a defer, a goto, a labeled break or continue to a loop outside body.
func (m *modernizer) unmovable(body *ast.BlockStmt, label string) ast.Stmt {
	inner := map[string]bool{}
	ast.Inspect(body, func(n ast.Node) bool {
		if l, ok := n.(*ast.LabeledStmt); ok {
			inner[l.Label.Name] = true
		}
		_, lit := n.(*ast.FuncLit)
		return !lit
	})
	var bad ast.Stmt
	ast.Inspect(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.DeferStmt:
			bad = n
		case *ast.BranchStmt:
			if n.Tok == token.GOTO || n.Label != nil && n.Label.Name != label && !inner[n.Label.Name] {
				bad = n
			}
		}
		return bad == nil
	})
	return bad
}

// branches replaces, in a range-over-func body, the statements that leave
// an iteration: break and continue of this loop, and return. Nested
// function literals are not entered; nested loops, switches and selects
// keep their unlabeled break and continue.
func (m *modernizer) branches(body *ast.BlockStmt, label string, repl func(ast.Stmt) ast.Stmt) {
	exits(body, func(s ast.Stmt, loops, switches int) ast.Stmt {
		b, ok := s.(*ast.BranchStmt)
		if !ok {
			return repl(s) // a return
		}
		mine := b.Label != nil && b.Label.Name == label && label != ""
		switch b.Tok {
		case token.CONTINUE:
			if mine || b.Label == nil && loops == 0 {
				return repl(s)
			}
		case token.BREAK:
			if mine || b.Label == nil && loops == 0 && switches == 0 {
				return repl(s)
			}
		}
		return s
	})
}

// yieldParams returns the parameter types of the yield function of a
// range-over-func sequence of type t, as type expressions.
func (m *modernizer) yieldParams(t typeInfo, pos token.Pos) ([]ast.Expr, bool) {
	if ft, ok := t.texpr.(*ast.FuncType); ok {
		if ft.Params == nil || len(ft.Params.List) != 1 || len(ft.Params.List[0].Names) > 1 || ft.Results != nil && len(ft.Results.List) > 0 {
			return nil, false
		}
		yt, ok := ft.Params.List[0].Type.(*ast.FuncType)
		if !ok || yt.Results == nil || len(yt.Results.List) != 1 {
			return nil, false
		}
		var types []ast.Expr
		for _, f := range yt.Params.List {
			for k := 0; k < max(1, len(f.Names)); k++ {
				types = append(types, cloneType(f.Type, pos))
			}
		}
		return types, len(types) <= 2
	}
	rt := t.rt
	if rt == nil || rt.Kind() != reflect.Func || rt.NumIn() != 1 || rt.NumOut() != 0 {
		return nil, false
	}
	y := rt.In(0)
	if y.Kind() != reflect.Func || y.NumOut() != 1 || y.Out(0).Kind() != reflect.Bool || y.NumIn() > 2 {
		return nil, false
	}
	var types []ast.Expr
	for i := 0; i < y.NumIn(); i++ {
		e, ok := m.typeExpr(y.In(i), pos)
		if !ok {
			return nil, false
		}
		types = append(types, e)
	}
	return types, true
}

// typeExpr writes a reflect type as a type expression of evaluated code,
// if it can be named there: built of predeclared types, standard
// library types and the session's named struct types.
func (m *modernizer) typeExpr(t reflect.Type, pos token.Pos) (ast.Expr, bool) {
	var ok = true
	var name func(t reflect.Type) string
	name = func(t reflect.Type) string {
		if t.Name() != "" {
			if t.PkgPath() == "" {
				return t.Name()
			}
			pkg := t.String()[:strings.LastIndexByte(t.String(), '.')]
			if p, found := m.s.pkgPath(pkg); !found || p != t.PkgPath() {
				ok = false
			}
			return t.String()
		}
		if n := m.s.namedType(t); n != "" {
			return n
		}
		switch t.Kind() {
		case reflect.Pointer:
			return "*" + name(t.Elem())
		case reflect.Slice:
			return "[]" + name(t.Elem())
		case reflect.Map:
			return "map[" + name(t.Key()) + "]" + name(t.Elem())
		case reflect.Interface:
			if t.NumMethod() == 0 {
				return "any"
			}
		}
		ok = false
		return ""
	}
	s := name(t)
	if !ok {
		return nil, false
	}
	e, err := parser.ParseExpr(s)
	if err != nil {
		return nil, false
	}
	return cloneType(e, pos), true
}

// cloneType deep-copies a type expression, with every position set to pos:
// it may come from an earlier input. The copy's names resolve to nothing
// of this input.
func cloneType(e ast.Expr, pos token.Pos) ast.Expr {
	if e == nil {
		return nil
	}
	return cloneNode(reflect.ValueOf(e), pos).Interface().(ast.Expr)
}

var (
	posType = reflect.TypeOf(token.Pos(0))
)

func cloneNode(v reflect.Value, pos token.Pos) reflect.Value {
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return reflect.Zero(v.Type())
		}
		c := reflect.New(v.Type().Elem())
		c.Elem().Set(cloneNode(v.Elem(), pos))
		return c
	case reflect.Interface:
		if v.IsNil() {
			return reflect.Zero(v.Type())
		}
		c := reflect.New(v.Type()).Elem()
		c.Set(cloneNode(v.Elem(), pos))
		return c
	case reflect.Slice:
		if v.IsNil() {
			return reflect.Zero(v.Type())
		}
		c := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
		for i := 0; i < v.Len(); i++ {
			c.Index(i).Set(cloneNode(v.Index(i), pos))
		}
		return c
	case reflect.Struct:
		c := reflect.New(v.Type()).Elem()
		for i := 0; i < v.NumField(); i++ {
			f := v.Field(i)
			switch {
			case f.Type() == posType:
				c.Field(i).Set(reflect.ValueOf(pos))
			case v.Type().Field(i).Name == "Comment" || v.Type().Field(i).Name == "Doc":
			default:
				c.Field(i).Set(cloneNode(f, pos))
			}
		}
		return c
	}
	return v
}
