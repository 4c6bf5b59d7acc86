package interp

import (
	"fmt"
	"go/ast"
	"go/constant"
	"go/token"
	"reflect"
	"slices"
	"strconv"
)

// yaegi v0.16.1 implements Go as of 1.20. The rewrites below give
// evaluated code the Go 1.21 and 1.22 features it lacks, by rewriting the
// AST before yaegi compiles it:
//
//   - the builtins min, max and clear (and manhole's own dump);
//   - range over an integer;
//   - loop variables declared per iteration.
//
// Synthesized nodes take the position of the code they replace, so that
// errors still point at the user's line and column. Names starting with
// __mh are reserved for the temporaries.

// modernizer rewrites one group of the user's input.
type modernizer struct {
	in   *Interp
	fset *token.FileSet
	inf  *inferer
	err  error

	// minmax holds the calls to the builtin min and max that are still to
	// be rewritten, by call.
	minmax map[*ast.CallExpr]string
	// synth marks the loops manhole wrote itself, which need no per
	// iteration rewrite.
	synth map[ast.Stmt]bool
	// funcOf holds the function each range statement is in (nil at top
	// level), for the returns of a range-over-func body.
	funcOf map[*ast.RangeStmt]*ast.FuncType
}

func (in *Interp) newModernizer(fset *token.FileSet) *modernizer {
	return &modernizer{
		in:     in,
		fset:   fset,
		inf:    &inferer{in: in},
		minmax: map[*ast.CallExpr]string{},
		synth:  map[ast.Stmt]bool{},
		funcOf: map[*ast.RangeStmt]*ast.FuncType{},
	}
}

func (m *modernizer) fail(pos token.Pos, format string, args ...any) {
	if m.err == nil {
		m.err = fmt.Errorf("%s: %s", positionOf(m.fset, pos), fmt.Sprintf(format, args...))
	}
}

// tmp returns a fresh name for a temporary, unique in the session: a
// temporary of the global block is a global variable.
func (m *modernizer) tmp() string {
	m.in.tmpSeq++
	return helperName + "_" + strconv.FormatInt(m.in.tmpSeq, 10)
}

// file rewrites a group of declarations. The package-level variable
// declarations whose values need min or max expanded (which takes
// statements) are moved out of the file, into the statements returned,
// which run after it; all the file's variables move then, to keep their
// order of initialization.
func (m *modernizer) file(f *ast.File) ([]ast.Stmt, error) {
	for _, d := range f.Decls {
		if gd, ok := d.(*ast.GenDecl); ok && gd.Tok == token.VAR {
			gd.Specs = m.splitSpecs(gd.Specs)
		}
	}
	m.rewrite(f)
	editStmtLists(f, func(l []ast.Stmt) []ast.Stmt { return m.hoistList(l, false) })
	var vars []ast.Stmt
	move := false
	for _, d := range f.Decls {
		if gd, ok := d.(*ast.GenDecl); ok && m.hasMinMax(gd) {
			if gd.Tok == token.CONST {
				m.fail(gd.Pos(), "the interpreter cannot compute this min or max as a constant: use literal constants or untyped named constants")
			}
			move = move || gd.Tok == token.VAR
		}
	}
	if move {
		var decls []ast.Decl
		for _, d := range f.Decls {
			if gd, ok := d.(*ast.GenDecl); ok && gd.Tok == token.VAR {
				vars = append(vars, &ast.DeclStmt{Decl: gd})
				continue
			}
			decls = append(decls, d)
		}
		f.Decls = decls
		vars = m.hoistList(vars, true)
		m.globalGeneric(vars)
	}
	m.constMinMax(f)
	m.genericMinMax(f)
	for _, s := range vars {
		m.genericMinMax(s)
	}
	return vars, m.err
}

// globalGeneric refuses a top-level declaration whose type would come
// from a generic min or max: yaegi cannot size a global variable from a
// generic function's result (it panics with "nil reflect type"). It can
// in a statement of its own, which is expanded in place.
func (m *modernizer) globalGeneric(list []ast.Stmt) {
	var typeFrom func(x ast.Expr) *ast.CallExpr
	typeFrom = func(x ast.Expr) *ast.CallExpr {
		switch x := x.(type) {
		case *ast.ParenExpr:
			return typeFrom(x.X)
		case *ast.UnaryExpr:
			if x.Op == token.SUB || x.Op == token.ADD || x.Op == token.XOR {
				return typeFrom(x.X)
			}
		case *ast.BinaryExpr:
			switch x.Op {
			case token.ADD, token.SUB, token.MUL, token.QUO, token.REM, token.AND, token.OR, token.XOR, token.AND_NOT, token.SHL, token.SHR:
				if c := typeFrom(x.X); c != nil {
					return c
				}
				return typeFrom(x.Y)
			}
		case *ast.CallExpr:
			if _, ok := m.minmax[x]; ok {
				return x
			}
		}
		return nil
	}
	for _, s := range list {
		var vals []ast.Expr
		switch s := s.(type) {
		case *ast.AssignStmt:
			if s.Tok == token.DEFINE {
				vals = s.Rhs
			}
		case *ast.DeclStmt:
			if gd, ok := s.Decl.(*ast.GenDecl); ok && gd.Tok == token.VAR {
				for _, sp := range gd.Specs {
					if vs := sp.(*ast.ValueSpec); vs.Type == nil {
						vals = append(vals, vs.Values...)
					}
				}
			}
		}
		for _, v := range vals {
			if c := typeFrom(v); c != nil {
				m.fail(c.Pos(), "the interpreter cannot compute this %s here: assign it to a variable in a statement of its own first", m.minmax[c])
			}
		}
	}
}

// constMinMax refuses a min or max left in a constant declaration inside
// a function: the generic helpers are not constants.
func (m *modernizer) constMinMax(root ast.Node) {
	ast.Inspect(root, func(n ast.Node) bool {
		if gd, ok := n.(*ast.GenDecl); ok && gd.Tok == token.CONST && m.hasMinMax(gd) {
			m.fail(gd.Pos(), "the interpreter cannot compute this min or max as a constant: use literal constants or untyped named constants")
		}
		return true
	})
}

// stmts rewrites a list of statements; top says that they run in the
// global block.
func (m *modernizer) stmts(list []ast.Stmt, top bool) ([]ast.Stmt, error) {
	if top {
		list = m.splitDefines(list)
	}
	root := &ast.BlockStmt{List: list}
	m.rewrite(root)
	root.List = m.hoistList(root.List, top)
	for _, s := range root.List {
		editStmtLists(s, func(l []ast.Stmt) []ast.Stmt { return m.hoistList(l, false) })
	}
	if top {
		m.globalGeneric(root.List)
	}
	m.constMinMax(root)
	m.genericMinMax(root)
	return root.List, m.err
}

// Globals declared together from one call (var a, b = f(), a, b := f())
// read as garbage from a
// function that a closure calls, in yaegi v0.16.1: every statement of a
// session runs in a closure. Each is declared from a temporary of its
// own instead, which yaegi gets right: var a, b = f() becomes
// var __mh_1, __mh_2 = f(); var a = __mh_1; var b = __mh_2.

func isCall(x ast.Expr) bool {
	_, ok := ast.Unparen(x).(*ast.CallExpr)
	return ok
}

// Comma-ok forms in the global block (v, ok := m[k], n, ok := x.(T),
// var v, ok = m[k]) make yaegi v0.16.1 panic with "nil type", which it
// also writes to the host's standard logger. Each value comes from an
// expression of its own instead, the operands evaluated once into
// temporaries:
//
//	__mh_1 := m; __mh_2 := k
//	v := __mh_1[__mh_2]
//	ok := func() bool { v, ok := __mh_1[__mh_2]; _, _ = v, ok; return ok }()
//
// A comma-ok receive cannot be written so without the element type; it
// is refused with a way around.

// commaOK returns the names and values that declare lhs from the
// comma-ok expression x, or ok false when x is not one.
func (m *modernizer) commaOK(lhs []*ast.Ident, x ast.Expr) (names []*ast.Ident, values []ast.Expr, ok bool) {
	if len(lhs) != 2 {
		return nil, nil, false
	}
	temp := func(pos token.Pos, v ast.Expr) string {
		t := m.tmp()
		names = append(names, &ast.Ident{Name: t, NamePos: pos})
		values = append(values, v)
		return t
	}
	id := func(name string) *ast.Ident { return &ast.Ident{Name: name, NamePos: x.Pos()} }
	// closure is func() T { v, ok := x; return r }(), r being v or ok.
	closure := func(result ast.Expr, rhs ast.Expr, returnOK bool) ast.Expr {
		ret := id("v")
		if returnOK {
			ret = id("ok")
		}
		return &ast.CallExpr{Fun: &ast.FuncLit{
			Type: &ast.FuncType{Func: x.Pos(), Params: &ast.FieldList{}, Results: &ast.FieldList{List: []*ast.Field{{Type: result}}}},
			Body: &ast.BlockStmt{List: []ast.Stmt{
				&ast.AssignStmt{Lhs: []ast.Expr{id("v"), id("ok")}, Tok: token.DEFINE, TokPos: x.Pos(), Rhs: []ast.Expr{rhs}},
				&ast.AssignStmt{Lhs: []ast.Expr{id("_"), id("_")}, Tok: token.ASSIGN, TokPos: x.Pos(), Rhs: []ast.Expr{id("v"), id("ok")}},
				&ast.ReturnStmt{Return: x.Pos(), Results: []ast.Expr{ret}},
			}},
		}}
	}
	var value, okay ast.Expr
	switch e := ast.Unparen(x).(type) {
	case *ast.IndexExpr:
		mp := temp(e.X.Pos(), e.X)
		key := temp(e.Index.Pos(), e.Index)
		index := func() ast.Expr { return &ast.IndexExpr{X: id(mp), Lbrack: e.Lbrack, Index: id(key), Rbrack: e.Rbrack} }
		value = index()
		okay = closure(id("bool"), index(), true)
	case *ast.TypeAssertExpr:
		if e.Type == nil {
			return nil, nil, false
		}
		v := temp(e.X.Pos(), e.X)
		assert := func() ast.Expr {
			return &ast.TypeAssertExpr{X: id(v), Lparen: e.Lparen, Type: e.Type, Rparen: e.Rparen}
		}
		value = closure(e.Type, assert(), false)
		okay = closure(id("bool"), assert(), true)
	case *ast.UnaryExpr:
		if e.Op != token.ARROW {
			return nil, nil, false
		}
		m.fail(lhs[0].Pos(), "the interpreter cannot declare %s, %s from a receive at the top level: declare them first (var %s T; var %s bool), then %s, %s = <-ch",
			lhs[0].Name, lhs[1].Name, lhs[0].Name, lhs[1].Name, lhs[0].Name, lhs[1].Name)
		return nil, nil, false
	default:
		return nil, nil, false
	}
	for i, v := range []ast.Expr{value, okay} {
		if lhs[i].Name == "_" {
			continue
		}
		names = append(names, lhs[i])
		values = append(values, v)
	}
	return names, values, true
}

func identList(xs []ast.Expr) ([]*ast.Ident, bool) {
	out := make([]*ast.Ident, len(xs))
	for i, x := range xs {
		id, ok := x.(*ast.Ident)
		if !ok {
			return nil, false
		}
		out[i] = id
	}
	return out, true
}

// splitSpecs splits the value specs of a package-level var declaration.
func (m *modernizer) splitSpecs(specs []ast.Spec) []ast.Spec {
	var out []ast.Spec
	for _, sp := range specs {
		vs, ok := sp.(*ast.ValueSpec)
		if ok && vs.Type == nil && len(vs.Values) == 1 {
			if names, values, ok := m.commaOK(vs.Names, vs.Values[0]); ok {
				for i := range names {
					out = append(out, &ast.ValueSpec{Names: []*ast.Ident{names[i]}, Values: []ast.Expr{values[i]}})
				}
				continue
			}
		}
		if !ok || len(vs.Names) < 2 || len(vs.Values) != 1 || !isCall(vs.Values[0]) {
			out = append(out, sp)
			continue
		}
		tmp := &ast.ValueSpec{Values: vs.Values}
		var named []ast.Spec
		for _, n := range vs.Names {
			t := ast.NewIdent(m.tmp())
			t.NamePos = n.Pos()
			tmp.Names = append(tmp.Names, t)
			if n.Name != "_" {
				named = append(named, &ast.ValueSpec{Names: []*ast.Ident{n}, Type: vs.Type, Values: []ast.Expr{ast.NewIdent(t.Name)}})
			}
		}
		out = append(append(out, tmp), named...)
	}
	return out
}

// splitDefines does the same to the := statements of the global block.
func (m *modernizer) splitDefines(list []ast.Stmt) []ast.Stmt {
	var out []ast.Stmt
	for _, s := range list {
		a, ok := s.(*ast.AssignStmt)
		if ok && a.Tok == token.DEFINE && len(a.Rhs) == 1 {
			if lhs, idents := identList(a.Lhs); idents {
				if names, values, ok := m.commaOK(lhs, a.Rhs[0]); ok {
					for i := range names {
						out = append(out, &ast.AssignStmt{Lhs: []ast.Expr{names[i]}, Tok: token.DEFINE, TokPos: a.TokPos, Rhs: []ast.Expr{values[i]}})
					}
					continue
				}
			}
		}
		if !ok || a.Tok != token.DEFINE || len(a.Lhs) < 2 || len(a.Rhs) != 1 || !isCall(a.Rhs[0]) {
			out = append(out, s)
			continue
		}
		tmp := &ast.AssignStmt{Tok: token.DEFINE, TokPos: a.TokPos, Rhs: a.Rhs}
		var named []ast.Stmt
		for _, l := range a.Lhs {
			id, ok := l.(*ast.Ident)
			if !ok {
				return list // not Go; the compiler says why
			}
			t := &ast.Ident{Name: m.tmp(), NamePos: id.Pos()}
			tmp.Lhs = append(tmp.Lhs, t)
			if id.Name != "_" {
				named = append(named, &ast.AssignStmt{Lhs: []ast.Expr{id}, Tok: token.DEFINE, TokPos: a.TokPos, Rhs: []ast.Expr{ast.NewIdent(t.Name)}})
			}
		}
		out = append(append(out, tmp), named...)
	}
	return out
}

// rewrite applies the loop rewrites and the builtin calls under root.
func (m *modernizer) rewrite(root ast.Node) {
	ast.Walk(funcScope{m: m.funcOf}, root)
	editStmtLists(root, m.loops)
	editExprs(root, false, m.builtin)
}

// isBuiltin reports whether id refers to the predeclared name, or to
// manhole's dump, rather than to something the session declared.
func (m *modernizer) isBuiltin(id *ast.Ident) bool {
	return id.Obj == nil && !m.in.declared[id.Name] && !m.in.namespace[id.Name]
}

// builtin rewrites calls to clear, dump, min and max.
func (m *modernizer) builtin(x ast.Expr) ast.Expr {
	c, ok := x.(*ast.CallExpr)
	if !ok {
		return x
	}
	id, ok := c.Fun.(*ast.Ident)
	if !ok || !m.isBuiltin(id) {
		return x
	}
	switch id.Name {
	case "clear":
		if len(c.Args) != 1 || c.Ellipsis.IsValid() {
			m.fail(c.Pos(), "clear takes exactly one argument, a map or a slice")
			return x
		}
		c.Fun = helperFunc("Clear", id.Pos())
	case "dump":
		name := "Dump"
		for _, a := range c.Args {
			if m.in.hostRooted(a) {
				name = "DumpHost"
			}
		}
		c.Fun = helperFunc(name, id.Pos())
	case "min", "max":
		if c.Ellipsis.IsValid() {
			m.fail(c.Ellipsis, "invalid use of ... with built-in %s", id.Name)
			return x
		}
		switch len(c.Args) {
		case 0:
			m.fail(c.Rparen, "not enough arguments for %s() (expected 1, found 0)", id.Name)
			return x
		case 1:
			return &ast.ParenExpr{Lparen: c.Pos(), X: c.Args[0], Rparen: c.Rparen}
		}
		if folded := m.foldMinMax(id.Name, c); folded != nil {
			return folded
		}
		m.minmax[c] = id.Name
	}
	return x
}

// foldMinMax computes min or max of constant literals, as the compiler
// would: the result is an untyped constant of the "largest" kind among the
// arguments (integer, rune, float). It returns nil when the arguments are
// not all literal constants of ordered kinds.
func (m *modernizer) foldMinMax(name string, c *ast.CallExpr) ast.Expr {
	rank := 0 // 0 integer, 1 rune, 2 float, 3 string
	var best constant.Value
	for i, a := range c.Args {
		v, r, ok := m.constValue(a)
		if !ok || (i > 0 && (r == 3) != (rank == 3)) {
			return nil
		}
		rank = max(rank, r)
		op := token.LSS
		if name == "max" {
			op = token.GTR
		}
		if best == nil || constant.Compare(v, op, best) {
			best = v
		}
	}
	pos := c.Pos()
	switch rank {
	case 3:
		return &ast.BasicLit{ValuePos: pos, Kind: token.STRING, Value: strconv.Quote(constant.StringVal(best))}
	case 2:
		f, _ := constant.Float64Val(best)
		return signedLit(pos, token.FLOAT, f < 0, strconv.FormatFloat(abs(f), 'g', -1, 64), true)
	case 1:
		i, ok := constant.Int64Val(best)
		if !ok || i < 0 || i > 0x10FFFF {
			return nil
		}
		return &ast.BasicLit{ValuePos: pos, Kind: token.CHAR, Value: strconv.QuoteRune(rune(i))}
	}
	if constant.Sign(best) < 0 {
		return signedLit(pos, token.INT, true, constant.UnaryOp(token.SUB, best, 0).ExactString(), false)
	}
	return &ast.BasicLit{ValuePos: pos, Kind: token.INT, Value: best.ExactString()}
}

func abs(f float64) float64 {
	if f < 0 {
		return -f
	}
	return f
}

// signedLit writes a literal, with a unary minus for a negative value.
func signedLit(pos token.Pos, kind token.Token, neg bool, s string, float bool) ast.Expr {
	if float && !containsAny(s, ".eEnN") {
		s += ".0"
	}
	lit := &ast.BasicLit{ValuePos: pos, Kind: kind, Value: s}
	if !neg {
		return lit
	}
	return &ast.ParenExpr{Lparen: pos, X: &ast.UnaryExpr{OpPos: pos, Op: token.SUB, X: lit}, Rparen: pos}
}

func containsAny(s, chars string) bool {
	for _, r := range s {
		for _, c := range chars {
			if r == c {
				return true
			}
		}
	}
	return false
}

// constValue evaluates an untyped constant expression: literals, and
// names of untyped constants declared in the input, in the session or in
// a standard package. rank says which kind of untyped constant it is:
// 0 integer, 1 rune, 2 float, 3 string.
func (m *modernizer) constValue(x ast.Expr) (v constant.Value, rank int, ok bool) {
	defer func() {
		if recover() != nil { // division by zero and the like
			ok = false
		}
	}()
	switch x := x.(type) {
	case *ast.BasicLit:
		v := constant.MakeFromLiteral(x.Value, x.Kind, 0)
		switch x.Kind {
		case token.INT:
			return v, 0, v.Kind() == constant.Int
		case token.CHAR:
			return v, 1, v.Kind() == constant.Int
		case token.FLOAT:
			return v, 2, v.Kind() == constant.Float || v.Kind() == constant.Int
		case token.STRING:
			return v, 3, v.Kind() == constant.String
		}
	case *ast.ParenExpr:
		return m.constValue(x.X)
	case *ast.Ident:
		return m.namedConst(x)
	case *ast.SelectorExpr:
		if v, ok := m.inf.pkgSymbol(x); ok && v.CanInterface() {
			if c, ok := v.Interface().(constant.Value); ok {
				return constRank(c)
			}
		}
	case *ast.UnaryExpr:
		v, r, ok := m.constValue(x.X)
		if !ok || r == 3 {
			return nil, 0, false
		}
		switch x.Op {
		case token.ADD, token.SUB:
			return constant.UnaryOp(x.Op, v, 0), r, true
		case token.XOR:
			if r < 2 {
				return constant.UnaryOp(x.Op, v, 0), r, true
			}
		}
	case *ast.BinaryExpr:
		a, ra, ok1 := m.constValue(x.X)
		b, rb, ok2 := m.constValue(x.Y)
		if !ok1 || !ok2 {
			return nil, 0, false
		}
		r := max(ra, rb)
		if (ra == 3) != (rb == 3) {
			return nil, 0, false
		}
		switch x.Op {
		case token.ADD:
			return constant.BinaryOp(a, x.Op, b), r, true
		case token.SUB, token.MUL:
			if r < 3 {
				return constant.BinaryOp(a, x.Op, b), r, true
			}
		case token.QUO:
			if r < 2 {
				return constant.BinaryOp(a, token.QUO_ASSIGN, b), r, true
			}
			if r == 2 {
				return constant.BinaryOp(a, token.QUO, b), r, true
			}
		case token.REM, token.AND, token.OR, token.XOR, token.AND_NOT:
			if r < 2 {
				return constant.BinaryOp(a, x.Op, b), r, true
			}
		case token.SHL, token.SHR:
			n, exact := constant.Uint64Val(b)
			if r < 2 && exact && n < 1024 {
				return constant.Shift(a, x.Op, uint(n)), ra, true
			}
		}
	}
	return nil, 0, false
}

// namedConst returns the value of an untyped constant named by id.
func (m *modernizer) namedConst(id *ast.Ident) (constant.Value, int, bool) {
	if id.Obj != nil {
		spec, ok := id.Obj.Decl.(*ast.ValueSpec)
		if !ok || id.Obj.Kind != ast.Con || spec.Type != nil || m.inf.depth > 20 {
			return nil, 0, false
		}
		for i, n := range spec.Names {
			if n.Name == id.Name && i < len(spec.Values) && !mentions(spec.Values[i], "iota") {
				m.inf.depth++
				defer func() { m.inf.depth-- }()
				return m.constValue(spec.Values[i])
			}
		}
		return nil, 0, false
	}
	if !m.in.declared[id.Name] {
		return nil, 0, false
	}
	if m.inf.globals == nil {
		m.inf.globals, _ = globals(m.in.gen)
		if m.inf.globals == nil {
			m.inf.globals = map[string]reflect.Value{}
		}
	}
	if v, ok := m.inf.globals[id.Name]; ok && v.IsValid() && v.CanInterface() {
		if c, ok := v.Interface().(constant.Value); ok {
			return constRank(c)
		}
	}
	return nil, 0, false
}

func constRank(c constant.Value) (constant.Value, int, bool) {
	switch c.Kind() {
	case constant.Int:
		return c, 0, true
	case constant.Float:
		return c, 2, true
	case constant.String:
		return c, 3, true
	}
	return nil, 0, false
}

// mentions reports whether name appears in x.
func mentions(x ast.Node, name string) bool {
	found := false
	ast.Inspect(x, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok && id.Name == name {
			found = true
		}
		return !found
	})
	return found
}

// genericMinMax rewrites the calls to min and max that could not be
// expanded in place into calls to generic helpers (see genericHelpers),
// which yaegi instantiates for the arguments' type. Arguments that are
// literal constants go last: yaegi infers the type parameter from the
// first argument only.
func (m *modernizer) genericMinMax(root ast.Node) {
	if len(m.minmax) == 0 {
		return
	}
	ast.Inspect(root, func(n ast.Node) bool {
		c, ok := n.(*ast.CallExpr)
		if !ok {
			return true
		}
		name, ok := m.minmax[c]
		if !ok {
			return true
		}
		delete(m.minmax, c)
		var typed, consts []ast.Expr
		for _, a := range c.Args {
			if isUntypedConst(a) {
				consts = append(consts, a)
			} else {
				typed = append(typed, a)
			}
		}
		c.Args = append(typed, consts...)
		c.Fun = ident(helperName+"_"+name, c.Fun.Pos())
		m.in.gen.needGeneric = true
		return true
	})
}

// genericHelpers declares the generic min and max that the calls yaegi
// cannot have in place use. yaegi drops named types in instantiations
// (max(d, time.Second) is an int64 there), which is why they are the
// fallback only.
const genericHelpers = `type __mh_ordered interface {
	~int | ~int8 | ~int16 | ~int32 | ~int64 | ~uint | ~uint8 | ~uint16 | ~uint32 | ~uint64 | ~uintptr | ~float32 | ~float64 | ~string
}
func __mh_min[T __mh_ordered](x T, ys ...T) T {
	for _, y := range ys {
		if y < x || y != y {
			x = y
		}
	}
	return x
}
func __mh_max[T __mh_ordered](x T, ys ...T) T {
	for _, y := range ys {
		if y > x || y != y {
			x = y
		}
	}
	return x
}`

// hoistList expands the calls to min and max of each statement of list
// into statements run just before it:
//
//	x := min(a, f())
//
// becomes
//
//	__mh_1 := a
//	if __mh_2 := f(); __mh_2 < __mh_1 || __mh_2 != __mh_2 {
//		__mh_1 = __mh_2
//	}
//	x := __mh_1
//
// which keeps the type of the arguments, named types included, without
// naming it (the rewrite cannot know it). A call is expanded only where
// that keeps Go's order of evaluation: nothing with a side effect runs
// before it in its statement, and it is not evaluated conditionally (the
// right of && or ||, a loop condition, a case). Other calls use generic
// helpers. top says that the list is the global block: there, an
// expansion is put in a block with its statement, unless the statement
// declares session-level names.
func (m *modernizer) hoistList(list []ast.Stmt, top bool) []ast.Stmt {
	if len(m.minmax) == 0 {
		return list
	}
	var out []ast.Stmt
	for _, s := range list {
		out = append(out, m.hoistStmt(s, top)...)
	}
	return out
}

func (m *modernizer) hoistStmt(s ast.Stmt, top bool) []ast.Stmt {
	h := &hoister{m: m, safe: true}
	h.stmt(s)
	if len(h.pre) == 0 {
		return []ast.Stmt{s}
	}
	var out []ast.Stmt
	for _, p := range h.pre {
		out = append(out, m.hoistStmt(p, top)...)
	}
	if top && !declares(s, nil) {
		return []ast.Stmt{&ast.BlockStmt{Lbrace: s.Pos(), List: append(out, s), Rbrace: s.Pos()}}
	}
	return append(out, s)
}

// hoister walks one statement in Go's order of evaluation.
type hoister struct {
	m    *modernizer
	pre  []ast.Stmt
	safe bool // nothing with a side effect was evaluated yet
	cond int  // inside an operand evaluated conditionally
}

func (h *hoister) stmt(s ast.Stmt) {
	switch s := s.(type) {
	case *ast.ExprStmt:
		h.expr(&s.X)
	case *ast.AssignStmt:
		if s.Tok != token.DEFINE {
			for i := range s.Lhs {
				h.expr(&s.Lhs[i])
			}
		}
		for i := range s.Rhs {
			h.expr(&s.Rhs[i])
		}
	case *ast.IncDecStmt:
		h.expr(&s.X)
	case *ast.SendStmt:
		h.expr(&s.Chan)
		h.expr(&s.Value)
	case *ast.ReturnStmt:
		for i := range s.Results {
			h.expr(&s.Results[i])
		}
	case *ast.GoStmt:
		h.callArgs(s.Call)
	case *ast.DeferStmt:
		h.callArgs(s.Call)
	case *ast.DeclStmt:
		if gd, ok := s.Decl.(*ast.GenDecl); ok && gd.Tok == token.VAR {
			for _, sp := range gd.Specs {
				vs := sp.(*ast.ValueSpec)
				for i := range vs.Values {
					h.expr(&vs.Values[i])
				}
			}
		}
	case *ast.IfStmt:
		if s.Init != nil {
			h.stmt(s.Init)
			if declaresLocal(s.Init) {
				h.safe = false
			}
		}
		h.expr(&s.Cond)
		// The condition of an else if is evaluated conditionally; in a
		// block of its own it gets its own statement list.
		if elif, ok := s.Else.(*ast.IfStmt); ok && h.m.hasMinMax(elif) {
			s.Else = &ast.BlockStmt{Lbrace: elif.Pos(), List: []ast.Stmt{elif}, Rbrace: elif.End()}
		}
	case *ast.SwitchStmt:
		if s.Init != nil {
			h.stmt(s.Init)
			if declaresLocal(s.Init) {
				h.safe = false
			}
		}
		h.expr(&s.Tag)
	case *ast.TypeSwitchStmt:
		if s.Init != nil {
			h.stmt(s.Init)
			if declaresLocal(s.Init) {
				h.safe = false
			}
		}
		h.stmt(s.Assign)
	case *ast.ForStmt:
		if s.Init != nil {
			h.stmt(s.Init)
		}
	case *ast.RangeStmt:
		h.expr(&s.X)
	}
}

// callArgs walks what a go or defer statement evaluates at once: the
// function value and the arguments.
func (h *hoister) callArgs(c *ast.CallExpr) {
	if _, ok := c.Fun.(*ast.FuncLit); !ok {
		h.expr(&c.Fun)
	}
	for i := range c.Args {
		h.expr(&c.Args[i])
	}
}

func (h *hoister) expr(p *ast.Expr) {
	switch x := (*p).(type) {
	case nil, *ast.Ident, *ast.BasicLit, *ast.FuncLit:
	case *ast.ParenExpr:
		h.expr(&x.X)
	case *ast.SelectorExpr:
		h.expr(&x.X)
	case *ast.IndexExpr:
		h.expr(&x.X)
		h.expr(&x.Index)
	case *ast.IndexListExpr:
		h.expr(&x.X)
	case *ast.SliceExpr:
		h.expr(&x.X)
		h.expr(&x.Low)
		h.expr(&x.High)
		h.expr(&x.Max)
	case *ast.StarExpr:
		h.expr(&x.X)
	case *ast.TypeAssertExpr:
		h.expr(&x.X)
	case *ast.KeyValueExpr:
		h.expr(&x.Key)
		h.expr(&x.Value)
	case *ast.CompositeLit:
		for i := range x.Elts {
			h.expr(&x.Elts[i])
		}
	case *ast.UnaryExpr:
		h.expr(&x.X)
		if x.Op == token.ARROW {
			h.safe = false
		}
	case *ast.BinaryExpr:
		h.expr(&x.X)
		if x.Op == token.LAND || x.Op == token.LOR {
			h.cond++
			h.expr(&x.Y)
			h.cond--
			if hasCall(x.Y) {
				h.safe = false
			}
			return
		}
		h.expr(&x.Y)
	case *ast.CallExpr:
		if name, ok := h.m.minmax[x]; ok && h.safe && h.cond == 0 {
			delete(h.m.minmax, x)
			tmp, pre := h.m.expandMinMax(name, x)
			h.pre = append(h.pre, pre...)
			*p = tmp
			return
		}
		h.expr(&x.Fun)
		for i := range x.Args {
			h.expr(&x.Args[i])
		}
		if !h.m.pureCall(x) {
			h.safe = false
		}
	}
}

// hasCall reports whether evaluating x may call a function or receive.
func hasCall(x ast.Node) bool {
	found := false
	ast.Inspect(x, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.CallExpr:
			found = true
		case *ast.UnaryExpr:
			if n.Op == token.ARROW {
				found = true
			}
		}
		return !found
	})
	return found
}

func (m *modernizer) hasMinMax(n ast.Node) bool {
	found := false
	ast.Inspect(n, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.BlockStmt:
			return false
		case *ast.CallExpr:
			if _, ok := m.minmax[n]; ok {
				found = true
			}
		}
		return !found
	})
	return found
}

// declaresLocal reports whether s declares names (an if's or a switch's
// init): what follows it may use them, so it must stay after it.
func declaresLocal(s ast.Stmt) bool {
	a, ok := s.(*ast.AssignStmt)
	return ok && a.Tok == token.DEFINE
}

// pureCall reports whether a call has no side effect: a builtin that
// only computes, or a conversion to a basic type.
func (m *modernizer) pureCall(c *ast.CallExpr) bool {
	switch f := ast.Unparen(c.Fun).(type) {
	case *ast.Ident:
		if !m.isBuiltin(f) {
			return false
		}
		switch f.Name {
		case "len", "cap", "real", "imag", "complex":
			return true
		}
		_, basic := basicKinds[f.Name]
		return basic
	case *ast.ArrayType, *ast.MapType, *ast.ChanType, *ast.FuncType, *ast.InterfaceType:
		return true
	}
	return false
}

// simpleExpr reports whether x can be evaluated more than once, cheaply
// and without side effects: a name, a literal, a field.
func simpleExpr(x ast.Expr) bool {
	switch x := x.(type) {
	case *ast.Ident, *ast.BasicLit:
		return true
	case *ast.ParenExpr:
		return simpleExpr(x.X)
	case *ast.SelectorExpr:
		return simpleExpr(x.X)
	case *ast.UnaryExpr:
		return x.Op == token.SUB && isUntypedConst(x.X)
	}
	return isUntypedConst(x)
}

// expandMinMax writes the statements computing min or max of c's
// arguments into a fresh variable, and returns that variable.
func (m *modernizer) expandMinMax(name string, c *ast.CallExpr) (ast.Expr, []ast.Stmt) {
	pos := c.Pos()
	seed := 0
	for i, a := range c.Args {
		if !isUntypedConst(a) {
			seed = i
			break
		}
	}
	res := m.tmp()
	pre := []ast.Stmt{define(pos, []string{res}, c.Args[seed])}
	op := token.LSS
	if name == "max" {
		op = token.GTR
	}
	for i, a := range c.Args {
		if i == seed {
			continue
		}
		var init ast.Stmt
		v := a
		if !simpleExpr(a) {
			t := m.tmp()
			init = define(a.Pos(), []string{t}, a)
			v = ident(t, a.Pos())
		}
		var cond ast.Expr = &ast.BinaryExpr{X: v, OpPos: a.Pos(), Op: op, Y: ident(res, pos)}
		if !isUntypedConst(a) {
			// A NaN argument makes the result NaN, as in Go.
			cond = &ast.BinaryExpr{X: cond, OpPos: pos, Op: token.LOR,
				Y: &ast.BinaryExpr{X: cloneExpr(v), OpPos: pos, Op: token.NEQ, Y: cloneExpr(v)}}
		}
		pre = append(pre, &ast.IfStmt{If: pos, Init: init, Cond: cond, Body: &ast.BlockStmt{
			Lbrace: pos, Rbrace: pos,
			List: []ast.Stmt{&ast.AssignStmt{Lhs: []ast.Expr{ident(res, pos)}, TokPos: pos, Tok: token.ASSIGN, Rhs: []ast.Expr{cloneExpr(v)}}},
		}})
	}
	return ident(res, pos), pre
}

func define(pos token.Pos, names []string, values ...ast.Expr) *ast.AssignStmt {
	lhs := make([]ast.Expr, len(names))
	for i, n := range names {
		lhs[i] = ident(n, pos)
	}
	return &ast.AssignStmt{Lhs: lhs, TokPos: pos, Tok: token.DEFINE, Rhs: values}
}

// cloneExpr copies an expression that simpleExpr or pureExpr accepts;
// anything else is returned as is.
func cloneExpr(x ast.Expr) ast.Expr {
	switch x := x.(type) {
	case *ast.Ident:
		c := *x
		return &c
	case *ast.BasicLit:
		c := *x
		return &c
	case *ast.ParenExpr:
		return &ast.ParenExpr{Lparen: x.Lparen, X: cloneExpr(x.X), Rparen: x.Rparen}
	case *ast.SelectorExpr:
		return &ast.SelectorExpr{X: cloneExpr(x.X), Sel: cloneExpr(x.Sel).(*ast.Ident)}
	case *ast.UnaryExpr:
		return &ast.UnaryExpr{OpPos: x.OpPos, Op: x.Op, X: cloneExpr(x.X)}
	case *ast.BinaryExpr:
		return &ast.BinaryExpr{X: cloneExpr(x.X), OpPos: x.OpPos, Op: x.Op, Y: cloneExpr(x.Y)}
	case *ast.StarExpr:
		return &ast.StarExpr{Star: x.Star, X: cloneExpr(x.X)}
	case *ast.IndexExpr:
		return &ast.IndexExpr{X: cloneExpr(x.X), Lbrack: x.Lbrack, Index: cloneExpr(x.Index), Rbrack: x.Rbrack}
	case *ast.CallExpr:
		args := make([]ast.Expr, len(x.Args))
		for i, a := range x.Args {
			args[i] = cloneExpr(a)
		}
		return &ast.CallExpr{Fun: cloneExpr(x.Fun), Lparen: x.Lparen, Args: args, Ellipsis: x.Ellipsis, Rparen: x.Rparen}
	}
	return x
}

// pureExpr reports whether evaluating x twice is the same as once: no
// calls but len and cap, no receive.
func (m *modernizer) pureExpr(x ast.Expr) bool {
	switch x := x.(type) {
	case *ast.Ident, *ast.BasicLit:
		return true
	case *ast.ParenExpr:
		return m.pureExpr(x.X)
	case *ast.SelectorExpr:
		return m.pureExpr(x.X)
	case *ast.StarExpr:
		return m.pureExpr(x.X)
	case *ast.IndexExpr:
		return m.pureExpr(x.X) && m.pureExpr(x.Index)
	case *ast.UnaryExpr:
		return x.Op != token.ARROW && x.Op != token.AND && m.pureExpr(x.X)
	case *ast.BinaryExpr:
		return m.pureExpr(x.X) && m.pureExpr(x.Y)
	case *ast.CallExpr:
		f, ok := x.Fun.(*ast.Ident)
		if !ok || !m.isBuiltin(f) || (f.Name != "len" && f.Name != "cap") || len(x.Args) != 1 {
			return false
		}
		return m.pureExpr(x.Args[0])
	}
	return false
}

// loops rewrites the loops of a statement list: range over an integer,
// range over a function, and per-iteration loop variables.
func (m *modernizer) loops(list []ast.Stmt) []ast.Stmt {
	var out []ast.Stmt
	for _, s := range list {
		label := (*ast.LabeledStmt)(nil)
		loop := s
		if l, ok := s.(*ast.LabeledStmt); ok {
			label, loop = l, l.Stmt
		}
		switch loop := loop.(type) {
		case *ast.ForStmt:
			if !m.synth[loop] {
				m.perIterationFor(loop, label)
			}
		case *ast.RangeStmt:
			if m.synth[loop] {
				break
			}
			t := m.inf.exprType(loop.X)
			switch {
			case isIntKind(t.kind):
				if loop.Value != nil {
					m.fail(loop.Value.Pos(), "range over an integer permits only one iteration variable")
					break
				}
				out = append(out, m.rangeInt(loop, label)...)
				continue
			case t.kind == reflect.Func:
				out = append(out, m.rangeFunc(loop, label, t)...)
				continue
			default:
				m.perIterationRange(loop)
			}
		}
		out = append(out, s)
	}
	return out
}

// rangeInt rewrites `for i := range n { body }`, with n of an integer type,
// into
//
//	for __mh_n, __mh_i := n, n-n; __mh_i < __mh_n; __mh_i++ {
//		i := __mh_i
//		body
//	}
//
// n-n is a zero of n's type. An n with side effects is evaluated once,
// before the loop, in a block with it (or before the label of a labeled
// loop, which must stay on the for).
func (m *modernizer) rangeInt(r *ast.RangeStmt, label *ast.LabeledStmt) []ast.Stmt {
	pos := r.For
	n, i := m.tmp(), m.tmp()
	var pre []ast.Stmt
	var init *ast.AssignStmt
	if m.pureExpr(r.X) {
		zero := &ast.BinaryExpr{X: paren(cloneExpr(r.X)), OpPos: pos, Op: token.SUB, Y: paren(cloneExpr(r.X))}
		init = define(pos, []string{n, i}, r.X, zero)
	} else {
		pre = append(pre, define(pos, []string{n}, r.X))
		init = define(pos, []string{i}, &ast.BinaryExpr{X: ident(n, pos), OpPos: pos, Op: token.SUB, Y: ident(n, pos)})
	}
	body := r.Body.List
	if key, ok := r.Key.(*ast.Ident); ok && key.Name != "_" || r.Key != nil && r.Tok == token.ASSIGN {
		if r.Tok == token.DEFINE {
			if redeclares(body, []string{key.Name}) {
				body = []ast.Stmt{&ast.BlockStmt{Lbrace: r.Body.Lbrace, List: body, Rbrace: r.Body.Rbrace}}
			}
			body = append([]ast.Stmt{define(r.Key.Pos(), []string{key.Name}, ident(i, pos))}, body...)
		} else {
			body = append([]ast.Stmt{&ast.AssignStmt{Lhs: []ast.Expr{r.Key}, TokPos: r.TokPos, Tok: token.ASSIGN, Rhs: []ast.Expr{ident(i, pos)}}}, body...)
		}
	}
	loop := &ast.ForStmt{
		For:  pos,
		Init: init,
		Cond: &ast.BinaryExpr{X: ident(i, pos), OpPos: pos, Op: token.LSS, Y: ident(n, pos)},
		Post: &ast.IncDecStmt{X: ident(i, pos), TokPos: pos, Tok: token.INC},
		Body: &ast.BlockStmt{Lbrace: r.Body.Lbrace, List: body, Rbrace: r.Body.Rbrace},
	}
	m.synth[loop] = true
	var s ast.Stmt = loop
	if label != nil {
		label.Stmt = loop
		s = label
	}
	if len(pre) == 0 {
		return []ast.Stmt{s}
	}
	if label != nil {
		return append(pre, s)
	}
	return []ast.Stmt{&ast.BlockStmt{Lbrace: pos, List: append(pre, s), Rbrace: r.End()}}
}

func paren(x ast.Expr) ast.Expr { return &ast.ParenExpr{Lparen: x.Pos(), X: x, Rparen: x.End()} }

// redeclares reports whether a statement list declares one of names at its
// own level: the body of a loop may redeclare its loop variables, which a
// copy at the top of the same block would make an error.
func redeclares(list []ast.Stmt, names []string) bool {
	want := map[string]bool{}
	for _, n := range names {
		want[n] = true
	}
	for _, s := range list {
		if l, ok := s.(*ast.LabeledStmt); ok {
			s = l.Stmt
		}
		switch s := s.(type) {
		case *ast.AssignStmt:
			if s.Tok == token.DEFINE {
				for _, l := range s.Lhs {
					if id, ok := l.(*ast.Ident); ok && want[id.Name] {
						return true
					}
				}
			}
		case *ast.DeclStmt:
			if gd, ok := s.Decl.(*ast.GenDecl); ok {
				for _, sp := range gd.Specs {
					switch sp := sp.(type) {
					case *ast.ValueSpec:
						for _, id := range sp.Names {
							if want[id.Name] {
								return true
							}
						}
					case *ast.TypeSpec:
						if want[sp.Name.Name] {
							return true
						}
					}
				}
			}
		}
	}
	return false
}

// loopVars returns the names a for or range statement declares.
func loopVars(exprs ...ast.Expr) []string {
	var names []string
	for _, e := range exprs {
		if id, ok := e.(*ast.Ident); ok && id.Name != "_" {
			names = append(names, id.Name)
		}
	}
	return names
}

// captures reports whether body can keep a loop variable beyond its
// iteration: a function literal that mentions it, or its address taken.
// Only then does the difference between per-loop and per-iteration
// variables show.
func captures(body ast.Node, names []string) bool {
	want := map[string]bool{}
	for _, n := range names {
		want[n] = true
	}
	found := false
	ast.Inspect(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			ast.Inspect(n.Body, func(n ast.Node) bool {
				if id, ok := n.(*ast.Ident); ok && want[id.Name] {
					found = true
				}
				return !found
			})
			return false
		case *ast.UnaryExpr:
			if n.Op == token.AND && want[rootName(n.X)] {
				found = true
			}
		}
		return !found
	})
	return found
}

// rootName returns the variable an addressable expression starts from:
// v for v, v.f, v[i], (v).f.
func rootName(x ast.Expr) string {
	for {
		switch e := x.(type) {
		case *ast.Ident:
			return e.Name
		case *ast.SelectorExpr:
			x = e.X
		case *ast.IndexExpr:
			x = e.X
		case *ast.ParenExpr:
			x = e.X
		default:
			return ""
		}
	}
}

// assigns reports whether body may change one of the named variables.
func assigns(body ast.Node, names []string) bool {
	want := map[string]bool{}
	for _, n := range names {
		want[n] = true
	}
	found := false
	ast.Inspect(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.AssignStmt:
			if n.Tok != token.DEFINE {
				for _, l := range n.Lhs {
					if id, ok := l.(*ast.Ident); ok && want[id.Name] {
						found = true
					}
				}
			}
		case *ast.IncDecStmt:
			if id, ok := n.X.(*ast.Ident); ok && want[id.Name] {
				found = true
			}
		case *ast.RangeStmt:
			if n.Tok == token.ASSIGN {
				for _, e := range []ast.Expr{n.Key, n.Value} {
					if id, ok := e.(*ast.Ident); ok && want[id.Name] {
						found = true
					}
				}
			}
		case *ast.UnaryExpr:
			if n.Op == token.AND && want[rootName(n.X)] {
				found = true
			}
		}
		return !found
	})
	return found
}

// perIterationRange gives `for k, v := range x` a fresh k and v in each
// iteration, as in Go 1.22, when the body can tell: a copy at the top of
// the body is exact, since range assigns the next values from its own
// state.
func (m *modernizer) perIterationRange(r *ast.RangeStmt) {
	var names []string
	if r.Tok == token.DEFINE {
		names = loopVars(r.Key, r.Value)
	}
	m.freshClosures(r.Body, names)
	if len(names) == 0 || !captures(r.Body, names) {
		return
	}
	m.copyAtTop(r.Body, names, r.TokPos)
}

// freshClosures makes each function literal in body that uses one of
// names take its own copy when it is made:
//
//	func() func() { i := i; return func() { use(i) } }()
//
// yaegi keeps a block's variables in the function's frame, one slot for
// every iteration, so that a closure handed to compiled code
// (wg.Go(func() {...})) would see the last iteration's value; a call has
// a frame of its own. Exact when nothing assigns the names.
func (m *modernizer) freshClosures(body *ast.BlockStmt, names []string) {
	editExprs(body, true, func(x ast.Expr) ast.Expr {
		fl, ok := x.(*ast.FuncLit)
		if !ok {
			return x
		}
		copies := m.closureCopies(body, fl, names)
		if len(copies) == 0 {
			return x
		}
		pos := fl.Pos()
		vals := make([]ast.Expr, len(copies))
		for i, n := range copies {
			vals[i] = ident(n, pos)
		}
		outer := &ast.FuncLit{
			Type: &ast.FuncType{Func: pos, Params: &ast.FieldList{}, Results: &ast.FieldList{List: []*ast.Field{{Type: fl.Type}}}},
			Body: &ast.BlockStmt{Lbrace: pos, List: []ast.Stmt{
				define(pos, copies, vals...),
				&ast.ReturnStmt{Return: pos, Results: []ast.Expr{fl}},
			}, Rbrace: pos},
		}
		return &ast.CallExpr{Fun: outer, Lparen: pos, Rparen: pos}
	})
}

// mutated reports whether body may change the variable name, or a part
// of it, in place: an assignment to it, to a field or an element of it
// (x.f = 1, x[i]++), its address taken, or a method called on it that
// may have a pointer receiver (wg.Add(1), buf.WriteString(s)) — a copy
// would then miss the change.
func (m *modernizer) mutated(body ast.Node, name string) bool {
	root := func(x ast.Expr) bool { return rootName(x) == name }
	found := false
	ast.Inspect(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.AssignStmt:
			if n.Tok != token.DEFINE {
				found = found || slices.ContainsFunc(n.Lhs, root)
			}
		case *ast.IncDecStmt:
			found = found || root(n.X)
		case *ast.RangeStmt:
			if n.Tok == token.ASSIGN {
				found = found || n.Key != nil && root(n.Key) || n.Value != nil && root(n.Value)
			}
		case *ast.UnaryExpr:
			found = found || n.Op == token.AND && root(n.X)
		case *ast.CallExpr:
			if sel, ok := ast.Unparen(n.Fun).(*ast.SelectorExpr); ok && root(sel.X) && !m.keepsReceiver(sel) {
				found = true
			}
		}
		return !found
	})
	return found
}

// keepsReceiver reports whether the call of the method sel surely leaves
// its receiver variable as it is: the variable is a pointer, map, chan,
// func or interface (the method may change what it points to, which a
// copy shares), or the method has a value receiver.
func (m *modernizer) keepsReceiver(sel *ast.SelectorExpr) bool {
	id, ok := sel.X.(*ast.Ident)
	if !ok {
		return false // x.f.M(): M may change the field in place
	}
	switch m.inf.exprType(id).kind {
	case reflect.Pointer, reflect.Map, reflect.Chan, reflect.Func, reflect.Interface:
		return true
	}
	return m.in.byValue(id, sel.Sel.Name)
}

// closureCopies returns the variables fl uses that are the loop's (names)
// or declared in the loop's body outside fl, and that nothing in body
// may change (see mutated): those a copy when fl is made keeps exact.
func (m *modernizer) closureCopies(body *ast.BlockStmt, fl *ast.FuncLit, names []string) []string {
	var out []string
	seen := map[string]bool{}
	ast.Inspect(fl.Body, func(n ast.Node) bool {
		id, ok := n.(*ast.Ident)
		if !ok || seen[id.Name] {
			return true
		}
		local := false
		if id.Obj != nil && id.Obj.Kind == ast.Var {
			if d, ok := id.Obj.Decl.(ast.Node); ok {
				p := d.Pos()
				if p >= fl.Pos() && p < fl.End() {
					return true // fl's own
				}
				local = p > body.Lbrace && p < body.Rbrace
			}
		}
		if id.Obj == nil || id.Obj.Kind == ast.Var && !local {
			local = local || slices.Contains(names, id.Name)
		}
		if local && !m.mutated(body, id.Name) {
			seen[id.Name] = true
			out = append(out, id.Name)
		}
		return true
	})
	return out
}

// copyAtTop starts body with `a, b := a, b`.
func (m *modernizer) copyAtTop(body *ast.BlockStmt, names []string, pos token.Pos) {
	list := body.List
	if redeclares(list, names) {
		list = []ast.Stmt{&ast.BlockStmt{Lbrace: body.Lbrace, List: list, Rbrace: body.Rbrace}}
	}
	vals := make([]ast.Expr, len(names))
	for i, n := range names {
		vals[i] = ident(n, pos)
	}
	body.List = append([]ast.Stmt{define(pos, names, vals...)}, list...)
}

// perIterationFor gives a three-clause loop Go 1.22's per-iteration
// variables when its body can tell (see captures). If the body never
// assigns them, a copy at the top of the body is exact. Otherwise the
// copy is written back at the end of the iteration, and before each
// continue, so that the post statement works on the latest value, as in
// Go's own desugaring:
//
//	for i := 0; i < n; i++ {
//		__mh_o := &i         // the loop's variable
//		i := *__mh_o         // this iteration's
//		__mh_p := &i
//		{ body, with continue → { *__mh_o = *__mh_p; continue } }
//		*__mh_o = i
//	}
func (m *modernizer) perIterationFor(f *ast.ForStmt, label *ast.LabeledStmt) {
	init, ok := f.Init.(*ast.AssignStmt)
	if !ok || init.Tok != token.DEFINE {
		m.freshClosures(f.Body, nil)
		return
	}
	names := loopVars(init.Lhs...)
	m.freshClosures(f.Body, names)
	if len(names) == 0 || !captures(f.Body, names) {
		return
	}
	pos := f.Body.Lbrace
	if !assigns(f.Body, names) {
		m.copyAtTop(f.Body, names, pos)
		return
	}
	outer := make([]string, len(names))
	inner := make([]string, len(names))
	addrs, derefs, innerAddrs := make([]ast.Expr, len(names)), make([]ast.Expr, len(names)), make([]ast.Expr, len(names))
	for i, n := range names {
		outer[i], inner[i] = m.tmp(), m.tmp()
		addrs[i] = &ast.UnaryExpr{OpPos: pos, Op: token.AND, X: ident(n, pos)}
		derefs[i] = &ast.StarExpr{Star: pos, X: ident(outer[i], pos)}
		innerAddrs[i] = &ast.UnaryExpr{OpPos: pos, Op: token.AND, X: ident(n, pos)}
	}
	writeBack := func(pos token.Pos, fromInner bool) ast.Stmt {
		lhs, rhs := make([]ast.Expr, len(names)), make([]ast.Expr, len(names))
		for i, n := range names {
			lhs[i] = &ast.StarExpr{Star: pos, X: ident(outer[i], pos)}
			if fromInner {
				rhs[i] = &ast.StarExpr{Star: pos, X: ident(inner[i], pos)}
			} else {
				rhs[i] = ident(n, pos)
			}
		}
		return &ast.AssignStmt{Lhs: lhs, TokPos: pos, Tok: token.ASSIGN, Rhs: rhs}
	}
	var labelName string
	if label != nil {
		labelName = label.Label.Name
	}
	continues := 0
	replaceContinues(f.Body, labelName, func(b *ast.BranchStmt) ast.Stmt {
		continues++
		return &ast.BlockStmt{Lbrace: b.Pos(), List: []ast.Stmt{writeBack(b.Pos(), true), b}, Rbrace: b.End()}
	})
	list := []ast.Stmt{
		define(pos, outer, addrs...),
		define(pos, names, derefs...),
	}
	if continues > 0 {
		list = append(list, define(pos, inner, innerAddrs...))
	}
	end := f.Body.Rbrace
	list = append(list, &ast.BlockStmt{Lbrace: f.Body.Lbrace, List: f.Body.List, Rbrace: end}, writeBack(end, false))
	f.Body.List = list
}

// replaceContinues replaces the continue statements of a loop body that
// continue that loop: unlabeled ones outside nested loops, and those
// naming its label anywhere. Function literals are not entered.
func replaceContinues(body *ast.BlockStmt, label string, repl func(*ast.BranchStmt) ast.Stmt) {
	var list func(l []ast.Stmt, nested bool)
	var stmt func(s ast.Stmt, nested bool) ast.Stmt
	stmt = func(s ast.Stmt, nested bool) ast.Stmt {
		switch s := s.(type) {
		case *ast.BranchStmt:
			if s.Tok == token.CONTINUE && ((s.Label == nil && !nested) || (s.Label != nil && s.Label.Name == label && label != "")) {
				return repl(s)
			}
		case *ast.BlockStmt:
			list(s.List, nested)
		case *ast.LabeledStmt:
			s.Stmt = stmt(s.Stmt, nested)
		case *ast.IfStmt:
			list(s.Body.List, nested)
			if s.Else != nil {
				s.Else = stmt(s.Else, nested)
			}
		case *ast.SwitchStmt:
			for _, c := range s.Body.List {
				list(c.(*ast.CaseClause).Body, nested)
			}
		case *ast.TypeSwitchStmt:
			for _, c := range s.Body.List {
				list(c.(*ast.CaseClause).Body, nested)
			}
		case *ast.SelectStmt:
			for _, c := range s.Body.List {
				list(c.(*ast.CommClause).Body, nested)
			}
		case *ast.ForStmt:
			list(s.Body.List, true)
		case *ast.RangeStmt:
			list(s.Body.List, true)
		}
		return s
	}
	list = func(l []ast.Stmt, nested bool) {
		for i, s := range l {
			l[i] = stmt(s, nested)
		}
	}
	list(body.List, false)
}
