package interp

import (
	"go/ast"
	"go/constant"
	"go/token"
	"reflect"
)

// yaegi v0.16.1 cannot range over an integer, and manhole rewrites such a
// loop before compiling it; but only the type checker knows whether
// `range n` is over an integer or a slice, and yaegi's is not reachable.
// The inferer below answers "which kind of value is this expression?"
// from what is at hand: the syntax, the declarations of the input, the
// types of the session's variables (yaegi's Globals), of the namespace
// values and of the standard packages' symbols. It answers
// reflect.Invalid when it cannot tell. All it knows of the session it
// asks of a sessionScope, and so do the questions of names the passes
// share with it (kind, genericFunc, reflectTypeExpr, notAType...), which
// are its methods too.

type inferer struct {
	s       sessionScope
	globals map[string]reflect.Value // s.globalValues(), read on first need
	depth   int
	generic int // generic calls being inferred, nested; see instantiatedResult
}

// typeInfo is what is known of an expression's type: its kind, and the
// type itself when it comes from reflection, or its source expression
// when it comes from a declaration.
type typeInfo struct {
	kind  reflect.Kind
	rt    reflect.Type
	texpr ast.Expr
	named string // a type declared in the session: its name
}

var unknownType = typeInfo{}

var constantValueType = reflect.TypeFor[constant.Value]()

var basicKinds = map[string]reflect.Kind{
	"bool": reflect.Bool, "int": reflect.Int, "int8": reflect.Int8, "int16": reflect.Int16,
	"int32": reflect.Int32, "rune": reflect.Int32, "int64": reflect.Int64, "uint": reflect.Uint,
	"uint8": reflect.Uint8, "byte": reflect.Uint8, "uint16": reflect.Uint16, "uint32": reflect.Uint32,
	"uint64": reflect.Uint64, "uintptr": reflect.Uintptr, "float32": reflect.Float32,
	"float64": reflect.Float64, "complex64": reflect.Complex64, "complex128": reflect.Complex128,
	"string": reflect.String, "error": reflect.Interface, "any": reflect.Interface,
}

func isIntKind(k reflect.Kind) bool {
	return k >= reflect.Int && k <= reflect.Uintptr
}

func fromReflect(t reflect.Type) typeInfo {
	if t == nil {
		return unknownType
	}
	return typeInfo{kind: t.Kind(), rt: t}
}

// exprType tells what is known of the type of x.
func (f *inferer) exprType(x ast.Expr) typeInfo {
	if f.depth > 50 {
		return unknownType
	}
	f.depth++
	defer func() { f.depth-- }()
	switch x := x.(type) {
	case *ast.BasicLit:
		switch x.Kind {
		case token.INT, token.CHAR:
			return typeInfo{kind: reflect.Int}
		case token.FLOAT:
			return typeInfo{kind: reflect.Float64}
		case token.IMAG:
			return typeInfo{kind: reflect.Complex128}
		case token.STRING:
			return typeInfo{kind: reflect.String}
		}
	case *ast.ParenExpr:
		return f.exprType(x.X)
	case *ast.Ident:
		return f.identType(x)
	case *ast.SelectorExpr:
		return f.selectorType(x)
	case *ast.CallExpr:
		return f.callType(x)
	case *ast.BinaryExpr:
		switch x.Op {
		case token.EQL, token.NEQ, token.LSS, token.LEQ, token.GTR, token.GEQ, token.LAND, token.LOR:
			return typeInfo{kind: reflect.Bool}
		case token.SHL, token.SHR:
			return f.exprType(x.X)
		}
		// An untyped constant operand takes the other's type, unknown if
		// that is unknown (n-1 with n of a type parameter is not an int).
		l, r := f.exprType(x.X), f.exprType(x.Y)
		lc, rc := isUntypedConst(x.X), isUntypedConst(x.Y)
		switch {
		case lc && !rc:
			return r
		case rc && !lc:
			return l
		case l.kind != reflect.Invalid:
			return l
		}
		return r
	case *ast.UnaryExpr:
		switch x.Op {
		case token.NOT:
			return typeInfo{kind: reflect.Bool}
		case token.AND:
			// &T{...} of a known type is a *T.
			if t := f.exprType(x.X); t.rt != nil {
				return fromReflect(reflect.PointerTo(t.rt))
			}
			return typeInfo{kind: reflect.Pointer}
		case token.ARROW:
			t := f.exprType(x.X)
			if t.rt != nil && t.rt.Kind() == reflect.Chan {
				return fromReflect(t.rt.Elem())
			}
			if c, ok := t.texpr.(*ast.ChanType); ok {
				return f.typeExprType(c.Value)
			}
			return unknownType
		}
		return f.exprType(x.X)
	case *ast.StarExpr:
		t := f.exprType(x.X)
		if t.rt != nil && t.rt.Kind() == reflect.Pointer {
			return fromReflect(t.rt.Elem())
		}
		if s, ok := t.texpr.(*ast.StarExpr); ok {
			return f.typeExprType(s.X)
		}
	case *ast.IndexExpr:
		t := f.exprType(x.X)
		if t.rt != nil {
			switch t.rt.Kind() {
			case reflect.Slice, reflect.Array, reflect.Map:
				return fromReflect(t.rt.Elem())
			case reflect.String:
				return typeInfo{kind: reflect.Uint8}
			}
		}
		switch te := t.texpr.(type) {
		case *ast.ArrayType:
			return f.typeExprType(te.Elt)
		case *ast.MapType:
			return f.typeExprType(te.Value)
		}
		if t.kind == reflect.String {
			return typeInfo{kind: reflect.Uint8}
		}
	case *ast.SliceExpr:
		t := f.exprType(x.X)
		if t.kind == reflect.Array {
			return typeInfo{kind: reflect.Slice}
		}
		return t
	case *ast.CompositeLit:
		return f.typeExprType(x.Type)
	case *ast.FuncLit:
		return typeInfo{kind: reflect.Func, texpr: x.Type}
	case *ast.TypeAssertExpr:
		return f.typeExprType(x.Type)
	}
	return unknownType
}

// isUntypedConst reports whether x is a constant expression built of
// literals only.
func isUntypedConst(x ast.Expr) bool {
	switch x := x.(type) {
	case *ast.BasicLit:
		return true
	case *ast.ParenExpr:
		return isUntypedConst(x.X)
	case *ast.UnaryExpr:
		return x.Op != token.ARROW && x.Op != token.AND && isUntypedConst(x.X)
	case *ast.BinaryExpr:
		return isUntypedConst(x.X) && isUntypedConst(x.Y)
	}
	return false
}

func (f *inferer) identType(id *ast.Ident) typeInfo {
	if o := f.s.obj(id); o != nil {
		return f.objectType(id, o)
	}
	switch id.Name {
	case "true", "false":
		return typeInfo{kind: reflect.Bool}
	case "iota":
		return typeInfo{kind: reflect.Int}
	}
	sn := f.s.session(id.Name)
	if sn.declared {
		if f.globals == nil {
			f.globals = f.s.globalValues()
			if f.globals == nil {
				f.globals = map[string]reflect.Value{}
			}
		}
		if v, ok := f.globals[id.Name]; ok && v.IsValid() {
			// Only a constant is read: the value of a variable may be
			// written meanwhile by a goroutine of the session's.
			t := fromReflect(v.Type())
			if v.CanInterface() && v.Type().Implements(constantValueType) {
				if c, ok := v.Interface().(constant.Value); ok {
					t = constType(c)
				}
			}
			// yaegi's value of a session type whose underlying type is a
			// basic one is of the basic type (see noteDeclTypes).
			if sn.declType != "" && f.s.session(sn.declType).typeKind == t.kind {
				t.named = sn.declType
			}
			return t
		}
		if k := f.s.funcType(id.Name); k != nil {
			return typeInfo{kind: reflect.Func, texpr: k}
		}
		return unknownType
	}
	if sn.valueType != nil {
		return fromReflect(sn.valueType)
	}
	return unknownType
}

func constType(c constant.Value) typeInfo {
	switch c.Kind() {
	case constant.Int:
		return typeInfo{kind: reflect.Int}
	case constant.Float:
		return typeInfo{kind: reflect.Float64}
	case constant.String:
		return typeInfo{kind: reflect.String}
	case constant.Bool:
		return typeInfo{kind: reflect.Bool}
	case constant.Complex:
		return typeInfo{kind: reflect.Complex128}
	}
	return unknownType
}

// objectType follows an identifier resolved to its declaration obj in
// the same input.
func (f *inferer) objectType(id *ast.Ident, obj *object) typeInfo {
	switch obj.kind {
	case funcObj:
		if d, ok := obj.decl.(*ast.FuncDecl); ok {
			return typeInfo{kind: reflect.Func, texpr: d.Type}
		}
		return typeInfo{kind: reflect.Func}
	case varObj, constObj:
	default:
		return unknownType
	}
	decl := obj.decl
	if d, ok := decl.(*ast.AssignStmt); ok && len(d.Rhs) == 1 {
		if u, ok := d.Rhs[0].(*ast.UnaryExpr); ok && u.Op == token.RANGE {
			// resolve's declaration of range variables.
			r := &ast.RangeStmt{Key: d.Lhs[0], X: u.X}
			if len(d.Lhs) > 1 {
				r.Value = d.Lhs[1]
			}
			decl = r
		}
	}
	switch d := decl.(type) {
	case *ast.AssignStmt:
		for i, l := range d.Lhs {
			if l, ok := l.(*ast.Ident); ok && l.Name == id.Name && len(d.Rhs) == len(d.Lhs) {
				if r, ok := d.Rhs[i].(*ast.Ident); ok && r.Name == id.Name {
					return unknownType // x := x
				}
				return f.exprType(d.Rhs[i])
			}
		}
	case *ast.ValueSpec:
		if d.Type != nil {
			return f.typeExprType(d.Type)
		}
		for i, n := range d.Names {
			if n.Name == id.Name && i < len(d.Values) && len(d.Values) == len(d.Names) {
				return f.exprType(d.Values[i])
			}
		}
	case *ast.Field:
		if e, ok := d.Type.(*ast.Ellipsis); ok {
			return typeInfo{kind: reflect.Slice, texpr: &ast.ArrayType{Elt: e.Elt}}
		}
		return f.typeExprType(d.Type)
	case *ast.RangeStmt:
		t := f.exprType(d.X)
		isKey := false
		if k, ok := d.Key.(*ast.Ident); ok && k.Name == id.Name {
			isKey = true
		}
		switch {
		case isIntKind(t.kind):
			return t
		case t.kind == reflect.Slice || t.kind == reflect.Array || t.kind == reflect.String:
			if isKey {
				return typeInfo{kind: reflect.Int}
			}
			if t.kind == reflect.String {
				return typeInfo{kind: reflect.Int32}
			}
			if t.rt != nil {
				return fromReflect(t.rt.Elem())
			}
			if a, ok := t.texpr.(*ast.ArrayType); ok {
				return f.typeExprType(a.Elt)
			}
		case t.kind == reflect.Map:
			if t.rt != nil {
				if isKey {
					return fromReflect(t.rt.Key())
				}
				return fromReflect(t.rt.Elem())
			}
			if m, ok := t.texpr.(*ast.MapType); ok {
				if isKey {
					return f.typeExprType(m.Key)
				}
				return f.typeExprType(m.Value)
			}
		}
	}
	return unknownType
}

// typeExprType tells what a type expression denotes.
func (f *inferer) typeExprType(t ast.Expr) typeInfo {
	if f.depth > 50 {
		return unknownType
	}
	f.depth++
	defer func() { f.depth-- }()
	switch t := t.(type) {
	case *ast.Ident:
		if o := f.s.obj(t); o != nil {
			if s, ok := o.decl.(*ast.TypeSpec); ok && o.kind == typeObj {
				u := f.typeExprType(s.Type)
				return typeInfo{kind: u.kind, rt: u.rt, texpr: u.texpr}
			}
			return unknownType
		}
		sn := f.s.session(t.Name)
		if k := sn.typeKind; k != reflect.Invalid {
			return typeInfo{kind: k, named: t.Name}
		}
		if k, ok := basicKinds[t.Name]; ok && !sn.declared {
			if t.Name == "error" {
				return typeInfo{kind: k, rt: errorType}
			}
			return typeInfo{kind: k}
		}
	case *ast.ParenExpr:
		return f.typeExprType(t.X)
	case *ast.StarExpr:
		return typeInfo{kind: reflect.Pointer, texpr: t}
	case *ast.ArrayType:
		if t.Len == nil {
			return typeInfo{kind: reflect.Slice, texpr: t}
		}
		return typeInfo{kind: reflect.Array, texpr: t}
	case *ast.MapType:
		return typeInfo{kind: reflect.Map, texpr: t}
	case *ast.ChanType:
		return typeInfo{kind: reflect.Chan, texpr: t}
	case *ast.FuncType:
		return typeInfo{kind: reflect.Func, texpr: t}
	case *ast.StructType:
		return typeInfo{kind: reflect.Struct, texpr: t}
	case *ast.InterfaceType:
		return typeInfo{kind: reflect.Interface, texpr: t}
	case *ast.SelectorExpr:
		if v, ok := f.pkgSymbol(t); ok && v.Kind() == reflect.Pointer && v.IsNil() {
			// yaegi's symbol tables give a type as a nil *T.
			return fromReflect(v.Type().Elem())
		}
	case *ast.IndexExpr, *ast.IndexListExpr:
		if u := f.instantiatedType(t); u != nil {
			return f.typeExprType(u)
		}
	}
	return unknownType
}

// pkgSymbol returns the standard package symbol that sel names, as yaegi
// has it.
func (f *inferer) pkgSymbol(sel *ast.SelectorExpr) (reflect.Value, bool) {
	x, ok := sel.X.(*ast.Ident)
	if !ok || f.s.obj(x) != nil {
		return reflect.Value{}, false
	}
	p, ok := f.s.pkgPath(x.Name)
	if !ok {
		return reflect.Value{}, false
	}
	return f.s.symbol(p, sel.Sel.Name)
}

func (f *inferer) selectorType(sel *ast.SelectorExpr) typeInfo {
	if v, ok := f.pkgSymbol(sel); ok {
		if v.CanInterface() {
			if c, ok := v.Interface().(constant.Value); ok {
				return constType(c)
			}
		}
		if v.Kind() == reflect.Pointer && v.IsNil() {
			return unknownType // a type, not a value
		}
		return fromReflect(v.Type())
	}
	t := f.exprType(sel.X)
	if s, ok := t.texpr.(*ast.StarExpr); ok && t.kind == reflect.Pointer {
		t = f.typeExprType(s.X)
	}
	named := t.named
	if named == "" && t.rt != nil {
		rt := t.rt
		if rt.Kind() == reflect.Pointer {
			rt = rt.Elem()
		}
		named = f.s.namedType(rt)
	}
	if named != "" {
		if ft := f.s.funcType(named + "." + sel.Sel.Name); ft != nil {
			return typeInfo{kind: reflect.Func, texpr: ft}
		}
	}
	if t.rt == nil {
		return unknownType
	}
	rt := t.rt
	if m, ok := rt.MethodByName(sel.Sel.Name); ok {
		return typeInfo{kind: reflect.Func, rt: methodFunc(m, rt)}
	}
	if rt.Kind() == reflect.Pointer {
		if m, ok := rt.Elem().MethodByName(sel.Sel.Name); ok {
			return typeInfo{kind: reflect.Func, rt: methodFunc(m, rt.Elem())}
		}
		rt = rt.Elem()
	}
	if rt.Kind() == reflect.Struct {
		if fd, ok := rt.FieldByName(sel.Sel.Name); ok {
			return fromReflect(fd.Type)
		}
	}
	return unknownType
}

// methodFunc returns the type of a method value: the method's type
// without its receiver.
func methodFunc(m reflect.Method, recv reflect.Type) reflect.Type {
	if recv.Kind() == reflect.Interface {
		return m.Type
	}
	t := m.Type
	in := make([]reflect.Type, 0, t.NumIn())
	for i := 1; i < t.NumIn(); i++ {
		in = append(in, t.In(i))
	}
	out := make([]reflect.Type, 0, t.NumOut())
	for i := 0; i < t.NumOut(); i++ {
		out = append(out, t.Out(i))
	}
	return reflect.FuncOf(in, out, t.IsVariadic())
}

func (f *inferer) callType(c *ast.CallExpr) typeInfo {
	if r := f.instantiatedResult(c); r != nil {
		return f.typeExprType(r)
	}
	switch fun := ast.Unparen(c.Fun).(type) {
	case *ast.Ident:
		if f.s.obj(fun) == nil && !f.s.session(fun.Name).declared {
			switch fun.Name {
			case "len", "cap", "copy":
				return typeInfo{kind: reflect.Int}
			case "new":
				return typeInfo{kind: reflect.Pointer}
			case "make":
				if len(c.Args) > 0 {
					return f.typeExprType(c.Args[0])
				}
			case "append":
				if len(c.Args) > 0 {
					return f.exprType(c.Args[0])
				}
			case "min", "max":
				for _, a := range c.Args {
					if !isUntypedConst(a) {
						if t := f.exprType(a); t.kind != reflect.Invalid {
							return t
						}
					}
				}
				if len(c.Args) > 0 {
					return f.exprType(c.Args[0])
				}
			case "real", "imag":
				return typeInfo{kind: reflect.Float64}
			case "complex":
				return typeInfo{kind: reflect.Complex128}
			}
		}
		if f.kind(fun) == typeObj || f.isTypeName(fun) {
			return f.typeExprType(fun)
		}
	case *ast.ArrayType, *ast.MapType, *ast.ChanType, *ast.FuncType, *ast.StarExpr, *ast.InterfaceType:
		return f.typeExprType(fun)
	case *ast.SelectorExpr:
		if v, ok := f.pkgSymbol(fun); ok && v.Kind() == reflect.Pointer && v.IsNil() {
			return fromReflect(v.Type().Elem()) // a conversion
		}
	case *ast.FuncLit:
		return f.resultType(fun.Type)
	}
	t := f.exprType(c.Fun)
	if t.rt != nil && t.rt.Kind() == reflect.Func && t.rt.NumOut() > 0 {
		return fromReflect(t.rt.Out(0))
	}
	if ft, ok := t.texpr.(*ast.FuncType); ok {
		return f.resultType(ft)
	}
	return unknownType
}

func (f *inferer) resultType(ft *ast.FuncType) typeInfo {
	if ft.Results == nil || len(ft.Results.List) == 0 {
		return unknownType
	}
	return f.typeExprType(ft.Results.List[0].Type)
}

// isTypeName reports whether an unresolved identifier names a type: a
// basic one, or one declared in the session.
func (f *inferer) isTypeName(id *ast.Ident) bool {
	sn := f.s.session(id.Name)
	if sn.typeKind != reflect.Invalid {
		return true
	}
	_, ok := basicKinds[id.Name]
	return ok && !sn.declared && !sn.namespace
}

// kind returns the kind of what id refers to in the input, noObj for
// something outside of it.
func (f *inferer) kind(id *ast.Ident) objKind {
	if o := f.s.obj(id); o != nil {
		return o.kind
	}
	return noObj
}
