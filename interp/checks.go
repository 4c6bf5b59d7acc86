package interp

// The checks that refuse an input before yaegi compiles it, with the Go
// compiler's words, where yaegi would accept it wrongly, panic in its
// compiler or run into reflect's panics.

import (
	"fmt"
	"go/ast"
	"go/token"
	"reflect"
	"slices"
)

// checkTopLevel rejects statements that yaegi mishandles in the global
// block, where the REPL runs them.
func checkTopLevel(fset *token.FileSet, stmts []ast.Stmt) error {
	for _, s := range stmts {
		switch s := s.(type) {
		case *ast.DeferStmt:
			// The global frame keeps its deferred calls forever and runs
			// them again after every later input.
			return fmt.Errorf("%s: defer is only supported inside a function", positionOf(fset, s.Pos()))
		case *ast.ReturnStmt:
			return fmt.Errorf("%s: return is only allowed inside a function", positionOf(fset, s.Pos()))
		case *ast.LabeledStmt:
			// A labeled statement may stay in the global block (see
			// topLevel), and so would any defer or return in it that is
			// not inside a function literal; in a closure, a return would
			// quietly end the closure only.
			var bad ast.Node
			ast.Inspect(s, func(n ast.Node) bool {
				switch n.(type) {
				case *ast.FuncLit:
					return false
				case *ast.DeferStmt, *ast.ReturnStmt:
					if bad == nil {
						bad = n
					}
				}
				return bad == nil
			})
			if bad != nil {
				return fmt.Errorf("%s: defer and return are not supported in a labeled statement at top level", positionOf(fset, bad.Pos()))
			}
		}
	}
	return nil
}

// checkMain rejects a session-level main: yaegi runs main after every
// later input of the session.
func checkMain(fset *token.FileSet, g group) error {
	for _, id := range declaredNames(g) {
		if id.Name == "main" {
			return fmt.Errorf("%s: the name main cannot be declared here (the interpreter would run it after every input)", positionOf(fset, id.Pos()))
		}
	}
	return nil
}

// checkTypes rejects a name that is not a type where a type must be:
// yaegi's compiler recurses without end on `func f(x f) {}` or
// `func g() g`, until Go's stack overflow ends the whole process.
func (p *pass) checkTypes(root ast.Node) error {
	var bad *ast.Ident
	var typ func(e ast.Expr)
	typ = func(e ast.Expr) {
		if e == nil || bad != nil {
			return
		}
		switch e := e.(type) {
		case *ast.Ident:
			if !p.isType(e) {
				bad = e
			}
		case *ast.ParenExpr:
			typ(e.X)
		case *ast.StarExpr:
			typ(e.X)
		case *ast.Ellipsis:
			typ(e.Elt)
		case *ast.ArrayType:
			typ(e.Elt)
		case *ast.MapType:
			typ(e.Key)
			typ(e.Value)
		case *ast.ChanType:
			typ(e.Value)
		case *ast.IndexExpr:
			typ(e.X)
			typ(e.Index)
		case *ast.IndexListExpr:
			typ(e.X)
			for _, x := range e.Indices {
				typ(x)
			}
		}
		// Function, struct and interface types hold fields, which the
		// walk below visits.
	}
	ast.Inspect(root, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.Field:
			typ(n.Type)
		case *ast.ValueSpec:
			typ(n.Type)
		case *ast.TypeSpec:
			typ(n.Type)
		case *ast.CompositeLit:
			typ(n.Type)
		case *ast.TypeAssertExpr:
			typ(n.Type)
		}
		return bad == nil
	})
	if bad != nil {
		return fmt.Errorf("%s: %s is not a type", positionOf(p.fset, bad.Pos()), bad.Name)
	}
	return nil
}

// isType reports whether id may name a type: it does unless it is
// resolved to something else in the input, or it names a namespace value or a
// session-level name last declared as something else.
func (p *pass) isType(id *ast.Ident) bool {
	if o := p.s.obj(id); o != nil && o.kind != noObj {
		return o.kind == typeObj
	}
	sn := p.s.session(id.Name)
	if sn.namespace {
		return false
	}
	return !sn.declared || sn.isType
}

// checkAliases rejects a cycle of type aliases (type T = *T), invalid in
// Go, on which yaegi's compiler recurses until Go's fatal stack overflow.
func (p *pass) checkAliases(root ast.Node) error {
	var specs []*ast.TypeSpec
	ast.Inspect(root, func(n ast.Node) bool {
		if s, ok := n.(*ast.TypeSpec); ok && s.Assign.IsValid() {
			specs = append(specs, s)
		}
		return true
	})
	if len(specs) == 0 {
		return nil
	}
	refs := make(map[string][]string, len(specs))
	for _, s := range specs {
		refs[s.Name.Name] = typeRefs(s.Type)
	}
	// The input's aliases first, then the session's.
	refsOf := func(name string) []string {
		if r, ok := refs[name]; ok {
			return r
		}
		return p.s.aliasRefs(name)
	}
	for _, s := range specs {
		seen := map[string]bool{}
		var cyclic func(name string) bool
		cyclic = func(name string) bool {
			if name == s.Name.Name && len(seen) > 0 {
				return true
			}
			if seen[name] {
				return false
			}
			seen[name] = true
			for _, r := range refsOf(name) {
				if cyclic(r) {
					return true
				}
			}
			return false
		}
		if cyclic(s.Name.Name) {
			return fmt.Errorf("%s: invalid recursive type alias %s", positionOf(p.fset, s.Name.Pos()), s.Name.Name)
		}
	}
	return nil
}

// typeRefs lists the names a type expression refers to, other than field
// and method names and the selected names of package.Name.
func typeRefs(e ast.Expr) []string {
	var names []string
	var visit func(n ast.Node) bool
	visit = func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.Ident:
			names = append(names, n.Name)
		case *ast.SelectorExpr:
			return false
		case *ast.Field:
			if n.Type != nil {
				ast.Inspect(n.Type, visit)
			}
			return false
		}
		return true
	}
	ast.Inspect(e, visit)
	return names
}

// checkInstantiations rejects an instantiation cycle, invalid in Go: a
// generic function or type that instantiates itself, directly or through
// others of the same input, with a type argument built from its own type
// parameters (f[[]P] inside f[P]). yaegi's compiler instantiates without
// end and without limit on memory, which would take the host down; it
// cannot be interrupted. Inferred type arguments are caught only where an
// argument names a type parameter (f([]P{x}) inside f).
func checkInstantiations(fset *token.FileSet, root ast.Node) error {
	type generic struct {
		params map[string]bool
		nodes  []ast.Node
		sig    *ast.FuncType // of a generic function
	}
	generics := map[string]*generic{}
	add := func(name string, params []*ast.Ident, n ast.Node) {
		g := generics[name]
		if g == nil {
			g = &generic{params: map[string]bool{}}
			generics[name] = g
		}
		for _, p := range params {
			g.params[p.Name] = true
		}
		g.nodes = append(g.nodes, n)
	}
	fieldNames := func(l *ast.FieldList) (names []*ast.Ident) {
		if l != nil {
			for _, f := range l.List {
				names = append(names, f.Names...)
			}
		}
		return names
	}
	ast.Inspect(root, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncDecl:
			if n.Recv != nil && len(n.Recv.List) == 1 {
				// A method of a generic type belongs to that type.
				t := n.Recv.List[0].Type
				if s, ok := t.(*ast.StarExpr); ok {
					t = s.X
				}
				var base ast.Expr
				var params []*ast.Ident
				switch t := t.(type) {
				case *ast.IndexExpr:
					base = t.X
					if id, ok := t.Index.(*ast.Ident); ok {
						params = append(params, id)
					}
				case *ast.IndexListExpr:
					base = t.X
					for _, x := range t.Indices {
						if id, ok := x.(*ast.Ident); ok {
							params = append(params, id)
						}
					}
				}
				if id, ok := base.(*ast.Ident); ok {
					add(id.Name, params, n)
				}
			} else if n.Type.TypeParams != nil {
				add(n.Name.Name, fieldNames(n.Type.TypeParams), n)
				generics[n.Name.Name].sig = n.Type
			}
		case *ast.TypeSpec:
			if n.TypeParams != nil {
				add(n.Name.Name, fieldNames(n.TypeParams), n)
			}
		}
		return true
	})
	if len(generics) == 0 {
		return nil
	}

	type edge struct {
		to      string
		growing bool
		pos     token.Pos
	}
	edges := map[string][]edge{}
	mentions := func(e ast.Expr, params map[string]bool) bool {
		found := false
		ast.Inspect(e, func(n ast.Node) bool {
			if id, ok := n.(*ast.Ident); ok && params[id.Name] {
				found = true
			}
			return !found
		})
		return found
	}
	for name, g := range generics {
		// A bare type parameter passes the same type on; anything built
		// from one makes a bigger type at each step.
		grows := func(args []ast.Expr) bool {
			for _, a := range args {
				if id, ok := ast.Unparen(a).(*ast.Ident); ok && g.params[id.Name] {
					continue
				}
				if mentions(a, g.params) {
					return true
				}
			}
			return false
		}
		// Without explicit type arguments, they are inferred from the
		// arguments passed where the callee's parameters are generic:
		// only a variable, a constant, a conversion P(x) and arithmetic
		// or a comparison of those (n-1, -x) pass a type on unchanged as
		// far as the syntax tells (&x, []P{x}, <-ch do not).
		var passesOn func(a ast.Expr) bool
		passesOn = func(a ast.Expr) bool {
			switch a := ast.Unparen(a).(type) {
			case *ast.Ident, *ast.BasicLit:
				return true
			case *ast.BinaryExpr:
				return passesOn(a.X) && passesOn(a.Y)
			case *ast.UnaryExpr:
				return a.Op != token.AND && a.Op != token.ARROW && passesOn(a.X)
			case *ast.CallExpr:
				id, ok := ast.Unparen(a.Fun).(*ast.Ident)
				return ok && g.params[id.Name]
			}
			return false
		}
		growsInferred := func(callee *generic, args []ast.Expr) bool {
			if callee.sig == nil || callee.sig.Params == nil {
				return false
			}
			var ptypes []ast.Expr
			for _, f := range callee.sig.Params.List {
				for k := 0; k < max(1, len(f.Names)); k++ {
					ptypes = append(ptypes, f.Type)
				}
			}
			for i, a := range args {
				if len(ptypes) == 0 {
					break
				}
				if !mentions(ptypes[min(i, len(ptypes)-1)], callee.params) {
					continue
				}
				if !passesOn(a) {
					return true
				}
			}
			return false
		}
		for _, n := range g.nodes {
			ast.Inspect(n, func(n ast.Node) bool {
				switch n := n.(type) {
				case *ast.IndexExpr:
					if id, ok := n.X.(*ast.Ident); ok && generics[id.Name] != nil {
						edges[name] = append(edges[name], edge{id.Name, grows([]ast.Expr{n.Index}), n.Pos()})
					}
				case *ast.IndexListExpr:
					if id, ok := n.X.(*ast.Ident); ok && generics[id.Name] != nil {
						edges[name] = append(edges[name], edge{id.Name, grows(n.Indices), n.Pos()})
					}
				case *ast.CallExpr:
					if id, ok := n.Fun.(*ast.Ident); ok && generics[id.Name] != nil {
						edges[name] = append(edges[name], edge{id.Name, growsInferred(generics[id.Name], n.Args), n.Pos()})
					}
				}
				return true
			})
		}
	}
	reaches := func(from, to string) bool {
		seen := map[string]bool{}
		var walk func(string) bool
		walk = func(n string) bool {
			if n == to {
				return true
			}
			if seen[n] {
				return false
			}
			seen[n] = true
			for _, e := range edges[n] {
				if walk(e.to) {
					return true
				}
			}
			return false
		}
		return walk(from)
	}
	for name, es := range edges {
		for _, e := range es {
			if e.growing && reaches(e.to, name) {
				return fmt.Errorf("%s: instantiation cycle: %s instantiates %s with a type built from its own type parameters", positionOf(fset, e.pos), name, e.to)
			}
		}
	}
	return nil
}

// checkTypeParamArgs refuses, as Go does, a value of a type parameter of
// a generic function passed, inside it, to an explicit instantiation with
// a concrete type (n of type T to g[int]): yaegi's compiler, instantiating
// g[int] with it, recurses until the stack is exhausted, which is fatal
// to the host.
func (p *pass) checkTypeParamArgs(root ast.Node) error {
	var bad error
	inf := p.newInferer()
	ast.Inspect(root, func(n ast.Node) bool {
		fd, ok := n.(*ast.FuncDecl)
		if !ok || bad != nil {
			return bad == nil
		}
		if fd.Type.TypeParams == nil || fd.Body == nil {
			return true
		}
		tparams := map[string]bool{}
		for _, p := range fieldNames(fd.Type.TypeParams) {
			tparams[p] = true
		}
		ast.Inspect(fd.Body, func(n ast.Node) bool {
			c, ok := n.(*ast.CallExpr)
			if !ok || bad != nil {
				return bad == nil
			}
			var fun *ast.Ident
			var targs []ast.Expr
			switch f := c.Fun.(type) {
			case *ast.IndexExpr:
				fun, _ = f.X.(*ast.Ident)
				targs = []ast.Expr{f.Index}
			case *ast.IndexListExpr:
				fun, _ = f.X.(*ast.Ident)
				targs = f.Indices
			}
			if fun == nil {
				return true
			}
			ft := inf.genericFunc(fun)
			if ft == nil || ft.Params == nil {
				return true
			}
			tps := fieldNames(ft.TypeParams)
			if len(tps) != len(targs) {
				return true
			}
			var ptypes []ast.Expr
			for _, f := range ft.Params.List {
				for k := 0; k < max(1, len(f.Names)); k++ {
					ptypes = append(ptypes, f.Type)
				}
			}
			for i, a := range c.Args {
				if i >= len(ptypes) {
					break
				}
				pid, ok := ptypes[i].(*ast.Ident)
				if !ok {
					continue
				}
				j := slices.Index(tps, pid.Name)
				if j < 0 || mentionsNames(targs[j], tparams) {
					continue
				}
				if tp := p.typeParamOf(a, tparams, 0); tp != "" {
					bad = fmt.Errorf("%s: cannot use %s (value of type %s) as %s value in argument to %s", positionOf(p.fset, a.Pos()), exprString(a), tp, exprString(targs[j]), exprString(c.Fun))
					return false
				}
			}
			return true
		})
		return true
	})
	return bad
}

// mentionsNames reports whether e uses one of names.
func mentionsNames(e ast.Expr, names map[string]bool) bool {
	found := false
	ast.Inspect(e, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok && names[id.Name] {
			found = true
		}
		return !found
	})
	return found
}

// typeParamOf returns the type parameter (of tparams) that a, a variable
// or arithmetic on variables and constants, surely has as its type, as
// far as the declarations of the input tell; "" if none.
func (p *pass) typeParamOf(a ast.Expr, tparams map[string]bool, depth int) string {
	if depth > 16 {
		return ""
	}
	switch a := ast.Unparen(a).(type) {
	case *ast.Ident:
		o := p.s.obj(a)
		if o == nil {
			return ""
		}
		bare := func(t ast.Expr) string {
			if id, ok := t.(*ast.Ident); ok && tparams[id.Name] && p.s.obj(id) != nil {
				return id.Name
			}
			return ""
		}
		switch d := o.decl.(type) {
		case *ast.Field:
			return bare(d.Type)
		case *ast.ValueSpec:
			if d.Type != nil {
				return bare(d.Type)
			}
			for i, n := range d.Names {
				if n.Name == a.Name && i < len(d.Values) && len(d.Values) == len(d.Names) {
					return p.typeParamOf(d.Values[i], tparams, depth+1)
				}
			}
		case *ast.AssignStmt:
			if len(d.Lhs) == len(d.Rhs) {
				for i, l := range d.Lhs {
					if id, ok := l.(*ast.Ident); ok && id.Name == a.Name && id.Pos() == o.pos {
						return p.typeParamOf(d.Rhs[i], tparams, depth+1)
					}
				}
			}
		}
	case *ast.BinaryExpr:
		switch a.Op {
		case token.EQL, token.NEQ, token.LSS, token.LEQ, token.GTR, token.GEQ, token.LAND, token.LOR:
			return ""
		}
		if tp := p.typeParamOf(a.X, tparams, depth+1); tp != "" {
			return tp
		}
		if a.Op != token.SHL && a.Op != token.SHR {
			return p.typeParamOf(a.Y, tparams, depth+1)
		}
	case *ast.UnaryExpr:
		if a.Op != token.AND && a.Op != token.ARROW {
			return p.typeParamOf(a.X, tparams, depth+1)
		}
	}
	return ""
}

// valueChecks refuses, as the Go compiler does, what yaegi's compiler
// panics on or runs into reflect's panics with: a constant condition
// that is not a bool (if 1 {}), and the result of a call without one
// used as a value (y := f() for func f()).
func (p *pass) valueChecks(n ast.Node) error {
	inf := p.newInferer()
	var bad error
	cond := func(x ast.Expr, stmt string) {
		if x == nil || bad != nil || !isUntypedConst(x) {
			return
		}
		if k := inf.exprType(x).kind; k != reflect.Bool && k != reflect.Invalid {
			bad = fmt.Errorf("%s: non-boolean condition in %s statement", positionOf(p.fset, x.Pos()), stmt)
		}
	}
	noValue := func(xs []ast.Expr) {
		for _, x := range xs {
			c, ok := ast.Unparen(x).(*ast.CallExpr)
			if !ok || bad != nil {
				continue
			}
			t := inf.exprType(c.Fun)
			none := false
			switch {
			case t.rt != nil && t.rt.Kind() == reflect.Func:
				none = t.rt.NumOut() == 0
			case t.texpr != nil:
				if ft, ok := t.texpr.(*ast.FuncType); ok {
					none = ft.Results == nil || len(ft.Results.List) == 0
				}
			}
			if none {
				bad = fmt.Errorf("%s: %s (no value) used as value", positionOf(p.fset, c.Pos()), exprString(c))
			}
		}
	}
	isNil := func(x ast.Expr) bool {
		id, ok := ast.Unparen(x).(*ast.Ident)
		return ok && id.Name == "nil" && p.s.obj(id) == nil && !p.shadowed("nil")
	}
	mismatch := func(pos token.Pos, lhs, rhs int) {
		// One value may be a call with several results (or a comma-ok
		// form), which the compiler checks.
		if bad == nil && rhs > 1 && lhs != rhs {
			bad = fmt.Errorf("%s: assignment mismatch: %s but %s", positionOf(p.fset, pos), plural(lhs, "variable"), plural(rhs, "value"))
		}
	}
	ast.Inspect(n, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.IfStmt:
			cond(n.Cond, "if")
		case *ast.ForStmt:
			cond(n.Cond, "for")
		case *ast.AssignStmt:
			noValue(n.Rhs)
			if n.Tok == token.DEFINE || n.Tok == token.ASSIGN {
				mismatch(n.Pos(), len(n.Lhs), len(n.Rhs))
			}
		case *ast.ValueSpec:
			noValue(n.Values)
			if len(n.Values) > 0 {
				mismatch(n.Pos(), len(n.Names), len(n.Values))
			}
		case *ast.BinaryExpr:
			noValue([]ast.Expr{n.X, n.Y})
			if bad == nil && isNil(n.X) && isNil(n.Y) {
				bad = fmt.Errorf("%s: invalid operation: %s (operator %s not defined on nil)", positionOf(p.fset, n.Pos()), exprString(n), n.Op)
			}
		case *ast.CallExpr:
			noValue(n.Args)
		case *ast.ReturnStmt:
			noValue(n.Results)
		case *ast.SendStmt:
			noValue([]ast.Expr{n.Value})
		}
		return bad == nil
	})
	return bad
}
