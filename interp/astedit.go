package interp

import "go/ast"

// editExprs calls f on every expression under n, children before
// parents, and puts f's result in the expression's place. It does not
// enter function literals when skipFuncs is set: their bodies are
// rewritten on their own. Names that are not expressions of their own
// (a selector's, a field's, a declaration's, a label), a struct tag and
// the function type that is a function's signature are not given to f;
// a root expression is, but not replaced.
//
//go:noinline
func editExprs(n ast.Node, skipFuncs bool, f func(ast.Expr) ast.Expr) {
	walk(n, func(c *cursor) bool {
		switch c.Node().(type) {
		case *ast.ImportSpec:
			return false
		case *ast.BlockStmt:
			_, lit := c.Parent().(*ast.FuncLit)
			return !(lit && skipFuncs)
		}
		return true
	}, func(c *cursor) bool {
		x, ok := c.Node().(ast.Expr)
		if !ok {
			return true
		}
		if c.Parent() == nil {
			f(x) // a root expression cannot be replaced
			return true
		}
		switch c.Field() {
		case "Sel", "Names", "Name", "Label":
			return true
		case "Tag":
			if _, field := c.Parent().(*ast.Field); field {
				return true
			}
		case "Type":
			switch c.Parent().(type) {
			case *ast.FuncLit, *ast.FuncDecl:
				return true
			}
		case "Call":
			// A go or defer statement's call stays a call.
			if r, ok := f(x).(*ast.CallExpr); ok && r != x {
				c.Replace(r)
			}
			return true
		}
		if r := f(x); r != x {
			c.Replace(r)
		}
		return true
	})
}

// editStmtLists calls f on every statement list under n (block bodies,
// case and select clause bodies), outermost first, and replaces each list
// with f's result. Lists inside function literals are visited too.
func editStmtLists(n ast.Node, f func([]ast.Stmt) []ast.Stmt) {
	visit := func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.BlockStmt:
			if n == nil {
				return false
			}
			n.List = f(n.List)
		case *ast.CaseClause:
			n.Body = f(n.Body)
		case *ast.CommClause:
			n.Body = f(n.Body)
		}
		return true
	}
	ast.Inspect(n, visit)
}
