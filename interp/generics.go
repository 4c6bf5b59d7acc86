package interp

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"reflect"
	"strconv"
	"strings"
	"sync"
)

// Calls of the session's generic functions.
//
// yaegi v0.16.1 infers a type parameter only from an argument of exactly
// that type: Map(s, func(i int) string {...}) of Map[T, U any](s []T,
// f func(T) U) gets U wrong ("cannot use type func(int) string as type
// func(int) int"). And a top-level x := F(...) of a generic F does not
// compile at all. genericCalls infers the type arguments itself where
// every one of them is fixed by a typed argument (untyped constants fix
// none: Go would pick their default type only after the others) and
// writes them out, and gives a top-level x := F(...) its type:
// x := func() T { return F[...](...) }().

// genericCalls rewrites the calls of the session's generic functions
// under n (see above).
func (p *pass) genericCalls(n ast.Node) error {
	inf := p.newInferer()
	results := map[*ast.CallExpr]ast.Expr{} // instantiated calls' result types
	generic := map[*ast.CallExpr]bool{}     // calls of generic functions
	editExprs(n, false, func(x ast.Expr) ast.Expr {
		c, ok := x.(*ast.CallExpr)
		if !ok {
			return x
		}
		fun, explicit := unindex(c.Fun)
		var ft *ast.FuncType
		switch f := fun.(type) {
		case *ast.Ident:
			ft = inf.genericFunc(f)
		case *ast.SelectorExpr:
			if explicit == nil {
				ft = inf.genericSourceFunc(f)
			}
		}
		if ft == nil {
			return x
		}
		generic[c] = true
		tparams := fieldNames(ft.TypeParams)
		bind := map[string]ast.Expr{}
		if explicit != nil {
			if len(explicit) != len(tparams) {
				return x
			}
			for i, p := range tparams {
				bind[p] = explicit[i]
			}
		} else {
			bind = inf.inferTypeArgs(ft, tparams, c)
			if bind == nil {
				return x
			}
			args := make([]ast.Expr, len(tparams))
			for i, p := range tparams {
				args[i] = bind[p]
			}
			if len(args) == 1 {
				c.Fun = &ast.IndexExpr{X: fun, Lbrack: fun.End(), Index: args[0], Rbrack: fun.End()}
			} else {
				c.Fun = &ast.IndexListExpr{X: fun, Lbrack: fun.End(), Indices: args, Rbrack: fun.End()}
			}
		}
		if ft.Results != nil && len(ft.Results.List) == 1 && len(ft.Results.List[0].Names) <= 1 {
			results[c] = subst(ft.Results.List[0].Type, bind, c.Pos())
		}
		return x
	})
	// x := F(...) at the top level.
	var top []ast.Stmt
	switch n := n.(type) {
	case *ast.BlockStmt:
		top = n.List
	case *ast.File:
		for _, d := range n.Decls {
			if gd, ok := d.(*ast.GenDecl); ok {
				top = append(top, &ast.DeclStmt{Decl: gd})
			}
		}
	}
	wrap := func(c *ast.CallExpr, t ast.Expr) ast.Expr {
		pos := c.Pos()
		return &ast.CallExpr{Fun: &ast.FuncLit{
			Type: &ast.FuncType{Func: pos, Params: &ast.FieldList{}, Results: &ast.FieldList{List: []*ast.Field{{Type: t}}}},
			Body: &ast.BlockStmt{Lbrace: pos, List: []ast.Stmt{&ast.ReturnStmt{Return: pos, Results: []ast.Expr{c}}}, Rbrace: pos},
		}, Lparen: pos, Rparen: pos}
	}
	for _, s := range top {
		switch s := s.(type) {
		case *ast.AssignStmt:
			if s.Tok != token.DEFINE || len(s.Lhs) != 1 || len(s.Rhs) != 1 {
				continue
			}
			if c, ok := s.Rhs[0].(*ast.CallExpr); ok && results[c] != nil {
				s.Rhs[0] = wrap(c, results[c])
			} else if ok && generic[c] {
				return p.unknownResult(c, s.Lhs[0])
			}
		case *ast.DeclStmt:
			gd, ok := s.Decl.(*ast.GenDecl)
			if !ok || gd.Tok != token.VAR {
				continue
			}
			for _, sp := range gd.Specs {
				vs := sp.(*ast.ValueSpec)
				if len(vs.Values) != 1 || len(vs.Names) != 1 {
					continue
				}
				c, ok := vs.Values[0].(*ast.CallExpr)
				switch {
				case !ok || !generic[c]:
				case vs.Type != nil:
					vs.Values[0] = wrap(c, vs.Type)
				case results[c] != nil:
					vs.Values[0] = wrap(c, results[c])
				default:
					return p.unknownResult(c, vs.Names[0])
				}
			}
		}
	}
	return nil
}

// unknownResult is the error for a top-level declaration of x from a
// generic call whose type arguments manhole could not infer: yaegi would
// fail on it, writing "nil reflect type" to the host's log.
func (p *pass) unknownResult(c *ast.CallExpr, x ast.Expr) error {
	return fmt.Errorf("%s: manhole cannot infer the type arguments of %s here; write them out (%s[...](...)) or declare %s with its type (var %s T = ...)",
		positionOf(p.fset, c.Pos()), exprString(c.Fun), exprString(c.Fun), exprString(x), exprString(x))
}

// genericFunc returns the type of the generic function id names: one of
// the input or of the session.
func (f *inferer) genericFunc(id *ast.Ident) *ast.FuncType {
	var ft *ast.FuncType
	if o := f.s.obj(id); o != nil {
		if fd, ok := o.decl.(*ast.FuncDecl); ok && fd.Recv == nil {
			ft = fd.Type
		}
	} else if sn := f.s.session(id.Name); sn.declared && !sn.namespace {
		ft = f.s.funcType(id.Name)
	}
	if ft == nil || ft.TypeParams == nil || len(ft.TypeParams.List) == 0 {
		return nil
	}
	return ft
}

func fieldNames(fl *ast.FieldList) []string {
	var out []string
	for _, f := range fl.List {
		for _, n := range f.Names {
			out = append(out, n.Name)
		}
	}
	return out
}

// fieldTypes returns the type of each parameter of fl, one per name.
func fieldTypes(fl *ast.FieldList) []ast.Expr {
	if fl == nil {
		return nil
	}
	var out []ast.Expr
	for _, f := range fl.List {
		n := max(len(f.Names), 1)
		for range n {
			out = append(out, f.Type)
		}
	}
	return out
}

// inferTypeArgs binds the type parameters of ft from the typed arguments
// of c, or returns nil if one is left unbound or bound twice differently.
func (f *inferer) inferTypeArgs(ft *ast.FuncType, tparams []string, c *ast.CallExpr) map[string]ast.Expr {
	isParam := map[string]bool{}
	for _, p := range tparams {
		isParam[p] = true
	}
	bind := map[string]ast.Expr{}
	consts := map[string]int{} // see constKind
	unknown := false           // an argument of a type not known
	ok := true
	var unify func(p, a ast.Expr)
	unify = func(p, a ast.Expr) {
		if !ok || a == nil {
			return
		}
		if pp, isParen := p.(*ast.ParenExpr); isParen {
			unify(pp.X, a)
			return
		}
		switch p := p.(type) {
		case *ast.Ident:
			if !isParam[p.Name] {
				return
			}
			if prev, bound := bind[p.Name]; bound {
				if exprString(prev) != exprString(a) {
					ok = false
				}
				return
			}
			bind[p.Name] = a
		case *ast.ArrayType:
			if at, is := a.(*ast.ArrayType); is && (p.Len == nil) == (at.Len == nil) {
				unify(p.Elt, at.Elt)
			}
		case *ast.StarExpr:
			if at, is := a.(*ast.StarExpr); is {
				unify(p.X, at.X)
			}
		case *ast.MapType:
			if at, is := a.(*ast.MapType); is {
				unify(p.Key, at.Key)
				unify(p.Value, at.Value)
			}
		case *ast.ChanType:
			if at, is := a.(*ast.ChanType); is {
				unify(p.Value, at.Value)
			}
		case *ast.FuncType:
			if at, is := a.(*ast.FuncType); is {
				pp, ap := fieldTypes(p.Params), fieldTypes(at.Params)
				pr, ar := fieldTypes(p.Results), fieldTypes(at.Results)
				if len(pp) != len(ap) || len(pr) != len(ar) {
					return
				}
				for i := range pp {
					unify(pp[i], ap[i])
				}
				for i := range pr {
					unify(pr[i], ar[i])
				}
			}
		}
	}
	params := fieldTypes(ft.Params)
	for i, arg := range c.Args {
		var p ast.Expr
		switch {
		case i < len(params)-1 || i == len(params)-1 && !isEllipsis(params[i]):
			p = params[i]
		case len(params) > 0 && isEllipsis(params[len(params)-1]):
			p = params[len(params)-1].(*ast.Ellipsis).Elt
			if c.Ellipsis.IsValid() {
				p = &ast.ArrayType{Elt: p}
			}
		default:
			return nil
		}
		at := f.argTypeExpr(arg)
		if at == nil {
			if k, isConst := f.constKind(arg); isConst {
				if id, isIdent := p.(*ast.Ident); isIdent && isParam[id.Name] {
					consts[id.Name] = max(consts[id.Name], k)
				}
			} else {
				unknown = true
			}
		}
		unify(p, at)
	}
	// Core types: S ~[]E bound to []int binds E to int.
	for range 2 {
		for _, fld := range ft.TypeParams.List {
			core := fld.Type
			if u, isTilde := core.(*ast.UnaryExpr); isTilde && u.Op == token.TILDE {
				core = u.X
			}
			switch core.(type) {
			case *ast.ArrayType, *ast.MapType, *ast.ChanType, *ast.StarExpr, *ast.FuncType:
			default:
				continue
			}
			for _, n := range fld.Names {
				if b, bound := bind[n.Name]; bound {
					unify(core, b)
				}
			}
		}
	}
	// A parameter only untyped constants give takes the default type of
	// the largest kind of them (Go's rule), if no argument is unknown.
	for name, k := range consts {
		if _, bound := bind[name]; !bound && !unknown {
			bind[name] = &ast.Ident{NamePos: c.Pos(), Name: [...]string{"int", "rune", "float64", "complex128", "string", "bool"}[k]}
		}
	}
	if !ok || len(bind) != len(tparams) {
		return nil
	}
	return bind
}

// constKind tells whether x is an untyped constant literal and its kind,
// in the order of Go's default types: int, rune, float64, complex128
// (then string and bool, which mix with no other).
func (f *inferer) constKind(x ast.Expr) (int, bool) {
	switch x := x.(type) {
	case *ast.BasicLit:
		return map[token.Token]int{token.INT: 0, token.CHAR: 1, token.FLOAT: 2, token.IMAG: 3, token.STRING: 4}[x.Kind], true
	case *ast.UnaryExpr:
		if x.Op == token.SUB || x.Op == token.ADD {
			if k, ok := f.constKind(x.X); ok && k < 4 {
				return k, true
			}
		}
	case *ast.ParenExpr:
		return f.constKind(x.X)
	case *ast.BinaryExpr:
		l, lok := f.constKind(x.X)
		r, rok := f.constKind(x.Y)
		if !lok || !rok {
			return 0, false
		}
		switch x.Op {
		case token.EQL, token.NEQ, token.LSS, token.LEQ, token.GTR, token.GEQ:
			return 5, true // bool
		case token.SHL, token.SHR:
			return l, true
		case token.LAND, token.LOR:
			return 5, true
		}
		if (l == 4) != (r == 4) {
			return 0, false // a string and a number: not a constant
		}
		return max(l, r), true
	case *ast.Ident:
		if f.s.obj(x) == nil && (x.Name == "true" || x.Name == "false") {
			return 5, true
		}
	}
	return 0, false
}

func isEllipsis(x ast.Expr) bool {
	_, ok := x.(*ast.Ellipsis)
	return ok
}

// argTypeExpr returns the type of a typed argument as an expression, nil
// for an untyped constant or a type not known.
func (f *inferer) argTypeExpr(x ast.Expr) ast.Expr {
	if _, isConst := f.constKind(x); isConst {
		return nil // untyped
	}
	switch x := x.(type) {
	case *ast.FuncLit:
		return x.Type
	case *ast.Ident:
		if k := f.kind(x); k == constObj || k == noObj && f.s.session(x.Name).isConst {
			return nil // maybe untyped
		}
	}
	if t := f.exprType(x); t.rt != nil && t.named == "" && t.texpr == nil {
		return f.reflectTypeExpr(t.rt, x.Pos(), 0)
	}
	return f.typeExprOf(x)
}

// reflectTypeExpr writes t as a type expression of the session, nil when
// it cannot: an unnamed struct, a type of a package the session cannot
// name.
func (f *inferer) reflectTypeExpr(t reflect.Type, pos token.Pos, depth int) ast.Expr {
	if depth > 20 {
		return nil
	}
	sub := func(t reflect.Type) ast.Expr { return f.reflectTypeExpr(t, pos, depth+1) }
	if t.Name() != "" {
		if t.PkgPath() == "" {
			return &ast.Ident{NamePos: pos, Name: t.Name()}
		}
		if !exportedName(t.Name()) || strings.Contains(t.Name(), "[") {
			return nil // no name in the session
		}
		if t.PkgPath() == hostMainPath {
			if f.s.mainType(t.Name()) {
				return &ast.SelectorExpr{X: &ast.Ident{NamePos: pos, Name: mainPkgName}, Sel: &ast.Ident{NamePos: pos, Name: t.Name()}}
			}
			return nil
		}
		name, ok := f.s.pkgName(t.PkgPath())
		if !ok {
			return nil
		}
		return &ast.SelectorExpr{X: &ast.Ident{NamePos: pos, Name: name}, Sel: &ast.Ident{NamePos: pos, Name: t.Name()}}
	}
	var x ast.Expr
	switch t.Kind() {
	case reflect.Slice:
		if e := sub(t.Elem()); e != nil {
			x = &ast.ArrayType{Lbrack: pos, Elt: e}
		}
	case reflect.Array:
		if e := sub(t.Elem()); e != nil {
			x = &ast.ArrayType{Lbrack: pos, Len: &ast.BasicLit{ValuePos: pos, Kind: token.INT, Value: strconv.Itoa(t.Len())}, Elt: e}
		}
	case reflect.Pointer:
		if e := sub(t.Elem()); e != nil {
			x = &ast.StarExpr{Star: pos, X: e}
		}
	case reflect.Map:
		if k, v := sub(t.Key()), sub(t.Elem()); k != nil && v != nil {
			x = &ast.MapType{Map: pos, Key: k, Value: v}
		}
	case reflect.Chan:
		if e := sub(t.Elem()); e != nil {
			dir := map[reflect.ChanDir]ast.ChanDir{reflect.BothDir: ast.SEND | ast.RECV, reflect.SendDir: ast.SEND, reflect.RecvDir: ast.RECV}[t.ChanDir()]
			x = &ast.ChanType{Begin: pos, Dir: dir, Value: e}
		}
	case reflect.Interface:
		if t.NumMethod() == 0 {
			x = &ast.Ident{NamePos: pos, Name: "any"}
		}
	case reflect.Func:
		ft := &ast.FuncType{Func: pos, Params: &ast.FieldList{}, Results: &ast.FieldList{}}
		for i := range t.NumIn() {
			e := sub(t.In(i))
			if e == nil {
				return nil
			}
			if t.IsVariadic() && i == t.NumIn()-1 {
				e = &ast.Ellipsis{Ellipsis: pos, Elt: e.(*ast.ArrayType).Elt}
			}
			ft.Params.List = append(ft.Params.List, &ast.Field{Type: e})
		}
		for i := range t.NumOut() {
			e := sub(t.Out(i))
			if e == nil {
				return nil
			}
			ft.Results.List = append(ft.Results.List, &ast.Field{Type: e})
		}
		x = ft
	}
	return x
}

func pathBase(key string) string {
	for i := len(key) - 1; i >= 0; i-- {
		if key[i] == '/' {
			return key[i+1:]
		}
	}
	return key
}

// subst returns a copy of the type expression x with the type parameters
// of bind replaced.
func subst(x ast.Expr, bind map[string]ast.Expr, pos token.Pos) ast.Expr {
	switch x := x.(type) {
	case *ast.Ident:
		if b, ok := bind[x.Name]; ok {
			return b
		}
		return &ast.Ident{NamePos: pos, Name: x.Name}
	case *ast.ParenExpr:
		return subst(x.X, bind, pos)
	case *ast.ArrayType:
		return &ast.ArrayType{Lbrack: pos, Len: x.Len, Elt: subst(x.Elt, bind, pos)}
	case *ast.StarExpr:
		return &ast.StarExpr{Star: pos, X: subst(x.X, bind, pos)}
	case *ast.MapType:
		return &ast.MapType{Map: pos, Key: subst(x.Key, bind, pos), Value: subst(x.Value, bind, pos)}
	case *ast.ChanType:
		return &ast.ChanType{Begin: pos, Dir: x.Dir, Value: subst(x.Value, bind, pos)}
	case *ast.SelectorExpr:
		return x
	case *ast.IndexExpr:
		return &ast.IndexExpr{X: subst(x.X, bind, pos), Lbrack: pos, Index: subst(x.Index, bind, pos), Rbrack: pos}
	case *ast.IndexListExpr:
		idx := make([]ast.Expr, len(x.Indices))
		for i, e := range x.Indices {
			idx[i] = subst(e, bind, pos)
		}
		return &ast.IndexListExpr{X: subst(x.X, bind, pos), Lbrack: pos, Indices: idx, Rbrack: pos}
	case *ast.FuncType:
		return &ast.FuncType{Func: pos, Params: substFields(x.Params, bind, pos), Results: substFields(x.Results, bind, pos)}
	case *ast.Ellipsis:
		return &ast.Ellipsis{Ellipsis: pos, Elt: subst(x.Elt, bind, pos)}
	}
	return x
}

func substFields(fl *ast.FieldList, bind map[string]ast.Expr, pos token.Pos) *ast.FieldList {
	if fl == nil {
		return nil
	}
	out := &ast.FieldList{}
	for _, f := range fl.List {
		out.List = append(out.List, &ast.Field{Names: f.Names, Type: subst(f.Type, bind, pos)})
	}
	return out
}

// sourceGenerics are the generic functions and types of the packages
// compiled from source (slices, maps, cmp, iter), by import path and name.
type sourceGenerics struct {
	funcs map[string]map[string]*ast.FuncType
	types map[string]map[string]*ast.TypeSpec
}

var genericSourceDecls = sync.OnceValue(func() sourceGenerics {
	out := sourceGenerics{funcs: map[string]map[string]*ast.FuncType{}, types: map[string]map[string]*ast.TypeSpec{}}
	add := func(p, src string) {
		f, err := parser.ParseFile(token.NewFileSet(), "", src, parser.SkipObjectResolution)
		if err != nil {
			return
		}
		if out.funcs[p] == nil {
			out.funcs[p] = map[string]*ast.FuncType{}
			out.types[p] = map[string]*ast.TypeSpec{}
		}
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				if d.Recv == nil && d.Type.TypeParams != nil && d.Name.IsExported() {
					out.funcs[p][d.Name.Name] = d.Type
				}
			case *ast.GenDecl:
				for _, sp := range d.Specs {
					if ts, ok := sp.(*ast.TypeSpec); ok && ts.TypeParams != nil && ts.Name.IsExported() {
						out.types[p][ts.Name.Name] = ts
					}
				}
			}
		}
	}
	for p, src := range genericSources() {
		add(p, src)
	}
	for p, src := range genericExtras {
		add(p, src)
	}
	return out
})

// maxGenericNesting bounds how deep instantiatedResult follows generic
// calls nested in arguments; 2^6 is a few milliseconds.
const maxGenericNesting = 6

// instantiatedResult returns the type of the first result of the call c
// of a generic function, its type arguments inferred (see genericCalls):
// of the session's or of a package compiled from source. nil if not known.
func (f *inferer) instantiatedResult(c *ast.CallExpr) ast.Expr {
	var ft *ast.FuncType
	switch fun := ast.Unparen(c.Fun).(type) {
	case *ast.Ident:
		ft = f.genericFunc(fun)
	case *ast.SelectorExpr:
		ft = f.genericSourceFunc(fun)
	}
	if ft == nil || ft.Results == nil || len(ft.Results.List) == 0 {
		return nil
	}
	// Each level of nested generic calls (g(g(g(1)))) asks for its
	// arguments' types twice, as a type and as a type expression: the
	// time is exponential in the nesting, and a deeper call is left to
	// yaegi's own inference.
	if f.generic >= maxGenericNesting {
		return nil
	}
	f.generic++
	defer func() { f.generic-- }()
	bind := f.inferTypeArgs(ft, fieldNames(ft.TypeParams), c)
	if bind == nil {
		return nil
	}
	return subst(ft.Results.List[0].Type, bind, c.Pos())
}

// genericSourceFunc returns the type of the function sel names if it is a
// generic function of a package compiled from source (slices.Clone).
func (f *inferer) genericSourceFunc(sel *ast.SelectorExpr) *ast.FuncType {
	if id, ok := sel.X.(*ast.Ident); ok && f.s.obj(id) == nil {
		if p, isPkg := f.s.pkgPath(id.Name); isPkg {
			return genericSourceDecls().funcs[p][sel.Sel.Name]
		}
	}
	return nil
}

// instantiatedType returns the type an instantiation of a generic type
// of a package compiled from source stands for (iter.Seq[int] is
// func(yield func(int) bool)), nil if x is not one.
func (f *inferer) instantiatedType(x ast.Expr) ast.Expr {
	base, args := unindex(x)
	if args == nil {
		return nil
	}
	sel, ok := base.(*ast.SelectorExpr)
	if !ok {
		return nil
	}
	id, ok := sel.X.(*ast.Ident)
	if !ok || f.s.obj(id) != nil {
		return nil
	}
	p, isPkg := f.s.pkgPath(id.Name)
	if !isPkg {
		return nil
	}
	ts := genericSourceDecls().types[p][sel.Sel.Name]
	if ts == nil {
		return nil
	}
	params := fieldNames(ts.TypeParams)
	if len(params) != len(args) {
		return nil
	}
	bind := map[string]ast.Expr{}
	for i, n := range params {
		bind[n] = args[i]
	}
	return subst(ts.Type, bind, x.Pos())
}

// unindex splits an instantiation, X[A] or X[A, B], into X and its type
// arguments; anything else is itself, with none.
func unindex(x ast.Expr) (ast.Expr, []ast.Expr) {
	switch x := x.(type) {
	case *ast.IndexExpr:
		return x.X, []ast.Expr{x.Index}
	case *ast.IndexListExpr:
		return x.X, x.Indices
	}
	return x, nil
}
