package interp

import (
	"go/ast"
	"reflect"
)

// The passes that rewrite the input walk it with walk, one child
// recursion over every go/ast node type, as golang.org/x/tools'
// astutil.Apply does (without the dependency): a pass is a callback.

// cursor is where walk is: the current node, its parent and the field
// of the parent that holds it.
type cursor struct {
	node   ast.Node
	parent ast.Node
	field  string // the parent's field holding node; "" at the root
	index  int    // node's index in that field if it is a slice, else -1
}

// Node returns the current node.
func (c *cursor) Node() ast.Node { return c.node }

// Parent returns the current node's parent, nil at the root.
func (c *cursor) Parent() ast.Node { return c.parent }

// Field returns the name of the parent's field that holds the node.
func (c *cursor) Field() string { return c.field }

// Replace puts n, not nil, in the current node's place in its parent (or
// as the result of walk at the root). It panics if the field cannot hold
// n: a GoStmt's Call must stay a *ast.CallExpr.
func (c *cursor) Replace(n ast.Node) {
	old := c.node
	c.node = n
	if c.parent == nil {
		return
	}
	f := reflect.ValueOf(c.parent).Elem().FieldByName(c.field)
	v := reflect.ValueOf(n)
	switch {
	case f.Kind() == reflect.Map: // Package.Files
		for it := f.MapRange(); it.Next(); {
			if it.Value().Interface() == old {
				f.SetMapIndex(it.Key(), v)
			}
		}
	case c.index >= 0:
		f.Index(c.index).Set(v)
	default:
		f.Set(v)
	}
}

// walk calls pre on each node under root (root included), then, if pre
// returned true, walks the node's children in source order, then calls
// post. Either may be nil. A pre or post that calls Replace puts a new
// node in the place of the current one; the children walked are those of
// the node pre was called with. walk stops when post returns false. It
// returns root, or what replaced it.
//
// walk is not inlined, nor are its helpers: the many small calls of the
// passes would each take a copy (it cost ~25 KiB of binary).
//
//go:noinline
func walk(root ast.Node, pre, post func(*cursor) bool) ast.Node {
	w := &walker{pre: pre, post: post}
	return w.visit(root, "", -1)
}

// walker holds one cursor, saved and restored around each child, so that
// a walk allocates once.
type walker struct {
	pre, post func(*cursor) bool
	stopped   bool
	c         cursor
	parent    ast.Node // the node whose children are being walked
}

// visit walks n, held by the field of the node whose children are being
// walked, and returns what is in its place after the callbacks.
//
//go:noinline
func (w *walker) visit(n ast.Node, field string, index int) ast.Node {
	return w.at(cursor{node: n, parent: w.parent, field: field, index: index})
}

func (w *walker) at(c cursor) ast.Node {
	if w.stopped {
		return c.node
	}
	saved, parent := w.c, w.parent
	w.c = c
	if w.pre == nil || w.pre(&w.c) {
		w.parent = c.node
		w.children(c.node)
		w.parent = parent
	}
	if w.post != nil && !w.stopped && !w.post(&w.c) {
		w.stopped = true
	}
	n := w.c.node
	w.c = saved
	return n
}

// one walks a child held by an interface field, unless it is nil.
//
//go:noinline
func one[N ast.Node](w *walker, field string, n N) {
	if ast.Node(n) != nil {
		w.visit(n, field, -1)
	}
}

// ptr walks a child held by a pointer field, unless it is nil (which one
// cannot tell: a nil *ast.Ident in an ast.Node is not nil).
//
//go:noinline
func ptr[P interface {
	*E
	ast.Node
}, E any](w *walker, field string, n P) {
	if n != nil {
		w.visit(n, field, -1)
	}
}

// list walks the children held by a slice field.
//
//go:noinline
func list[N ast.Node](w *walker, field string, l []N) {
	for i, n := range l {
		if ast.Node(n) != nil {
			w.visit(n, field, i)
		}
	}
}

// children walks n's children, in the order of go/ast's Walk.
func (w *walker) children(n ast.Node) {
	switch n := n.(type) {
	// Comments and fields
	case *ast.Comment:
	case *ast.CommentGroup:
		list(w, "List", n.List)
	case *ast.Field:
		ptr(w, "Doc", n.Doc)
		list(w, "Names", n.Names)
		one(w, "Type", n.Type)
		ptr(w, "Tag", n.Tag)
		ptr(w, "Comment", n.Comment)
	case *ast.FieldList:
		list(w, "List", n.List)

	// Expressions
	case *ast.BadExpr, *ast.Ident, *ast.BasicLit:
	case *ast.Ellipsis:
		one(w, "Elt", n.Elt)
	case *ast.FuncLit:
		ptr(w, "Type", n.Type)
		ptr(w, "Body", n.Body)
	case *ast.CompositeLit:
		one(w, "Type", n.Type)
		list(w, "Elts", n.Elts)
	case *ast.ParenExpr:
		one(w, "X", n.X)
	case *ast.SelectorExpr:
		one(w, "X", n.X)
		ptr(w, "Sel", n.Sel)
	case *ast.IndexExpr:
		one(w, "X", n.X)
		one(w, "Index", n.Index)
	case *ast.IndexListExpr:
		one(w, "X", n.X)
		list(w, "Indices", n.Indices)
	case *ast.SliceExpr:
		one(w, "X", n.X)
		one(w, "Low", n.Low)
		one(w, "High", n.High)
		one(w, "Max", n.Max)
	case *ast.TypeAssertExpr:
		one(w, "X", n.X)
		one(w, "Type", n.Type)
	case *ast.CallExpr:
		one(w, "Fun", n.Fun)
		list(w, "Args", n.Args)
	case *ast.StarExpr:
		one(w, "X", n.X)
	case *ast.UnaryExpr:
		one(w, "X", n.X)
	case *ast.BinaryExpr:
		one(w, "X", n.X)
		one(w, "Y", n.Y)
	case *ast.KeyValueExpr:
		one(w, "Key", n.Key)
		one(w, "Value", n.Value)

	// Types
	case *ast.ArrayType:
		one(w, "Len", n.Len)
		one(w, "Elt", n.Elt)
	case *ast.StructType:
		ptr(w, "Fields", n.Fields)
	case *ast.FuncType:
		ptr(w, "TypeParams", n.TypeParams)
		ptr(w, "Params", n.Params)
		ptr(w, "Results", n.Results)
	case *ast.InterfaceType:
		ptr(w, "Methods", n.Methods)
	case *ast.MapType:
		one(w, "Key", n.Key)
		one(w, "Value", n.Value)
	case *ast.ChanType:
		one(w, "Value", n.Value)

	// Statements
	case *ast.BadStmt, *ast.EmptyStmt:
	case *ast.DeclStmt:
		// Written out, here and for Specs and Decls: a generic helper
		// for these interfaces would be compiled for them alone.
		if n.Decl != nil {
			w.visit(n.Decl, "Decl", -1)
		}
	case *ast.LabeledStmt:
		ptr(w, "Label", n.Label)
		one(w, "Stmt", n.Stmt)
	case *ast.ExprStmt:
		one(w, "X", n.X)
	case *ast.SendStmt:
		one(w, "Chan", n.Chan)
		one(w, "Value", n.Value)
	case *ast.IncDecStmt:
		one(w, "X", n.X)
	case *ast.AssignStmt:
		list(w, "Lhs", n.Lhs)
		list(w, "Rhs", n.Rhs)
	case *ast.GoStmt:
		ptr(w, "Call", n.Call)
	case *ast.DeferStmt:
		ptr(w, "Call", n.Call)
	case *ast.ReturnStmt:
		list(w, "Results", n.Results)
	case *ast.BranchStmt:
		ptr(w, "Label", n.Label)
	case *ast.BlockStmt:
		list(w, "List", n.List)
	case *ast.IfStmt:
		one(w, "Init", n.Init)
		one(w, "Cond", n.Cond)
		ptr(w, "Body", n.Body)
		one(w, "Else", n.Else)
	case *ast.CaseClause:
		list(w, "List", n.List)
		list(w, "Body", n.Body)
	case *ast.SwitchStmt:
		one(w, "Init", n.Init)
		one(w, "Tag", n.Tag)
		ptr(w, "Body", n.Body)
	case *ast.TypeSwitchStmt:
		one(w, "Init", n.Init)
		one(w, "Assign", n.Assign)
		ptr(w, "Body", n.Body)
	case *ast.CommClause:
		one(w, "Comm", n.Comm)
		list(w, "Body", n.Body)
	case *ast.SelectStmt:
		ptr(w, "Body", n.Body)
	case *ast.ForStmt:
		one(w, "Init", n.Init)
		one(w, "Cond", n.Cond)
		one(w, "Post", n.Post)
		ptr(w, "Body", n.Body)
	case *ast.RangeStmt:
		one(w, "Key", n.Key)
		one(w, "Value", n.Value)
		one(w, "X", n.X)
		ptr(w, "Body", n.Body)

	// Declarations and files
	case *ast.ImportSpec:
		ptr(w, "Doc", n.Doc)
		ptr(w, "Name", n.Name)
		ptr(w, "Path", n.Path)
		ptr(w, "Comment", n.Comment)
	case *ast.ValueSpec:
		ptr(w, "Doc", n.Doc)
		list(w, "Names", n.Names)
		one(w, "Type", n.Type)
		list(w, "Values", n.Values)
		ptr(w, "Comment", n.Comment)
	case *ast.TypeSpec:
		ptr(w, "Doc", n.Doc)
		ptr(w, "Name", n.Name)
		ptr(w, "TypeParams", n.TypeParams)
		one(w, "Type", n.Type)
		ptr(w, "Comment", n.Comment)
	case *ast.BadDecl:
	case *ast.GenDecl:
		ptr(w, "Doc", n.Doc)
		for i, s := range n.Specs {
			w.visit(s, "Specs", i)
		}
	case *ast.FuncDecl:
		ptr(w, "Doc", n.Doc)
		ptr(w, "Recv", n.Recv)
		ptr(w, "Name", n.Name)
		ptr(w, "Type", n.Type)
		ptr(w, "Body", n.Body)
	case *ast.File:
		// Not File.Comments: walking the nodes visits them (as ast.Walk).
		ptr(w, "Doc", n.Doc)
		ptr(w, "Name", n.Name)
		for i, d := range n.Decls {
			w.visit(d, "Decls", i)
		}
	//lint:ignore SA1019 the walker covers every go/ast node type, the deprecated ast.Package too
	case *ast.Package:
		// In the map's order, as ast.Walk (a deprecated node, which no
		// input holds).
		for _, f := range n.Files {
			w.visit(f, "Files", -1)
		}
	default:
		panic("interp: walk: unexpected node type " + reflect.TypeOf(n).String())
	}
}
