// The printing of expressions follows go/types' ExprString (Copyright
// 2013 The Go Authors, BSD-style license): importing go/types for it
// alone would link the whole type checker, a megabyte, into every
// application that embeds manhole.

package interp

import (
	"fmt"
	"go/ast"
	"strings"
)

// exprString is x as go/types.ExprString writes it: Go syntax, with
// composite literals' elements and function literals' bodies shortened.
func exprString(x ast.Expr) string {
	var b strings.Builder
	writeExpr(&b, x)
	return b.String()
}

func writeExpr(b *strings.Builder, x ast.Expr) {
	switch x := x.(type) {
	default:
		fmt.Fprintf(b, "(ast: %T)", x)
	case *ast.Ident:
		b.WriteString(x.Name)
	case *ast.Ellipsis:
		b.WriteString("...")
		if x.Elt != nil {
			writeExpr(b, x.Elt)
		}
	case *ast.BasicLit:
		b.WriteString(x.Value)
	case *ast.FuncLit:
		b.WriteByte('(')
		writeExpr(b, x.Type)
		b.WriteString(" literal)")
	case *ast.CompositeLit:
		if x.Type != nil {
			writeExpr(b, x.Type)
		}
		b.WriteByte('{')
		if len(x.Elts) > 0 {
			b.WriteString("…")
		}
		b.WriteByte('}')
	case *ast.ParenExpr:
		b.WriteByte('(')
		writeExpr(b, x.X)
		b.WriteByte(')')
	case *ast.SelectorExpr:
		writeExpr(b, x.X)
		b.WriteByte('.')
		b.WriteString(x.Sel.Name)
	case *ast.IndexExpr:
		writeExpr(b, x.X)
		b.WriteByte('[')
		writeExpr(b, x.Index)
		b.WriteByte(']')
	case *ast.IndexListExpr:
		writeExpr(b, x.X)
		b.WriteByte('[')
		writeExprList(b, x.Indices)
		b.WriteByte(']')
	case *ast.SliceExpr:
		writeExpr(b, x.X)
		b.WriteByte('[')
		if x.Low != nil {
			writeExpr(b, x.Low)
		}
		b.WriteByte(':')
		if x.High != nil {
			writeExpr(b, x.High)
		}
		if x.Slice3 {
			b.WriteByte(':')
			if x.Max != nil {
				writeExpr(b, x.Max)
			}
		}
		b.WriteByte(']')
	case *ast.TypeAssertExpr:
		writeExpr(b, x.X)
		b.WriteString(".(")
		if x.Type == nil {
			b.WriteString("type")
		} else {
			writeExpr(b, x.Type)
		}
		b.WriteByte(')')
	case *ast.CallExpr:
		writeExpr(b, x.Fun)
		b.WriteByte('(')
		writeExprList(b, x.Args)
		if x.Ellipsis.IsValid() {
			b.WriteString("...")
		}
		b.WriteByte(')')
	case *ast.StarExpr:
		b.WriteByte('*')
		writeExpr(b, x.X)
	case *ast.UnaryExpr:
		b.WriteString(x.Op.String())
		writeExpr(b, x.X)
	case *ast.BinaryExpr:
		writeExpr(b, x.X)
		b.WriteString(" " + x.Op.String() + " ")
		writeExpr(b, x.Y)
	case *ast.ArrayType:
		b.WriteByte('[')
		if x.Len != nil {
			writeExpr(b, x.Len)
		}
		b.WriteByte(']')
		writeExpr(b, x.Elt)
	case *ast.StructType:
		b.WriteString("struct{")
		writeFieldList(b, x.Fields.List, "; ", false)
		b.WriteByte('}')
	case *ast.FuncType:
		b.WriteString("func")
		writeSignature(b, x)
	case *ast.InterfaceType:
		b.WriteString("interface{")
		writeFieldList(b, x.Methods.List, "; ", true)
		b.WriteByte('}')
	case *ast.MapType:
		b.WriteString("map[")
		writeExpr(b, x.Key)
		b.WriteByte(']')
		writeExpr(b, x.Value)
	case *ast.ChanType:
		switch x.Dir {
		case ast.SEND:
			b.WriteString("chan<- ")
		case ast.RECV:
			b.WriteString("<-chan ")
		default:
			b.WriteString("chan ")
		}
		writeExpr(b, x.Value)
	}
}

func writeSignature(b *strings.Builder, sig *ast.FuncType) {
	b.WriteByte('(')
	if sig.Params != nil {
		writeFieldList(b, sig.Params.List, ", ", false)
	}
	b.WriteByte(')')
	res := sig.Results
	switch n := res.NumFields(); {
	case n == 0:
	case n == 1 && len(res.List[0].Names) == 0:
		b.WriteByte(' ')
		writeExpr(b, res.List[0].Type)
	default:
		b.WriteString(" (")
		writeFieldList(b, res.List, ", ", false)
		b.WriteByte(')')
	}
}

func writeFieldList(b *strings.Builder, list []*ast.Field, sep string, iface bool) {
	for i, f := range list {
		if i > 0 {
			b.WriteString(sep)
		}
		for j, id := range f.Names {
			if j > 0 {
				b.WriteString(", ")
			}
			b.WriteString(id.Name)
		}
		if sig, _ := f.Type.(*ast.FuncType); sig != nil && iface {
			writeSignature(b, sig)
			continue
		}
		if len(f.Names) > 0 {
			b.WriteByte(' ')
		}
		writeExpr(b, f.Type)
	}
}

func writeExprList(b *strings.Builder, list []ast.Expr) {
	for i, x := range list {
		if i > 0 {
			b.WriteString(", ")
		}
		writeExpr(b, x)
	}
}
