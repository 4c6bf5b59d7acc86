package interp

import "go/ast"

// sourceText returns n, a file, a declaration, a statement or an
// expression, as Go source that parses back to the same tree: what
// SetDebugRewrite shows of the code yaegi compiles. A *ast.BlockStmt is
// written as its statements, one per line, as yaegi compiles the root
// block of an input: the statements of the global block. It is compact
// (no comments, no alignment, composite literals on one line); gofmt
// makes it pretty. go/printer would cost the embedding application more
// binary than the budget has left.
func sourceText(n ast.Node) string {
	p := &srcWriter{full: true}
	switch n := n.(type) {
	case *ast.File:
		p.file(n)
	case ast.Decl:
		p.decl(n)
	case *ast.BlockStmt:
		for i, s := range n.List {
			if i > 0 {
				p.nl()
			}
			p.stmt(s)
		}
	case ast.Stmt:
		p.stmt(n)
	case ast.Expr:
		p.expr(n)
	}
	return p.b.String()
}

// nl starts a line, indented.
func (p *srcWriter) nl() {
	p.b.WriteByte('\n')
	for range p.indent {
		p.b.WriteByte('\t')
	}
}

func (p *srcWriter) file(f *ast.File) {
	p.str("package ")
	p.str(f.Name.Name)
	for _, d := range f.Decls {
		p.str("\n\n")
		p.decl(d)
	}
}

func (p *srcWriter) decl(d ast.Decl) {
	switch d := d.(type) {
	default:
		p.str("/* bad declaration */")
	case *ast.GenDecl:
		p.str(d.Tok.String())
		p.str(" ")
		if !d.Lparen.IsValid() && len(d.Specs) == 1 {
			p.spec(d.Specs[0])
			return
		}
		p.str("(")
		p.indent++
		for _, s := range d.Specs {
			p.nl()
			p.spec(s)
		}
		p.indent--
		p.nl()
		p.str(")")
	case *ast.FuncDecl:
		p.str("func ")
		if d.Recv != nil {
			p.str("(")
			p.fieldList(d.Recv.List, ", ", false)
			p.str(") ")
		}
		p.str(d.Name.Name)
		p.typeParams(d.Type.TypeParams)
		p.signature(d.Type)
		if d.Body != nil {
			p.str(" ")
			p.block(d.Body)
		}
	}
}

func (p *srcWriter) spec(s ast.Spec) {
	switch s := s.(type) {
	case *ast.ImportSpec:
		if s.Name != nil {
			p.str(s.Name.Name)
			p.str(" ")
		}
		p.str(s.Path.Value)
	case *ast.ValueSpec:
		for i, id := range s.Names {
			if i > 0 {
				p.str(", ")
			}
			p.str(id.Name)
		}
		if s.Type != nil {
			p.str(" ")
			p.expr(s.Type)
		}
		if len(s.Values) > 0 {
			p.str(" = ")
			p.exprList(s.Values)
		}
	case *ast.TypeSpec:
		p.str(s.Name.Name)
		p.typeParams(s.TypeParams)
		if s.Assign.IsValid() {
			p.str(" =")
		}
		p.str(" ")
		p.expr(s.Type)
	}
}

// typeParams writes [P C, ...]. A lone parameter whose constraint starts
// like an expression (type T[P *C]) takes a trailing comma, as gofmt
// writes it: T[P *C] would read as an array type.
func (p *srcWriter) typeParams(tp *ast.FieldList) {
	if tp == nil {
		return
	}
	p.str("[")
	p.fieldList(tp.List, ", ", false)
	if len(tp.List) == 1 && len(tp.List[0].Names) == 1 {
		switch tp.List[0].Type.(type) {
		case *ast.StarExpr, *ast.BinaryExpr, *ast.UnaryExpr, *ast.ParenExpr:
			p.str(",")
		}
	}
	p.str("]")
}

// block writes {, the statements one per line one tab further in, }.
func (p *srcWriter) block(b *ast.BlockStmt) {
	p.str("{")
	p.indent++
	n := 0
	for _, s := range b.List {
		if _, empty := s.(*ast.EmptyStmt); empty {
			continue
		}
		p.nl()
		p.stmt(s)
		n++
	}
	p.indent--
	if n > 0 {
		p.nl()
	}
	p.str("}")
}

// clauses writes the body of a switch or a select: each case at the
// statement's indentation, its statements one tab further in.
func (p *srcWriter) clauses(b *ast.BlockStmt) {
	p.str("{")
	for _, s := range b.List {
		p.nl()
		var body []ast.Stmt
		switch c := s.(type) {
		case *ast.CaseClause:
			if c.List == nil {
				p.str("default:")
			} else {
				p.str("case ")
				p.exprList(c.List)
				p.str(":")
			}
			body = c.Body
		case *ast.CommClause:
			if c.Comm == nil {
				p.str("default:")
			} else {
				p.str("case ")
				p.stmt(c.Comm)
				p.str(":")
			}
			body = c.Body
		}
		p.indent++
		for _, s := range body {
			if _, empty := s.(*ast.EmptyStmt); !empty {
				p.nl()
				p.stmt(s)
			}
		}
		p.indent--
	}
	p.nl()
	p.str("}")
}

func (p *srcWriter) stmt(s ast.Stmt) {
	switch s := s.(type) {
	default:
		p.str("/* bad statement */")
	case *ast.EmptyStmt:
	case *ast.DeclStmt:
		p.decl(s.Decl)
	case *ast.LabeledStmt:
		p.str(s.Label.Name)
		p.str(":")
		if _, empty := s.Stmt.(*ast.EmptyStmt); empty {
			// L: followed by a line break would label the next statement.
			p.str(" ;")
			return
		}
		p.nl()
		p.stmt(s.Stmt)
	case *ast.ExprStmt:
		p.expr(s.X)
	case *ast.SendStmt:
		p.expr(s.Chan)
		p.str(" <- ")
		p.expr(s.Value)
	case *ast.IncDecStmt:
		p.expr(s.X)
		p.str(s.Tok.String())
	case *ast.AssignStmt:
		p.exprList(s.Lhs)
		p.str(" " + s.Tok.String() + " ")
		p.exprList(s.Rhs)
	case *ast.GoStmt:
		p.str("go ")
		p.expr(s.Call)
	case *ast.DeferStmt:
		p.str("defer ")
		p.expr(s.Call)
	case *ast.ReturnStmt:
		p.str("return")
		if len(s.Results) > 0 {
			p.str(" ")
			p.exprList(s.Results)
		}
	case *ast.BranchStmt:
		p.str(s.Tok.String())
		if s.Label != nil {
			p.str(" ")
			p.str(s.Label.Name)
		}
	case *ast.BlockStmt:
		p.block(s)
	case *ast.IfStmt:
		p.str("if ")
		p.header = true
		if s.Init != nil {
			p.stmt(s.Init)
			p.str("; ")
		}
		p.expr(s.Cond)
		p.header = false
		p.str(" ")
		p.block(s.Body)
		if s.Else != nil {
			p.str(" else ")
			p.stmt(s.Else)
		}
	case *ast.SwitchStmt:
		p.str("switch")
		p.header = true
		if s.Init != nil {
			p.str(" ")
			p.stmt(s.Init)
			p.str(";")
		}
		if s.Tag != nil {
			p.str(" ")
			p.expr(s.Tag)
		}
		p.header = false
		p.str(" ")
		p.clauses(s.Body)
	case *ast.TypeSwitchStmt:
		p.str("switch ")
		p.header = true
		if s.Init != nil {
			p.stmt(s.Init)
			p.str("; ")
		}
		p.stmt(s.Assign)
		p.header = false
		p.str(" ")
		p.clauses(s.Body)
	case *ast.SelectStmt:
		p.str("select ")
		p.clauses(s.Body)
	case *ast.ForStmt:
		p.str("for ")
		p.header = true
		if s.Init != nil || s.Post != nil {
			if s.Init != nil {
				p.stmt(s.Init)
			}
			p.str("; ")
			if s.Cond != nil {
				p.expr(s.Cond)
			}
			p.str("; ")
			if s.Post != nil {
				p.stmt(s.Post)
			}
			p.str(" ")
		} else if s.Cond != nil {
			p.expr(s.Cond)
			p.str(" ")
		}
		p.header = false
		p.block(s.Body)
	case *ast.RangeStmt:
		p.str("for ")
		p.header = true
		if s.Key != nil {
			p.expr(s.Key)
			if s.Value != nil {
				p.str(", ")
				p.expr(s.Value)
			}
			p.str(" " + s.Tok.String() + " ")
		}
		p.str("range ")
		p.expr(s.X)
		p.header = false
		p.str(" ")
		p.block(s.Body)
	}
}
