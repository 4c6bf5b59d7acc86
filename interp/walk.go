package interp

import (
	"go/ast"
	"maps"
	"reflect"
	"sync"
	"sync/atomic"
)

// The passes that rewrite the input walk it with walk, one child
// recursion over every go/ast node type, as golang.org/x/tools'
// astutil.Apply does (without the dependency): a pass is a callback.
// The children of a node are found from its struct's fields, whose order
// is go/ast's order of Walk: a Go release that adds a node type or a
// field is walked without a change here (TestWalkVisitsEveryField checks
// the order and the fields against ast.Walk).

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
// n: a GoStmt's Call must stay a *ast.CallExpr. A callback must not
// change the list that holds its node; see children.
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

// children walks n's children in the order of go/ast's Walk, which is
// the order of the fields of n's struct that hold nodes (see
// childFields). Each field is read when the walk comes to it, after pre
// was called with n, as ast.Walk reads them.
func (w *walker) children(n ast.Node) {
	switch n.(type) {
	case *ast.Ident, *ast.BasicLit: // most nodes, and leaves
		return
	}
	v := reflect.ValueOf(n)
	if v.Kind() != reflect.Pointer {
		panic("interp: walk: a node that is no pointer: " + v.Type().String())
	}
	if v.IsNil() { // a typed nil at the root
		return
	}
	v = v.Elem()
	for _, f := range childFields(v.Type()) {
		fv := v.Field(f.index)
		switch f.kind {
		case oneChild:
			if !nilNode(fv) {
				w.visit(fv.Interface().(ast.Node), f.name, -1)
			}
		case listChild:
			// A callback may not change the list that holds its node
			// (its parent's): an insertion before the current statement
			// would walk it again, forever if it inserts each time. It
			// changes its node's own lists instead, in post. Checked
			// after each child (a programming error, found by tests).
			n, p := fv.Len(), fv.Pointer()
			for i := range n {
				if c := fv.Index(i); !nilNode(c) {
					w.visit(c.Interface().(ast.Node), f.name, i)
					if fv.Len() != n || fv.Pointer() != p {
						panic("interp: walk: a callback changed the list " + v.Type().String() + "." + f.name + " that holds its node")
					}
				}
			}
		case mapChild: // ast.Package's Files, in the map's order, as ast.Walk
			for it := fv.MapRange(); it.Next(); {
				w.visit(it.Value().Interface().(ast.Node), f.name, -1)
			}
		}
	}
}

// nilNode reports whether v, a field or list element holding a node,
// holds none: a nil interface, a nil pointer, or an interface holding a
// nil pointer (a typed nil, which a pass may leave), all skipped.
func nilNode(v reflect.Value) bool {
	if v.Kind() == reflect.Interface {
		if v.IsNil() {
			return true
		}
		v = v.Elem()
	}
	return v.Kind() == reflect.Pointer && v.IsNil()
}

// A childField is a field of a node's struct that holds children.
type childField struct {
	index int
	name  string
	kind  uint8 // oneChild, listChild or mapChild
}

const (
	oneChild  = iota // an interface of nodes or a pointer to one
	listChild        // a slice of those
	mapChild         // a map to those
)

// fieldsByType holds childFields' answers, a map copied on each of the
// few writes (one for each node type, the first time one is walked), so
// that a read takes no lock. It is nil until the first walk.
var (
	fieldsByType atomic.Pointer[map[reflect.Type][]childField]
	fieldsMu     sync.Mutex
)

var nodeIface = reflect.TypeFor[ast.Node]()

// childFields returns the fields of the node struct type t that hold its
// children, in their order: those of an interface type of nodes
// (ast.Expr, ast.Stmt...) or of a pointer to a node, slices and maps of
// those. Not File.Comments, File.Imports nor File.Unresolved, which
// repeat nodes found under Decls and the other nodes (ast.Walk skips
// them too). *ast.Object and *ast.Scope are no nodes.
func childFields(t reflect.Type) []childField {
	if m := fieldsByType.Load(); m != nil {
		if fs, ok := (*m)[t]; ok {
			return fs
		}
	}
	holds := func(t reflect.Type) bool {
		return (t.Kind() == reflect.Interface || t.Kind() == reflect.Pointer) && t.Implements(nodeIface)
	}
	var fs []childField
	for i := range t.NumField() {
		f := t.Field(i)
		if t == reflect.TypeFor[ast.File]() && (f.Name == "Comments" || f.Name == "Imports" || f.Name == "Unresolved") {
			continue
		}
		switch {
		case holds(f.Type):
			fs = append(fs, childField{i, f.Name, oneChild})
		case f.Type.Kind() == reflect.Slice && holds(f.Type.Elem()):
			fs = append(fs, childField{i, f.Name, listChild})
		case f.Type.Kind() == reflect.Map && holds(f.Type.Elem()):
			fs = append(fs, childField{i, f.Name, mapChild})
		}
	}
	fieldsMu.Lock()
	defer fieldsMu.Unlock()
	m := map[reflect.Type][]childField{t: fs}
	if old := fieldsByType.Load(); old != nil {
		maps.Copy(m, *old)
	}
	fieldsByType.Store(&m)
	return fs
}
