package interp

import (
	"fmt"
	"go/ast"
	"go/token"
	"reflect"
	"strings"
)

// Functions may be declared before the functions (and variables) they
// use, across inputs, as in a Go file: `func a() int { return b() }` and,
// later, `func b() int { return 5 }`. yaegi refuses the first (undefined:
// b). An input of function and method declarations that uses a name
// nobody declared yet waits instead, with a note, and is declared once
// that name is; using one of its functions before then says what it waits
// for.

// pendingDecl is an input of declarations waiting for a name.
type pendingDecl struct {
	src     string   // the declarations, as typed
	names   []string // the functions and methods it declares ("T.m")
	missing string   // the name it waits for
}

// undeclared returns a name that a group of function and method
// declarations uses and nobody declared (not the session, the namespace,
// a package, the universe or the group itself), or "" — also for any
// other kind of group. It is asked before compiling: a method that fails
// to compile stays attached to its type in yaegi, broken.
func (in *Interp) undeclared(g group) (string, token.Pos) {
	if g.kind != declGroup || g.file == nil || len(g.file.Decls) == 0 {
		return "", token.NoPos
	}
	for _, d := range g.file.Decls {
		if _, ok := d.(*ast.FuncDecl); !ok {
			return "", token.NoPos
		}
	}
	name, at := "", token.NoPos
	var tparams map[string]bool
	var visit func(n ast.Node) bool
	visit = func(n ast.Node) bool {
		if name != "" {
			return false
		}
		switch n := n.(type) {
		case *ast.FuncDecl:
			// Not n.Name: a method's name is no reference. A generic
			// method's receiver type parameters are not resolved by the
			// parser.
			tparams = recvTypeParams(n)
			for _, part := range []ast.Node{n.Recv, n.Type, n.Body} {
				if part != nil && !reflect.ValueOf(part).IsNil() {
					ast.Inspect(part, visit)
				}
			}
			return false
		case *ast.SelectorExpr:
			ast.Inspect(n.X, visit) // not n.Sel: a field or method
			return false
		case *ast.KeyValueExpr:
			if _, isIdent := n.Key.(*ast.Ident); !isIdent {
				ast.Inspect(n.Key, visit)
			} // an identifier key may be a field name
			ast.Inspect(n.Value, visit)
			return false
		case *ast.Ident:
			if in.unknown(n) && !tparams[n.Name] {
				name, at = n.Name, n.Pos()
			}
		}
		return true
	}
	for _, d := range g.file.Decls {
		ast.Inspect(d, visit)
	}
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

// wait keeps a declaration group for later and says so on stderr, with
// the position of the first use of the missing name.
func (in *Interp) wait(units []*declUnit, missing string, at token.Pos) {
	p := &pendingDecl{missing: missing}
	var srcs []string
	for _, u := range units {
		srcs = append(srcs, u.src)
		p.names = append(p.names, u.names...)
	}
	p.src = strings.Join(srcs, "\n")
	in.dropPending(p.names)
	in.pending = append(in.pending, p)
	fmt.Fprintf(in.stderr, "%s: note: %s uses %s, which is not declared yet; declare %s before calling %s\n",
		lineCol(in.gen.yi.FileSet(), at), strings.Join(p.names, ", "), missing, missing, strings.Join(p.names, " or "))
}

// dropPending forgets the waiting declarations of names: they were
// declared again.
func (in *Interp) dropPending(names []string) {
	kept := in.pending[:0]
	for _, p := range in.pending {
		still := false
		for _, n := range p.names {
			if !contains(names, n) {
				still = true
			}
		}
		if still {
			kept = append(kept, p)
		}
	}
	clear(in.pending[len(kept):])
	in.pending = kept
}

// waiting returns an error if the group uses a function that waits.
func (in *Interp) waiting(g group) error {
	if len(in.pending) == 0 {
		return nil
	}
	var root ast.Node = g.file
	if g.file == nil {
		root = &ast.BlockStmt{List: g.stmts}
	}
	var err error
	ast.Inspect(root, func(n ast.Node) bool {
		if err != nil {
			return false
		}
		switch n := n.(type) {
		case *ast.Ident:
			for _, p := range in.pending {
				if n.Obj == nil && contains(p.names, n.Name) {
					err = fmt.Errorf("%s is not declared yet: it uses %s, which is not declared", n.Name, p.missing)
				}
			}
		case *ast.SelectorExpr:
			for _, p := range in.pending {
				for _, name := range p.names {
					if strings.HasSuffix(name, "."+n.Sel.Name) {
						err = fmt.Errorf("method %s is not declared yet: it uses %s, which is not declared", name, p.missing)
					}
				}
			}
		}
		return err == nil
	})
	return err
}

// declarePending declares the waiting groups whose name has come, after
// an input declared it.
func (in *Interp) declarePending(r *run) {
	for progress := true; progress; {
		progress = false
		for _, p := range in.pending {
			if !in.declared[p.missing] {
				continue
			}
			in.dropPending(p.names)
			progress = true
			groups, err := parseInput(in.gen.yi.FileSet(), p.src)
			if err != nil || len(groups) != 1 {
				break
			}
			g := groups[0]
			units := in.journalUnits(in.gen.yi.FileSet(), g)
			for _, u := range units {
				u.input = r.id
			}
			if missing, at := in.undeclared(g); missing != "" {
				in.wait(units, missing, at)
				break
			}
			if err := in.runGroup(r, g, units); err != nil {
				fmt.Fprintf(in.stderr, "note: %s, declared before %s, does not compile: %v\n", strings.Join(p.names, ", "), p.missing, err)
				break
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
