package interp

import (
	"errors"
	"go/ast"
	"go/token"
	"reflect"
)

// The rewrites below run on the user's AST before yaegi compiles it. They
// work around what would otherwise kill the host process or leave yaegi in a
// bad state. Synthesized nodes take the position of the code they guard, so
// an error in them still points at the user's line.

func ident(name string, pos token.Pos) *ast.Ident { return &ast.Ident{Name: name, NamePos: pos} }

func helperFunc(name string, pos token.Pos) ast.Expr {
	return &ast.SelectorExpr{X: ident(helperName, pos), Sel: ident(name, pos)}
}

func callExpr(fun ast.Expr, pos token.Pos, args ...ast.Expr) *ast.CallExpr {
	return &ast.CallExpr{Fun: fun, Lparen: pos, Args: args, Rparen: pos}
}

func helperCall(name string, pos token.Pos, args ...ast.Expr) ast.Stmt {
	return &ast.ExprStmt{X: callExpr(helperFunc(name, pos), pos, args...)}
}

// depthGuard counts the calls in progress so that unbounded recursion stops
// with an error before Go's stack overflow, which no recover survives.
// (`defer Leave(Enter())` would be one statement, but yaegi v0.16.1 fails
// to run a deferred call whose argument is a call to a binary function.)
func depthGuard(pos token.Pos) []ast.Stmt {
	return []ast.Stmt{
		helperCall("Enter", pos),
		&ast.DeferStmt{Defer: pos, Call: callExpr(helperFunc("Leave", pos), pos)},
	}
}

var builtinFuncs = map[string]bool{
	"append": true, "cap": true, "clear": true, "close": true, "complex": true,
	"copy": true, "delete": true, "imag": true, "len": true, "make": true,
	"max": true, "min": true, "new": true, "panic": true, "print": true,
	"println": true, "real": true, "recover": true,
}

// rewriter applies the guards to one group: a pass, with what it
// gathers on the way.
type rewriter struct {
	pass
	goClosures []*ast.FuncLit // the closures goStmt made; see exitGuard
	added      []ast.Decl     // the declarations unrollSelfCalls added
}

func newRewriter(s sessionScope, fset *token.FileSet) *rewriter {
	return &rewriter{pass: pass{s: s, fset: fset}}
}

type sessionKind int

const (
	sessionOther sessionKind = iota
	sessionFunc
	sessionConst
	sessionType
)

func (rw *rewriter) kind(id *ast.Ident) objKind {
	if o := rw.s.obj(id); o != nil {
		return o.kind
	}
	return noObj
}

// sessionKind tells what a name not resolved in the input is in the
// session: a function, a constant, a type, or something else (a
// variable, a namespace value, nothing).
func (rw *rewriter) sessionKind(name string) sessionKind {
	sn := rw.s.session(name)
	switch {
	case sn.namespace || !sn.declared:
		return sessionOther
	case sn.isConst:
		return sessionConst
	case sn.isType:
		return sessionType
	case rw.s.funcType(name) != nil:
		return sessionFunc
	}
	return sessionOther
}

// byValue reports whether x.m() is a call of a method with a value
// receiver on a value that is not a pointer, as far as x's type is
// known: the go statement must then copy x itself, yaegi's method value
// x.m does not.
func (p *pass) byValue(x ast.Expr, m string) bool {
	t := p.newInferer().exprType(x)
	switch t.kind {
	case reflect.Invalid, reflect.Pointer, reflect.Interface:
		return false
	}
	if t.named != "" {
		return p.s.valueReceiver(t.named + "." + m)
	}
	if t.rt != nil {
		_, ok := t.rt.MethodByName(m)
		return ok
	}
	return false
}

// syncLock reports whether x is known to be of a sync lock type that has
// method.
func (rw *rewriter) syncLock(x ast.Expr, method string) bool {
	return guardableMethod(rw.newInferer().exprType(x).rt, method)
}

// growable reports whether x is known to be a strings.Builder or a
// bytes.Buffer, or a pointer to one.
func (rw *rewriter) growable(x ast.Expr) bool {
	t := rw.newInferer().exprType(x).rt
	if t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t == builderType || t == bufferType
}

// rewrite guards every go statement, Unlock-like call and make under
// root, and every function body with the depth guard.
func (rw *rewriter) rewrite(root ast.Node) {
	// First the go statements: the function literals they become get a
	// depth guard too, so that a goroutine's frames count as Go's do.
	editStmtLists(root, func(list []ast.Stmt) []ast.Stmt {
		for i, s := range list {
			list[i] = rw.stmt(s)
		}
		return list
	})
	rw.guardMethodValues(root)
	var group, unguarded map[*ast.BlockStmt]bool
	if f, ok := root.(*ast.File); ok {
		group, unguarded, rw.added = rw.unrollSelfCalls(f)
	}
	var bodies []*ast.BlockStmt
	ast.Inspect(root, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncDecl:
			if n.Body != nil {
				bodies = append(bodies, n.Body)
				nameParams(n.Recv)
				nameParams(n.Type.Params)
			}
		case *ast.FuncLit:
			bodies = append(bodies, n.Body)
			nameParams(n.Type.Params)
		case *ast.CallExpr:
			rw.guardMake(n)
			rw.printArgs(n)
		case *ast.ReturnStmt:
			// yaegi v0.16.1 panics on a bare receive as a result
			// (return <-ch: "reflect.Value.Set using unaddressable
			// value"); in parentheses it is an expression like others.
			for i, r := range n.Results {
				n.Results[i] = parenReceive(r)
			}
		case *ast.BinaryExpr:
			// With the cancellable channel operations of an Eval,
			// yaegi v0.16.1 loses the value of a receive that blocks
			// as the left operand of && or ||: <-ch && x is false, in
			// an if too, for a true received. Negated twice, the
			// receive is an operand like others (! cannot be shadowed,
			// true can).
			if n.Op == token.LAND || n.Op == token.LOR {
				if u, ok := ast.Unparen(n.X).(*ast.UnaryExpr); ok && u.Op == token.ARROW {
					pos := n.X.Pos()
					n.X = &ast.UnaryExpr{OpPos: pos, Op: token.NOT, X: &ast.UnaryExpr{OpPos: pos, Op: token.NOT, X: n.X}}
				}
			}
		case *ast.AssignStmt:
			// r = <-ch into a named result is lost (or, returned as
			// return r, panics as above) the same way.
			if n.Tok == token.ASSIGN && len(n.Lhs) == 1 && len(n.Rhs) == 1 {
				n.Rhs[0] = parenReceive(n.Rhs[0])
			}
		}
		return true
	})
	for _, b := range bodies {
		// After the leading declarations and assignments that call
		// nothing: yaegi v0.16.1 loses the methods of a local of a named
		// type, passed as an interface to an interpreted function, when
		// an earlier statement took a slot of the frame, as the guard's
		// call does (plain yaegi prints <nil> for `y := 0; x := Foo(3);
		// p(x)`, and yaegi's issue-435 program fails with the guard
		// first). Nothing before the guard can call, so it still counts
		// every call in progress.
		if unguarded[b] {
			continue // a copy of an unrolled recursion; see unrollSelfCalls
		}
		guard := depthGuard
		if group[b] {
			guard = guardGroup
		}
		k := rw.leadingSimple(b.List)
		b.List = append(append(append([]ast.Stmt{}, b.List[:k]...), guard(b.Lbrace)...), b.List[k:]...)
	}
	// After the depth guards, so that it is deferred first and runs last.
	for _, lit := range rw.goClosures {
		lit.Body.List = append([]ast.Stmt{exitGuard(lit.Body.Lbrace)}, lit.Body.List...)
	}
	rw.goClosures = nil
}

// leadingSimple counts the statements at the start of a body that are
// declarations or assignments calling nothing (conversions aside).
func (rw *rewriter) leadingSimple(list []ast.Stmt) int {
	for i, st := range list {
		switch st := st.(type) {
		case *ast.DeclStmt:
			if gd, ok := st.Decl.(*ast.GenDecl); !ok || gd.Tok == token.IMPORT {
				return i
			}
		case *ast.AssignStmt:
		default:
			return i
		}
		simple := true
		ast.Inspect(st, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.FuncLit, *ast.UnaryExpr:
				// A closure may be called later; <- may block: keep
				// both after the guard, as everything not trivial.
				if u, ok := n.(*ast.UnaryExpr); !ok || u.Op == token.ARROW {
					simple = false
				}
			case *ast.CallExpr:
				if !rw.conversion(n.Fun) {
					simple = false
				}
			}
			return simple
		})
		if !simple {
			return i
		}
	}
	return len(list)
}

// conversion reports whether fun, called, converts: a predeclared type,
// a type the input declares, or a type literal.
func (rw *rewriter) conversion(fun ast.Expr) bool {
	switch f := ast.Unparen(fun).(type) {
	case *ast.Ident:
		// Only what the input itself shows: a type of the session is not
		// trusted, as a move replays a function against the session's
		// last declarations, where a name it called may have become a
		// type since (the call would then pass before the guard).
		if k := rw.kind(f); k != noObj {
			return k == typeObj
		}
		return basicTypes[f.Name] && !rw.shadowed(f.Name)
	case *ast.ArrayType, *ast.MapType, *ast.ChanType, *ast.FuncType, *ast.InterfaceType, *ast.StructType:
		return true
	case *ast.StarExpr:
		return rw.conversion(f.X)
	}
	return false
}

var basicTypes = map[string]bool{
	"bool": true, "byte": true, "complex64": true, "complex128": true, "error": true,
	"float32": true, "float64": true, "int": true, "int8": true, "int16": true,
	"int32": true, "int64": true, "rune": true, "string": true, "uint": true,
	"uint8": true, "uint16": true, "uint32": true, "uint64": true, "uintptr": true,
	"any": true,
}

// nameParams names unnamed parameters (and receivers) "_": yaegi v0.16.1
// fails to run a deferred call of a compiled function in a function whose
// parameters have no names (reflect.Set: value of type int is not
// assignable to type func()), and every body gets the deferred depth
// guard. `func f(_ int)` is the same function as `func f(int)`.
func nameParams(fl *ast.FieldList) {
	if fl == nil {
		return
	}
	for _, f := range fl.List {
		if len(f.Names) == 0 {
			f.Names = []*ast.Ident{{Name: "_", NamePos: f.Type.Pos()}}
		}
	}
}

// exitGuard is `defer __mh.Exit()` at the top of a goroutine's closure:
// the goroutine ends there (runtime.Goexit), and its closure never
// returns to yaegi. A closure of yaegi's, when it returns, writes the old
// value back into its literal's slot in the enclosing frame, without a
// lock against the enclosing function, which may be evaluating the same
// literal again for the next goroutine of a loop: it could then start
// the previous iteration's closure.
func exitGuard(pos token.Pos) ast.Stmt {
	return &ast.DeferStmt{Defer: pos, Call: callExpr(helperFunc("Exit", pos), pos)}
}

// stmt rewrites one statement of a list (and the statement a label
// labels).
func (rw *rewriter) stmt(s ast.Stmt) ast.Stmt {
	switch s := s.(type) {
	case *ast.GoStmt:
		return rw.goStmt(s)
	case *ast.ExprStmt:
		if c, ok := s.X.(*ast.CallExpr); ok {
			rw.guardGrow(c)
			s.X = rw.guardUnlock(c)
		}
	case *ast.DeferStmt:
		s.Call = rw.guardUnlock(s.Call)
	// The statements of a header: for i := 0; c; mu.Unlock() {}.
	case *ast.IfStmt:
		s.Init = rw.header(s.Init)
	case *ast.ForStmt:
		s.Init, s.Post = rw.header(s.Init), rw.header(s.Post)
	case *ast.SwitchStmt:
		s.Init = rw.header(s.Init)
	case *ast.TypeSwitchStmt:
		s.Init = rw.header(s.Init)
	case *ast.SelectStmt:
		if len(s.Body.List) == 0 {
			// yaegi's select keeps its cases in the compiled node, shared
			// by every goroutine running it; parked goroutines all run
			// the same select {}, and race there.
			return helperCall("Park", s.Pos())
		}
	case *ast.LabeledStmt:
		s.Stmt = rw.stmt(s.Stmt)
	}
	return s
}

// header rewrites the init or post statement of an if, for or switch.
func (rw *rewriter) header(s ast.Stmt) ast.Stmt {
	if s == nil {
		return nil
	}
	if e, ok := s.(*ast.ExprStmt); ok {
		if c, ok := e.X.(*ast.CallExpr); ok {
			rw.guardGrow(c)
			e.X = rw.guardUnlock(c)
		}
	}
	return s
}

// goStmt turns `go f(a, b)` into
//
//	{
//		__mh_g1, __mh_g2 := a, b // what the go statement evaluates at once
//		__mh_g3 := func() { f(__mh_g1, __mh_g2) }
//		__mh.Go(__mh_g3)
//	}
//
// so that the goroutine is started by compiled code (__mh.Go), which
// recovers a panic in it, counts it and bounds how many a session runs.
// A recover written in interpreted code does not always run: yaegi
// re-panics past it when the interpreter's run state changes (an
// interrupt, another session's Close), and the panic kills the host.
// The function value and the arguments are evaluated by the go statement,
// as Go specifies, in variables of the block: those are new at each run of
// the block, also in a loop, once the closure is stored in a variable
// (yaegi shares them when the literal is passed directly). Constants and
// functions known by name are not copied: an untyped constant keeps its
// type from the call, and a generic function is not a value.
func (rw *rewriter) goStmt(g *ast.GoStmt) ast.Stmt {
	pos := g.Go
	call := g.Call
	var names []ast.Expr
	var vals []ast.Expr
	hoist := func(e ast.Expr) ast.Expr {
		name := rw.s.fresh(helperName + "_g")
		names = append(names, ident(name, e.Pos()))
		vals = append(vals, e)
		return ident(name, e.Pos())
	}
	if sel, ok := call.Fun.(*ast.SelectorExpr); ok && !rw.isPackage(sel.X) && rw.byValue(sel.X, sel.Sel.Name) {
		sel.X = hoist(sel.X)
	} else if !rw.staticFunc(call.Fun) {
		call.Fun = hoist(call.Fun)
	}
	for i, a := range call.Args {
		if !rw.constant(a) {
			call.Args[i] = hoist(a)
		}
	}
	var list []ast.Stmt
	if len(names) > 0 {
		list = append(list, &ast.AssignStmt{Lhs: names, TokPos: pos, Tok: token.DEFINE, Rhs: vals})
	}
	var lit *ast.FuncLit
	if user, ok := call.Fun.(*ast.FuncLit); ok {
		// The guard goes where the panic is raised, so that it never
		// unwinds an interpreted frame (see recoverGuard).
		user.Body.List = append([]ast.Stmt{recoverGuard(pos)}, user.Body.List...)
		if len(call.Args) == 0 && user.Type.Params.NumFields() == 0 && user.Type.Results.NumFields() == 0 {
			lit = user
		}
	}
	if lit == nil {
		lit = &ast.FuncLit{
			Type: &ast.FuncType{Func: pos, Params: &ast.FieldList{Opening: pos, Closing: pos}},
			Body: &ast.BlockStmt{Lbrace: pos, Rbrace: pos, List: []ast.Stmt{recoverGuard(pos), &ast.ExprStmt{X: call}}},
		}
	}
	rw.goClosures = append(rw.goClosures, lit)
	// __mh.Go(func() func() { return lit }()): the goroutine's closure is
	// made in a frame of its own, which nothing reads once it returned.
	// Were it made in the frame of the go statement, a closure that
	// yaegi stops before its deferred Exit runs (a stop right as it
	// starts) would return into yaegi, which writes the closure back
	// into the frame that made it, unsynchronized with that frame making
	// it again for the next iteration of a loop (a data race under
	// -race; see exitGuard).
	maker := &ast.FuncLit{
		Type: &ast.FuncType{Func: pos, Params: &ast.FieldList{Opening: pos, Closing: pos},
			Results: &ast.FieldList{List: []*ast.Field{{Type: &ast.FuncType{Func: pos, Params: &ast.FieldList{Opening: pos, Closing: pos}}}}}},
		Body: &ast.BlockStmt{Lbrace: pos, Rbrace: pos, List: []ast.Stmt{&ast.ReturnStmt{Return: pos, Results: []ast.Expr{lit}}}},
	}
	list = append(list, helperCall("Go", pos, callExpr(maker, pos)))
	return &ast.BlockStmt{Lbrace: pos, List: list, Rbrace: g.End()}
}

// recoverGuard is
//
//	defer func() {
//		if r := recover(); r != nil { __mh.GoPanic(r) }
//	}()
//
// at the top of a goroutine's closure. __mh.Go's recover in compiled code
// is what contains a panic; this one, which yaegi may skip (see goStmt),
// only spares the panic a trip through yaegi's frames when it can: that
// trip reads the compiler's scopes, racing (benignly, in the race
// detector's eyes) with the session's next compilation.
func recoverGuard(pos token.Pos) ast.Stmt {
	r := helperName + "_r"
	check := &ast.IfStmt{
		If: pos,
		Init: &ast.AssignStmt{
			Lhs: []ast.Expr{ident(r, pos)}, TokPos: pos, Tok: token.DEFINE,
			Rhs: []ast.Expr{callExpr(ident("recover", pos), pos)},
		},
		Cond: &ast.BinaryExpr{X: ident(r, pos), OpPos: pos, Op: token.NEQ, Y: ident("nil", pos)},
		Body: &ast.BlockStmt{Lbrace: pos, Rbrace: pos, List: []ast.Stmt{
			helperCall("GoPanic", pos, ident(r, pos)),
		}},
	}
	fn := &ast.FuncLit{
		Type: &ast.FuncType{Func: pos, Params: &ast.FieldList{Opening: pos, Closing: pos}},
		Body: &ast.BlockStmt{Lbrace: pos, Rbrace: pos, List: []ast.Stmt{check}},
	}
	return &ast.DeferStmt{Defer: pos, Call: callExpr(fn, pos)}
}

// staticFunc reports whether the function of a go statement need not be
// evaluated before the goroutine starts: a function literal, a builtin, a
// function declared by name, a function of a package, an instantiation of
// one of those, and a method (whose receiver, as a method value, is
// copied where it is not a package: see goStmt).
func (rw *rewriter) staticFunc(e ast.Expr) bool {
	switch e := ast.Unparen(e).(type) {
	case *ast.FuncLit:
		return true
	case *ast.Ident:
		if k := rw.kind(e); k != noObj {
			return k == funcObj
		}
		if rw.sessionKind(e.Name) == sessionFunc {
			return true
		}
		return builtinFuncs[e.Name] && !rw.shadowed(e.Name)
	case *ast.SelectorExpr:
		return rw.isPackage(e.X)
	case *ast.IndexExpr:
		return rw.staticFunc(e.X)
	case *ast.IndexListExpr:
		return rw.staticFunc(e.X)
	}
	return false
}

// parenReceive returns x in parentheses if it is a receive (<-ch).
func parenReceive(x ast.Expr) ast.Expr {
	if u, ok := x.(*ast.UnaryExpr); ok && u.Op == token.ARROW {
		return &ast.ParenExpr{Lparen: u.Pos(), X: u, Rparen: u.End()}
	}
	return x
}

func (rw *rewriter) isPackage(e ast.Expr) bool {
	id, ok := e.(*ast.Ident)
	if !ok || rw.s.obj(id) != nil {
		return false
	}
	_, ok = rw.s.pkgPath(id.Name)
	return ok
}

// constant reports whether e is a constant expression as far as the
// syntax tells: literals, constants, package members (which may be
// variables, read when the goroutine starts) and operators on those.
func (rw *rewriter) constant(e ast.Expr) bool {
	switch e := e.(type) {
	case *ast.BasicLit:
		return true
	case *ast.Ident:
		if k := rw.kind(e); k != noObj {
			return k == constObj
		}
		switch rw.sessionKind(e.Name) {
		case sessionConst:
			return true
		case sessionFunc:
			return false
		}
		switch e.Name {
		case "nil", "true", "false", "iota":
			return !rw.shadowed(e.Name)
		}
		return false
	case *ast.SelectorExpr:
		return rw.isPackage(e.X)
	case *ast.ParenExpr:
		return rw.constant(e.X)
	case *ast.UnaryExpr:
		return e.Op != token.AND && e.Op != token.ARROW && rw.constant(e.X)
	case *ast.BinaryExpr:
		return rw.constant(e.X) && rw.constant(e.Y)
	}
	return false
}

// topLevel prepares the statements of the global block for yaegi:
//
//   - Check() calls (the run's own, see bindRun) are interleaved with
//     them, and end them: a statement abandoned inside a blocking call may
//     resume once the call returns,
//     after later inputs have reset yaegi's run state, and the check stops
//     the rest of its input, and the end of yaegi's Execute, from running
//     concurrently with the session's later inputs.
//   - Runs of statements that declare nothing are moved into a function
//     literal called in place. yaegi keeps every temporary value of the
//     global block in its global frame for the life of the session, so a
//     big value computed by a top-level statement would never be freed,
//     and the frame, copied whenever it grows, would grow with every input.
func topLevel(stmts []ast.Stmt) []ast.Stmt {
	gotos := gotoTargets(stmts)
	var out, run []ast.Stmt
	flush := func() {
		if len(run) > 0 {
			out = append(out, inClosure(run))
			run = nil
		}
	}
	for _, s := range stmts {
		if declares(s, gotos) {
			flush()
			checkLoops(s)
			out = append(out, checkStmt(s.Pos()), s)
			continue
		}
		run = append(run, checkStmt(s.Pos()), s)
	}
	flush()
	if len(stmts) > 0 {
		out = append(out, checkStmt(stmts[len(stmts)-1].End()))
	}
	return out
}

// checkLoops puts a Check before each statement of every block in s, a
// statement that stays in the global block (a goto's target, or one
// holding a goto), loops' bodies included:
// the global frame takes the run id of each Execute, so what is left of
// such a statement, abandoned in a compiled call, would run on there once
// the call returned (a loop would come back to life), next to later
// inputs, with no Check between top-level statements to stop it.
// (Function literals have frames of their own, which keep their run id.)
func checkLoops(s ast.Stmt) {
	checked := func(list []ast.Stmt) []ast.Stmt {
		out := make([]ast.Stmt, 0, 2*len(list))
		for _, st := range list {
			out = append(out, checkStmt(st.Pos()), st)
		}
		return out
	}
	clauses := map[*ast.BlockStmt]bool{} // a switch's or select's, of clauses
	ast.Inspect(s, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.SwitchStmt:
			clauses[n.Body] = true
		case *ast.TypeSwitchStmt:
			clauses[n.Body] = true
		case *ast.SelectStmt:
			clauses[n.Body] = true
		case *ast.BlockStmt:
			if !clauses[n] {
				n.List = checked(n.List)
			}
		case *ast.CaseClause:
			n.Body = checked(n.Body)
		case *ast.CommClause:
			n.Body = checked(n.Body)
		}
		return true
	})
}

// topLevelInit is topLevel for statements none of which must stay in the
// global block: all of them in an init function (see inInit); nil if one
// must.
func topLevelInit(stmts []ast.Stmt) *ast.File {
	if len(stmts) == 0 {
		return nil
	}
	gotos := gotoTargets(stmts)
	var body []ast.Stmt
	for i, s := range stmts {
		if declares(s, gotos) {
			return nil
		}
		if i > 0 {
			body = append(body, checkStmt(s.Pos()))
		}
		body = append(body, s)
	}
	return inInit(stmts[0].Pos(), body)
}

// declares reports whether s must stay in the global block: it declares a
// session-level name, or it is a goto, holds one or is the target of one.
// (Variables of the global block are yaegi globals, not per iteration, so
// a labeled loop is better off in a closure when nothing jumps to it.)
func declares(s ast.Stmt, gotos map[string]bool) bool {
	switch s := s.(type) {
	case *ast.AssignStmt:
		return s.Tok == token.DEFINE
	case *ast.DeclStmt, *ast.BranchStmt:
		return true
	case *ast.LabeledStmt:
		if gotos[s.Label.Name] {
			return true
		}
	}
	// A goto inside it (if i < 3 { goto L }): in a closure, yaegi takes
	// it for a jump to nowhere and does nothing.
	has := false
	ast.Inspect(s, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.BranchStmt:
			has = has || n.Tok == token.GOTO
		}
		return !has
	})
	return has
}

// gotoTargets returns the labels that goto statements of a top-level
// block name, outside function literals.
func gotoTargets(stmts []ast.Stmt) map[string]bool {
	labels := map[string]bool{}
	for _, s := range stmts {
		ast.Inspect(s, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.FuncLit:
				return false
			case *ast.BranchStmt:
				if n.Tok == token.GOTO && n.Label != nil {
					labels[n.Label.Name] = true
				}
			}
			return true
		})
	}
	return labels
}

// inClosure returns `func() { stmts }()`.
func inClosure(stmts []ast.Stmt) ast.Stmt {
	pos := stmts[0].Pos()
	lit := &ast.FuncLit{
		Type: &ast.FuncType{Func: pos, Params: &ast.FieldList{Opening: pos, Closing: pos}},
		Body: &ast.BlockStmt{Lbrace: pos, Rbrace: pos, List: stmts},
	}
	return &ast.ExprStmt{X: callExpr(lit, pos)}
}

// inInit makes stmts the body of an init function, alone in a file: yaegi
// runs a file's init functions once it is compiled, each in a frame of
// its own, as a closure called in place runs (see topLevel), at a fraction
// of the cost: a function literal evaluated in the global block copies
// yaegi's whole global frame, which every input grows, and takes slots of
// it. (A session-level init is a Go init: it runs once, when declared.)
//
// The body starts with `defer Guard()()`: Guard checks at once, as Check
// does, and returns the check that the defer makes at the end, which does
// what the Check after a closure does in topLevel: an init stopped by
// yaegi (its frame's run id is old) returns normally, and Execute would go
// on to read the global frame while a later input runs; the deferred
// check runs however the body ends, and panics then.
func inInit(pos token.Pos, stmts []ast.Stmt) *ast.File {
	guard := callExpr(helperFunc("Guard", pos), pos)
	body := append([]ast.Stmt{&ast.DeferStmt{Defer: pos, Call: callExpr(guard, pos)}}, stmts...)
	return &ast.File{Package: pos, Name: ident("main", pos), Decls: []ast.Decl{&ast.FuncDecl{
		Name: ident("init", pos),
		Type: &ast.FuncType{Func: pos, Params: &ast.FieldList{Opening: pos, Closing: pos}},
		Body: &ast.BlockStmt{Lbrace: pos, Rbrace: pos, List: body},
	}}}
}

// checkStmt is `__mh.Check()`, the check of the run whose input is being
// compiled (see bindRun).
func checkStmt(pos token.Pos) ast.Stmt {
	return helperCall("Check", pos)
}

// declaredNames lists the names a group declares in the global scope.
func declaredNames(g group) []*ast.Ident {
	var names []*ast.Ident
	addSpecs := func(d *ast.GenDecl) {
		for _, s := range d.Specs {
			switch s := s.(type) {
			case *ast.TypeSpec:
				names = append(names, s.Name)
			case *ast.ValueSpec:
				names = append(names, s.Names...)
			}
		}
	}
	if g.file != nil {
		for _, d := range g.file.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				if d.Recv == nil {
					names = append(names, d.Name)
				}
			case *ast.GenDecl:
				addSpecs(d)
			}
		}
	}
	for _, s := range g.stmts {
		switch s := s.(type) {
		case *ast.AssignStmt:
			if s.Tok == token.DEFINE {
				for _, e := range s.Lhs {
					if id, ok := e.(*ast.Ident); ok {
						names = append(names, id)
					}
				}
			}
		case *ast.DeclStmt:
			if d, ok := s.Decl.(*ast.GenDecl); ok {
				addSpecs(d)
			}
		}
	}
	return names
}

// packageRefs lists the unresolved identifiers used as the X of a selector
// X.Sel: the candidates for an automatic import.
func (in *Interp) packageRefs(root ast.Node) []string {
	var refs []string
	seen := map[string]bool{}
	ast.Inspect(root, func(n ast.Node) bool {
		sel, ok := n.(*ast.SelectorExpr)
		if !ok {
			return true
		}
		if x, ok := sel.X.(*ast.Ident); ok && in.obj(x) == nil && !seen[x.Name] {
			seen[x.Name] = true
			refs = append(refs, x.Name)
		}
		return true
	})
	return refs
}

var errStale = errors.New("manhole: stale evaluation")

// errCancelled ends what remains of a cancelled run's input before yaegi
// compiles or runs it.
var errCancelled = errors.New("the evaluation was cancelled")
