package interp

import "go/ast"

// editExprs calls f on every expression under n, children before
// parents, and puts f's result in the expression's place. It does not
// enter function literals when skipFuncs is set: their bodies are
// rewritten on their own.
func editExprs(n ast.Node, skipFuncs bool, f func(ast.Expr) ast.Expr) {
	e := &exprEditor{f: f, skipFuncs: skipFuncs}
	e.node(n)
}

type exprEditor struct {
	f         func(ast.Expr) ast.Expr
	skipFuncs bool
}

func (e *exprEditor) expr(p *ast.Expr) {
	if *p == nil {
		return
	}
	switch x := (*p).(type) {
	case *ast.ParenExpr:
		e.expr(&x.X)
	case *ast.SelectorExpr:
		e.expr(&x.X)
	case *ast.IndexExpr:
		e.expr(&x.X)
		e.expr(&x.Index)
	case *ast.IndexListExpr:
		e.expr(&x.X)
		e.exprs(x.Indices)
	case *ast.SliceExpr:
		e.expr(&x.X)
		e.expr(&x.Low)
		e.expr(&x.High)
		e.expr(&x.Max)
	case *ast.TypeAssertExpr:
		e.expr(&x.X)
		e.expr(&x.Type)
	case *ast.CallExpr:
		e.expr(&x.Fun)
		e.exprs(x.Args)
	case *ast.StarExpr:
		e.expr(&x.X)
	case *ast.UnaryExpr:
		e.expr(&x.X)
	case *ast.BinaryExpr:
		e.expr(&x.X)
		e.expr(&x.Y)
	case *ast.KeyValueExpr:
		e.expr(&x.Key)
		e.expr(&x.Value)
	case *ast.CompositeLit:
		e.expr(&x.Type)
		e.exprs(x.Elts)
	case *ast.FuncLit:
		e.fields(x.Type.Params)
		e.fields(x.Type.Results)
		if !e.skipFuncs {
			e.node(x.Body)
		}
	case *ast.ArrayType:
		e.expr(&x.Len)
		e.expr(&x.Elt)
	case *ast.MapType:
		e.expr(&x.Key)
		e.expr(&x.Value)
	case *ast.ChanType:
		e.expr(&x.Value)
	case *ast.Ellipsis:
		e.expr(&x.Elt)
	case *ast.FuncType:
		e.fields(x.TypeParams)
		e.fields(x.Params)
		e.fields(x.Results)
	case *ast.StructType:
		e.fields(x.Fields)
	case *ast.InterfaceType:
		e.fields(x.Methods)
	}
	*p = e.f(*p)
}

func (e *exprEditor) exprs(l []ast.Expr) {
	for i := range l {
		e.expr(&l[i])
	}
}

func (e *exprEditor) fields(l *ast.FieldList) {
	if l == nil {
		return
	}
	for _, f := range l.List {
		e.expr(&f.Type)
	}
}

func (e *exprEditor) stmts(l []ast.Stmt) {
	for _, s := range l {
		e.node(s)
	}
}

func (e *exprEditor) node(n ast.Node) {
	switch n := n.(type) {
	case nil:
	case ast.Expr:
		// A root expression cannot be replaced; its children can.
		x := n
		e.expr(&x)
	case *ast.File:
		for _, d := range n.Decls {
			e.node(d)
		}
	case *ast.FuncDecl:
		e.fields(n.Recv)
		e.fields(n.Type.TypeParams)
		e.fields(n.Type.Params)
		e.fields(n.Type.Results)
		if n.Body != nil {
			e.node(n.Body)
		}
	case *ast.GenDecl:
		for _, s := range n.Specs {
			e.node(s)
		}
	case *ast.ValueSpec:
		e.expr(&n.Type)
		e.exprs(n.Values)
	case *ast.TypeSpec:
		e.fields(n.TypeParams)
		e.expr(&n.Type)
	case *ast.ImportSpec:
	case *ast.BlockStmt:
		if n != nil {
			e.stmts(n.List)
		}
	case *ast.ExprStmt:
		e.expr(&n.X)
	case *ast.SendStmt:
		e.expr(&n.Chan)
		e.expr(&n.Value)
	case *ast.IncDecStmt:
		e.expr(&n.X)
	case *ast.AssignStmt:
		e.exprs(n.Lhs)
		e.exprs(n.Rhs)
	case *ast.GoStmt:
		x := ast.Expr(n.Call)
		e.expr(&x)
		if c, ok := x.(*ast.CallExpr); ok {
			n.Call = c
		}
	case *ast.DeferStmt:
		x := ast.Expr(n.Call)
		e.expr(&x)
		if c, ok := x.(*ast.CallExpr); ok {
			n.Call = c
		}
	case *ast.ReturnStmt:
		e.exprs(n.Results)
	case *ast.DeclStmt:
		e.node(n.Decl)
	case *ast.LabeledStmt:
		e.node(n.Stmt)
	case *ast.IfStmt:
		e.node(n.Init)
		e.expr(&n.Cond)
		e.node(n.Body)
		e.node(n.Else)
	case *ast.CaseClause:
		e.exprs(n.List)
		e.stmts(n.Body)
	case *ast.SwitchStmt:
		e.node(n.Init)
		e.expr(&n.Tag)
		e.node(n.Body)
	case *ast.TypeSwitchStmt:
		e.node(n.Init)
		e.node(n.Assign)
		e.node(n.Body)
	case *ast.CommClause:
		e.node(n.Comm)
		e.stmts(n.Body)
	case *ast.SelectStmt:
		e.node(n.Body)
	case *ast.ForStmt:
		e.node(n.Init)
		e.expr(&n.Cond)
		e.node(n.Post)
		e.node(n.Body)
	case *ast.RangeStmt:
		e.expr(&n.Key)
		e.expr(&n.Value)
		e.expr(&n.X)
		e.node(n.Body)
	}
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
