package testkit

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// ErrorPrefix fails t for every error the non-test Go files of the
// package in dir create without prefix ("auth: ", say), so that an error
// tells which package made it. It reads every errors.New and fmt.Errorf
// call of every file, whatever its build constraints: the message must be
// a string literal starting with prefix, or a format starting with "%w"
// whose wrapped error is one of the package's own variables (a sentinel)
// made by errors.New with the prefix, which then leads the message.
func ErrorPrefix(t testing.TB, dir, prefix string) {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	var parsed []*ast.File
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		f, err := parser.ParseFile(fset, name, src, 0)
		if err != nil {
			t.Fatal(err)
		}
		parsed = append(parsed, f)
	}
	if len(parsed) == 0 {
		t.Fatalf("no Go files in %s", dir)
	}
	// The package-level variables made by errors.New with the prefix.
	sentinels := map[string]bool{}
	for _, f := range parsed {
		for _, d := range f.Decls {
			g, ok := d.(*ast.GenDecl)
			if !ok || g.Tok != token.VAR {
				continue
			}
			for _, s := range g.Specs {
				vs := s.(*ast.ValueSpec)
				for i, v := range vs.Values {
					if msg, ok := errorsNewLiteral(v); ok && strings.HasPrefix(msg, prefix) && i < len(vs.Names) {
						sentinels[vs.Names[i].Name] = true
					}
				}
			}
		}
	}
	calls := 0
	for _, f := range parsed {
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) == 0 {
				return true
			}
			fn := callName(call)
			if fn != "errors.New" && fn != "fmt.Errorf" {
				return true
			}
			calls++
			at := fset.Position(call.Pos())
			lit, ok := call.Args[0].(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				t.Errorf("%s: %s with a message that is not a string literal: its prefix cannot be checked", at, fn)
				return true
			}
			msg, err := strconv.Unquote(lit.Value)
			if err != nil {
				t.Errorf("%s: %v", at, err)
				return true
			}
			switch {
			case strings.HasPrefix(msg, prefix):
			case fn == "fmt.Errorf" && strings.HasPrefix(msg, "%w") && len(call.Args) > 1 && isSentinel(call.Args[1], sentinels):
			default:
				t.Errorf("%s: %s(%q) does not start with %q", at, fn, msg, prefix)
			}
			return true
		})
	}
	if calls == 0 {
		t.Fatalf("no errors.New or fmt.Errorf in %s: is the directory right?", dir)
	}
}

func callName(call *ast.CallExpr) string {
	sel, ok := call.Fun.(*ast.SelectorExpr)
	if !ok {
		return ""
	}
	x, ok := sel.X.(*ast.Ident)
	if !ok {
		return ""
	}
	return x.Name + "." + sel.Sel.Name
}

func errorsNewLiteral(e ast.Expr) (string, bool) {
	call, ok := e.(*ast.CallExpr)
	if !ok || callName(call) != "errors.New" || len(call.Args) != 1 {
		return "", false
	}
	lit, ok := call.Args[0].(*ast.BasicLit)
	if !ok || lit.Kind != token.STRING {
		return "", false
	}
	msg, err := strconv.Unquote(lit.Value)
	return msg, err == nil
}

func isSentinel(e ast.Expr, sentinels map[string]bool) bool {
	id, ok := e.(*ast.Ident)
	return ok && sentinels[id.Name]
}
