package interp

import (
	"fmt"
	"go/ast"
	"go/constant"
	"go/token"
	"math"
	"reflect"
	"strconv"
)

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

// isBuiltin reports whether id refers to the predeclared name, or to
// manhole's dump, rather than to something the session declared.
func (m *modernizer) isBuiltin(id *ast.Ident) bool {
	return m.s.obj(id) == nil && !m.shadowed(id.Name)
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
			if m.hostRooted(a) {
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

// overflow is Go's refusal of an untyped constant of literals that its
// default type cannot hold, shown as a value (1 << 70): yaegi shows nothing when it is
// an argument of Show, and panics when it runs alone.
func (m *modernizer) overflow(x ast.Expr) error {
	if !isUntypedConst(x) {
		// A name may be a typed constant: const u uint64 = 1 << 63.
		return nil
	}
	v, rank, ok := m.constValue(x)
	if !ok {
		return nil
	}
	typ := ""
	switch rank {
	case 0, 1:
		n, exact := constant.Int64Val(constant.ToInt(v))
		switch {
		case rank == 0 && exact:
			return nil
		case rank == 1 && exact && n >= math.MinInt32 && n <= math.MaxInt32:
			return nil
		}
		typ = map[int]string{0: "int", 1: "rune"}[rank]
	case 2:
		if f, _ := constant.Float64Val(constant.ToFloat(v)); !math.IsInf(f, 0) {
			return nil
		}
		typ = "float64"
	default:
		return nil
	}
	return fmt.Errorf("%s: %s (untyped constant) overflows %s", positionOf(m.fset, x.Pos()), v, typ)
}

// namedConst returns the value of an untyped constant named by id.
func (m *modernizer) namedConst(id *ast.Ident) (constant.Value, int, bool) {
	if o := m.s.obj(id); o != nil {
		spec, ok := o.decl.(*ast.ValueSpec)
		if !ok || o.kind != constObj || spec.Type != nil || m.inf.depth > 20 {
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
	if !m.s.session(id.Name).declared {
		return nil, 0, false
	}
	if m.inf.globals == nil {
		m.inf.globals = m.s.globalValues()
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
		m.s.needGenericHelpers()
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
	if m.enter == nil {
		m.enter = func(c *cursor) bool { return m.hoist.enterExpr(c) }
		m.leave = func(c *cursor) bool { return m.hoist.leaveExpr(c) }
	}
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

// expr walks an expression in Go's order of evaluation, not entering
// function literals and type expressions (CompositeLit.Type,
// TypeAssertExpr.Type, type arguments): they evaluate nothing.
//
//go:noinline
func (h *hoister) expr(p *ast.Expr) {
	if *p != nil {
		outer := h.m.hoist
		h.m.hoist = h
		*p = walk(*p, h.m.enter, h.m.leave).(ast.Expr)
		h.m.hoist = outer
	}
}

func (h *hoister) enterExpr(c *cursor) bool {
	if c.Field() == "Type" || c.Field() == "Indices" {
		return false
	}
	switch x := c.Node().(type) {
	case *ast.FuncLit, *ast.ArrayType, *ast.MapType, *ast.ChanType, *ast.FuncType,
		*ast.StructType, *ast.InterfaceType, *ast.Ellipsis:
		return false
	case *ast.BinaryExpr:
		if x.Op == token.LAND || x.Op == token.LOR {
			h.expr(&x.X)
			h.cond++
			h.expr(&x.Y)
			h.cond--
			if hasCall(x.Y) {
				h.safe = false
			}
			return false
		}
	case *ast.CallExpr:
		if name, ok := h.m.minmax[x]; ok && h.safe && h.cond == 0 {
			delete(h.m.minmax, x)
			tmp, pre := h.m.expandMinMax(name, x)
			h.pre = append(h.pre, pre...)
			c.Replace(tmp)
			return false
		}
	}
	return true
}

func (h *hoister) leaveExpr(c *cursor) bool {
	switch x := c.Node().(type) {
	case *ast.UnaryExpr:
		if x.Op == token.ARROW {
			h.safe = false
		}
	case *ast.CallExpr:
		if !h.m.pureCall(x) {
			h.safe = false
		}
	}
	return true
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
				Y: &ast.BinaryExpr{X: m.cloneExpr(v), OpPos: pos, Op: token.NEQ, Y: m.cloneExpr(v)}}
		}
		pre = append(pre, &ast.IfStmt{If: pos, Init: init, Cond: cond, Body: &ast.BlockStmt{
			Lbrace: pos, Rbrace: pos,
			List: []ast.Stmt{&ast.AssignStmt{Lhs: []ast.Expr{ident(res, pos)}, TokPos: pos, Tok: token.ASSIGN, Rhs: []ast.Expr{m.cloneExpr(v)}}},
		}})
	}
	return ident(res, pos), pre
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
