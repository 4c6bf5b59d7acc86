package interp

import (
	"context"
	"errors"
	"fmt"
	"go/ast"
	"go/token"
	"path"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	yaegi "github.com/traefik/yaegi/interp"
)

const (
	// maxCallDepth bounds nested interpreted calls. A yaegi call uses
	// about 700 bytes of Go stack, so the limit keeps a runaway recursion
	// near 8 MB of stack, far below Go's fatal 1 GB. It is also kept low
	// because a panic unwinding N interpreted frames costs O(N²) in Go's
	// runtime (about 5 s at 10000 frames).
	maxCallDepth = 10000

	// parkedDepth is what the depth limit allows for each goroutine the
	// session runs. A compiled helper cannot tell which goroutine calls
	// it (Go has no goroutine-local state), so the count is of all the
	// session's goroutines together; goroutines parked in a few calls
	// (a worker in its loop, a select {}) must not make a recursion in
	// another one overflow. One goroutine may then nest up to
	// maxCallDepth + parkedDepth*maxGoroutines calls (42000, about 80 MB
	// of stack at most), still far below Go's fatal 1 GB.
	parkedDepth = 32

	// abandonGrace is how long Eval waits, after stopping yaegi, for the
	// evaluation to notice. Interpreted code stops at its next step; only
	// a call into compiled code that does not return takes longer.
	abandonGrace = 50 * time.Millisecond
)

// run is one evaluation.
//
// yaegi stops interpreted code only from ExecuteWithContext, which runs the
// program on a goroutine of its own and returns when the context is done,
// without saying whether that goroutine finished. To know whether the
// user's code stopped or is stuck in a call, the user's code does not run
// there: ExecuteWithContext runs the tiny runner program `__mh.Run()`, whose
// Run starts the user's code on a goroutine that manhole owns, and blocks
// until that code is done or the run is cancelled. Cancelling the context
// then makes yaegi stop every frame of the interpreter, the user's
// included, and manhole knows exactly when the user's goroutine returns.
//
// After a cancellation, yaegi's goroutine would finish its Execute
// unsynchronized with whatever the session evaluates next (a data race in
// yaegi's frame); so it stays parked in Run until Close instead.
type run struct {
	id       int64
	groups   []group
	stopOnly bool // see (*Interp).stopGen
	cancel   context.CancelFunc

	claimed  atomic.Bool  // Run has taken this run
	state    atomic.Int32 // running, finished or cancelled
	overflow atomic.Bool  // the depth limit cancelled the run

	gen      *generation   // the interpreter it runs in
	done     chan struct{} // yaegi's channel for the run; see runDone
	started  chan struct{} // Run started the user's goroutine
	userDone chan struct{} // the user's goroutine returned
	execDone chan struct{} // ExecuteWithContext returned
	release  chan struct{} // Run may return: the run finished normally

	// Written by the user's goroutine before userDone is closed.
	res      Result
	err      error
	compiled bool // the current group compiled (see declare)

	shownMu sync.Mutex // Show may be called from any goroutine
	shown   []any
	showed  bool
	// shownType is the session type the shown expression is known to
	// have, "" if none is (see prepareShown).
	shownType string
}

// Run states. A run leaves running once, for finished (by Eval, when the
// user's code returned) or cancelled (by Eval or the depth limit).
const (
	running int32 = iota
	finished
	cancelled
)

// Eval evaluates one complete input: statements, declarations and
// expressions, possibly several lines of them. If the input ends in an
// expression with a value, Result holds the formatted value.
//
// When ctx is done, the evaluation is stopped and the error wraps
// ctx.Err(): it reads "interrupted" or "timed out". If the code was inside
// a call to compiled code that did not return, Eval still returns at once
// and the error says the call was abandoned; it keeps running. Stopping an
// evaluation also stops the goroutines the session's code started before
// (yaegi issue 1686); other Interps are not affected.
func (in *Interp) Eval(ctx context.Context, src string) (Result, error) {
	res, _, err := in.eval(ctx, src)
	return res, err
}

// eval is Eval that also returns the values of the trailing expression,
// for TypeOf and Methods.
func (in *Interp) eval(ctx context.Context, src string) (res Result, vals []any, err error) {
	in.evalMu.Lock()
	defer in.evalMu.Unlock()
	if in.closed.Load() {
		return Result{}, nil, ErrClosed
	}
	if in.broken.Load() {
		return Result{}, nil, errBroken
	}
	if err := ctx.Err(); err != nil {
		return Result{}, nil, &interruptedError{cause: err}
	}
	in.maybeRecycle()
	gen := in.gen
	gen.evals++
	groups, err := parseInput(gen.yi.FileSet(), src)
	if err != nil || len(groups) == 0 {
		return Result{}, nil, err
	}

	in.seq++
	r := &run{
		gen:      gen,
		id:       in.seq,
		groups:   groups,
		started:  make(chan struct{}),
		userDone: make(chan struct{}),
		execDone: make(chan struct{}),
		release:  make(chan struct{}),
	}
	yctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	r.cancel = cancel
	in.setCurrent(r)
	defer in.setCurrent(nil)

	go func() {
		defer close(r.execDone)
		_, _ = gen.yi.ExecuteWithContext(yctx, gen.runner)
		if r.claimed.CompareAndSwap(false, true) {
			// Run never ran (it cannot be cancelled before it starts);
			// do not leave Eval waiting.
			r.err = errors.New("internal error: the evaluation did not start")
			close(r.userDone)
			close(r.started)
		}
	}()
	// Cancellation waits for the start: a stop before Run could let the
	// runner claim a later run.
	<-r.started

	var cause error
	select {
	case <-r.userDone:
	case <-ctx.Done():
		cause = ctx.Err()
	case <-in.closing:
		cause = ErrClosed
	}
	if cause == nil && r.state.CompareAndSwap(running, finished) {
		close(r.release)
		<-r.execDone
		if r.done != nil {
			gen.dones = append(gen.dones, r.done)
		}
		r.shownMu.Lock()
		vals = r.shown
		r.shownMu.Unlock()
		return r.res, vals, r.err
	}
	if r.state.CompareAndSwap(running, cancelled) {
		in.stops.Add(1)
		cancel()
	}
	<-r.execDone
	// yaegi closed this run's channel and bumped its run id; the channels
	// of earlier runs wake the goroutines they started.
	in.wakeGoroutines(gen)
	t := time.NewTimer(abandonGrace)
	defer t.Stop()
	select {
	case <-r.userDone:
		if cause == nil { // the depth limit stopped the run
			return Result{}, nil, r.err
		}
		in.stopRetired()
		return Result{}, nil, &interruptedError{cause: cause}
	case <-t.C:
		in.mu.Lock()
		in.abandoned = r
		in.mu.Unlock()
		if in.compiling.Load() {
			// yaegi's compiler has no lock: compiling later inputs next
			// to this one could corrupt its maps and crash the host.
			in.broken.Store(true)
		}
		if cause == nil {
			return Result{}, nil, depthError{}
		}
		in.stopRetired()
		return Result{}, nil, &interruptedError{cause: cause, abandoned: true}
	}
}

// execute runs on the user's goroutine: it compiles and runs the groups of
// the input in order, under a recover of its own besides yaegi's.
func (in *Interp) execute(r *run) {
	finished := false
	defer func() {
		if rec := recover(); rec != nil {
			r.err = &panicError{value: rec, at: hostFrame(callers())}
		} else if !finished {
			r.err = errors.New("runtime.Goexit stopped the evaluation")
		}
		if r.overflow.Load() {
			r.res, r.err = Result{}, depthError{}
		}
		close(r.userDone)
	}()
	for _, g := range r.groups {
		if r.state.Load() == cancelled {
			break
		}
		units := in.journalUnits(in.gen.yi.FileSet(), g)
		for _, u := range units {
			u.input = r.id
		}
		r.compiled = false
		// Only the input's last group may leave a value: f(); type T
		// struct{}; fmt.Println() shows no result of f.
		r.res = Result{}
		if err := in.waiting(g); err != nil {
			r.err = err
			break
		}
		joined, restore, err := in.join(g)
		if err != nil {
			r.err = err
			break
		}
		if joined.file != g.file {
			g = joined
			units = in.journalUnits(in.gen.yi.FileSet(), g)
			for _, u := range units {
				u.input = r.id
			}
		}
		if missing, at := in.undeclared(g); missing != "" {
			if err := in.wait(g, missing, at); err != nil {
				r.err = err
				break
			}
			continue
		}
		if err := in.runGroup(r, g, units); err != nil {
			r.err = err
			if r.compiled && r.state.Load() != cancelled {
				// A panic after a declaration ran: the names exist. (Not
				// after a cancel, the depth limit's too: Eval may have
				// abandoned the run, and the next input own the books.)
				in.record(g, units)
			}
			if len(restore) > 0 && !r.compiled {
				// The waiting declarations joined with it did not
				// compile with it: they wait again.
				in.pending = append(in.pending, restore...)
			}
			break
		}
		if r.state.Load() == cancelled {
			// Abandoned (a native call that did not return in time) and
			// now back: the session's next input may be running, and the
			// bookkeeping is its own.
			break
		}
		in.record(g, units)
		if len(in.pending) > 0 {
			in.declarePending(r)
		}
	}
	finished = true
}

// record notes what a group that ran declared, for the checks, the
// rewrites and the automatic imports of later inputs, and for replay.
func (in *Interp) record(g group, units []*declUnit) {
	in.journal = append(in.journal, units...)
	for _, u := range units {
		in.dropPending(u.names)
	}
	for _, id := range declaredNames(g) {
		in.declared[id.Name] = true
		in.types[id.Name] = id.Obj != nil && id.Obj.Kind == ast.Typ
		in.consts[id.Name] = id.Obj != nil && id.Obj.Kind == ast.Con
		delete(in.aliases, id.Name)
		delete(in.typeKinds, id.Name)
		delete(in.funcResults, id.Name)
	}
	in.registerTypes(g)
	if g.file == nil {
		in.noteTaint(g.stmts)
		return
	}
	var vars []ast.Stmt
	for _, d := range g.file.Decls {
		if gd, ok := d.(*ast.GenDecl); ok && gd.Tok == token.VAR {
			vars = append(vars, &ast.DeclStmt{Decl: gd})
		}
	}
	in.noteTaint(vars)
	inf := &inferer{in: in}
	for _, d := range g.file.Decls {
		switch d := d.(type) {
		case *ast.FuncDecl:
			if d.Recv == nil {
				in.funcResults[d.Name.Name] = d.Type
			} else if len(d.Recv.List) == 1 {
				key := recvTypeName(d.Recv.List[0].Type) + "." + d.Name.Name
				in.funcResults[key] = d.Type
				_, ptr := d.Recv.List[0].Type.(*ast.StarExpr)
				in.valueRecv[key] = !ptr
			}
		case *ast.GenDecl:
			for _, s := range d.Specs {
				if ts, ok := s.(*ast.TypeSpec); ok {
					if ts.Assign.IsValid() {
						in.aliases[ts.Name.Name] = typeRefs(ts.Type)
					}
					if t := inf.typeExprType(ts.Type); t.kind != reflect.Invalid && ts.TypeParams == nil {
						in.typeKinds[ts.Name.Name] = t.kind
					}
				}
			}
		}
	}
}

func (in *Interp) runGroup(r *run, g group, units []*declUnit) error {
	fset := in.gen.yi.FileSet()
	rw := in.newRewriter(fset)
	md := in.newModernizer(fset)
	if err := checkMain(fset, g); err != nil {
		return err
	}
	var root ast.Node = g.file
	if g.file == nil {
		root = &ast.BlockStmt{List: g.stmts}
	}
	if err := checkDepth(fset, root); err != nil {
		return err
	}
	if err := in.checkTypes(fset, root); err != nil {
		return err
	}
	if err := in.checkAliases(fset, root); err != nil {
		return err
	}
	if err := in.checkUnexported(fset, root); err != nil {
		return err
	}
	if err := checkInstantiations(fset, root); err != nil {
		return err
	}
	in.noteRefs(units, root)
	switch g.kind {
	case importGroup:
		return in.runImports(g.file)
	case declGroup:
		vars, err := md.file(g.file)
		if err != nil {
			return err
		}
		block := &ast.BlockStmt{List: vars}
		if len(vars) > 0 {
			block.Lbrace = vars[0].Pos()
		}
		if err := in.prepare(rw, g.file, block); err != nil {
			return err
		}
		if len(g.file.Decls) > 0 {
			if err := in.declare(r, g.file); err != nil {
				stmts, ok := asStatements(g.file.Decls)
				if !ok || !strings.HasSuffix(err.Error(), "variable definition loop") {
					return err
				}
				// yaegi's answer to a package-level variable whose value
				// uses a variable of an earlier input (var q = s + "x").
				// The same declarations compile as statements of the
				// global block, which declare globals as well.
				block.List = append(stmts, block.List...)
				block.Lbrace = stmts[0].Pos()
			}
		}
		if len(block.List) == 0 {
			return nil
		}
		block.List = topLevel(block.List, r.id)
		return in.declare(r, block)
	case stmtGroup:
		if err := checkTopLevel(fset, g.stmts); err != nil {
			return err
		}
		// yaegi scopes imports by the file name at the root's position.
		block := &ast.BlockStmt{Lbrace: g.stmts[0].Pos(), List: g.stmts}
		var err error
		if block.List, err = md.stmts(block.List, true); err != nil {
			return err
		}
		if err := in.prepare(rw, block); err != nil {
			return err
		}
		block.List = topLevel(block.List, r.id)
		return in.declare(r, block)
	}

	// exprGroup: compile Show(expr) to capture the values; if that does not
	// compile, the expression has no value (a call without results) or is
	// wrong, which compiling it alone tells.
	stmt := g.stmts[0].(*ast.ExprStmt)
	host := in.hostRooted(stmt.X)
	r.shownType = in.shownTypeName(stmt.X)
	list, err := md.stmts([]ast.Stmt{stmt}, false)
	if err != nil {
		return err
	}
	if err := in.prepare(rw, &ast.BlockStmt{List: list}); err != nil {
		return err
	}
	pre, last := list[:len(list)-1], list[len(list)-1].(*ast.ExprStmt)
	pos := stmt.Pos()
	// In a closure, like other top-level statements (see topLevel).
	inner := func(s ast.Stmt) []ast.Stmt {
		return append(append([]ast.Stmt{checkStmt(r.id, pos)}, pre...), s)
	}
	shown := helperCall("Show", pos, last.X)
	if isGuardedCall(last.X) {
		// x.Unlock() became __mh.Unlock(...), which returns the method's
		// results as a slice.
		shown.(*ast.ExprStmt).X.(*ast.CallExpr).Ellipsis = pos
	}
	show := &ast.BlockStmt{Lbrace: pos, List: []ast.Stmt{
		inClosure(inner(shown)),
		checkStmt(r.id, stmt.End()),
	}}
	prog, err := in.compile(show)
	if err != nil {
		prog, err = in.compile(&ast.BlockStmt{Lbrace: pos, List: []ast.Stmt{
			inClosure(inner(last)),
			checkStmt(r.id, stmt.End()),
		}})
	}
	if err != nil || prog == nil {
		return err
	}
	if err := in.execRun(r, prog); err != nil {
		return err
	}
	r.shownMu.Lock()
	vals, showed := r.shown, r.showed
	r.shownMu.Unlock()
	if showed && !(in.isPrint(last.X) && len(vals) == 2 && vals[1] == nil) {
		r.res = Result{Value: in.formatValues(vals, host), HasValue: true}
	}
	return nil
}

// asStatements turns declarations into statements, if they can all be
// (var, const and type declarations, not functions) and mean the same
// there: statements run in source order, so no value may use a name
// declared further on in the input (Go orders a file's variables by their
// dependencies; var a = b + 1; var b = 2 would read b as 0).
func asStatements(decls []ast.Decl) ([]ast.Stmt, bool) {
	var stmts []ast.Stmt
	for _, d := range decls {
		gd, ok := d.(*ast.GenDecl)
		if !ok || gd.Tok == token.IMPORT {
			return nil, false
		}
		stmts = append(stmts, &ast.DeclStmt{Decl: gd})
	}
	// The input's own top-level specs, in order.
	index := map[ast.Spec]int{}
	for _, d := range decls {
		for _, sp := range d.(*ast.GenDecl).Specs {
			index[sp] = len(index)
		}
	}
	forward := false
	for _, d := range decls {
		for _, sp := range d.(*ast.GenDecl).Specs {
			here := index[sp]
			ast.Inspect(sp, func(n ast.Node) bool {
				if id, ok := n.(*ast.Ident); ok && id.Obj != nil {
					if decl, ok := id.Obj.Decl.(ast.Spec); ok {
						if at, top := index[decl]; top && at > here {
							forward = true
						}
					}
				}
				return !forward
			})
		}
	}
	return stmts, len(stmts) > 0 && !forward
}

// printFuncs are the fmt functions whose results (n int, err error) are not
// printed unless err is set: `fmt.Println(x)` should not answer "2, nil".
var printFuncs = map[string]bool{
	"Print": true, "Printf": true, "Println": true,
	"Fprint": true, "Fprintf": true, "Fprintln": true,
}

func (in *Interp) isPrint(x ast.Expr) bool {
	c, ok := x.(*ast.CallExpr)
	if !ok {
		return false
	}
	sel, ok := c.Fun.(*ast.SelectorExpr)
	if !ok || !printFuncs[sel.Sel.Name] {
		return false
	}
	pkg, ok := sel.X.(*ast.Ident)
	return ok && pkg.Obj == nil && in.imported[pkg.Name] == "fmt"
}

// declare compiles and runs a group's declarations or statements. Once
// they compiled, yaegi has declared their names, even if running them
// fails: the run notes it, for record.
func (in *Interp) declare(r *run, n ast.Node) error {
	prog, err := in.compile(n)
	if err != nil || prog == nil {
		return err
	}
	r.compiled = true
	return in.execRun(r, prog)
}

// execRun runs a program of r's, unless r was cancelled meanwhile: an
// evaluation abandoned while it compiled must not start a program, whose
// first step resizes yaegi's global frame, once Close has let the parked
// goroutines of earlier runs read it.
func (in *Interp) execRun(r *run, prog *yaegi.Program) error {
	if r.state.Load() == cancelled {
		return errors.New("the evaluation was cancelled")
	}
	return in.exec(prog)
}

func (in *Interp) compileAndExec(n ast.Node) error {
	prog, err := in.compile(n)
	if err != nil || prog == nil {
		return err
	}
	return in.exec(prog)
}

// compile compiles n, turning a panic of yaegi's compiler into an error:
// yaegi panics on some constructs it does not support.
func (in *Interp) compile(n ast.Node) (prog *yaegi.Program, err error) {
	in.compiling.Store(true)
	defer func() {
		in.compiling.Store(false)
		if rec := recover(); rec != nil {
			prog, err = nil, compilePanic(in.gen.yi.FileSet(), n, rec)
		}
	}()
	prog, err = in.gen.yi.CompileAST(n)
	if err != nil {
		return nil, in.goMessage(n, in.explain(n, compileError(err)))
	}
	return prog, nil
}

// explain replaces yaegi's "constant definition loop", its answer to an
// undefined name in a global definition (`y := undefinedVar`), with the
// undefined name when one can be found.
func (in *Interp) explain(n ast.Node, err error) error {
	if !strings.HasSuffix(err.Error(), "constant definition loop") {
		return err
	}
	var undefined *ast.Ident
	references(n, func(id *ast.Ident, tparams map[string]bool) bool {
		if in.unknown(id) && !tparams[id.Name] {
			undefined = id
		}
		return undefined == nil
	})
	if undefined == nil {
		return err
	}
	return fmt.Errorf("%s: undefined: %s", positionOf(in.gen.yi.FileSet(), undefined.Pos()), undefined.Name)
}

// references calls fn for the identifiers under root that refer to
// something, until fn returns false: not the name of a selector (a field
// or a method), an identifier key of a composite literal (maybe a field
// name, which the parser never resolves) or a method's name; tparams are
// the receiver type parameters of the method being visited, which the
// parser does not resolve either.
func references(root ast.Node, fn func(id *ast.Ident, tparams map[string]bool) bool) {
	var tparams map[string]bool
	more := true
	var visit func(ast.Node) bool
	visit = func(n ast.Node) bool {
		if !more {
			return false
		}
		switch n := n.(type) {
		case *ast.File:
			for _, d := range n.Decls {
				ast.Inspect(d, visit)
			}
			return false
		case *ast.FuncDecl:
			tparams = recvTypeParams(n)
			for _, c := range []ast.Node{n.Recv, n.Type, n.Body} {
				if c != nil && !reflect.ValueOf(c).IsNil() {
					ast.Inspect(c, visit)
				}
			}
			tparams = nil
			return false
		case *ast.SelectorExpr:
			ast.Inspect(n.X, visit)
			return false
		case *ast.KeyValueExpr:
			if _, isIdent := n.Key.(*ast.Ident); !isIdent {
				ast.Inspect(n.Key, visit)
			}
			ast.Inspect(n.Value, visit)
			return false
		case *ast.Ident:
			more = fn(n, tparams)
		}
		return more
	}
	ast.Inspect(root, visit)
}

// unknown reports whether id is resolved neither by the parser nor by
// anything manhole knows to be in scope.
func (in *Interp) unknown(id *ast.Ident) bool {
	if _, ok := in.mainTypes()[id.Name]; ok && in.unresolved(id) {
		return false // a type of the host's package main (see bareAppTypes)
	}
	return in.unresolved(id)
}

// unresolved is unknown without the host's types of package main.
func (in *Interp) unresolved(id *ast.Ident) bool {
	if id.Obj != nil || id.Name == "_" || predeclared[id.Name] || strings.HasPrefix(id.Name, helperName) {
		return false
	}
	if in.namespace[id.Name] || in.declared[id.Name] {
		return false
	}
	for p := range in.dotImports {
		if _, ok := in.pkgs.packages[in.pkgs.byPath[p]][id.Name]; ok {
			return false
		}
	}
	_, isPkg := in.pkgPath(id.Name)
	return !isPkg
}

func (in *Interp) exec(prog *yaegi.Program) error {
	if _, err := in.gen.yi.Execute(prog); err != nil {
		return execError(err)
	}
	return nil
}

// pkgPath tells which standard package an unresolved identifier refers to:
// one imported already, or the one an automatic import would bring.
func (in *Interp) pkgPath(name string) (string, bool) {
	if p, ok := in.imported[name]; ok {
		return p, true
	}
	if in.namespace[name] || in.declared[name] {
		return "", false
	}
	p, ok := in.pkgs.byName[name]
	return p, ok
}

// prepare runs the passes that make roots what yaegi compiles: the
// rewrites that need the session's state and import what the input uses
// (autoImport), the guards and fixes of the rewriter, then declares the
// helpers they call (ensureGenerics). Every route to the compiler goes
// through it.
func (in *Interp) prepare(rw *rewriter, roots ...ast.Node) error {
	for _, n := range roots {
		if err := in.autoImport(n); err != nil {
			return err
		}
		rw.rewrite(n)
	}
	return in.ensureGenerics()
}

// autoImport imports the standard packages that n refers to by name without
// an import declaration: fmt.Println works on its own.
func (in *Interp) autoImport(n ast.Node) error {
	var names []string
	src := "import ("
	in.bareAppTypes(n)
	in.hostCalls(n)
	if err := in.genericCalls(n); err != nil {
		return err
	}
	if err := in.errorValues(n); err != nil {
		return err
	}
	if err := in.valueChecks(n); err != nil {
		return err
	}
	for _, name := range packageRefs(n) {
		if _, done := in.imported[name]; done {
			continue
		}
		p, ok := in.pkgPath(name)
		if !ok {
			continue
		}
		if err := in.loadPackage(p); err != nil {
			return err
		}
		if isSourcePackage(p) {
			// Compiled from source, the package is already in scope.
			in.imported[name] = p
			continue
		}
		names = append(names, name)
		src += strconv.Quote(p) + ";"
	}
	if len(names) == 0 {
		return nil
	}
	if err := in.compileAndRun(src + ")"); err != nil {
		return err
	}
	for _, name := range names {
		in.imported[name] = in.pkgs.byName[name]
	}
	return nil
}

// runImports runs the user's own import declarations, leaving out packages
// already imported under the same name (yaegi rejects a second import) and
// refusing anything but the standard library (yaegi would look for its
// source on disk).
func (in *Interp) runImports(f *ast.File) error {
	fset := in.gen.yi.FileSet()
	type named struct{ name, path string }
	var added []named
	var dots []string
	var decls []ast.Decl
	seen := map[string]string{}
	for _, d := range f.Decls {
		gd, ok := d.(*ast.GenDecl)
		if !ok || gd.Tok != token.IMPORT {
			decls = append(decls, d)
			continue
		}
		var specs []ast.Spec
		for _, s := range gd.Specs {
			spec := s.(*ast.ImportSpec)
			p, err := strconv.Unquote(spec.Path.Value)
			if err != nil {
				return fmt.Errorf("%s: invalid import path %s", positionOf(fset, spec.Path.Pos()), spec.Path.Value)
			}
			key, ok := in.pkgs.byPath[p]
			if !ok {
				return fmt.Errorf("%s: package %q is not available in the manhole (not in its symbol table: see Options.Symbols)", positionOf(fset, spec.Path.Pos()), p)
			}
			name := path.Base(key)
			if spec.Name != nil {
				name = spec.Name.Name
			}
			if in.imported[name] == p || seen[name] == p {
				continue
			}
			seen[name] = p
			if err := in.loadPackage(p); err != nil {
				return err
			}
			if isSourcePackage(p) && spec.Name == nil {
				in.imported[name] = p
				continue
			}
			specs = append(specs, spec)
			switch name {
			case ".":
				dots = append(dots, p)
			case "_":
			default:
				added = append(added, named{name, p})
			}
		}
		if len(specs) > 0 {
			gd.Specs = specs
			decls = append(decls, gd)
		}
	}
	if len(decls) == 0 {
		return nil
	}
	f.Decls = decls
	if err := in.compileAndExec(f); err != nil {
		return err
	}
	for _, a := range added {
		in.imported[a.name] = a.path
	}
	for _, p := range dots {
		in.dotImports[p] = true
	}
	return nil
}

// runUser is the runner program's only call; see run.
func (in *Interp) runUser() {
	r := in.current()
	if r == nil {
		return
	}
	if r.stopOnly {
		if r.claimed.CompareAndSwap(false, true) {
			close(r.started) // stopGen may cancel now
		}
		<-in.unpark
		return
	}
	if !r.claimed.CompareAndSwap(false, true) {
		return
	}
	r.done = runDone(r.gen.yi)
	go in.execute(r)
	close(r.started)
	select {
	case <-r.userDone:
	case <-r.execDone:
	}
	select {
	case <-r.release:
	case <-in.unpark:
	}
}

// check stops what remains of an input whose evaluation was cancelled or
// abandoned; see topLevel.
func (in *Interp) check(id int64) {
	r := in.current()
	if r == nil || r.id != id || r.state.Load() == cancelled {
		panic(errStale)
	}
}

func (in *Interp) show(vals ...any) {
	if r := in.current(); r != nil {
		vals = in.prepareShown(vals, r.shownType)
		r.shownMu.Lock()
		// No values: a guarded call (see isGuardedCall) of a method
		// without results.
		r.shown, r.showed = vals, len(vals) > 0
		r.shownMu.Unlock()
	}
}

// enter counts an interpreted call. Past the limit it stops the running
// evaluation the way a cancellation does, so that the frames return one by
// one instead of unwinding a panic through all of them (see maxCallDepth);
// with no evaluation running (a goroutine), it panics.
func (in *Interp) enter() {
	if d := in.depth.Add(1); d <= maxCallDepth || d <= maxCallDepth+parkedDepth*in.goroutines.Load() {
		return
	}
	if r := in.current(); r != nil && !r.stopOnly {
		if r.state.CompareAndSwap(running, cancelled) {
			r.overflow.Store(true)
			in.stops.Add(1)
			r.cancel()
		}
		if r.state.Load() == cancelled {
			// Return only once yaegi has stopped, so that the caller's
			// frame returns instead of calling deeper. The deferred leave
			// balances the count.
			<-r.execDone
			return
		}
	}
	in.depth.Add(-1)
	panic(depthError{}.Error())
}

func (in *Interp) leave() { in.depth.Add(-1) }

func (in *Interp) goPanic(v any) {
	if v == errStale {
		return // a goroutine stopped in park
	}
	msg := formatPanicValue(v)
	if at := hostFrame(callers()); at != "" {
		msg += " (in " + at + ")"
	}
	fmt.Fprintf(in.stderr, "panic in goroutine: %s\n", msg)
}

// callers is runtime.Callers from its caller's caller: called in a
// deferred function while a panic unwinds, it holds where it started.
func callers() []uintptr {
	pc := make([]uintptr, 64)
	return pc[:runtime.Callers(2, pc)]
}

func (in *Interp) recoverGoroutine() {
	if rec := recover(); rec != nil && rec != errStale {
		in.goPanic(rec)
	}
}

// park is `select {}` of evaluated code: it blocks until the session's
// evaluations are interrupted or it closes, and then stops the goroutine
// (or the evaluation) as yaegi's cancellation does.
func (in *Interp) park() {
	in.mu.Lock()
	wake := in.wake
	in.mu.Unlock()
	select {
	case <-wake:
	case <-in.closing:
	}
	panic(errStale)
}

// maxGoroutines bounds the goroutines one Interp's code runs at once: a
// loop of go statements would otherwise grow the host without limit
// (each parked goroutine holds its stack and yaegi's frames). Pending
// AfterFunc timers count too. maxProcessGoroutines bounds those of all
// Interps of the process together, including the ones ended sessions
// left blocked in compiled code, which nothing can stop.
const (
	maxGoroutines        = 1000
	maxProcessGoroutines = 10000
)

// processGoroutines counts the goroutines and pending timers of every
// Interp of the process.
var processGoroutines atomic.Int64

// reserve counts one more goroutine or timer of in's, or panics with why
// it may not.
func (in *Interp) reserve() {
	if n := processGoroutines.Add(1); n > maxProcessGoroutines {
		processGoroutines.Add(-1)
		panic(fmt.Sprintf("too many goroutines: the manhole's sessions run at most %d in the process (those ended sessions left blocked in compiled code count; see :sessions)", maxProcessGoroutines))
	}
	if n := in.goroutines.Add(1); n > maxGoroutines {
		in.goroutines.Add(-1)
		processGoroutines.Add(-1)
		panic(fmt.Sprintf("too many goroutines: a session runs at most %d at once (pending time.AfterFunc timers count)", maxGoroutines))
	}
}

func (in *Interp) release() {
	in.goroutines.Add(-1)
	processGoroutines.Add(-1)
}

// goStart returns __mh.Go, which every go statement of evaluated code
// becomes (see rewriter.goStmt): it starts f on a goroutine that recovers
// a panic in compiled code, where no state of yaegi's can skip the
// recover, and counts it for the limit, for :sessions and for a recycle.
func (in *Interp) goStart(gen *generation) func(f func()) {
	return func(f func()) {
		if in.closed.Load() {
			return
		}
		stops := in.stops.Load()
		in.reserve()
		gen.live.Add(1)
		go func() {
			defer func() {
				gen.live.Add(-1)
				in.release()
			}()
			defer in.recoverGoroutine()
			if in.stops.Load() != stops {
				// Stopped before it started: yaegi would return at
				// once, through the write-back exitGuard avoids.
				return
			}
			f()
		}()
	}
}

// callback wraps a function of evaluated code that compiled code runs on
// a goroutine of its own (time.AfterFunc, context.AfterFunc): it recovers
// a panic, and does nothing once the Interp is closed.
func (in *Interp) callback(f func()) func() {
	if f == nil {
		// The timer's goroutine would call nil and end the host.
		panic("nil func for a callback")
	}
	return func() {
		if in.closed.Load() {
			return
		}
		in.goroutines.Add(1)
		processGoroutines.Add(1)
		defer in.release()
		defer in.recoverGoroutine()
		f()
	}
}

// afterFunc is time.AfterFunc for evaluated code: the callback is
// contained, and a timer still pending when the Interp closes is stopped.
func (in *Interp) afterFunc(d time.Duration, f func()) *time.Timer {
	cb := in.callback(f)
	// A pending timer counts as a goroutine: a loop of AfterFunc would
	// otherwise start any number of them when they fire.
	in.reserve()
	in.timersMu.Lock()
	defer in.timersMu.Unlock()
	if in.timers == nil {
		in.timers = map[*time.Timer]bool{}
	}
	var t *time.Timer
	t = time.AfterFunc(d, func() {
		in.timersMu.Lock()
		pending := in.timers[t]
		delete(in.timers, t)
		in.timersMu.Unlock()
		if pending {
			in.release()
		}
		cb()
	})
	in.timers[t] = true
	return t
}

// stopTimers stops the timers of afterFunc that have not fired.
func (in *Interp) stopTimers() {
	in.timersMu.Lock()
	defer in.timersMu.Unlock()
	for t := range in.timers {
		// In the map, it has not fired (the firing takes it out under
		// the lock); stopped or not by the session, it counted.
		t.Stop()
		in.release()
	}
	in.timers = nil
}

// Goroutines returns how many goroutines the Interp's code is running:
// those its go statements started and callbacks running now.
func (in *Interp) Goroutines() int { return int(in.goroutines.Load()) }
