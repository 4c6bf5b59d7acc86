package interp

import (
	"errors"
	"fmt"
	"go/ast"
	"go/token"
	"path"
	"reflect"
	"slices"
	"strconv"
	"strings"

	yaegi "github.com/traefik/yaegi/interp"
)

// record notes what a group that ran declared, for the checks, the
// rewrites and the automatic imports of later inputs, and for replay.
func (in *Interp) record(g group, units []*declUnit) {
	in.journal = append(in.journal, units...)
	for _, u := range units {
		in.dropPending(u.names)
	}
	for _, id := range declaredNames(g) {
		in.declared[id.Name] = true
		in.types[id.Name] = g.res[id] != nil && g.res[id].kind == typeObj
		in.consts[id.Name] = g.res[id] != nil && g.res[id].kind == constObj
		delete(in.aliases, id.Name)
		delete(in.typeKinds, id.Name)
		delete(in.declTypes, id.Name)
		in.keepSignature(id.Name, nil, nil)
	}
	in.registerTypes(g)
	if g.file == nil {
		in.noteTaint(g.stmts)
		in.noteDeclTypes(g)
		return
	}
	var vars []ast.Stmt
	for _, d := range g.file.Decls {
		if gd, ok := d.(*ast.GenDecl); ok && gd.Tok == token.VAR {
			vars = append(vars, &ast.DeclStmt{Decl: gd})
		}
	}
	in.noteTaint(vars)
	inf := &inferer{s: in}
	for _, d := range g.file.Decls {
		switch d := d.(type) {
		case *ast.FuncDecl:
			if d.Recv == nil {
				in.keepSignature(d.Name.Name, d.Type, g.res)
			} else if len(d.Recv.List) == 1 {
				key := recvTypeName(d.Recv.List[0].Type) + "." + d.Name.Name
				in.keepSignature(key, d.Type, g.res)
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
	in.noteDeclTypes(g)
}

// noteDeclTypes keeps the session type that each variable and constant
// g declares is declared with, where it is known: yaegi's value of a
// session type whose underlying type is a basic type (type State int) is
// of that basic type, and only the declaration tells that printing it
// calls State's String method (see prepareShown). A constant without a
// type or value in a const block has the previous one's (Go's implicit
// repetition: const ( Idle State = iota; Running )).
func (in *Interp) noteDeclTypes(g group) {
	inf := &inferer{s: in}
	note := func(d *ast.GenDecl) {
		var prevType ast.Expr   // of the previous constants of a block
		var prevVals []ast.Expr // their values
		for _, s := range d.Specs {
			vs, ok := s.(*ast.ValueSpec)
			if !ok {
				continue
			}
			typ, vals := vs.Type, vs.Values
			if d.Tok == token.CONST {
				if typ == nil && len(vals) == 0 {
					typ, vals = prevType, prevVals
				}
				prevType, prevVals = typ, vals
			}
			for i, id := range vs.Names {
				t := typ
				if t == nil && len(vs.Values) == 0 && i < len(vals) {
					// const ( Idle = State(iota); Running )
					t = typeOfValue(vals[i])
				}
				in.noteDeclType(inf, id, g.res[id], t)
			}
		}
	}
	if g.file != nil {
		for _, d := range g.file.Decls {
			if d, ok := d.(*ast.GenDecl); ok {
				note(d)
			}
		}
		return
	}
	for _, s := range g.stmts {
		switch s := s.(type) {
		case *ast.DeclStmt:
			if d, ok := s.Decl.(*ast.GenDecl); ok {
				note(d)
			}
		case *ast.AssignStmt:
			if s.Tok == token.DEFINE {
				for _, l := range s.Lhs {
					if id, ok := l.(*ast.Ident); ok {
						in.noteDeclType(inf, id, g.res[id], nil)
					}
				}
			}
		}
	}
}

// noteDeclType notes the session type of the variable or constant id,
// declared with the type typ, or by its value when typ is nil.
func (in *Interp) noteDeclType(inf *inferer, id *ast.Ident, o *object, typ ast.Expr) {
	if id.Name == "_" || o == nil || o.kind != varObj && o.kind != constObj {
		return
	}
	if typ == nil {
		if t := inf.objectType(id, o); t.named != "" {
			in.declTypes[id.Name] = t.named
			return
		}
		// A type declared in the same input is not named by the
		// inferer: a conversion to it or a literal of it tells it.
		if a, ok := o.decl.(*ast.AssignStmt); ok && len(a.Lhs) == len(a.Rhs) {
			for i, l := range a.Lhs {
				if l == id {
					typ = typeOfValue(a.Rhs[i])
				}
			}
		} else if vs, ok := o.decl.(*ast.ValueSpec); ok && len(vs.Names) == len(vs.Values) {
			for i, n := range vs.Names {
				if n == id {
					typ = typeOfValue(vs.Values[i])
				}
			}
		}
	}
	if t, ok := ast.Unparen(typ).(*ast.Ident); ok && in.types[t.Name] && in.typeKinds[t.Name] != reflect.Invalid {
		in.declTypes[id.Name] = t.Name
	}
}

// typeOfValue is the type that the syntax of a value names: T of a
// conversion T(x) or a literal T{...}, nil if none.
func typeOfValue(v ast.Expr) ast.Expr {
	switch v := ast.Unparen(v).(type) {
	case *ast.CallExpr:
		if len(v.Args) == 1 {
			return v.Fun
		}
	case *ast.CompositeLit:
		return v.Type
	}
	return nil
}

func (in *Interp) runGroup(r *run, g group, units []*declUnit) error {
	in.use(g)
	fset := in.gen.yi.FileSet()
	rw := newRewriter(in, fset)
	md := newModernizer(in, fset)
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
	ps := &pass{s: in, fset: fset}
	if err := ps.checkTypes(root); err != nil {
		return err
	}
	if err := ps.checkAliases(root); err != nil {
		return err
	}
	if err := ps.checkUnexported(root); err != nil {
		return err
	}
	if err := checkInstantiations(fset, root); err != nil {
		return err
	}
	if err := ps.checkTypeParamArgs(root); err != nil {
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
		if len(rw.added) > 0 {
			// The copies of unrolled functions (unrollSelfCalls) are
			// yaegi's only: the session's books (record) see the input's.
			defer func() {
				g.file.Decls = slices.DeleteFunc(g.file.Decls, func(d ast.Decl) bool { return slices.Contains(rw.added, d) })
			}()
		}
		if len(g.file.Decls) > 0 {
			if err := in.declare(r, g.file); err != nil {
				stmts, ok := in.asStatements(g.file.Decls)
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
		block.List = topLevel(block.List)
		return in.declare(r, block)
	case stmtGroup:
		if err := checkTopLevel(fset, g.stmts); err != nil {
			return err
		}
		// All segments compile before the first runs: a group that does
		// not compile runs nothing, as a group of one segment.
		var progs []*yaegi.Program
		for _, seg := range md.selfDefines(g.stmts) {
			prog, err := in.compileStmts(rw, md, seg)
			if err != nil || prog == nil {
				return err
			}
			progs = append(progs, prog)
		}
		r.compiled = true
		for _, prog := range progs {
			if err := in.execRun(r, prog); err != nil {
				return err
			}
		}
		return nil
	}

	// exprGroup: compile Show(expr) to capture the values; if that does not
	// compile, the expression has no value (a call without results) or is
	// wrong, which compiling it alone tells.
	stmt := g.stmts[0].(*ast.ExprStmt)
	host := ps.hostRooted(stmt.X)
	r.shownType = in.shownTypeName(stmt.X)
	list, err := md.stmts([]ast.Stmt{stmt}, false)
	if err != nil {
		return err
	}
	if err := in.prepare(rw, &ast.BlockStmt{List: list}); err != nil {
		return err
	}
	pre, last := list[:len(list)-1], list[len(list)-1].(*ast.ExprStmt)
	if err := md.overflow(last.X); err != nil {
		return err
	}
	pos := stmt.Pos()
	if len(pre) == 0 {
		if done, err := in.runPlain(r, md, last, host); done {
			return err
		}
	}
	// Out of the global block, like other top-level statements (see
	// topLevel), in an init function rather than a closure (see inInit).
	body := func(s ast.Stmt) *ast.File {
		return inInit(pos, append(append([]ast.Stmt{}, pre...), s))
	}
	shown := helperCall("Show", pos, last.X)
	if isGuardedCall(last.X) {
		// x.Unlock() became __mh.Unlock(...), which returns the method's
		// results as a slice.
		shown.(*ast.ExprStmt).X.(*ast.CallExpr).Ellipsis = pos
	}
	compiled := body(shown)
	prog, err := in.compile(compiled)
	if err != nil {
		compiled = body(last)
		prog, err = in.compile(compiled)
	}
	in.debugSource(compiled) // the one that compiled, or the last one tried
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

// compileStmts compiles statements of the global block, a segment of a
// group (see selfDefines).
func (in *Interp) compileStmts(rw *rewriter, md *modernizer, stmts []ast.Stmt) (*yaegi.Program, error) {
	// yaegi scopes imports by the file name at the root's position.
	block := &ast.BlockStmt{Lbrace: stmts[0].Pos(), List: stmts}
	var err error
	if block.List, err = md.stmts(block.List, true); err != nil {
		return nil, err
	}
	if err := in.prepare(rw, block); err != nil {
		return nil, err
	}
	if f := topLevelInit(block.List); f != nil {
		in.debugSource(f)
		return in.compile(f)
	}
	block.List = topLevel(block.List)
	in.debugSource(block)
	return in.compile(block)
}

// asStatements turns declarations into statements, if they can all be
// (var, const and type declarations, not functions) and mean the same
// there: statements run in source order, so no value may use a name
// declared further on in the input (Go orders a file's variables by their
// dependencies; var a = b + 1; var b = 2 would read b as 0).
func (in *Interp) asStatements(decls []ast.Decl) ([]ast.Stmt, bool) {
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
				if id, ok := n.(*ast.Ident); ok && in.obj(id) != nil {
					if decl, ok := in.obj(id).decl.(ast.Spec); ok {
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
	return ok && in.obj(pkg) == nil && in.imported[pkg.Name] == "fmt"
}

// declare compiles and runs a group's declarations or statements. Once
// they compiled, yaegi has declared their names, even if running them
// fails: the run notes it, for record.
func (in *Interp) declare(r *run, n ast.Node) error {
	in.debugSource(n)
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
		return errCancelled
	}
	r.user.Store(true)
	defer r.user.Store(false)
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
	// Not after a cancellation (in manhole's passes, which it waits for):
	// the compiler cannot be stopped, and Eval would break the interpreter
	// rather than wait for it. (Flagged first: Eval takes a run still
	// compiling for one stuck there.)
	if r := in.current(); r != nil && r.state.Load() == cancelled {
		in.compiling.Store(false)
		return nil, errCancelled
	}
	defer func() {
		in.compiling.Store(false)
		if rec := recover(); rec != nil {
			prog, err = nil, compilePanic(in.gen.yi.FileSet(), n, rec)
		}
	}()
	if !in.gen.elsewhere && runsElsewhere(n) {
		in.gen.elsewhere = true
	}
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
// name, which resolve leaves alone unless it is in scope) or a method's
// name; tparams are the receiver type parameters of the method being
// visited, which resolve does not resolve either.
func references(root ast.Node, fn func(id *ast.Ident, tparams map[string]bool) bool) {
	var tparams map[string]bool
	walk(root, func(c *cursor) bool {
		if d, ok := c.Node().(*ast.FuncDecl); ok {
			tparams = recvTypeParams(d)
		}
		return true
	}, func(c *cursor) bool {
		switch n := c.Node().(type) {
		case *ast.FuncDecl:
			tparams = nil
		case *ast.Ident:
			switch c.Parent().(type) {
			case *ast.SelectorExpr:
				return c.Field() != "X" || fn(n, tparams)
			case *ast.KeyValueExpr:
				return c.Field() != "Value" || fn(n, tparams)
			case *ast.FuncDecl, *ast.File:
				return c.Field() == "Name" || fn(n, tparams)
			}
			return fn(n, tparams)
		}
		return true
	})
}

// unknown reports whether id is resolved neither in the input nor by
// anything manhole knows to be in scope.
func (in *Interp) unknown(id *ast.Ident) bool {
	if _, ok := in.mainTypes()[id.Name]; ok && in.unresolved(id) {
		return false // a type of the host's package main (see bareAppTypes)
	}
	return in.unresolved(id)
}

// unresolved is unknown without the host's types of package main.
func (in *Interp) unresolved(id *ast.Ident) bool {
	if in.obj(id) != nil || id.Name == "_" || predeclared[id.Name] || strings.HasPrefix(id.Name, helperName) {
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
		return execError(err, in.names)
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
	ps := &pass{s: in, fset: in.gen.yi.FileSet()}
	ps.bareAppTypes(n)
	ps.hostCalls(n)
	if err := ps.genericCalls(n); err != nil {
		return err
	}
	if err := ps.errorValues(n); err != nil {
		return err
	}
	if err := ps.valueChecks(n); err != nil {
		return err
	}
	for _, name := range in.packageRefs(n) {
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
	in.debugImports(names)
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
	in.debugSource(f)
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

// maxPlainNodes bounds the nodes of the expressions that one interpreter
// runs in its global block (see runPlain). A session moves to a new
// interpreter every recycleAfter inputs, but one that cannot move (see
// recycle) would grow yaegi's global frame, which Execute copies whenever
// it grows, at every such input: past the bound, expressions run in an
// init function again.
const maxPlainNodes = 4096

// runPlain runs the expression statement last, the whole of an input, the
// way plain yaegi runs it: in the global block, its value what Execute
// returns. It does so only for a plain expression (see plainExpr), and
// reports whether it did. An init function and __mh.Show around it (see
// inInit) cost yaegi three times as much to compile as the expression:
// yaegi builds a node of some 400 bytes for every node of the source, and
// compiles a function's frame and its deferred Guard. The Guard is not
// needed: a plain expression calls nothing, so nothing in it can block or
// be abandoned. Eval treats its run as manhole's own passes, which it
// waits for (see Eval): it runs in yaegi's global frame, which the
// session's next input uses.
//
// An expression may take slots of the global frame, which Execute then
// grows, replacing the frame's slice. Code of the session's running on
// another goroutine reads that slice without a lock (a data race), so
// expressions run plain only in an interpreter that has compiled no
// function, method, function literal or go statement, and where no input
// was abandoned (see generation.elsewhere). The slots stay until the
// session moves to a new interpreter (see maxPlainNodes). yaegi's global
// block has a nil dereference fail with no value or with reflect's panic:
// runPlain reports Go's. A value of another kind than the expression's
// runs again in an init function (a plain expression has no effect but
// its value).
func (in *Interp) runPlain(r *run, md *modernizer, last *ast.ExprStmt, host bool) (bool, error) {
	if in.gen.elsewhere || in.gen.plainNodes >= maxPlainNodes {
		return false, nil
	}
	nodes, kind, ok := in.plainExpr(md, last.X)
	if !ok || in.gen.plainNodes+nodes > maxPlainNodes {
		return false, nil
	}
	block := &ast.BlockStmt{Lbrace: last.Pos(), List: []ast.Stmt{last}, Rbrace: last.End()}
	prog, err := in.compile(block)
	if err != nil || prog == nil {
		// The init function's compile tells the error.
		return false, nil
	}
	in.gen.plainNodes += nodes
	in.debugSource(block)
	if r.state.Load() == cancelled {
		return true, errCancelled
	}
	// Eval bumps yaegi's run id again while the run is in its code: a
	// cancellation before Execute takes the run id is not absorbed.
	r.plain.Store(true)
	v, err := in.gen.yi.Execute(prog)
	r.plain.Store(false)
	var p yaegi.Panic
	switch {
	case errors.As(err, &p) && isFieldOfNil(p.Value), err == nil && !v.IsValid() && hasField(last.X):
		// What a nil dereference is in yaegi's global block: reflect's
		// panic at a field of the nil pointer's zero Value, or no value.
		return true, &panicError{value: errNilDereference, names: in.names}
	case errors.As(err, &p) && isValueError(p.Value), err == nil && !v.IsValid():
		// Something else yaegi's global block gets wrong: the init
		// function's run tells the error (a plain expression has no
		// effect but its value).
		return false, nil
	case err != nil:
		return true, execError(err, in.names)
	}
	if kindClass(v.Kind()) != kindClass(kind) {
		// Not the value: the init function's run tells what went wrong.
		return false, nil
	}
	vals := []any{v.Interface()}
	r.shownMu.Lock()
	r.shown, r.showed = vals, true
	r.shownMu.Unlock()
	r.res = Result{Value: in.formatValues(vals, host), HasValue: true}
	return true, nil
}

// plainExpr reports whether x, as the passes left it, is a plain
// expression, and how many nodes it has: one of a basic type (a number, a
// string, a bool) that is not a session type (whose String or Error
// method the REPL would call: see prepareShown), and that is made only of
// values (not types) named or selected, literals, operators (but for a
// receive or an address) on basic types and indexes by them: no call, no
// conversion, no function literal, no composite literal, and no explicit
// dereference (yaegi's global block gives the value of another
// expression for *p of a nil pointer of the host's), and no operator on
// strings. Every operation of a plain expression takes a bounded time,
// since its run cannot be abandoned: yaegi even computes an operator on
// an app's values while it compiles, where nothing stops it. Constants appear only as literals
// that manhole computes and that fit their default type (see
// plainNodes): yaegi gives a named untyped constant its default type
// before Go would, and gets some constant expressions wrong, which the
// init function's Show happens to show nothing for.
func (in *Interp) plainExpr(md *modernizer, x ast.Expr) (int, reflect.Kind, bool) {
	if !atMostNodes(x, maxPlainExpr) {
		return 0, 0, false
	}
	nodes, ok := in.plainNodes(md, x)
	if !ok {
		return 0, 0, false
	}
	t := md.inf.exprType(x)
	return nodes, t.kind, kindClass(t.kind) != 0 && t.named == ""
}

// maxPlainExpr bounds the nodes of one plain expression. plainNodes asks
// the type of each operand, which costs the depth below it: a chain of a
// thousand additions took a second (and a cancellation waited for it),
// where its init function compiles in milliseconds. An expression that
// long gains nothing from the global block.
const maxPlainExpr = 64

// atMostNodes reports whether x has at most max nodes; it looks at no
// more than about max of them.
func atMostNodes(x ast.Expr, max int) bool {
	n := 0
	ast.Inspect(x, func(c ast.Node) bool {
		if c != nil {
			n++
		}
		return n <= max
	})
	return n <= max
}

// kindClass tells the basic kinds apart as untyped constants do: 1 for a
// bool, 2 for a number, 3 for a string, 0 for the rest.
func kindClass(k reflect.Kind) int {
	switch {
	case k == reflect.Bool:
		return 1
	case k >= reflect.Int && k <= reflect.Complex128:
		return 2
	case k == reflect.String:
		return 3
	}
	return 0
}

func (in *Interp) plainNodes(md *modernizer, x ast.Expr) (int, bool) {
	inf := md.inf
	sub := func(n int, xs ...ast.Expr) (int, bool) {
		for _, x := range xs {
			m, ok := in.plainNodes(md, x)
			if !ok {
				return 0, false
			}
			n += m
		}
		return n, true
	}
	// basic says the operands of an operator are of a basic type: a
	// comparison of arrays or structs, or a map key of one, may take
	// seconds, which a plain run cannot be interrupted in.
	basic := func(xs ...ast.Expr) bool {
		for _, x := range xs {
			if kindClass(inf.exprType(x).kind) == 0 {
				return false
			}
		}
		return true
	}
	if isUntypedConst(x) {
		// Literals only: a constant manhole computes (yaegi gets some
		// wrong: 1e400i, 1 << 1000000), that its default type holds.
		if lit, ok := x.(*ast.BasicLit); ok && lit.Kind == token.IMAG {
			return 0, false
		}
		if _, _, ok := md.constValue(x); !ok || md.overflow(x) != nil {
			return 0, false
		}
		return 1, true
	}
	switch x := x.(type) {
	case *ast.Ident:
		// Not a type, and not a constant of the session's: yaegi gives
		// an untyped one its default type at once (const r = 'a'; r *
		// 100000000 wraps around, where Go refuses it).
		sn := in.session(x.Name)
		return 1, inf.notAType(x) && x.Name != "iota" && !(sn.declared && sn.isConst)
	case *ast.SelectorExpr:
		if id, ok := x.X.(*ast.Ident); ok && in.obj(id) == nil {
			if _, isPkg := in.pkgPath(id.Name); isPkg {
				// A package's value, not its type nor an untyped
				// constant (math.MaxUint64).
				v, _ := inf.pkgSymbol(x)
				return 2, inf.notAType(x) && !(v.IsValid() && v.Type().Implements(constantValueType))
			}
		}
		return sub(1, x.X)
	case *ast.ParenExpr:
		return sub(1, x.X)
	case *ast.UnaryExpr:
		if x.Op == token.ARROW || x.Op == token.AND || !basic(x.X) {
			return 0, false
		}
		return sub(1, x.X)
	case *ast.BinaryExpr:
		if !basic(x.X, x.Y) {
			return 0, false
		}
		if kindClass(inf.exprType(x.X).kind) == 3 {
			// Strings: + and the comparisons take their length, and
			// yaegi computes them on an app's strings while it compiles,
			// where nothing stops it.
			return 0, false
		}
		if (x.Op == token.SHL || x.Op == token.SHR) && isUntypedConst(x.X) {
			// 1.0 << n: the constant takes the type the context gives
			// it, which yaegi gets wrong.
			return 0, false
		}
		return sub(1, x.X, x.Y)
	case *ast.IndexExpr:
		if !basic(x.Index) {
			return 0, false
		}
		return sub(1, x.X, x.Index)
	}
	return 0, false
}

// runsElsewhere reports whether n holds code that may run on another
// goroutine than the Eval's: a function or method (which the host may
// be handed and call), a function literal, a go statement. An init
// function (inInit's, or the session's) runs once, where it is compiled.
func runsElsewhere(n ast.Node) bool {
	found := false
	ast.Inspect(n, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncDecl:
			found = n.Recv != nil || n.Name.Name != "init"
		case *ast.FuncLit, *ast.GoStmt:
			found = true
		}
		return !found
	})
	return found
}

// errNilDereference is the value of Go's panic at a nil dereference, as
// runPlain reports it.
var errNilDereference = errors.New("runtime error: invalid memory address or nil pointer dereference")

// isValueError reports whether v is reflect's panic at a method of a
// zero Value.
func isValueError(v any) bool {
	_, ok := v.(*reflect.ValueError)
	return ok
}

// isFieldOfNil reports whether v is reflect's panic at a field of a zero
// Value: yaegi's global block reading a field of a nil pointer.
func isFieldOfNil(v any) bool {
	e, ok := v.(*reflect.ValueError)
	return ok && e.Method == "reflect.Value.Field"
}

// hasField reports whether x selects a field (or a package's value).
func hasField(x ast.Expr) bool {
	found := false
	ast.Inspect(x, func(n ast.Node) bool {
		_, found = n.(*ast.SelectorExpr)
		return !found
	})
	return found
}
