package interp

import (
	"errors"
	"fmt"
	"go/ast"
	"go/token"
	"strings"
)

// Functions may be declared before the functions (and variables) they
// use, across inputs, as in a Go file: `func a() int { return b() }` and,
// later, `func b() int { return 5 }`. yaegi refuses the first (undefined:
// b). An input of function and method declarations that uses a name
// nobody declared yet waits instead, with a note, and is declared once
// that name is; calling one of its functions before then says what it
// waits for. Declaring one of its functions again replaces the waiting
// one; functions that use one another (even, odd) are declared together
// as soon as the last of them comes.

// maxPending bounds the inputs waiting at once.
const maxPending = 100

// pendingFunc is one waiting function or method declaration.
type pendingFunc struct {
	name string // "f", "T.m", or "init"
	src  string
	at   token.Position // where it was typed
}

// pendingDecl is an input of declarations waiting for a name.
type pendingDecl struct {
	funcs   []pendingFunc
	missing string
}

func (p *pendingDecl) names() []string {
	var names []string
	for _, f := range p.funcs {
		names = append(names, f.name)
	}
	return names
}

// source is the waiting declarations, each on its line and column.
func (p *pendingDecl) source() string {
	units := make([]*declUnit, len(p.funcs))
	for i, f := range p.funcs {
		units[i] = &declUnit{src: f.src, at: f.at}
	}
	return joinUnits(units)
}

// funcsOnly reports whether a group declares functions and methods only.
func funcsOnly(g group) bool {
	if g.kind != declGroup || g.file == nil || len(g.file.Decls) == 0 {
		return false
	}
	for _, d := range g.file.Decls {
		if _, ok := d.(*ast.FuncDecl); !ok {
			return false
		}
	}
	return true
}

// undeclared returns a name that a group of function and method
// declarations uses and nobody declared (not the session, the namespace,
// a package, the universe or the group itself), and where, or "" — also
// for any other kind of group. It is asked before compiling: a method
// that fails to compile stays attached to its type in yaegi, broken.
func (in *Interp) undeclared(g group) (string, token.Pos) {
	if !funcsOnly(g) {
		return "", token.NoPos
	}
	in.use(g)
	name, at := "", token.NoPos
	references(g.file, func(id *ast.Ident, tparams map[string]bool) bool {
		if in.unknown(id) && !tparams[id.Name] {
			name, at = id.Name, id.Pos()
		}
		return name == ""
	})
	return name, at
}

// recvTypeParams are the names of a method's receiver type parameters:
// T in func (l *List[T]) Len().
func recvTypeParams(d *ast.FuncDecl) map[string]bool {
	if d.Recv == nil || len(d.Recv.List) != 1 {
		return nil
	}
	t := d.Recv.List[0].Type
	if s, ok := t.(*ast.StarExpr); ok {
		t = s.X
	}
	var idx []ast.Expr
	switch x := t.(type) {
	case *ast.IndexExpr:
		idx = []ast.Expr{x.Index}
	case *ast.IndexListExpr:
		idx = x.Indices
	}
	m := map[string]bool{}
	for _, e := range idx {
		if id, ok := e.(*ast.Ident); ok {
			m[id.Name] = true
		}
	}
	return m
}

// groupFuncs are the function declarations of a group, as typed.
func groupFuncs(fset *token.FileSet, g group) []pendingFunc {
	var funcs []pendingFunc
	for _, d := range g.file.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok {
			continue
		}
		f := fset.File(fd.Pos())
		if f == nil {
			continue
		}
		start, end := f.Offset(fd.Pos()), f.Offset(fd.End())
		if start < 0 || end > len(g.src) || start > end {
			continue
		}
		name := fd.Name.Name
		if fd.Recv != nil && len(fd.Recv.List) == 1 {
			name = recvTypeName(fd.Recv.List[0].Type) + "." + name
		}
		funcs = append(funcs, pendingFunc{name: name, src: g.src[start:end], at: fset.Position(fd.Pos())})
	}
	return funcs
}

// wait keeps a group of function declarations for later and says so on
// stderr, with the position of the first use of the missing name.
func (in *Interp) wait(g group, missing string, at token.Pos) error {
	fset := in.gen.yi.FileSet()
	p := &pendingDecl{funcs: groupFuncs(fset, g), missing: missing}
	if len(p.funcs) == 0 {
		return nil
	}
	if len(in.pending) >= maxPending {
		return fmt.Errorf("%s: undefined: %s (and %d other inputs already wait for names: declare them first)", lineCol(fset, at), missing, len(in.pending))
	}
	in.dropPending(p.names())
	in.pending = append(in.pending, p)
	var callable []string
	for _, n := range p.names() {
		if n != "init" {
			callable = append(callable, n)
		}
	}
	what := "running init"
	if len(callable) > 0 {
		what = "calling " + strings.Join(callable, " or ")
	}
	fmt.Fprintf(in.stderr, "%s: note: %s uses %s, which is not declared yet; declare %s before %s\n",
		lineCol(fset, at), strings.Join(p.names(), ", "), missing, missing, what)
	return nil
}

// dropPending forgets the waiting declarations of names: they were
// declared again. The other functions of their inputs go on waiting.
func (in *Interp) dropPending(names []string) {
	kept := in.pending[:0]
	for _, p := range in.pending {
		var funcs []pendingFunc
		for _, f := range p.funcs {
			if f.name == "init" || !contains(names, f.name) {
				funcs = append(funcs, f)
			}
		}
		if len(funcs) > 0 {
			p.funcs = funcs
			kept = append(kept, p)
		}
	}
	clear(in.pending[len(kept):])
	in.pending = kept
}

// usedPending returns the waiting inputs whose functions the group calls
// or names (plain identifiers only: fields, methods and keys are not).
func (in *Interp) usedPending(g group) []*pendingDecl {
	if len(in.pending) == 0 {
		return nil
	}
	var root ast.Node = g.file
	if g.file == nil {
		root = &ast.BlockStmt{List: g.stmts}
	}
	used := map[*pendingDecl]bool{}
	references(root, func(id *ast.Ident, _ map[string]bool) bool {
		// Declared too, it may be an older version: the waiting one is
		// the one that counts.
		if g.res[id] == nil {
			for _, p := range in.pending {
				if contains(p.names(), id.Name) {
					used[p] = true
				}
			}
		}
		return true
	})
	var out []*pendingDecl
	for _, p := range in.pending {
		if used[p] {
			out = append(out, p)
		}
	}
	return out
}

// waiting returns an error if a group that is not a function declaration
// uses a function that waits. A group of function declarations that uses
// one is joined with it instead (join), so that functions using one
// another can be declared.
func (in *Interp) waiting(g group) error {
	used := in.usedPending(g)
	if len(used) == 0 || funcsOnly(g) {
		return nil
	}
	p := used[0]
	return fmt.Errorf("%s is not declared yet: it uses %s, which is not declared", strings.Join(p.names(), ", "), p.missing)
}

// join returns a group of function declarations together with the waiting
// inputs it uses, which stop waiting, as one group, and those inputs, to
// put back if the group does not compile. The group's own functions
// replace their waiting versions first.
func (in *Interp) join(g group) (group, []*pendingDecl, error) {
	if !funcsOnly(g) || len(in.pending) == 0 {
		return g, nil, nil
	}
	own := groupFuncs(in.gen.yi.FileSet(), g)
	var names []string
	for _, f := range own {
		if f.name != "init" {
			names = append(names, f.name)
		}
	}
	in.dropPending(names)
	used := in.usedPending(g)
	if len(used) == 0 {
		return g, nil, nil
	}
	var srcs []string
	for _, p := range used {
		srcs = append(srcs, p.source())
		in.removePending(p)
	}
	for _, f := range own {
		srcs = append(srcs, f.src)
	}
	groups, err := parseInput(in.gen.yi.FileSet(), strings.Join(srcs, "\n"))
	if err != nil || len(groups) != 1 {
		in.pending = append(in.pending, used...)
		if err == nil {
			err = errors.New("internal error: joined declarations are not one group")
		}
		return g, nil, err
	}
	return groups[0], used, nil
}

// removePending forgets one waiting input.
func (in *Interp) removePending(p *pendingDecl) {
	kept := in.pending[:0]
	for _, x := range in.pending {
		if x != p {
			kept = append(kept, x)
		}
	}
	clear(in.pending[len(kept):])
	in.pending = kept
}

// declarePending declares the waiting inputs that no longer wait for
// anything, after an input declared or imported something.
func (in *Interp) declarePending(r *run) {
	for progress := true; progress && r.state.Load() != cancelled; {
		progress = false
		for _, p := range in.pending {
			groups, err := parseInput(in.gen.yi.FileSet(), p.source())
			if err != nil || len(groups) != 1 {
				continue
			}
			g := groups[0]
			if missing, _ := in.undeclared(g); missing != "" {
				p.missing = missing
				continue
			}
			in.removePending(p)
			in.dropPending(p.names()) // older versions of its functions
			progress = true
			units := in.journalUnits(in.gen.yi.FileSet(), g)
			for _, u := range units {
				u.input = r.id
			}
			if err := in.runGroup(r, g, units); err != nil {
				fmt.Fprintf(in.stderr, "note: %s, declared before what it uses, does not compile: %v\n", strings.Join(p.names(), ", "), err)
				break
			}
			if r.state.Load() == cancelled {
				return
			}
			in.record(g, units)
			break // in.pending changed
		}
	}
}

func lineCol(fset *token.FileSet, at token.Pos) string {
	p := fset.Position(at)
	return fmt.Sprintf("%d:%d", p.Line, p.Column)
}
