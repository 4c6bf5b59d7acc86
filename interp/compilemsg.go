package interp

import (
	"errors"
	"fmt"
	"go/ast"
	"go/token"
	"slices"
	"strings"

	"github.com/gomanhole/manhole/internal/lazyre"
)

// goMessage says a compile error of yaegi's as the Go compiler would,
// where yaegi's text names its internals or leaves a name out:
// "cannot use "s" (type stringT) as type intT", "not enough arguments in
// call to " with no name, "unsupported assign expression" for a, b := 1.
// n is what was compiled; the error's line:col finds the node it is about.
func (in *Interp) goMessage(n ast.Node, err error) error {
	pos, msg, ok := strings.Cut(err.Error(), ": ")
	if !ok || n == nil {
		return err
	}
	fset := in.gen.yi.FileSet()
	at := func(match func(ast.Node) bool) ast.Node {
		// The outermost that match accepts: the rewrites wrap an input
		// in closures that start where it starts, which match refuses.
		var found ast.Node
		ast.Inspect(n, func(c ast.Node) bool {
			if found != nil || c == nil {
				return false
			}
			if positionOf(fset, c.Pos()) == pos && match(c) {
				found = c
			}
			return found == nil
		})
		return found
	}
	callOf := func(x ast.Expr) string {
		name := ""
		ast.Inspect(n, func(c ast.Node) bool {
			if call, ok := c.(*ast.CallExpr); ok && slices.Contains(call.Args, x) {
				name = shownExpr(call.Fun)
			}
			return true
		})
		return name
	}
	if m := undefinedMethodRe().FindStringSubmatch(msg); m != nil {
		// A method that waits for a name (see pending.go) is not
		// undefined: say what it waits for.
		for _, p := range in.pending {
			for _, name := range p.names() {
				if strings.HasSuffix(name, "."+m[1]) {
					return fmt.Errorf("%s: %s is not declared yet: it uses %s, which is not declared", pos, name, p.missing)
				}
			}
		}
	}
	if m := rewordMessage(msg, at, callOf); m != "" {
		return errors.New(pos + ": " + m)
	}
	return err
}

var (
	// cfg.go: "cannot use %v (type %v) as type %v in return argument",
	// with yaegi's type categories (stringT, intT).
	returnCatRe = lazyre.New(`^cannot use (.*) \(type (\w+)T\) as type (\w+)T in return argument$`)
	// typecheck.go: "cannot use type %s as type %s[ in %s]".
	useTypeRe = lazyre.New(`^cannot use type (.+) as type (.+?)(?: in (assignment|return argument|.+))?$`)
	// cfg.go: "assignment mismatch: %d variables but %s returns %d values".
	mismatchRe = lazyre.New(`^assignment mismatch: (\d+ variables?) but (.*) returns (\d+) values$`)
	// cfg.go: "undefined method: %s", "undefined selector: %s".
	undefinedMethodRe = lazyre.New(`^undefined (?:method|selector): (\w+)$`)
)

// rewordMessage returns Go's wording of yaegi's msg, "" to keep msg; at
// finds the node at the error's position that match accepts.
func rewordMessage(msg string, at func(match func(ast.Node) bool) ast.Node, callOf func(ast.Expr) string) string {
	// An expression the user wrote.
	isExpr := func(c ast.Node) bool {
		x, ok := c.(ast.Expr)
		return ok && shownExpr(x) != ""
	}
	switch {
	case msg == "not enough arguments in call to ":
		if c, ok := at(func(c ast.Node) bool {
			call, ok := c.(*ast.CallExpr)
			return ok && shownExpr(call.Fun) != ""
		}).(*ast.CallExpr); ok {
			if name := shownExpr(c.Fun); name != "" {
				return msg + name
			}
		}
		return "not enough arguments in call"
	case msg == "not enough arguments to return":
		return "not enough return values"
	case msg == "non-bool used as if condition":
		return "non-boolean condition in if statement"
	case msg == "non-bool used as for condition":
		return "non-boolean condition in for statement"
	case msg == "unsupported assign expression":
		if s := at(func(c ast.Node) bool {
			switch c.(type) {
			case *ast.AssignStmt, *ast.ValueSpec, *ast.GenDecl, *ast.DeclStmt:
				return true
			}
			return false
		}); s != nil {
			if lhs, rhs := assignCounts(s); lhs != rhs && rhs > 0 {
				return fmt.Sprintf("assignment mismatch: %s but %s", plural(lhs, "variable"), plural(rhs, "value"))
			}
		}
	}
	if m := returnCatRe().FindStringSubmatch(msg); m != nil {
		what := "value of type " + m[2]
		if lit, ok := at(isExpr).(*ast.BasicLit); ok && lit.Kind != token.IMAG {
			what = "untyped " + m[2] + " constant"
		}
		return fmt.Sprintf("cannot use %s (%s) as %s value in return statement", m[1], what, m[3])
	}
	if m := useTypeRe().FindStringSubmatch(msg); m != nil {
		x, _ := at(isExpr).(ast.Expr)
		name := shownExpr(x)
		if name == "" {
			return ""
		}
		ctx := m[3]
		if ctx == "" {
			ctx = "argument"
			if f := callOf(x); f != "" {
				ctx += " to " + f
			}
		}
		if ctx == "return argument" {
			ctx = "return statement"
		}
		what := "value"
		if _, ok := x.(*ast.Ident); ok {
			what = "variable"
		}
		return fmt.Sprintf("cannot use %s (%s of type %s) as %s value in %s", name, what, m[1], m[2], ctx)
	}
	if m := mismatchRe().FindStringSubmatch(msg); m != nil {
		fn := m[2]
		if fn == "" {
			// yaegi leaves the name out when the call is a selector
			// (var a, b = strings.Cut(s, ","), say).
			if c := singleCall(at(func(c ast.Node) bool { return singleCall(c) != nil })); c != nil {
				fn = shownExpr(c.Fun)
			}
			if fn == "" {
				fn = "the call"
			}
		}
		values := m[3] + " values"
		if m[3] == "1" {
			values = "1 value"
		}
		return "assignment mismatch: " + m[1] + " but " + fn + " returns " + values
	}
	if m := undefinedMethodRe().FindStringSubmatch(msg); m != nil {
		if sel, ok := at(func(c ast.Node) bool {
			s, ok := c.(*ast.SelectorExpr)
			return ok && s.Sel.Name == m[1]
		}).(*ast.SelectorExpr); ok {
			if x := shownExpr(sel.X); x != "" {
				return fmt.Sprintf("%s.%s undefined (no field or method %s)", x, m[1], m[1])
			}
		}
	}
	return ""
}

// shownExpr is x as the user wrote it, "" for nil or for an expression
// a rewrite made, which the user never wrote.
func shownExpr(x ast.Expr) string {
	if x == nil {
		return ""
	}
	s := exprString(x)
	if strings.Contains(s, "__mh") || strings.Contains(s, "(func() literal)") {
		return ""
	}
	return s
}

// assignCounts returns the numbers of variables and values of an
// assignment or a variable declaration.
func assignCounts(n ast.Node) (lhs, rhs int) {
	switch s := n.(type) {
	case *ast.AssignStmt:
		return len(s.Lhs), len(s.Rhs)
	case *ast.ValueSpec:
		return len(s.Names), len(s.Values)
	case *ast.DeclStmt:
		return assignCounts(s.Decl)
	case *ast.GenDecl:
		for _, sp := range s.Specs {
			if vs, ok := sp.(*ast.ValueSpec); ok && len(vs.Values) > 0 && len(vs.Names) != len(vs.Values) {
				return assignCounts(vs)
			}
		}
	}
	return 0, 0
}

// singleCall returns the call that is the only right-hand side of the
// assignment or declaration n, nil if there is none.
func singleCall(n ast.Node) *ast.CallExpr {
	var rhs []ast.Expr
	switch s := n.(type) {
	case *ast.AssignStmt:
		rhs = s.Rhs
	case *ast.ValueSpec:
		rhs = s.Values
	case *ast.DeclStmt:
		return singleCall(s.Decl)
	case *ast.GenDecl:
		if len(s.Specs) == 1 {
			return singleCall(s.Specs[0])
		}
	}
	if len(rhs) != 1 {
		return nil
	}
	c, _ := rhs[0].(*ast.CallExpr)
	return c
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
