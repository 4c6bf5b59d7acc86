package interp

import (
	"go/ast"
	"reflect"
	"slices"
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
	key    string // node's key in Package.Files
}

// Node returns the current node.
func (c *cursor) Node() ast.Node { return c.node }

// Parent returns the current node's parent, nil at the root.
func (c *cursor) Parent() ast.Node { return c.parent }

// Field returns the name of the parent's field that holds the node.
func (c *cursor) Field() string { return c.field }

// Replace puts n in the current node's place in its parent (or as the
// result of walk at the root). It panics if the field cannot hold n:
// a GoStmt's Call must stay a *ast.CallExpr.
func (c *cursor) Replace(n ast.Node) {
	c.node = n
	if c.parent == nil {
		return
	}
	f := reflect.ValueOf(c.parent).Elem().FieldByName(c.field)
	v := reflect.ValueOf(n)
	if n == nil {
		v = reflect.Zero(f.Type())
		if f.Kind() == reflect.Slice || f.Kind() == reflect.Map {
			v = reflect.Zero(f.Type().Elem())
		}
	}
	switch {
	case f.Kind() == reflect.Map:
		f.SetMapIndex(reflect.ValueOf(c.key), v)
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
func walk(root ast.Node, pre, post func(*cursor) bool) ast.Node {
	w := &walker{pre: pre, post: post}
	return w.visit(root, nil, "", -1)
}

// walker holds one cursor, saved and restored around each child, so that
// a walk allocates once.
type walker struct {
	pre, post func(*cursor) bool
	stopped   bool
	c         cursor
}

// visit walks n, held by parent's field, and returns what is in its place
// after the callbacks.
func (w *walker) visit(n, parent ast.Node, field string, index int) ast.Node {
	return w.at(cursor{node: n, parent: parent, field: field, index: index})
}

func (w *walker) at(c cursor) ast.Node {
	if w.stopped {
		return c.node
	}
	saved := w.c
	w.c = c
	if w.pre == nil || w.pre(&w.c) {
		w.children(c.node)
	}
	if w.post != nil && !w.stopped && !w.post(&w.c) {
		w.stopped = true
	}
	n := w.c.node
	w.c = saved
	return n
}

// one walks a child held by an interface field, unless it is nil.
func one[N ast.Node](w *walker, parent ast.Node, field string, n N) {
	if ast.Node(n) != nil {
		w.visit(n, parent, field, -1)
	}
}

// ptr walks a child held by a pointer field, unless it is nil.
func ptr[E any, P interface {
	*E
	ast.Node
}](w *walker, parent ast.Node, field string, p P) {
	if p != nil {
		w.visit(p, parent, field, -1)
	}
}

// list walks the children held by a slice field.
func list[N ast.Node](w *walker, parent ast.Node, field string, l []N) {
	for i, n := range l {
		if ast.Node(n) != nil {
			w.visit(n, parent, field, i)
		}
	}
}

// children walks n's children, in the order of go/ast's Walk.
func (w *walker) children(n ast.Node) {
	switch n := n.(type) {
	// Comments and fields
	case *ast.Comment, *ast.Directive:
	case *ast.CommentGroup:
		list(w, n, "List", n.List)
	case *ast.Field:
		ptr(w, n, "Doc", n.Doc)
		list(w, n, "Names", n.Names)
		one(w, n, "Type", n.Type)
		ptr(w, n, "Tag", n.Tag)
		ptr(w, n, "Comment", n.Comment)
	case *ast.FieldList:
		list(w, n, "List", n.List)

	// Expressions
	case *ast.BadExpr, *ast.Ident, *ast.BasicLit:
	case *ast.Ellipsis:
		one(w, n, "Elt", n.Elt)
	case *ast.FuncLit:
		ptr(w, n, "Type", n.Type)
		ptr(w, n, "Body", n.Body)
	case *ast.CompositeLit:
		one(w, n, "Type", n.Type)
		list(w, n, "Elts", n.Elts)
	case *ast.ParenExpr:
		one(w, n, "X", n.X)
	case *ast.SelectorExpr:
		one(w, n, "X", n.X)
		ptr(w, n, "Sel", n.Sel)
	case *ast.IndexExpr:
		one(w, n, "X", n.X)
		one(w, n, "Index", n.Index)
	case *ast.IndexListExpr:
		one(w, n, "X", n.X)
		list(w, n, "Indices", n.Indices)
	case *ast.SliceExpr:
		one(w, n, "X", n.X)
		one(w, n, "Low", n.Low)
		one(w, n, "High", n.High)
		one(w, n, "Max", n.Max)
	case *ast.TypeAssertExpr:
		one(w, n, "X", n.X)
		one(w, n, "Type", n.Type)
	case *ast.CallExpr:
		one(w, n, "Fun", n.Fun)
		list(w, n, "Args", n.Args)
	case *ast.StarExpr:
		one(w, n, "X", n.X)
	case *ast.UnaryExpr:
		one(w, n, "X", n.X)
	case *ast.BinaryExpr:
		one(w, n, "X", n.X)
		one(w, n, "Y", n.Y)
	case *ast.KeyValueExpr:
		one(w, n, "Key", n.Key)
		one(w, n, "Value", n.Value)

	// Types
	case *ast.ArrayType:
		one(w, n, "Len", n.Len)
		one(w, n, "Elt", n.Elt)
	case *ast.StructType:
		ptr(w, n, "Fields", n.Fields)
	case *ast.FuncType:
		ptr(w, n, "TypeParams", n.TypeParams)
		ptr(w, n, "Params", n.Params)
		ptr(w, n, "Results", n.Results)
	case *ast.InterfaceType:
		ptr(w, n, "Methods", n.Methods)
	case *ast.MapType:
		one(w, n, "Key", n.Key)
		one(w, n, "Value", n.Value)
	case *ast.ChanType:
		one(w, n, "Value", n.Value)

	// Statements
	case *ast.BadStmt, *ast.EmptyStmt:
	case *ast.DeclStmt:
		one(w, n, "Decl", n.Decl)
	case *ast.LabeledStmt:
		ptr(w, n, "Label", n.Label)
		one(w, n, "Stmt", n.Stmt)
	case *ast.ExprStmt:
		one(w, n, "X", n.X)
	case *ast.SendStmt:
		one(w, n, "Chan", n.Chan)
		one(w, n, "Value", n.Value)
	case *ast.IncDecStmt:
		one(w, n, "X", n.X)
	case *ast.AssignStmt:
		list(w, n, "Lhs", n.Lhs)
		list(w, n, "Rhs", n.Rhs)
	case *ast.GoStmt:
		ptr(w, n, "Call", n.Call)
	case *ast.DeferStmt:
		ptr(w, n, "Call", n.Call)
	case *ast.ReturnStmt:
		list(w, n, "Results", n.Results)
	case *ast.BranchStmt:
		ptr(w, n, "Label", n.Label)
	case *ast.BlockStmt:
		list(w, n, "List", n.List)
	case *ast.IfStmt:
		one(w, n, "Init", n.Init)
		one(w, n, "Cond", n.Cond)
		ptr(w, n, "Body", n.Body)
		one(w, n, "Else", n.Else)
	case *ast.CaseClause:
		list(w, n, "List", n.List)
		list(w, n, "Body", n.Body)
	case *ast.SwitchStmt:
		one(w, n, "Init", n.Init)
		one(w, n, "Tag", n.Tag)
		ptr(w, n, "Body", n.Body)
	case *ast.TypeSwitchStmt:
		one(w, n, "Init", n.Init)
		one(w, n, "Assign", n.Assign)
		ptr(w, n, "Body", n.Body)
	case *ast.CommClause:
		one(w, n, "Comm", n.Comm)
		list(w, n, "Body", n.Body)
	case *ast.SelectStmt:
		ptr(w, n, "Body", n.Body)
	case *ast.ForStmt:
		one(w, n, "Init", n.Init)
		one(w, n, "Cond", n.Cond)
		one(w, n, "Post", n.Post)
		ptr(w, n, "Body", n.Body)
	case *ast.RangeStmt:
		one(w, n, "Key", n.Key)
		one(w, n, "Value", n.Value)
		one(w, n, "X", n.X)
		ptr(w, n, "Body", n.Body)

	// Declarations and files
	case *ast.ImportSpec:
		ptr(w, n, "Doc", n.Doc)
		ptr(w, n, "Name", n.Name)
		ptr(w, n, "Path", n.Path)
		ptr(w, n, "Comment", n.Comment)
	case *ast.ValueSpec:
		ptr(w, n, "Doc", n.Doc)
		list(w, n, "Names", n.Names)
		one(w, n, "Type", n.Type)
		list(w, n, "Values", n.Values)
		ptr(w, n, "Comment", n.Comment)
	case *ast.TypeSpec:
		ptr(w, n, "Doc", n.Doc)
		ptr(w, n, "Name", n.Name)
		ptr(w, n, "TypeParams", n.TypeParams)
		one(w, n, "Type", n.Type)
		ptr(w, n, "Comment", n.Comment)
	case *ast.BadDecl:
	case *ast.GenDecl:
		ptr(w, n, "Doc", n.Doc)
		list(w, n, "Specs", n.Specs)
	case *ast.FuncDecl:
		ptr(w, n, "Doc", n.Doc)
		ptr(w, n, "Recv", n.Recv)
		ptr(w, n, "Name", n.Name)
		ptr(w, n, "Type", n.Type)
		ptr(w, n, "Body", n.Body)
	case *ast.File:
		// Not File.Comments: walking the nodes visits them (as ast.Walk).
		ptr(w, n, "Doc", n.Doc)
		ptr(w, n, "Name", n.Name)
		list(w, n, "Decls", n.Decls)
	case *ast.Package:
		keys := make([]string, 0, len(n.Files))
		for k := range n.Files {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			w.at(cursor{node: n.Files[k], parent: n, field: "Files", index: -1, key: k})
		}
	default:
		panic("interp: walk: unexpected node type " + reflect.TypeOf(n).String())
	}
}
