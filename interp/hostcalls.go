package interp

import (
	"go/ast"
	"go/token"
	"reflect"
)

// Two places where yaegi v0.16.1 gets compiled packages wrong, rewritten
// before it compiles them:
//
//   - An assignment to a package variable of a number, string or bool
//     type (store.LowStock = 20, +=) fails with "cannot assign to 3 (int
//     constant)": yaegi takes the variable's value for a constant. The
//     assignment is made through its address, *(&store.LowStock) = 20,
//     which yaegi compiles.
//   - A value of a session type passed to a compiled function's variadic
//     parameter of an interface type (Cheapest(a, b) of Cheapest(ps
//     ...Pricer)) panics in reflect: yaegi wraps it for a slice, not for
//     each element. The arguments are passed as a slice literal of the
//     interface, Cheapest([]Pricer{a, b}...), which it wraps.
//
// And a guard: a compiled function or method with a ...any parameter may
// print its arguments with fmt (a *log.Logger's, a *slog.Logger's, the
// application's own Logf), which recurses into a map that holds itself
// until Go's fatal stack overflow. Those arguments are checked first, as
// fmt's own functions check theirs (see checkNesting).
func (p *pass) hostCalls(n ast.Node) {
	inf := p.newInferer()
	ast.Inspect(n, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.AssignStmt:
			if n.Tok == token.DEFINE {
				return true
			}
			for i, l := range n.Lhs {
				if sel, ok := l.(*ast.SelectorExpr); ok && isPackageVar(inf, sel) {
					n.Lhs[i] = &ast.StarExpr{Star: sel.Pos(), X: &ast.ParenExpr{Lparen: sel.Pos(),
						X: &ast.UnaryExpr{OpPos: sel.Pos(), Op: token.AND, X: sel}, Rparen: sel.End()}}
				}
			}
		case *ast.CallExpr:
			p.variadicInterface(inf, n)
			p.nestedArgs(inf, n)
		}
		return true
	})
}

// isPackageVar reports whether sel names a variable of a compiled package.
func isPackageVar(inf *inferer, sel *ast.SelectorExpr) bool {
	v, ok := inf.pkgSymbol(sel)
	return ok && v.CanSet() && v.Kind() != reflect.Func
}

// variadicInterface passes the variadic arguments of c as a slice when c
// calls a compiled function whose variadic parameter is of an interface
// type with methods.
func (p *pass) variadicInterface(inf *inferer, c *ast.CallExpr) {
	if c.Ellipsis.IsValid() {
		return
	}
	var ft reflect.Type
	if sel, ok := c.Fun.(*ast.SelectorExpr); ok {
		if v, ok := inf.pkgSymbol(sel); ok && v.Kind() == reflect.Func {
			ft = v.Type()
		} else if t := inf.exprType(sel); t.rt != nil && t.rt.Kind() == reflect.Func {
			ft = t.rt // a method of a host value
		}
	}
	if ft == nil || !ft.IsVariadic() {
		return
	}
	fixed := ft.NumIn() - 1
	elem := ft.In(fixed).Elem()
	if elem.Kind() != reflect.Interface || elem.NumMethod() == 0 || len(c.Args) <= fixed {
		return
	}
	if len(c.Args) == fixed+1 {
		if t := inf.exprType(c.Args[fixed]); t.rt == nil || t.rt.Kind() == reflect.Interface {
			// Maybe already of the interface; yaegi then needs no help,
			// and nil must stay nil.
			if t.rt != nil {
				return
			}
		}
	}
	te := inf.reflectTypeExpr(elem, c.Lparen, 0)
	if te == nil {
		return
	}
	pos := c.Args[fixed].Pos()
	c.Args = append(c.Args[:fixed:fixed], &ast.CompositeLit{
		Type: &ast.ArrayType{Lbrack: pos, Elt: te}, Lbrace: pos, Elts: c.Args[fixed:], Rbrace: c.Rparen,
	})
	c.Ellipsis = c.Rparen
}

// nestedArgs wraps the arguments c passes to a compiled function's ...any
// parameter in __mh.Nested (or the slice passed with ... in
// __mh.NestedSlice), which refuses a value nesting too deep to print.
func (p *pass) nestedArgs(inf *inferer, c *ast.CallExpr) {
	var ft reflect.Type
	sel, ok := c.Fun.(*ast.SelectorExpr)
	if !ok {
		// A func value: f := cfg.Logf; f("%v", m).
		if t := inf.exprType(c.Fun); t.rt != nil && t.rt.Kind() == reflect.Func {
			ft = t.rt
		}
	} else if v, ok := inf.pkgSymbol(sel); ok {
		if v.Kind() != reflect.Func {
			return
		}
		if id, ok := sel.X.(*ast.Ident); ok {
			if path, ok := p.s.pkgPath(id.Name); ok && p.s.printChecked(path) {
				return // checked by their own guards
			}
		}
		ft = v.Type()
	} else if t := inf.exprType(sel); t.rt != nil && t.rt.Kind() == reflect.Func {
		ft = t.rt // a method of a host value
	}
	if ft == nil || !ft.IsVariadic() {
		return
	}
	fixed := ft.NumIn() - 1
	if elem := ft.In(fixed).Elem(); elem.Kind() != reflect.Interface || elem.NumMethod() != 0 || len(c.Args) <= fixed {
		return
	}
	helper := func(name string, x ast.Expr) ast.Expr {
		if c, ok := x.(*ast.CallExpr); ok && isHelperCall(c, "Nested") {
			return x // rewritten already (a replay)
		}
		return &ast.CallExpr{Fun: &ast.SelectorExpr{X: &ast.Ident{NamePos: x.Pos(), Name: helperName}, Sel: &ast.Ident{NamePos: x.Pos(), Name: name}},
			Lparen: x.Pos(), Args: []ast.Expr{x}, Rparen: x.End()}
	}
	if c.Ellipsis.IsValid() {
		if len(c.Args) == fixed+1 {
			c.Args[fixed] = helper("NestedSlice", c.Args[fixed])
		}
		return
	}
	for i := fixed; i < len(c.Args); i++ {
		c.Args[i] = helper("Nested", c.Args[i])
	}
}

func isHelperCall(c *ast.CallExpr, name string) bool {
	sel, ok := c.Fun.(*ast.SelectorExpr)
	if !ok {
		return false
	}
	x, ok := sel.X.(*ast.Ident)
	return ok && x.Name == helperName && (sel.Sel.Name == name || sel.Sel.Name == name+"Slice")
}

// nested returns v after checkNesting.
func nested(v any) any {
	checkNesting(reflect.ValueOf(&v).Elem())
	return v
}

// nestedSlice returns vs after checkNesting.
func nestedSlice(vs []any) []any {
	checkNesting(reflect.ValueOf(vs))
	return vs
}
