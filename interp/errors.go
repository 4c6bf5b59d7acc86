package interp

import (
	"context"
	"errors"
	"fmt"
	"go/ast"
	"go/scanner"
	"go/token"
	"strings"

	yaegi "github.com/traefik/yaegi/interp"
)

// ErrClosed is returned by Eval after Close, and wrapped by the error of an
// evaluation that Close interrupted.
var ErrClosed = errors.New("interpreter closed")

// errBroken is returned by every Eval after one was abandoned inside yaegi's
// compiler, which cannot be interrupted and has no lock.
var errBroken = errors.New("this interpreter is unusable: an earlier input is stuck in the compiler; start a new session")

// interruptedError is returned when the context or Close stops an evaluation.
type interruptedError struct {
	cause     error // ctx.Err() or ErrClosed
	abandoned bool  // the evaluation was still inside a call when Eval returned
}

func (e *interruptedError) Error() string {
	msg := "interrupted"
	if errors.Is(e.cause, context.DeadlineExceeded) {
		msg = "timed out"
	} else if errors.Is(e.cause, ErrClosed) {
		msg = "interrupted: interpreter closed"
	}
	if e.abandoned {
		msg += "; abandoned a call that did not return (it keeps running in the background)"
	}
	return msg
}

func (e *interruptedError) Unwrap() error { return e.cause }

// depthError reports interpreted calls nested deeper than maxCallDepth. Go's
// own stack overflow is fatal to the whole process, so recursion is cut well
// before it.
type depthError struct{}

func (depthError) Error() string {
	return fmt.Sprintf("stack overflow: more than %d nested calls (infinite recursion?)", maxCallDepth)
}

// panicError is a panic in evaluated code, printed the way Go prints one,
// without yaegi's internal stack.
type panicError struct{ value any }

func (e *panicError) Error() string { return "panic: " + formatPanicValue(e.value) }

// syntaxError turns the first parser error into a "line:col: message" line relative to
// the user's input src. An error found past the last line of src was found
// on the closing brace of the wrapper that parseGroup built, which for the
// user is the end of the input.
func syntaxError(err error, src string) error {
	var list scanner.ErrorList
	if !errors.As(err, &list) || len(list) == 0 {
		return err
	}
	first := list[0]
	msg := first.Msg
	line, col := first.Pos.Line, first.Pos.Column
	if lines := strings.Count(src, "\n") + 1; line > lines {
		msg = strings.ReplaceAll(msg, "found '}'", "found end of input")
		line, col = lines, len(src)-strings.LastIndexByte(src, '\n')
	}
	msg = strings.ReplaceAll(msg, "found 'EOF'", "found end of input")
	// Later errors are mostly consequences of the first.
	return fmt.Errorf("%d:%d: %s", line, col, msg)
}

// compileError cleans an error returned by yaegi's compiler.
func compileError(err error) error {
	msg := strings.TrimPrefix(err.Error(), srcFile+":")
	if msg == err.Error() {
		return err
	}
	return errors.New(msg)
}

// execError turns an error from yaegi's Execute into what the user sees.
func execError(err error) error {
	var p yaegi.Panic
	if errors.As(err, &p) {
		return &panicError{value: p.Value}
	}
	return compileError(err)
}

// compilePanic reports a panic of yaegi's compiler on n. The known cause is
// a range over an integer whose type the rewrite could not infer (see
// infer.go).
func compilePanic(fset *token.FileSet, n ast.Node, v any) error {
	var rng *ast.RangeStmt
	ast.Inspect(n, func(n ast.Node) bool {
		if r, ok := n.(*ast.RangeStmt); ok && rng == nil {
			rng = r
		}
		return rng == nil
	})
	if s, _ := v.(string); s == "nil type" && rng != nil {
		return fmt.Errorf("%s: the interpreter cannot compile this range: it could not tell the type of the range expression (for an integer, write range int(...))", positionOf(fset, rng.X.Pos()))
	}
	return fmt.Errorf("%s: the interpreter cannot compile this (yaegi: %v)", positionOf(fset, n.Pos()), v)
}

// positionOf formats pos as the user sees it.
func positionOf(fset *token.FileSet, pos token.Pos) string {
	if !pos.IsValid() {
		return "1:1"
	}
	p := fset.Position(pos)
	return fmt.Sprintf("%d:%d", p.Line, p.Column)
}
