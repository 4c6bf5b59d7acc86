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
func (in *Interp) hostCalls(n ast.Node) {
	inf := &inferer{in: in}
	ast.Inspect(n, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.AssignStmt:
			if n.Tok == token.DEFINE {
				return true
			}
			for i, l := range n.Lhs {
				if sel, ok := l.(*ast.SelectorExpr); ok && in.isPackageVar(inf, sel) {
					n.Lhs[i] = &ast.StarExpr{Star: sel.Pos(), X: &ast.ParenExpr{Lparen: sel.Pos(),
						X: &ast.UnaryExpr{OpPos: sel.Pos(), Op: token.AND, X: sel}, Rparen: sel.End()}}
				}
			}
		case *ast.CallExpr:
			in.variadicInterface(inf, n)
		}
		return true
	})
}

// isPackageVar reports whether sel names a variable of a compiled package.
func (in *Interp) isPackageVar(inf *inferer, sel *ast.SelectorExpr) bool {
	v, ok := inf.pkgSymbol(sel)
	return ok && v.CanSet() && v.Kind() != reflect.Func
}

// variadicInterface passes the variadic arguments of c as a slice when c
// calls a compiled function whose variadic parameter is of an interface
// type with methods.
func (in *Interp) variadicInterface(inf *inferer, c *ast.CallExpr) {
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
	te := in.reflectTypeExpr(elem, c.Lparen, 0)
	if te == nil {
		return
	}
	pos := c.Args[fixed].Pos()
	c.Args = append(c.Args[:fixed:fixed], &ast.CompositeLit{
		Type: &ast.ArrayType{Lbrack: pos, Elt: te}, Lbrace: pos, Elts: c.Args[fixed:], Rbrace: c.Rparen,
	})
	c.Ellipsis = c.Rparen
}
