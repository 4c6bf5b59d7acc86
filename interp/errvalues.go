package interp

import (
	"errors"
	"fmt"
	"go/ast"
	"go/token"
	"reflect"
)

// Errors of the session's own types.
//
// yaegi v0.16.1 gives a value of a session type a method set only where
// it converts it to an interface it can see the target of: passing it as
// an argument or returning it. Stored straight into an error variable
// (var err error = E{}; err = E{}) or asserted from an any (x.(error)),
// the value has no Error method for compiled code ("reflect: Method index
// out of range"), and package errors cannot see through yaegi's wrapper
// of it: errors.Is(e, e) is false and errors.As(err, &t) panics. The
// rewrites below route those places through a call of an interpreted
// helper, which makes the wrapper; errors.Is and errors.As look into the
// wrappers (errorsGuards); errors.AsType (Go 1.26) is a generic helper.

// errorHelpers are the interpreted helpers of the rewrites.
const errorHelpers = `import __mh_errors "errors"
type __mh_errorer interface{ Error() string }
func __mh_asError(e error) error { return e }
func __mh_assertErrorOK(x any) (error, bool) {
	if e, ok := x.(error); ok {
		return e, true
	}
	e, ok := x.(__mh_errorer)
	if !ok {
		return nil, false
	}
	return __mh_asError(e), true
}
func __mh_assertError(x any) error {
	if x == nil {
		panic("interface conversion: interface is nil, not error")
	}
	e, ok := __mh_assertErrorOK(x)
	if !ok {
		panic("interface conversion: the value does not implement error (missing method Error)")
	}
	return e
}`

// ensureErrorHelpers declares errorHelpers in the current generation.
func (in *Interp) ensureErrorHelpers() error {
	if !in.gen.needErrors || in.gen.errorsDone {
		return nil
	}
	if err := in.loadPackage("errors"); err != nil {
		return err
	}
	if err := in.compileAndRun(errorHelpers); err != nil {
		return err
	}
	in.gen.errorsDone = true
	return nil
}

// errorValues rewrites the places under n where a value becomes an error
// (see above), Go 1.26's errors.AsType[E](err) and new(expr).
func (p *pass) errorValues(n ast.Node) error {
	if p.shadowed("error") {
		return nil
	}
	var bad error
	inf := p.newInferer()
	helper := func(name string, pos token.Pos, args ...ast.Expr) *ast.CallExpr {
		p.s.needErrorHelpers()
		return &ast.CallExpr{Fun: &ast.Ident{NamePos: pos, Name: name}, Lparen: pos, Args: args, Rparen: pos}
	}
	wrap := func(x ast.Expr) ast.Expr {
		if id, ok := x.(*ast.Ident); ok && id.Name == "nil" {
			return x
		}
		if _, ok := x.(*ast.CallExpr); ok {
			return x // calls return their errors wrapped already
		}
		return helper("__mh_asError", x.Pos(), x)
	}
	isError := func(x ast.Expr) bool {
		if id, ok := x.(*ast.Ident); ok && id.Name == "error" && p.s.obj(id) == nil {
			return true
		}
		return false
	}
	isErrorValue := func(x ast.Expr) bool {
		t := inf.exprType(x)
		return t.rt == errorType || t.texpr != nil && isError(t.texpr)
	}
	// An operand of an interface type: it may hold one of yaegi's
	// wrappers (an error, an any holding one) or its valueInterface.
	isIfaceValue := func(x ast.Expr) bool {
		return isErrorValue(x) || inf.exprType(x).kind == reflect.Interface
	}
	isNil := func(x ast.Expr) bool {
		if _, ok := ast.Unparen(x).(*ast.BasicLit); ok {
			return true // err == "s" stays Go's compile error
		}
		id, ok := ast.Unparen(x).(*ast.Ident)
		return ok && id.Name == "nil" && p.s.obj(id) == nil
	}
	ast.Inspect(n, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.SwitchStmt:
			// switch err { case a, b: } compares as err == a: made into
			// switch { case __mh.ErrEqual(err, a) || ...: }.
			if n.Tag != nil && isErrorValue(n.Tag) {
				tag := n.Tag
				if !isPlainRef(tag) {
					if n.Init != nil {
						return true
					}
					pos := tag.Pos()
					id := ident(helperName+"_tag", pos)
					n.Init = &ast.AssignStmt{Lhs: []ast.Expr{id}, TokPos: pos, Tok: token.DEFINE, Rhs: []ast.Expr{tag}}
					tag = id
				}
				n.Tag = nil
				for _, c := range n.Body.List {
					cc := c.(*ast.CaseClause)
					var cond ast.Expr
					for _, x := range cc.List {
						var eq ast.Expr = &ast.BinaryExpr{X: tag, OpPos: x.Pos(), Op: token.EQL, Y: x}
						if !isNil(x) {
							eq = callExpr(helperFunc("ErrEqual", x.Pos()), x.Pos(), tag, x)
						}
						if cond == nil {
							cond = eq
						} else {
							cond = &ast.BinaryExpr{X: cond, OpPos: x.Pos(), Op: token.LOR, Y: eq}
						}
					}
					if cond != nil {
						cc.List = []ast.Expr{cond}
					}
				}
			}
		case *ast.ValueSpec:
			if isError(n.Type) {
				for i, v := range n.Values {
					n.Values[i] = wrap(v)
				}
			} else if len(n.Names) == 2 && len(n.Values) == 1 {
				if ta, ok := n.Values[0].(*ast.TypeAssertExpr); ok && isError(ta.Type) {
					n.Values[0] = helper("__mh_assertErrorOK", ta.Pos(), ta.X)
				}
			}
		case *ast.AssignStmt:
			if len(n.Lhs) == 2 && len(n.Rhs) == 1 {
				if ta, ok := n.Rhs[0].(*ast.TypeAssertExpr); ok && isError(ta.Type) {
					n.Rhs[0] = helper("__mh_assertErrorOK", ta.Pos(), ta.X)
				}
			}
			if n.Tok == token.ASSIGN && len(n.Lhs) == len(n.Rhs) {
				for i, l := range n.Lhs {
					t := inf.exprType(l)
					if t.rt == errorType || t.texpr != nil && isError(t.texpr) {
						n.Rhs[i] = wrap(n.Rhs[i])
					}
				}
			}
		}
		return true
	})
	editExprs(n, false, func(x ast.Expr) ast.Expr {
		switch x := x.(type) {
		case *ast.BinaryExpr:
			// err1 == err2: yaegi's wrappers of session values hold a func
			// and compare as "comparing uncomparable type interp._error".
			if (x.Op == token.EQL || x.Op == token.NEQ) && !isNil(x.X) && !isNil(x.Y) && (isIfaceValue(x.X) || isIfaceValue(x.Y)) {
				var eq ast.Expr = callExpr(helperFunc("ErrEqual", x.OpPos), x.OpPos, x.X, x.Y)
				if x.Op == token.NEQ {
					eq = &ast.UnaryExpr{OpPos: x.OpPos, Op: token.NOT, X: eq}
				}
				return eq
			}
		case *ast.TypeAssertExpr:
			if isError(x.Type) {
				return helper("__mh_assertError", x.Pos(), x.X)
			}
		case *ast.CallExpr:
			if ix, ok := x.Fun.(*ast.IndexExpr); ok && len(x.Args) == 1 {
				if sel, ok := ix.X.(*ast.SelectorExpr); ok && sel.Sel.Name == "AsType" && inf.isPackageRef(sel.X, "errors") {
					return asType(ix.Index, x.Args[0], helper)
				}
			}
			if isError(x.Fun) && len(x.Args) == 1 {
				if id, ok := x.Args[0].(*ast.Ident); ok && id.Name == "nil" {
					return x
				}
				return helper("__mh_asError", x.Pos(), x.Args[0]) // the conversion error(v)
			}
			if id, ok := x.Fun.(*ast.Ident); ok && id.Name == "new" && p.s.obj(id) == nil && !p.shadowed("new") &&
				len(x.Args) == 1 && inf.notAType(x.Args[0]) {
				t := inf.typeExprOf(x.Args[0])
				if t == nil {
					if bad == nil {
						bad = fmt.Errorf("%s: new(%s): manhole cannot tell the type of %s; write v := %s and use &v",
							positionOf(p.fset, x.Pos()), exprString(x.Args[0]), exprString(x.Args[0]), exprString(x.Args[0]))
					}
					return x
				}
				// &[]T{v}[0]: a new variable of type T holding v.
				return &ast.UnaryExpr{OpPos: x.Pos(), Op: token.AND, X: &ast.IndexExpr{
					X:      &ast.CompositeLit{Type: &ast.ArrayType{Lbrack: x.Pos(), Elt: t}, Lbrace: x.Pos(), Elts: []ast.Expr{x.Args[0]}, Rbrace: x.Pos()},
					Lbrack: x.Pos(), Index: &ast.BasicLit{ValuePos: x.Pos(), Kind: token.INT, Value: "0"}, Rbrack: x.Pos(),
				}}
			}
		}
		return x
	})
	return bad
}

// asType is errors.AsType[E](err) without generics, which yaegi gets
// wrong here: func() (E, bool) { var e E; ok := errors.As(err, &e); return e, ok }().
func asType(e, err ast.Expr, helper func(string, token.Pos, ...ast.Expr) *ast.CallExpr) ast.Expr {
	pos := err.Pos()
	id := func(name string) *ast.Ident { return &ast.Ident{NamePos: pos, Name: name} }
	as := helper("As", pos, err, &ast.UnaryExpr{OpPos: pos, Op: token.AND, X: id("__mh_e")})
	as.Fun = &ast.SelectorExpr{X: id("__mh_errors"), Sel: id("As")}
	body := []ast.Stmt{
		&ast.DeclStmt{Decl: &ast.GenDecl{TokPos: pos, Tok: token.VAR, Specs: []ast.Spec{&ast.ValueSpec{Names: []*ast.Ident{id("__mh_e")}, Type: e}}}},
		&ast.ReturnStmt{Return: pos, Results: []ast.Expr{id("__mh_e"), as}},
	}
	fn := &ast.FuncLit{
		Type: &ast.FuncType{Func: pos, Params: &ast.FieldList{}, Results: &ast.FieldList{List: []*ast.Field{{Type: e}, {Type: id("bool")}}}},
		Body: &ast.BlockStmt{Lbrace: pos, List: body, Rbrace: pos},
	}
	return &ast.CallExpr{Fun: fn, Lparen: pos, Rparen: pos}
}

// typeExprOf returns a type expression for the type of x, nil when it is
// not known: the default type of an untyped constant, the type of a
// composite literal or a conversion, the declared type of a variable.
func (f *inferer) typeExprOf(x ast.Expr) ast.Expr {
	pos := x.Pos()
	switch x := x.(type) {
	case *ast.BasicLit:
		name := map[token.Token]string{token.INT: "int", token.FLOAT: "float64", token.IMAG: "complex128", token.CHAR: "rune", token.STRING: "string"}[x.Kind]
		return &ast.Ident{NamePos: pos, Name: name}
	case *ast.CompositeLit:
		if x.Type != nil {
			return x.Type
		}
	case *ast.ParenExpr:
		return f.typeExprOf(x.X)
	case *ast.Ident:
		if (x.Name == "true" || x.Name == "false") && f.s.obj(x) == nil && !f.s.session(x.Name).declared {
			return &ast.Ident{NamePos: pos, Name: "bool"}
		}
	case *ast.UnaryExpr:
		if x.Op == token.AND {
			if t := f.typeExprOf(x.X); t != nil {
				return &ast.StarExpr{Star: pos, X: t}
			}
		}
	}
	t := f.exprType(x)
	switch {
	case t.named != "":
		return &ast.Ident{NamePos: pos, Name: t.named}
	case t.texpr != nil:
		return t.texpr
	case t.rt != nil && t.rt.PkgPath() == "" && t.rt.Name() != "":
		return &ast.Ident{NamePos: pos, Name: t.rt.Name()}
	case t.rt == nil && t.kind != reflect.Invalid && !isUntypedConst(x):
		// A basic kind only (len(s) is an int).
		if k := t.kind; k == reflect.Bool || k == reflect.String || k >= reflect.Int && k <= reflect.Complex128 && k != reflect.Uintptr {
			return &ast.Ident{NamePos: pos, Name: k.String()}
		}
	}
	return nil
}

var errorType = reflect.TypeFor[error]()

// isPackageRef reports whether x names the package of path p.
func (f *inferer) isPackageRef(x ast.Expr, p string) bool {
	id, ok := x.(*ast.Ident)
	if !ok || f.s.obj(id) != nil {
		return false
	}
	got, ok := f.s.pkgPath(id.Name)
	return ok && got == p
}

// errorsGuards are errors.Is and errors.As that see the session's error
// values inside yaegi's wrappers.
func errorsGuards(key string) map[string]reflect.Value {
	if key != "errors/errors" {
		return nil
	}
	return map[string]reflect.Value{
		"Is": reflect.ValueOf(errorsIs),
		"As": reflect.ValueOf(errorsAs),
	}
}

// chain calls fn on err and the errors it wraps, depth first as package
// errors walks them, until fn returns true.
func chain(err error, fn func(error) bool) bool {
	for depth := 0; err != nil && depth < 10000; depth++ {
		if fn(err) {
			return true
		}
		switch u := err.(type) {
		case interface{ Unwrap() error }:
			err = u.Unwrap()
		case interface{ Unwrap() []error }:
			for _, e := range u.Unwrap() {
				if chain(e, fn) {
					return true
				}
			}
			return false
		default:
			return false
		}
	}
	return false
}

// errEqual is a == b of two errors (or of an error and another interface
// value). yaegi stores a session value in an error variable as a wrapper
// struct that holds a func, so its own == panics ("comparing uncomparable
// type interp._error"); errEqual compares what the wrappers hold. A
// pointer is compared exactly. Of a value of a session struct type the
// wrapper keeps only its last field (yaegi's getConcreteValue) and of any
// session value not its type: two such values are equal when what they
// hold and their Error texts are; see README's Known limits.
func errEqual(a, b any) bool {
	a, b = unboxInterface(a), unboxInterface(b)
	av, aok := wrapped(a)
	bv, bok := wrapped(b)
	switch {
	case !aok && !bok:
		return a == b // host values, compared as Go does (it panics on an uncomparable type)
	case aok != bok:
		// err == E{...}: a value of a session type that is not in an
		// interface has no methods for compiled code, and is held as
		// yaegi's wrapper would hold it. A host value is not a session's.
		if !aok {
			a, b, av, bv = b, a, bv, av
		}
		if _, isErr := b.(error); isErr || b == nil {
			return false
		}
		bv = concreteValue(reflect.ValueOf(b))
		if !bv.IsValid() || av.Type() != bv.Type() {
			return false
		}
		if !av.Comparable() {
			panic(errors.New("runtime error: comparing uncomparable type " + av.Type().String()))
		}
		return av.Equal(bv)
	case av.Type() != bv.Type():
		return false
	case !av.Comparable():
		panic(errors.New("runtime error: comparing uncomparable type " + av.Type().String()))
	case av.Kind() == reflect.Pointer:
		return av.Equal(bv)
	}
	if !av.Equal(bv) {
		return false
	}
	ae, _ := a.(error)
	be, _ := b.(error)
	if ae == nil || be == nil {
		return true
	}
	// Go's == never calls Error: one that panics (or compares errors
	// itself, without end) leaves the answer to what the wrappers hold.
	at, aok := errorText(ae)
	bt, bok := errorText(be)
	return !aok || !bok || at == bt
}

// errorText is e.Error(), false if it panicked; the panic that stops a
// cancelled evaluation goes on.
func errorText(e error) (text string, ok bool) {
	defer func() {
		if r := recover(); r != nil {
			if r == errStale {
				panic(r)
			}
			ok = false
		}
	}()
	return e.Error(), true
}

// unboxInterface is the value x holds when it is yaegi's valueInterface
// (an any of the session's holding a session value), else x.
func unboxInterface(x any) any {
	v := reflect.ValueOf(x)
	if !v.IsValid() || !isYaegiInterface(v.Type()) {
		return x
	}
	if inner := yaegiInterfaceValue(v); inner.IsValid() && inner.CanInterface() {
		return inner.Interface()
	}
	return x
}

// isPlainRef reports whether x is a name or a field of one: read twice,
// it is read the same.
func isPlainRef(x ast.Expr) bool {
	switch x := ast.Unparen(x).(type) {
	case *ast.Ident:
		return true
	case *ast.SelectorExpr:
		return isPlainRef(x.X)
	}
	return false
}

func errorsIs(err, target error) bool {
	if errors.Is(err, target) {
		return true
	}
	// errors.Is compares with ==, which does not see into yaegi's
	// wrappers of session values: errEqual does.
	tv, ok := wrapped(target)
	if !ok || !tv.Comparable() {
		return false
	}
	return chain(err, func(e error) bool { return errEqual(e, target) })
}

func errorsAs(err error, target any) bool {
	tv := reflect.ValueOf(target)
	if tv.Kind() == reflect.Pointer && !tv.IsNil() {
		if et := tv.Type().Elem(); et.Kind() != reflect.Interface && !et.Implements(errorType) {
			// A session type: compiled code sees no Error method on it.
			if et.Kind() != reflect.Pointer {
				panic("errors.As: the target is a value of a session type, which manhole cannot find in an error (yaegi keeps only part of such a value there); give the type's methods a pointer receiver and use a pointer target")
			}
			return chain(err, func(e error) bool {
				if v, ok := wrapped(e); ok && v.Type() == et {
					tv.Elem().Set(v)
					return true
				}
				return false
			})
		}
	}
	return errors.As(err, target)
}

// notAType reports whether x is surely a value, not a type: new(x) is
// then Go 1.26's new of an expression.
func (f *inferer) notAType(x ast.Expr) bool {
	switch x := x.(type) {
	case *ast.BasicLit, *ast.CompositeLit, *ast.CallExpr, *ast.BinaryExpr, *ast.UnaryExpr, *ast.FuncLit, *ast.SliceExpr, *ast.TypeAssertExpr:
		return true
	case *ast.ParenExpr:
		return f.notAType(x.X)
	case *ast.Ident:
		if k := f.kind(x); k != noObj {
			return k == varObj || k == constObj
		}
		if x.Name == "true" || x.Name == "false" || x.Name == "iota" {
			return true
		}
		sn := f.s.session(x.Name)
		return sn.namespace || sn.declared && !sn.isType
	case *ast.SelectorExpr:
		if id, ok := x.X.(*ast.Ident); ok && f.s.obj(id) == nil {
			if p, isPkg := f.s.pkgPath(id.Name); isPkg {
				v, ok := f.s.symbol(p, x.Sel.Name)
				return ok && !(v.Kind() == reflect.Pointer && v.IsNil())
			}
		}
		return f.notAType(x.X) // a field of a value
	case *ast.IndexExpr:
		return f.notAType(x.X) // an element, not an instantiation
	}
	return false
}
