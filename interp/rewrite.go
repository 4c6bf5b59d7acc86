package interp

import (
	"errors"
	"fmt"
	"go/ast"
	"go/token"
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

// recoverGuard is `defer func() { if r := recover(); r != nil { GoPanic(r) } }()`:
// a panic in a goroutine started by evaluated code would otherwise end the
// host process, as in plain yaegi.
func recoverGuard(pos token.Pos) ast.Stmt {
	r := "__mh_r"
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

var builtinFuncs = map[string]bool{
	"append": true, "cap": true, "clear": true, "close": true, "complex": true,
	"copy": true, "delete": true, "imag": true, "len": true, "make": true,
	"max": true, "min": true, "new": true, "panic": true, "print": true,
	"println": true, "real": true, "recover": true,
}

// asyncCallbacks are standard functions whose function argument runs on a
// goroutine of its own, where a panic would end the host process.
var asyncCallbacks = map[string]map[string]int{
	"time":    {"AfterFunc": 1},
	"context": {"AfterFunc": 1},
}

// rewriter applies the guards to one group.
type rewriter struct {
	fset *token.FileSet
	// pkgPath tells whether an unresolved identifier names a package, and
	// which one.
	pkgPath func(name string) (string, bool)
}

// rewrite guards every function body and go statement under root, and
// rejects constructs known to crash yaegi's compiler or to misbehave.
func (rw *rewriter) rewrite(root ast.Node) error {
	var (
		bodies []*ast.BlockStmt
		gos    []*ast.GoStmt
		err    error
	)
	ast.Inspect(root, func(n ast.Node) bool {
		if err != nil {
			return false
		}
		switch n := n.(type) {
		case *ast.FuncDecl:
			if n.Body != nil {
				bodies = append(bodies, n.Body)
			}
		case *ast.FuncLit:
			bodies = append(bodies, n.Body)
		case *ast.GoStmt:
			gos = append(gos, n)
		case *ast.RangeStmt:
			err = rw.checkRange(n)
		case *ast.CallExpr:
			rw.guardCallback(n)
		}
		return true
	})
	if err != nil {
		return err
	}
	for _, b := range bodies {
		b.List = append(depthGuard(b.Lbrace), b.List...)
	}
	// After the depth guards, so that the recover guard is deferred first
	// and runs last, catching a depth error too.
	for _, g := range gos {
		rw.guardGo(g)
	}
	return nil
}

// guardGo makes the goroutine of a go statement recover from panics. A
// function literal gets a recover guard in its body; any other function is
// started through the GoCall helper, which recovers in compiled code. The
// arguments are still evaluated by the go statement, at the time it runs,
// which matters with yaegi's pre-Go 1.22 loop variables. (Wrapping the call
// in a closure would not do: yaegi evaluates the function expression of a
// go statement in the new goroutine.)
func (rw *rewriter) guardGo(g *ast.GoStmt) {
	pos := g.Go
	call := g.Call
	switch fun := call.Fun.(type) {
	case *ast.FuncLit:
		fun.Body.List = append([]ast.Stmt{recoverGuard(pos)}, fun.Body.List...)
		return
	case *ast.Ident:
		if builtinFuncs[fun.Name] && fun.Obj == nil {
			// A builtin is not a value: wrap the call, arguments included.
			body := &ast.BlockStmt{Lbrace: pos, Rbrace: pos, List: []ast.Stmt{
				recoverGuard(pos), &ast.ExprStmt{X: call},
			}}
			lit := &ast.FuncLit{Type: &ast.FuncType{Func: pos, Params: &ast.FieldList{}}, Body: body}
			g.Call = callExpr(lit, pos)
			return
		}
	}
	name := "GoCall"
	if call.Ellipsis.IsValid() {
		name = "GoCallSlice"
	}
	g.Call = callExpr(helperFunc(name, pos), pos, append([]ast.Expr{call.Fun}, call.Args...)...)
}

// guardCallback wraps the callback of time.AfterFunc and context.AfterFunc
// in the Guard helper.
func (rw *rewriter) guardCallback(c *ast.CallExpr) {
	sel, ok := c.Fun.(*ast.SelectorExpr)
	if !ok {
		return
	}
	x, ok := sel.X.(*ast.Ident)
	if !ok || x.Obj != nil {
		return
	}
	p, ok := rw.pkgPath(x.Name)
	if !ok {
		return
	}
	i, ok := asyncCallbacks[p][sel.Sel.Name]
	if !ok || i >= len(c.Args) {
		return
	}
	c.Args[i] = callExpr(helperFunc("Guard", c.Args[i].Pos()), c.Args[i].Pos(), c.Args[i])
}

// checkRange rejects range over an integer or a function where that is
// visible from the syntax: yaegi v0.16.1 supports neither, and its compiler
// panics on them after writing "nil type" to the host's standard logger.
func (rw *rewriter) checkRange(r *ast.RangeStmt) error {
	x := ast.Unparen(r.X)
	if isIntExpr(x) {
		return fmt.Errorf("%s: range over an integer is not supported by the interpreter (yaegi); use for i := 0; i < n; i++", positionOf(rw.fset, r.X.Pos()))
	}
	if _, ok := x.(*ast.FuncLit); ok {
		return fmt.Errorf("%s: range over a function is not supported by the interpreter (yaegi)", positionOf(rw.fset, r.X.Pos()))
	}
	return nil
}

// isIntExpr reports whether x is visibly an integer: a literal, len or cap
// of something, or arithmetic on those.
func isIntExpr(x ast.Expr) bool {
	switch x := ast.Unparen(x).(type) {
	case *ast.BasicLit:
		return x.Kind == token.INT
	case *ast.CallExpr:
		f, ok := x.Fun.(*ast.Ident)
		return ok && f.Obj == nil && (f.Name == "len" || f.Name == "cap")
	case *ast.BinaryExpr:
		switch x.Op {
		case token.ADD, token.SUB, token.MUL, token.QUO, token.REM, token.SHL, token.SHR, token.AND, token.OR, token.XOR:
			return isIntExpr(x.X) || isIntExpr(x.Y)
		}
	case *ast.UnaryExpr:
		return x.Op == token.SUB && isIntExpr(x.X)
	}
	return false
}

// checkTopLevel rejects statements that yaegi mishandles in the global
// block, where the REPL runs them.
func checkTopLevel(fset *token.FileSet, stmts []ast.Stmt) error {
	for _, s := range stmts {
		for {
			l, ok := s.(*ast.LabeledStmt)
			if !ok {
				break
			}
			s = l.Stmt
		}
		switch s := s.(type) {
		case *ast.DeferStmt:
			// The global frame keeps its deferred calls forever and runs
			// them again after every later input.
			return fmt.Errorf("%s: defer is only supported inside a function", positionOf(fset, s.Pos()))
		case *ast.ReturnStmt:
			return fmt.Errorf("%s: return is only allowed inside a function", positionOf(fset, s.Pos()))
		}
	}
	return nil
}

// withChecks interleaves Check(id) calls with top-level statements: a
// statement abandoned inside a blocking call may resume once the call
// returns, after later inputs have reset yaegi's run state, and the check
// stops the rest of its input from running then.
func withChecks(stmts []ast.Stmt, id int64, pos token.Pos) []ast.Stmt {
	out := make([]ast.Stmt, 0, 2*len(stmts)+1)
	for _, s := range stmts {
		out = append(out, checkStmt(id, s.Pos()), s)
	}
	if len(out) == 0 {
		out = append(out, checkStmt(id, pos))
	}
	return out
}

func checkStmt(id int64, pos token.Pos) ast.Stmt {
	return helperCall("Check", pos, &ast.BasicLit{ValuePos: pos, Kind: token.INT, Value: fmt.Sprint(id)})
}

// declaredNames lists the names a group declares in the global scope.
func declaredNames(g group) []string {
	var names []string
	addSpecs := func(d *ast.GenDecl) {
		for _, s := range d.Specs {
			switch s := s.(type) {
			case *ast.TypeSpec:
				names = append(names, s.Name.Name)
			case *ast.ValueSpec:
				for _, n := range s.Names {
					names = append(names, n.Name)
				}
			}
		}
	}
	if g.file != nil {
		for _, d := range g.file.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				if d.Recv == nil {
					names = append(names, d.Name.Name)
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
						names = append(names, id.Name)
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
func packageRefs(root ast.Node) []string {
	var refs []string
	seen := map[string]bool{}
	ast.Inspect(root, func(n ast.Node) bool {
		sel, ok := n.(*ast.SelectorExpr)
		if !ok {
			return true
		}
		if x, ok := sel.X.(*ast.Ident); ok && x.Obj == nil && !seen[x.Name] {
			seen[x.Name] = true
			refs = append(refs, x.Name)
		}
		return true
	})
	return refs
}

var errStale = errors.New("manhole: stale evaluation")
