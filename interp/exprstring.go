// The printing of expressions follows go/types' ExprString (Copyright
// 2013 The Go Authors, BSD-style license): importing go/types for it
// alone would link the whole type checker, a megabyte, into every
// application that embeds manhole. srcprint.go extends it to statements
// and declarations.

package interp

import (
	"fmt"
	"go/ast"
	"go/token"
	"strings"
)

// exprString is x as go/types.ExprString writes it: Go syntax, with
// composite literals' elements and function literals' bodies shortened.
func exprString(x ast.Expr) string {
	var p srcWriter
	p.expr(x)
	return p.b.String()
}

// srcWriter writes Go syntax. Without full it writes expressions as
// go/types.ExprString does; with full it writes source that parses back
// to the same tree (see sourceText).
type srcWriter struct {
	b strings.Builder
	// full: composite literals and function literals in full, struct
	// tags, and the parentheses and spaces that a tree built by the
	// rewrites rather than by the parser may need to read back the same.
	full   bool
	indent int // tabs after a line break
	// header is set in the header of an if, for or switch, outside any
	// brackets, where a composite literal of a named type needs
	// parentheses.
	header bool
}

// str writes s. Not inlined: strings.Builder's WriteString inlined at
// each of the printer's hundred calls would cost the binary kilobytes.
//
//go:noinline
func (p *srcWriter) str(s string) { p.b.WriteString(s) }

func (p *srcWriter) expr(x ast.Expr) {
	switch x := x.(type) {
	default:
		fmt.Fprintf(&p.b, "(ast: %T)", x)
	case *ast.Ident:
		p.str(x.Name)
	case *ast.Ellipsis:
		p.str("...")
		if x.Elt != nil {
			p.expr(x.Elt)
		}
	case *ast.BasicLit:
		p.str(x.Value)
	case *ast.FuncLit:
		if p.full {
			p.str("func")
			p.signature(x.Type)
			p.str(" ")
			h := p.header
			p.header = false
			p.block(x.Body)
			p.header = h
			return
		}
		p.str("(")
		p.expr(x.Type)
		p.str(" literal)")
	case *ast.CompositeLit:
		paren := p.header && isTypeName(x.Type)
		if paren {
			p.str("(")
		}
		if x.Type != nil {
			p.expr(x.Type)
		}
		p.str("{")
		if p.full {
			h := p.header
			p.header = false
			p.exprList(x.Elts)
			p.header = h
		} else if len(x.Elts) > 0 {
			p.str("…")
		}
		p.str("}")
		if paren {
			p.str(")")
		}
	case *ast.KeyValueExpr:
		if !p.full {
			fmt.Fprintf(&p.b, "(ast: %T)", x)
			return
		}
		p.expr(x.Key)
		p.str(": ")
		p.expr(x.Value)
	case *ast.ParenExpr:
		h := p.header
		p.header = false
		p.str("(")
		p.expr(x.X)
		p.str(")")
		p.header = h
	case *ast.SelectorExpr:
		p.operand(x.X)
		p.str(".")
		p.str(x.Sel.Name)
	case *ast.IndexExpr:
		p.operand(x.X)
		h := p.header
		p.header = false
		p.str("[")
		p.expr(x.Index)
		p.str("]")
		p.header = h
	case *ast.IndexListExpr:
		p.operand(x.X)
		h := p.header
		p.header = false
		p.str("[")
		p.exprList(x.Indices)
		p.str("]")
		p.header = h
	case *ast.SliceExpr:
		p.operand(x.X)
		h := p.header
		p.header = false
		p.str("[")
		if x.Low != nil {
			p.expr(x.Low)
		}
		p.str(":")
		if x.High != nil {
			p.expr(x.High)
		}
		if x.Slice3 {
			p.str(":")
			if x.Max != nil {
				p.expr(x.Max)
			}
		}
		p.str("]")
		p.header = h
	case *ast.TypeAssertExpr:
		p.operand(x.X)
		p.str(".(")
		if x.Type == nil {
			p.str("type")
		} else {
			p.expr(x.Type)
		}
		p.str(")")
	case *ast.CallExpr:
		p.operand(x.Fun)
		h := p.header
		p.header = false
		p.str("(")
		p.exprList(x.Args)
		if x.Ellipsis.IsValid() {
			p.str("...")
		}
		p.str(")")
		p.header = h
	case *ast.StarExpr:
		p.str("*")
		p.paren(x.X, p.full && binaryPrec(x.X) < token.HighestPrec)
	case *ast.UnaryExpr:
		p.str(x.Op.String())
		if u, ok := x.X.(*ast.UnaryExpr); ok && p.full && (u.Op == x.Op && (x.Op == token.SUB || x.Op == token.ADD || x.Op == token.AND) ||
			x.Op == token.AND && u.Op == token.XOR) {
			p.str(" ") // - -x, not --x; & ^x, not &^x
		}
		p.paren(x.X, p.full && binaryPrec(x.X) < token.HighestPrec)
	case *ast.BinaryExpr:
		prec := x.Op.Precedence()
		p.paren(x.X, p.full && binaryPrec(x.X) < prec)
		p.str(" " + x.Op.String() + " ")
		p.paren(x.Y, p.full && binaryPrec(x.Y) <= prec)
	case *ast.ArrayType:
		p.str("[")
		if x.Len != nil {
			p.expr(x.Len)
		}
		p.str("]")
		p.expr(x.Elt)
	case *ast.StructType:
		p.str("struct{")
		p.fieldList(x.Fields.List, "; ", false)
		p.str("}")
	case *ast.FuncType:
		p.str("func")
		p.signature(x)
	case *ast.InterfaceType:
		p.str("interface{")
		p.fieldList(x.Methods.List, "; ", true)
		p.str("}")
	case *ast.MapType:
		p.str("map[")
		p.expr(x.Key)
		p.str("]")
		p.expr(x.Value)
	case *ast.ChanType:
		switch x.Dir {
		case ast.SEND:
			p.str("chan<- ")
		case ast.RECV:
			p.str("<-chan ")
		default:
			p.str("chan ")
		}
		c, ok := x.Value.(*ast.ChanType)
		p.paren(x.Value, p.full && ok && x.Dir == ast.SEND|ast.RECV && c.Dir == ast.RECV)
	}
}

// operand writes x where Go wants a primary expression: the operand of
// a selector, an index, a slice, a type assertion, a call.
func (p *srcWriter) operand(x ast.Expr) {
	paren := false
	if p.full {
		switch x.(type) {
		case *ast.BinaryExpr, *ast.UnaryExpr, *ast.StarExpr, *ast.FuncType, *ast.ChanType:
			paren = true
		}
	}
	p.paren(x, paren)
}

func (p *srcWriter) paren(x ast.Expr, paren bool) {
	if !paren {
		p.expr(x)
		return
	}
	p.expr(&ast.ParenExpr{X: x})
}

// binaryPrec is the precedence of x's operator if x is a binary
// expression, and higher than any operator's otherwise.
func binaryPrec(x ast.Expr) int {
	if b, ok := x.(*ast.BinaryExpr); ok {
		return b.Op.Precedence()
	}
	return token.HighestPrec
}

// isTypeName reports whether go/parser, in the header of a statement,
// takes the { after x for the start of the statement's block, not of a
// composite literal of type x (which then needs parentheses): after a
// name, a qualified name or an instantiation.
func isTypeName(x ast.Expr) bool {
	switch x.(type) {
	case *ast.Ident, *ast.SelectorExpr, *ast.IndexExpr, *ast.IndexListExpr:
		return true
	}
	return false
}

func (p *srcWriter) signature(sig *ast.FuncType) {
	p.str("(")
	if sig.Params != nil {
		p.fieldList(sig.Params.List, ", ", false)
	}
	p.str(")")
	res := sig.Results
	switch n := res.NumFields(); {
	case n == 0:
	case n == 1 && len(res.List[0].Names) == 0:
		p.str(" ")
		p.expr(res.List[0].Type)
	default:
		p.str(" (")
		p.fieldList(res.List, ", ", false)
		p.str(")")
	}
}

func (p *srcWriter) fieldList(list []*ast.Field, sep string, iface bool) {
	for i, f := range list {
		if i > 0 {
			p.str(sep)
		}
		for j, id := range f.Names {
			if j > 0 {
				p.str(", ")
			}
			p.str(id.Name)
		}
		if sig, _ := f.Type.(*ast.FuncType); sig != nil && iface {
			p.signature(sig)
			continue
		}
		if len(f.Names) > 0 {
			p.str(" ")
		}
		p.expr(f.Type)
		if p.full && f.Tag != nil {
			p.str(" ")
			p.str(f.Tag.Value)
		}
	}
}

func (p *srcWriter) exprList(list []ast.Expr) {
	for i, x := range list {
		if i > 0 {
			p.str(", ")
		}
		p.expr(x)
	}
}
