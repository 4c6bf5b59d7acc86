package interp

import (
	"go/ast"
	"go/scanner"
	"go/token"
)

// The passes ask what a name of the input refers to: a declaration of
// this input (a local variable, a parameter, a function, a type, a
// package-level declaration, a label), or something outside of it (the
// session's declarations, the namespace, a package, a predeclared name).
// resolve answers once per parsed file, with the scoping rules that
// go/parser's object resolution followed (ast.Ident.Obj, deprecated),
// which the input is parsed without.

// objKind says what a declaration declares.
type objKind uint8

const (
	noObj    objKind = iota // not declared in the input
	varObj                  // a variable, parameter, result, receiver or struct field
	constObj                // a constant
	typeObj                 // a type or a type parameter
	funcObj                 // a function, or an interface's method
	labelObj                // a label
)

// object is a name declared in the input.
type object struct {
	kind objKind
	// decl declares it: *ast.ValueSpec, *ast.TypeSpec, *ast.FuncDecl,
	// *ast.Field, *ast.LabeledStmt, or *ast.AssignStmt for := (and for
	// the variables of a range statement, an assignment from
	// `range x` that is in no tree).
	decl ast.Node
	pos  token.Pos // the declaring identifier's
}

// resolution maps the identifiers of an input to the objects they
// declare or refer to. An identifier not in it is not resolved in the
// input: it refers to something outside (or is blank, a selector's or a
// field key's name, a method's name, a receiver's type parameter).
type resolution map[*ast.Ident]*object

// obj returns the object of the current input that id declares or
// refers to, or nil.
// The names of a signature kept in funcResults resolve as they did in
// their own input (a type declared with the function, a type parameter).
// Not inlined: it is called from many places.
//
//go:noinline
func (in *Interp) obj(id *ast.Ident) *object {
	if o := in.res[id]; o != nil {
		return o
	}
	return in.sigs[id]
}

// keepSignature sets funcResults[key] to t, a function's signature from
// an input whose names res resolved; a nil t deletes it.
func (in *Interp) keepSignature(key string, t *ast.FuncType, res resolution) {
	if old := in.funcResults[key]; old != nil {
		ast.Inspect(old, func(n ast.Node) bool {
			if id, ok := n.(*ast.Ident); ok {
				delete(in.sigs, id)
			}
			return true
		})
	}
	if t == nil {
		delete(in.funcResults, key)
		return
	}
	in.funcResults[key] = t
	ast.Inspect(t, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok && res[id] != nil {
			if in.sigs == nil {
				in.sigs = resolution{}
			}
			in.sigs[id] = res[id]
		}
		return true
	})
}

// use makes g's input the one whose names the passes resolve.
func (in *Interp) use(g group) { in.res = g.res }

// alias makes a copy of an identifier resolve as the identifier does.
func (r resolution) alias(copy, id *ast.Ident) {
	if o := r[id]; o != nil {
		r[copy] = o
	}
}

type scope struct {
	outer *scope
	objs  map[string]*object
}

func (s *scope) insert(name string, o *object) *object {
	if alt := s.objs[name]; alt != nil {
		return alt
	}
	if s.objs == nil {
		s.objs = map[string]*object{}
	}
	s.objs[name] = o
	return nil
}

// maxScopeDepth is go/parser's limit on nested scopes.
const maxScopeDepth = 1000

type resolver struct {
	res        resolution
	fset       *token.FileSet
	pkg, top   *scope
	depth      int
	labels     *scope         // the function's labels
	targets    [][]*ast.Ident // labels of branch statements, by function
	unresolved []*ast.Ident
	errs       scanner.ErrorList
	w          walker
}

// resolve resolves the names of a parsed file into res and returns the
// errors the compiler would report for its declarations (a name
// declared twice in a block, no new variable on the left of :=, an
// undefined label), which go/parser reported with DeclarationErrors.
func resolve(fset *token.FileSet, f *ast.File, res resolution) error {
	r := &resolver{res: res, fset: fset, pkg: &scope{}, depth: 1}
	r.top = r.pkg
	r.w.pre, r.w.post = r.visit, r.leave
	for _, d := range f.Decls {
		r.walk(d)
	}
	for _, id := range r.unresolved {
		if o := r.pkg.objs[id.Name]; o != nil {
			res[id] = o
		}
	}
	if len(r.errs) > 0 {
		r.errs.Sort()
		return r.errs
	}
	return nil
}

func (r *resolver) error(pos token.Pos, msg string) {
	r.errs.Add(r.fset.Position(pos), msg)
}

func (r *resolver) walk(n ast.Node) { r.w.visit(n, "", -1) }

func (r *resolver) walkExprs(l []ast.Expr) {
	for _, x := range l {
		r.walk(x)
	}
}

func (r *resolver) open(pos token.Pos) {
	r.depth++
	if r.depth > maxScopeDepth {
		if !r.w.stopped {
			r.error(pos, "exceeded max scope depth during object resolution")
			r.w.stopped = true // walks nothing more, as go/parser gave up
		}
	}
	r.top = &scope{outer: r.top}
}

func (r *resolver) close() {
	r.depth--
	r.top = r.top.outer
}

func (r *resolver) declare(decl ast.Node, s *scope, kind objKind, ids ...*ast.Ident) {
	for _, id := range ids {
		o := &object{kind: kind, decl: decl, pos: id.Pos()}
		if _, tparam := decl.(*ast.Ident); !tparam {
			r.res[id] = o
		}
		if id.Name == "_" {
			continue
		}
		if alt := s.insert(id.Name, o); alt != nil {
			prev := ""
			if alt.pos.IsValid() {
				prev = "\n\tprevious declaration at " + r.fset.Position(alt.pos).String()
			}
			r.error(id.Pos(), id.Name+" redeclared in this block"+prev)
		}
	}
}

func (r *resolver) shortVarDecl(a *ast.AssignStmt) {
	n := 0 // new variables
	for _, x := range a.Lhs {
		id, ok := x.(*ast.Ident)
		if !ok {
			continue
		}
		o := &object{kind: varObj, decl: a, pos: id.Pos()}
		r.res[id] = o
		if id.Name == "_" {
			continue
		}
		if alt := r.top.insert(id.Name, o); alt != nil {
			r.res[id] = alt // redeclared
		} else {
			n++
		}
	}
	if n == 0 {
		r.error(a.Lhs[0].Pos(), "no new variables on left side of :=")
	}
}

// lookup resolves a use of id. Not found, it is resolved at the end
// against the package scope if collect is set.
func (r *resolver) lookup(id *ast.Ident, collect bool) {
	if id.Name == "_" {
		return
	}
	for s := r.top; s != nil; s = s.outer {
		if o := s.objs[id.Name]; o != nil {
			if _, tparam := o.decl.(*ast.Ident); !tparam {
				r.res[id] = o
			}
			return
		}
	}
	if collect {
		r.unresolved = append(r.unresolved, id)
	}
}

// visit is the walker's pre callback: it handles the nodes that declare
// names or resolve them in another order than the walker's, and opens the
// scope of the blocks and statements that have one, which leave closes.
// (A scope opened a little earlier than go/parser does, a case clause's
// before its expressions, holds nothing more.)
func (r *resolver) visit(c *cursor) bool {
	switch n := c.Node().(type) {
	case *ast.Ident:
		if f := c.Field(); f != "Sel" && f != "Label" {
			r.lookup(n, true)
		}
	case *ast.BlockStmt, *ast.IfStmt, *ast.ForStmt, *ast.SwitchStmt, *ast.CaseClause, *ast.CommClause:
		r.open(n.Pos())
		return true
	case *ast.FuncLit:
		r.open(n.Pos())
		r.funcType(n.Type)
		r.body(n.Body)
		r.close()
	case *ast.FuncType:
		r.open(n.Pos())
		r.funcType(n)
		r.close()
	case *ast.StructType:
		r.fields(n.Pos(), n.Fields, varObj)
	case *ast.InterfaceType:
		r.fields(n.Pos(), n.Methods, funcObj)
	case *ast.CompositeLit:
		r.walkOpt(n.Type)
		for _, e := range n.Elts {
			kv, ok := e.(*ast.KeyValueExpr)
			if !ok {
				r.walk(e)
				continue
			}
			// A key is most often a field name: resolved if in scope,
			// never from the package scope later (as go/parser).
			if id, ok := kv.Key.(*ast.Ident); ok {
				r.lookup(id, false)
			} else {
				r.walk(kv.Key)
			}
			r.walk(kv.Value)
		}
	case *ast.LabeledStmt:
		if r.labels != nil {
			r.declare(n, r.labels, labelObj, n.Label)
		}
		return true
	case *ast.BranchStmt:
		if n.Tok != token.FALLTHROUGH && n.Label != nil && len(r.targets) > 0 {
			r.targets[len(r.targets)-1] = append(r.targets[len(r.targets)-1], n.Label)
		}
	case *ast.AssignStmt:
		r.walkExprs(n.Rhs)
		if n.Tok == token.DEFINE {
			r.shortVarDecl(n)
		} else {
			r.walkExprs(n.Lhs)
		}
	case *ast.TypeSwitchStmt:
		// x := y.(type) declares x once for every clause, in a scope of
		// its own inside the init's.
		r.open(n.Pos())
		r.walkOpt(n.Init)
		r.open(n.Assign.Pos())
		r.walk(n.Assign)
		r.walk(n.Body)
		r.close()
		r.close()
	case *ast.RangeStmt:
		r.open(n.Pos())
		r.walk(n.X)
		var lhs []ast.Expr
		for _, x := range []ast.Expr{n.Key, n.Value} {
			if x != nil {
				lhs = append(lhs, x)
			}
		}
		if n.Tok == token.DEFINE && len(lhs) > 0 {
			for _, x := range lhs {
				if _, ok := ast.Unparen(x).(*ast.Ident); !ok {
					r.walk(x)
				}
			}
			r.shortVarDecl(&ast.AssignStmt{Lhs: lhs, Tok: token.DEFINE, TokPos: n.TokPos,
				Rhs: []ast.Expr{&ast.UnaryExpr{Op: token.RANGE, X: n.X}}})
		} else {
			r.walkExprs(lhs)
		}
		r.walk(n.Body)
		r.close()
	case *ast.GenDecl:
		r.genDecl(n)
	case *ast.FuncDecl:
		r.open(n.Pos())
		r.recv(n.Recv)
		if n.Type.TypeParams != nil {
			r.declareFields(n.Type.TypeParams, typeObj)
			r.fieldTypes(n.Type.TypeParams)
		}
		r.fieldTypes(n.Type.Params)
		r.fieldTypes(n.Type.Results)
		r.declareFields(n.Recv, varObj)
		r.declareFields(n.Type.Params, varObj)
		r.declareFields(n.Type.Results, varObj)
		r.body(n.Body)
		r.close()
		if n.Recv == nil && n.Name.Name != "init" {
			r.declare(n, r.pkg, funcObj, n.Name)
		}
	default:
		return true
	}
	return false
}

// leave is the walker's post callback: it closes the scopes visit opened
// and let the walker walk.
func (r *resolver) leave(c *cursor) bool {
	switch c.Node().(type) {
	case *ast.BlockStmt, *ast.IfStmt, *ast.ForStmt, *ast.SwitchStmt, *ast.CaseClause, *ast.CommClause:
		r.close()
	}
	return true
}

// fields resolves the types of a struct's fields or an interface's
// methods, then declares their names, in a scope of their own.
func (r *resolver) fields(pos token.Pos, l *ast.FieldList, kind objKind) {
	r.open(pos)
	r.fieldTypes(l)
	r.declareFields(l, kind)
	r.close()
}

func (r *resolver) walkOpt(n ast.Node) {
	if n != nil {
		r.walk(n)
	}
}

func (r *resolver) genDecl(d *ast.GenDecl) {
	switch d.Tok {
	case token.CONST, token.VAR:
		kind := constObj
		if d.Tok == token.VAR {
			kind = varObj
		}
		for _, sp := range d.Specs {
			vs := sp.(*ast.ValueSpec)
			r.walkExprs(vs.Values)
			r.walkOpt(vs.Type)
			r.declare(vs, r.top, kind, vs.Names...)
		}
	case token.TYPE:
		for _, sp := range d.Specs {
			ts := sp.(*ast.TypeSpec)
			r.declare(ts, r.top, typeObj, ts.Name)
			if ts.TypeParams != nil {
				r.open(ts.Pos())
				r.declareFields(ts.TypeParams, typeObj)
				r.fieldTypes(ts.TypeParams)
			}
			r.walk(ts.Type)
			if ts.TypeParams != nil {
				r.close()
			}
		}
	}
}

func (r *resolver) funcType(t *ast.FuncType) {
	r.fieldTypes(t.Params)
	r.fieldTypes(t.Results)
	r.declareFields(t.Params, varObj)
	r.declareFields(t.Results, varObj)
}

func (r *resolver) fieldTypes(l *ast.FieldList) {
	if l == nil {
		return
	}
	for _, f := range l.List {
		r.walkOpt(f.Type)
	}
}

func (r *resolver) declareFields(l *ast.FieldList, kind objKind) {
	if l == nil {
		return
	}
	for _, f := range l.List {
		r.declare(f, r.top, kind, f.Names...)
	}
}

// recv resolves a receiver's type and declares its type parameters,
// which stay unresolved (as go/parser left them).
func (r *resolver) recv(l *ast.FieldList) {
	if l == nil || len(l.List) == 0 {
		return
	}
	t := l.List[0].Type
	if s, ok := t.(*ast.StarExpr); ok {
		t = s.X
	}
	t, tparams := unindex(t)
	for _, x := range tparams {
		if id, ok := x.(*ast.Ident); ok {
			r.declare(id, r.top, typeObj, id)
		}
	}
	r.walkOpt(t)
	for _, x := range tparams {
		if _, ok := x.(*ast.Ident); !ok {
			r.walk(x)
		}
	}
	for _, f := range l.List[1:] {
		r.walkOpt(f.Type)
	}
}

// body walks a function's body, in the scope of its parameters, with
// the function's own labels.
func (r *resolver) body(b *ast.BlockStmt) {
	if b == nil {
		return
	}
	r.labels = &scope{outer: r.labels}
	r.targets = append(r.targets, nil)
	for _, s := range b.List {
		r.walk(s)
	}
	n := len(r.targets) - 1
	for _, id := range r.targets[n] {
		if o := r.labels.objs[id.Name]; o != nil {
			r.res[id] = o
		} else {
			r.error(id.Pos(), "label "+id.Name+" undefined")
		}
	}
	r.targets = r.targets[:n]
	r.labels = r.labels.outer
}
