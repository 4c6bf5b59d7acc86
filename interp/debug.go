package interp

import (
	"fmt"
	"go/ast"
	"go/token"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// SetDebugRewrite makes the evaluations that follow (Eval, TypeOf,
// Methods) call fn with the Go source that yaegi compiles, once every
// rewrite is done: for each part of the input it compiles, as it is about
// to run it, in order. Statements come as the global block's statements,
// declarations as a file of package main; the imports manhole adds show
// as import declarations. The source has manhole's helpers in it
// (__mh.Check between top-level statements, __mh.Show of an expression's
// value, the guards) and is compact, one statement per line, without
// comments; gofmt makes it pretty. A var declaration that uses a
// variable of an earlier input shows twice: yaegi refuses it as a file,
// and it is compiled again as a statement. An expression shows as it
// compiled: in __mh.Show, or alone for a call without results.
// The generic helpers manhole declares once per session (__mh_min,
// __mh_asError...) do not show. fn is called during the evaluation,
// before the code it shows runs, and must not use the Interp. nil turns
// it off, which is the default unless the environment asks for it (see
// [DebugRewriteEnv]); off, it costs an atomic load per compilation.
// SetDebugRewrite may be called at any time, from any goroutine.
func (in *Interp) SetDebugRewrite(fn func(src string)) {
	if fn == nil {
		in.debug.Store(nil)
		return
	}
	hook := func(n ast.Node) { fn(sourceText(n)) }
	in.debug.Store(&hook)
}

// DebugRewriteEnv reports whether the environment variable MANHOLE_DEBUG,
// a comma-separated list read once per process, holds "rewrite". New
// then sets a SetDebugRewrite that writes each source to Stderr after a
// "// rewritten:" line.
func DebugRewriteEnv() bool { return debugEnv() }

var debugEnv = sync.OnceValue(func() bool {
	return slices.Contains(strings.Split(os.Getenv("MANHOLE_DEBUG"), ","), "rewrite")
})

// debugSource hands n, about to be compiled, to the hook of
// SetDebugRewrite, if there is one.
func (in *Interp) debugSource(n ast.Node) {
	if hook := in.debug.Load(); hook != nil {
		(*hook)(n)
	}
}

// debugImports shows the import declaration autoImport compiles. (A move
// to a new interpreter imports the session's packages before it compiles
// the declarations again, so autoImport imports nothing then.)
func (in *Interp) debugImports(names []string) {
	if in.debug.Load() == nil {
		return
	}
	d := &ast.GenDecl{Tok: token.IMPORT}
	for _, name := range names {
		path := strconv.Quote(in.pkgs.byName[name])
		d.Specs = append(d.Specs, &ast.ImportSpec{Path: &ast.BasicLit{Kind: token.STRING, Value: path}})
	}
	in.debugSource(d)
}

// debugToStderr is the hook New sets when DebugRewriteEnv.
func (in *Interp) debugToStderr(src string) {
	fmt.Fprintf(in.stderr, "// rewritten:\n%s\n", src)
}
