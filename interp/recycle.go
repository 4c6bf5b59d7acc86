package interp

import (
	"context"
	"errors"
	"fmt"
	"go/ast"
	"go/scanner"
	"go/token"
	"io"
	"reflect"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
	"unsafe"

	yaegi "github.com/traefik/yaegi/interp"
)

// A yaegi interpreter keeps every input it compiled: about 3 KB per input,
// until the interpreter is dropped (yaegi issue 1678), and its global frame,
// which every input grows by a few slots, is copied whenever it grows, so
// an input costs more as the session ages. A session therefore does not
// keep one interpreter: after recycleAfter evaluations it builds a fresh
// one, replays the session's declarations into it and hands its variables
// over. Each interpreter is a generation.
//
//   - Imports are done again; functions, methods, types and constants are
//     compiled again from their source, as the user typed them, and run
//     (which only makes their code runnable). Of a name declared several
//     times, only the declarations still in use are replayed: the last
//     one, and the earlier ones that later replayed declarations were
//     compiled against.
//   - Variables are declared again by compiling their declaration without
//     running it (`x := f()` does not call f again); then the new
//     interpreter's frame slots are pointed at the old variables (see
//     adoptVariables): the variables themselves move, not copies.
//   - A function value made by evaluated code (a closure) belongs to its
//     interpreter: calling it would run the old interpreter's code. A
//     variable declared by a function literal and never assigned elsewhere
//     gets a new closure from its source; any other closure, found
//     anywhere in a variable's value, keeps the session on its current
//     interpreter, and so does a value of an interface type declared in
//     the session (yaegi stores its compiled code with it). The attempt is
//     made again recycleAfter evaluations later.
//   - A goroutine started by evaluated code keeps running in its
//     generation, on the same variables. The generation is kept in
//     Interp.retired while goroutines run in it, so that an interrupt or
//     Close stops them as they stop the current generation's.
//
// Callbacks that evaluated code handed to the host (a func stored in a
// host structure, a time.AfterFunc still pending) keep running on the
// interpreter that made them; it stays alive, unreferenced by the session,
// as long as they do.

// recycleAfter is the number of evaluations after which an interpreter is
// replaced, at least: see recycleBudget. At 250, an evaluation costs at
// most about 1.3 times what it costs in a new interpreter.
var recycleAfter = 250

// recycleBudget is what a recycle may cost per evaluation, amortized.
var recycleBudget = 20 * time.Microsecond

// generation is one yaegi interpreter of the session.
type generation struct {
	yi    *yaegi.Interpreter
	nop   *yaegi.Program // does nothing; running it sizes yaegi's frame
	evals int            // evaluations run in it
	// plainNodes counts the nodes of the expressions run in the global
	// block (see runPlain): a bound on the slots they took in yaegi's
	// global frame.
	plainNodes int
	// elsewhere says code of the session's may run on another goroutine
	// than the Eval's and read the global frame: the interpreter compiled
	// a function, a method, a function literal or a go statement (see
	// runsElsewhere), or an input was abandoned in it. Set by the Eval's
	// goroutine, read by it. See runPlain.
	elsewhere bool

	loaded      map[string]bool // import paths given to yaegi's Use
	needGeneric bool            // the current input uses genericHelpers
	generics    bool            // genericHelpers are declared
	needErrors  bool            // the current input uses errorHelpers
	errorsDone  bool            // errorHelpers are declared

	// Goroutines started by evaluated code that have not returned.
	live atomic.Int64
	// retired is set when the session has moved to a new interpreter:
	// stopping the running evaluation no longer stops this one's frames
	// (see enterN).
	retired atomic.Bool

	// The channels of the runs that finished without a cancellation,
	// which goroutines they started may be blocked on; see runDone. Only
	// used by the goroutine running an Eval, or by Close.
	dones []chan struct{}
}

// newGeneration builds a yaegi interpreter exposing the namespace and
// manhole's helpers.
func (in *Interp) newGeneration() (*generation, error) {
	if !runState.ok {
		return nil, errYaegiState
	}
	gen := &generation{loaded: map[string]bool{}}
	gen.yi = yaegi.New(yaegi.Options{
		Stdin:  eofReader{},
		Stdout: in.stdout,
		// yaegi writes a line here for every interpreted frame a panic
		// unwinds; the panic itself is reported by Eval.
		Stderr:               io.Discard,
		SourcecodeFilesystem: emptyFS{},
	})
	exports := yaegi.Exports{helperPath + "/rt": in.helpers(gen)}
	imports := "import " + helperName + " " + `"` + helperPath + `"`
	if len(in.nsValues) > 0 {
		exports[nsPath+"/ns"] = in.nsValues
		imports += `; import . "` + nsPath + `"`
	}
	if err := gen.yi.Use(exports); err != nil {
		return nil, fmt.Errorf("exposing the namespace: %w", err)
	}
	prev := in.gen
	in.gen = gen
	defer func() { in.gen = prev }()
	if err := in.compileAndRun(imports); err != nil {
		return nil, fmt.Errorf("exposing the namespace: %w", err)
	}
	var err error
	if gen.nop, err = gen.yi.Compile("0"); err != nil {
		return nil, err
	}
	// Inputs run with Execute (see run); the first ExecuteWithContext
	// makes yaegi compile channel operations that a cancellation stops,
	// for the life of the interpreter.
	if _, err := gen.yi.ExecuteWithContext(context.Background(), gen.nop); err != nil {
		return nil, err
	}
	return gen, nil
}

// declUnit is one declaration of the session, kept for replay: a func,
// method, type, const or var declaration, or a top-level := statement.
type declUnit struct {
	kind    groupKind      // declGroup or stmtGroup
	input   int64          // the evaluation it comes from
	src     string         // as the user typed it
	names   []string       // what it declares; a method is "Type.Method"
	vars    bool           // it declares variables: replay compiles it only
	fn      bool           // a func or method declaration
	refs    []string       // session-level names it uses
	funcLit string         // the function literal a single variable is declared with
	at      token.Position // where it was in its input: replay keeps lines and columns
}

// joinUnits is the source of units of one input, each on the line and
// column it had there, so that the positions in messages (a panic's
// "22:10: interface conversion") stay what they were before a move.
func joinUnits(units []*declUnit) string {
	var b strings.Builder
	line := 1
	for i, u := range units {
		if u.at.Line > line && (i == 0 || units[i-1].at.Line < u.at.Line) {
			b.WriteString(strings.Repeat("\n", u.at.Line-line))
			line = u.at.Line
			b.WriteString(strings.Repeat(" ", max(u.at.Column-1, 0)))
		} else if i > 0 {
			b.WriteString("\n")
			line++
		}
		b.WriteString(u.src)
		line += strings.Count(u.src, "\n")
	}
	return b.String()
}

// identsOf returns the identifiers in src.
func identsOf(src string) map[string]bool {
	ids := map[string]bool{}
	var sc scanner.Scanner
	fset := token.NewFileSet()
	sc.Init(fset.AddFile("", -1, len(src)), []byte(src), nil, 0)
	for {
		_, tok, lit := sc.Scan()
		if tok == token.EOF {
			return ids
		}
		if tok == token.IDENT {
			ids[lit] = true
		}
	}
}

// neededFuncs returns the plain functions among units that the variables
// among them use, directly or through one another.
func neededFuncs(units []*declUnit) map[*declUnit]bool {
	used := map[string]bool{}
	for _, u := range units {
		if u.vars {
			for id := range identsOf(u.src) {
				used[id] = true
			}
		}
	}
	need := map[*declUnit]bool{}
	for grew := true; grew; {
		grew = false
		for _, u := range units {
			if u.fn && !u.isMethod() && !need[u] && used[u.names[0]] {
				need[u] = true
				grew = true
				for id := range identsOf(u.src) {
					used[id] = true
				}
			}
		}
	}
	return need
}

// isMethod reports whether u declares a method.
func (u *declUnit) isMethod() bool {
	return u.fn && len(u.names) == 1 && strings.Contains(u.names[0], ".")
}

// journalUnits returns the declarations of a group, for replay if the
// group runs. It reads the group's source before the rewrites change the
// nodes' extents.
func (in *Interp) journalUnits(fset *token.FileSet, g group) []*declUnit {
	text := func(from, to token.Pos) string {
		f := fset.File(from)
		if f == nil || !to.IsValid() {
			return ""
		}
		start, end := f.Offset(from), f.Offset(to)
		if start < 0 || end > len(g.src) || start > end {
			return ""
		}
		return g.src[start:end]
	}
	funcLit := func(names []*ast.Ident, vals []ast.Expr) string {
		if len(names) == 1 && len(vals) == 1 {
			if lit, ok := vals[0].(*ast.FuncLit); ok {
				return text(lit.Pos(), lit.End())
			}
		}
		return ""
	}
	var units []*declUnit
	switch g.kind {
	case declGroup:
		for _, d := range g.file.Decls {
			u := &declUnit{kind: declGroup, src: text(d.Pos(), d.End()), at: fset.Position(d.Pos())}
			switch d := d.(type) {
			case *ast.FuncDecl:
				if d.Recv == nil && d.Name.Name == "init" {
					// It ran when it was declared; no name can call it,
					// and running it again would repeat its effects.
					continue
				}
				u.fn = true
				if d.Recv != nil && len(d.Recv.List) == 1 {
					u.names = []string{recvTypeName(d.Recv.List[0].Type) + "." + d.Name.Name}
				} else {
					u.names = []string{d.Name.Name}
				}
			case *ast.GenDecl:
				for _, s := range d.Specs {
					switch s := s.(type) {
					case *ast.TypeSpec:
						u.names = append(u.names, s.Name.Name)
					case *ast.ValueSpec:
						for _, n := range s.Names {
							u.names = append(u.names, n.Name)
						}
						if d.Tok == token.VAR {
							u.vars = true
							if len(d.Specs) == 1 {
								u.funcLit = funcLit(s.Names, s.Values)
							}
						}
					}
				}
			}
			units = append(units, u)
		}
	case stmtGroup:
		for _, s := range g.stmts {
			a, ok := s.(*ast.AssignStmt)
			if !ok || a.Tok != token.DEFINE {
				continue
			}
			u := &declUnit{kind: stmtGroup, src: text(a.Pos(), a.End()), vars: true, at: fset.Position(a.Pos())}
			var ids []*ast.Ident
			for _, l := range a.Lhs {
				if id, ok := l.(*ast.Ident); ok {
					ids = append(ids, id)
					if id.Name != "_" {
						u.names = append(u.names, id.Name)
					}
				}
			}
			u.funcLit = funcLit(ids, a.Rhs)
			units = append(units, u)
		}
	}
	var kept []*declUnit
	for _, u := range units {
		if u.src != "" && len(u.names) > 0 {
			kept = append(kept, u)
		}
	}
	return kept
}

// recvTypeName returns T for a receiver of type T, *T, T[P] or *T[P].
func recvTypeName(t ast.Expr) string {
	if s, ok := t.(*ast.StarExpr); ok {
		t = s.X
	}
	switch x := t.(type) {
	case *ast.IndexExpr:
		t = x.X
	case *ast.IndexListExpr:
		t = x.X
	}
	if id, ok := t.(*ast.Ident); ok {
		return id.Name
	}
	return ""
}

// noteRefs records which session names a unit uses, and which session
// variables code assigns anywhere (see the closure rule above).
func (in *Interp) noteRefs(units []*declUnit, root ast.Node) {
	refs := map[string]bool{}
	ast.Inspect(root, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.Ident:
			if in.obj(n) == nil && in.declared[n.Name] {
				refs[n.Name] = true
			}
		case *ast.AssignStmt:
			// By name: a local variable of the same name makes the
			// check more careful, never less.
			if n.Tok != token.DEFINE {
				for _, l := range n.Lhs {
					if id, ok := l.(*ast.Ident); ok {
						in.reassigned[id.Name] = true
					}
				}
			}
		case *ast.UnaryExpr:
			if id, ok := n.X.(*ast.Ident); ok && n.Op == token.AND {
				in.reassigned[id.Name] = true
			}
		}
		return true
	})
	names := sortedKeys(refs)
	for _, u := range units {
		u.refs = names
	}
}

// replayed returns the units to replay, in their order: the last
// declaration of each name, and those the kept ones depend on.
func (in *Interp) replayed() []*declUnit {
	last := map[string]int{}
	for i, u := range in.journal {
		for _, n := range u.names {
			last[n] = i
		}
	}
	keep := make([]bool, len(in.journal))
	var queue []int
	for _, i := range last {
		if !keep[i] {
			keep[i] = true
			queue = append(queue, i)
		}
	}
	for len(queue) > 0 {
		i := queue[len(queue)-1]
		queue = queue[:len(queue)-1]
		for _, r := range in.journal[i].refs {
			// The declaration of r this unit was compiled against.
			for j := i - 1; j >= 0; j-- {
				if contains(in.journal[j].names, r) {
					if !keep[j] {
						keep[j] = true
						queue = append(queue, j)
					}
					break
				}
			}
		}
	}
	var out []*declUnit
	for i, u := range in.journal {
		if keep[i] {
			out = append(out, u)
		}
	}
	in.journal = out
	return out
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

// maybeRecycle replaces the interpreter when it is due and it can.
func (in *Interp) maybeRecycle() {
	if in.gen.evals < in.nextRecycle {
		return
	}
	if err := in.recycle(); err != nil {
		in.nextRecycle = in.gen.evals + recycleAfter
		if !errors.Is(err, errNotRecyclable) {
			in.recycleErrs++
			if in.logger != nil {
				in.logger.Warn("manhole: a session could not move to a fresh interpreter; it stays on its own and tries again later",
					"err", err, "failures", in.recycleErrs, "recycles", in.recycles)
			}
		}
	}
}

// recycle builds a new generation, replays the session into it and makes it
// current. On any failure the current generation stays, unchanged.
func (in *Interp) recycle() (err error) {
	start := time.Now()
	old := in.gen
	oldGlobals, err := globals(old)
	if err != nil {
		return err
	}
	carry := map[string]reflect.Value{}
	var recreate []string
	for name, v := range oldGlobals {
		if strings.HasPrefix(name, helperName) || !in.declared[name] || in.types[name] || in.consts[name] || !v.CanAddr() {
			// Constants are replayed from their source; variables are
			// the addressable slots of yaegi's frame.
			continue
		}
		if v.Kind() == reflect.Func && !v.IsNil() && isClosure(v) {
			if _, ok := in.funcLitSource(name); !ok || in.reassigned[name] {
				return errNotRecyclable
			}
			recreate = append(recreate, name)
			continue
		}
		if !carriable(v) {
			return errNotRecyclable
		}
		carry[name] = v
	}

	gen, err := in.newGeneration()
	if err != nil {
		return err
	}
	oldImported := in.imported
	in.gen, in.imported = gen, map[string]string{}
	defer func() {
		if rec := recover(); rec != nil {
			err = fmt.Errorf("recycle: %v", rec)
		}
		if err != nil {
			in.gen, in.imported = old, oldImported
		}
	}()
	if err := in.replayImports(old, oldImported); err != nil {
		return err
	}
	units := in.replayed()
	for i := 0; i < len(units); {
		// Declarations of one input are compiled together: in a file, a
		// var may use a func declared after it. yaegi makes a function's
		// code runnable only when the program declaring it runs, which
		// for functions, methods, types and constants does nothing else;
		// but running a var declaration would run its initializer, so a
		// group with variables is only compiled, and its functions are
		// then declared again on their own.
		//
		// Methods are left out of the compiled-only pass: yaegi attaches a
		// method to its type each time it is compiled, and calls find the
		// first one, whose code never became runnable (it would return
		// zero values).
		j, vars := i, false
		for j < len(units) && units[j].input == units[i].input && units[j].kind == units[i].kind {
			vars = vars || units[j].vars
			j++
		}
		//
		// The compiled-only pass first leaves out every function: a
		// function calling a method would not compile without it. Only
		// if that fails (a variable's value calls a function of its
		// input) are the plain functions in it.
		group := units[i:j]
		var noFuncs, needed, noMethods, funcs []*declUnit
		need := neededFuncs(group)
		for _, u := range group {
			if !u.fn {
				noFuncs = append(noFuncs, u)
			}
			if !u.fn || need[u] {
				needed = append(needed, u)
			}
			if !u.isMethod() {
				noMethods = append(noMethods, u)
			}
			if u.fn {
				funcs = append(funcs, u)
			}
		}
		if !vars {
			if err := in.replaySource(joinUnits(group), true); err != nil {
				return fmt.Errorf("replaying %q: %w", joinUnits(group), err)
			}
		} else {
			// The functions the variables use, if the first try fails;
			// all but the methods as a last resort.
			var err error
			for _, try := range [][]*declUnit{noFuncs, needed, noMethods} {
				if err = in.replaySource(joinUnits(try), false); err == nil {
					break
				}
			}
			if err != nil {
				return fmt.Errorf("replaying %q: %w", joinUnits(noMethods), err)
			}
			if len(funcs) > 0 {
				if err := in.replaySource(joinUnits(funcs), true); err != nil {
					return fmt.Errorf("replaying %q: %w", joinUnits(funcs), err)
				}
			}
		}
		i = j
	}
	if err := adoptVariables(gen, carry); err != nil {
		return err
	}
	for _, name := range recreate {
		if err := in.replayFuncLit(name); err != nil {
			return err
		}
	}
	old.retired.Store(true)
	if old.live.Load() > 0 {
		in.retired = append(in.retired, old)
	}
	live := in.retired[:0]
	for _, g := range in.retired {
		if g.live.Load() > 0 {
			live = append(live, g)
		}
	}
	clear(in.retired[len(live):])
	in.retired = live
	in.recycles++
	// A recycle costs a few milliseconds for a small session, more for
	// one with many declarations: spread it over enough evaluations.
	in.nextRecycle = max(recycleAfter, int(time.Since(start)/recycleBudget))
	return nil
}

var errNotRecyclable = fmt.Errorf("the session cannot move to a new interpreter now")

// replayImports loads the packages of the old generation and imports them
// under the same names.
func (in *Interp) replayImports(old *generation, imported map[string]string) error {
	paths := sortedKeys(old.loaded)
	for _, p := range paths {
		if err := in.loadPackage(p); err != nil {
			return err
		}
	}
	names := make([]string, 0, len(imported))
	for name := range imported {
		names = append(names, name)
	}
	sort.Strings(names)
	var b strings.Builder
	for _, name := range names {
		p := imported[name]
		if isSourcePackage(p) {
			in.imported[name] = p
			continue
		}
		fmt.Fprintf(&b, "import %s %s\n", name, strconv.Quote(p))
	}
	for _, p := range sortedKeys(in.dotImports) {
		fmt.Fprintf(&b, "import . %s\n", strconv.Quote(p))
	}
	if b.Len() > 0 {
		if err := in.compileAndRun(b.String()); err != nil {
			return err
		}
	}
	for name, p := range imported {
		in.imported[name] = p
	}
	return nil
}

// replaySource compiles declarations again in the current generation,
// and runs them if run is set.
func (in *Interp) replaySource(src string, run bool) error {
	fset := in.gen.yi.FileSet()
	groups, err := parseInput(fset, src)
	if err != nil {
		return err
	}
	for _, g := range groups {
		in.use(g)
		var roots []ast.Node
		md := newModernizer(in, fset)
		switch g.kind {
		case declGroup:
			vars, err := md.file(g.file)
			if err != nil {
				return err
			}
			roots = append(roots, g.file)
			if len(vars) > 0 {
				roots = append(roots, &ast.BlockStmt{Lbrace: vars[0].Pos(), List: vars})
			}
		case stmtGroup:
			block := &ast.BlockStmt{Lbrace: g.stmts[0].Pos(), List: g.stmts}
			if block.List, err = md.stmts(block.List, true); err != nil {
				return err
			}
			roots = append(roots, block)
		default:
			continue
		}
		for _, root := range roots {
			if err := in.prepare(newRewriter(in, fset), root); err != nil {
				return err
			}
			if f, ok := root.(*ast.File); ok && len(f.Decls) == 0 {
				continue
			}
			prog, err := in.compile(root)
			if f, ok := root.(*ast.File); ok && err != nil && strings.HasSuffix(err.Error(), "variable definition loop") {
				// As runGroup does: the declarations as statements.
				if stmts, ok := in.asStatements(f.Decls); ok {
					prog, err = in.compile(&ast.BlockStmt{Lbrace: stmts[0].Pos(), List: stmts})
				}
			}
			if err != nil {
				return err
			}
			if run && prog != nil {
				if err := in.exec(prog); err != nil {
					return err
				}
			}
		}
		in.registerTypes(g)
	}
	return nil
}

// funcLitSource returns the function literal that the last declaration
// of name assigns, if that is all it does.
func (in *Interp) funcLitSource(name string) (string, bool) {
	for i := len(in.journal) - 1; i >= 0; i-- {
		if u := in.journal[i]; contains(u.names, name) {
			return u.funcLit, u.funcLit != ""
		}
	}
	return "", false
}

// replayFuncLit gives name a new closure from its declaration's function
// literal.
func (in *Interp) replayFuncLit(name string) error {
	src, ok := in.funcLitSource(name)
	if !ok {
		return errNotRecyclable
	}
	groups, err := parseInput(in.gen.yi.FileSet(), name+" = "+src)
	if err != nil {
		return err
	}
	for _, g := range groups {
		in.use(g)
		block := &ast.BlockStmt{Lbrace: g.stmts[0].Pos(), List: g.stmts}
		md := newModernizer(in, in.gen.yi.FileSet())
		if block.List, err = md.stmts(block.List, true); err != nil {
			return err
		}
		newRewriter(in, in.gen.yi.FileSet()).rewrite(block)
		if err := in.compileAndExec(block); err != nil {
			return err
		}
	}
	return nil
}

// globals returns yaegi's Globals of a generation. A compilation that
// failed may have declared variables without yaegi's frame growing for
// them, which makes Globals index past the frame's end: running the nop
// program grows the frame first, and a panic is an error.
func globals(gen *generation) (m map[string]reflect.Value, err error) {
	defer func() {
		if rec := recover(); rec != nil {
			m, err = nil, fmt.Errorf("reading yaegi's globals: %v", rec)
		}
	}()
	if _, err := gen.yi.Execute(gen.nop); err != nil {
		return nil, err
	}
	return gen.yi.Globals(), nil
}

// carriable reports whether v can be used by another generation: it
// holds no closure and no value of yaegi's own types (an interface value
// of a session interface type carries yaegi's compiled code).
func carriable(v reflect.Value) bool {
	c := &carryCheck{seen: map[unsafe.Pointer]bool{}, budget: 100000, types: map[reflect.Type]bool{}}
	return c.value(v)
}

type carryCheck struct {
	seen   map[unsafe.Pointer]bool
	budget int
	types  map[reflect.Type]bool // types that need no look at the values
}

// plain reports whether values of t can hold nothing but data: no
// function, interface or yaegi type anywhere inside.
func (c *carryCheck) plain(t reflect.Type) bool {
	if p, ok := c.types[t]; ok {
		return p
	}
	c.types[t] = true // assume so while recursing
	p := true
	if strings.HasPrefix(t.PkgPath(), yaegiPkg) {
		p = false
	}
	switch t.Kind() {
	case reflect.Func, reflect.Interface, reflect.UnsafePointer:
		p = false
	case reflect.Pointer, reflect.Slice, reflect.Array, reflect.Chan:
		p = p && c.plain(t.Elem())
	case reflect.Map:
		p = p && c.plain(t.Key()) && c.plain(t.Elem())
	case reflect.Struct:
		for i := 0; i < t.NumField() && p; i++ {
			p = c.plain(t.Field(i).Type)
		}
	}
	c.types[t] = p
	return p
}

func (c *carryCheck) value(v reflect.Value) bool {
	if !v.IsValid() || c.plain(v.Type()) {
		return true
	}
	if c.budget--; c.budget < 0 {
		return true // too big to look through: assume data
	}
	if strings.HasPrefix(v.Type().PkgPath(), yaegiPkg) {
		return false
	}
	switch v.Kind() {
	case reflect.Func:
		return v.IsNil() || !isClosure(v)
	case reflect.Interface:
		return v.IsNil() || c.value(v.Elem())
	case reflect.Pointer:
		if v.IsNil() {
			return true
		}
		p := v.UnsafePointer()
		if c.seen[p] {
			return true
		}
		c.seen[p] = true
		return c.value(v.Elem())
	case reflect.Slice, reflect.Array:
		for i := 0; i < v.Len(); i++ {
			if !c.value(v.Index(i)) {
				return false
			}
		}
	case reflect.Map:
		it := v.MapRange()
		for it.Next() {
			if !c.value(it.Key()) || !c.value(it.Value()) {
				return false
			}
		}
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if !c.value(v.Field(i)) {
				return false
			}
		}
	case reflect.Chan, reflect.UnsafePointer:
		return v.Kind() == reflect.Chan
	}
	return true
}

// sameLayout reports whether values of a and b are laid out the same in
// memory, pointers included, so that one can be read as the other.
func sameLayout(a, b reflect.Type, seen map[[2]reflect.Type]bool) bool {
	if a == b {
		return true
	}
	key := [2]reflect.Type{a, b}
	if seen[key] {
		return true
	}
	seen[key] = true
	if a.Kind() != b.Kind() || a.Size() != b.Size() || a.Align() != b.Align() {
		return false
	}
	switch a.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Chan:
		return sameLayout(a.Elem(), b.Elem(), seen)
	case reflect.Array:
		return a.Len() == b.Len() && sameLayout(a.Elem(), b.Elem(), seen)
	case reflect.Map:
		return sameLayout(a.Key(), b.Key(), seen) && sameLayout(a.Elem(), b.Elem(), seen)
	case reflect.Struct:
		if a.NumField() != b.NumField() {
			return false
		}
		for i := 0; i < a.NumField(); i++ {
			fa, fb := a.Field(i), b.Field(i)
			if fa.Name != fb.Name || fa.Offset != fb.Offset || !sameLayout(fa.Type, fb.Type, seen) {
				return false
			}
		}
		return true
	case reflect.Func:
		if a.NumIn() != b.NumIn() || a.NumOut() != b.NumOut() || a.IsVariadic() != b.IsVariadic() {
			return false
		}
		for i := 0; i < a.NumIn(); i++ {
			if !sameLayout(a.In(i), b.In(i), seen) {
				return false
			}
		}
		for i := 0; i < a.NumOut(); i++ {
			if !sameLayout(a.Out(i), b.Out(i), seen) {
				return false
			}
		}
		return true
	case reflect.Interface:
		return false
	}
	return a.Kind() == b.Kind()
}

// recycleCount reports how many times the session moved to a new
// interpreter.
func (in *Interp) recycleCount() int {
	in.evalMu.Lock()
	defer in.evalMu.Unlock()
	return in.recycles
}

// helpers are the functions the rewritten code calls, imported as __mh.
// They are made for each generation, which counts its goroutines.
func (in *Interp) helpers(gen *generation) map[string]reflect.Value {
	return map[string]reflect.Value{
		"Show":  reflect.ValueOf(in.show),
		"Enter": reflect.ValueOf(func() { in.enterN(gen, 1) }),
		"Leave": reflect.ValueOf(in.leave),

		"EnterGroup": reflect.ValueOf(func() { in.enterN(gen, selfGroup) }),
		"LeaveGroup": reflect.ValueOf(in.leaveGroup),

		"Go":       reflect.ValueOf(in.goStart(gen)),
		"GoPanic":  reflect.ValueOf(in.goPanic),
		"MakeSize": reflect.ValueOf(makeSize),
		"GrowSize": reflect.ValueOf(growSize),
		"Park":     reflect.ValueOf(in.park),
		"Exit":     reflect.ValueOf(runtime.Goexit),
		"Unlock":   reflect.ValueOf(unlockHelper("Unlock")),
		"RUnlock":  reflect.ValueOf(unlockHelper("RUnlock")),
		"Wait":     reflect.ValueOf(unlockHelper("Wait")),

		"UnlockFunc":  reflect.ValueOf(unlockFunc("Unlock")),
		"RUnlockFunc": reflect.ValueOf(unlockFunc("RUnlock")),
		"WaitFunc":    reflect.ValueOf(unlockFunc("Wait")),
		"Clear":       reflect.ValueOf(clearValue),
		"Zero":        reflect.ValueOf(zeroVars),
		"ErrEqual":    reflect.ValueOf(errEqual),
		"Dump":        reflect.ValueOf(in.dump),
		"DumpHost":    reflect.ValueOf(in.dumpHost),
		"NameType":    reflect.ValueOf(in.nameType),
		"Nested":      reflect.ValueOf(nested),
		"NestedSlice": reflect.ValueOf(nestedSlice),
		"NameMethod":  reflect.ValueOf(in.names.addMethod),
	}
}

// ensureGenerics declares the generic min and max helpers in the current
// generation if the input needs them.
func (in *Interp) ensureGenerics() error {
	if err := in.ensureErrorHelpers(); err != nil {
		return err
	}
	if !in.gen.needGeneric || in.gen.generics {
		return nil
	}
	if err := in.compileAndRun(genericHelpers); err != nil {
		return err
	}
	in.gen.generics = true
	return nil
}

// zeroVars sets the variables that ptrs point to to their zero values:
// the temporaries of splitDefines.
func zeroVars(ptrs ...any) {
	for _, p := range ptrs {
		if v := reflect.ValueOf(p); v.Kind() == reflect.Pointer && !v.IsNil() {
			v.Elem().SetZero()
		}
	}
}

// clearValue is the clear builtin.
func clearValue(x any) {
	v := reflect.ValueOf(x)
	switch v.Kind() {
	case reflect.Invalid:
	case reflect.Map, reflect.Slice:
		v.Clear()
	default:
		panic(fmt.Sprintf("invalid argument: clear(%v): argument must be a map or a slice", v.Type()))
	}
}
