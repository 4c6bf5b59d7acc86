package interp

import (
	"context"
	"errors"
	"fmt"
	"go/ast"
	"go/scanner"
	"go/token"
	"runtime"
	"strings"

	yaegi "github.com/traefik/yaegi/interp"
)

// ErrClosed is returned by Eval after Close, and wrapped by the error of an
// evaluation that Close interrupted.
var ErrClosed = errors.New("interpreter closed")

// errBroken is returned by every Eval after one was abandoned inside yaegi's
// compiler, which cannot be interrupted and has no lock.
var errBroken = errors.New("this interpreter is unusable: an earlier input was abandoned while it was being compiled; start a new session")

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
type panicError struct {
	value any
	at    string     // where in the host's code it panicked, if there
	names *typeNames // the session's, to print its values by
}

func (e *panicError) Error() string {
	if e.at != "" {
		return "panic: " + formatPanic(e.value, e.names) + " (in " + e.at + ")"
	}
	return "panic: " + formatPanic(e.value, e.names)
}

// hostFrame names the innermost frame of the host's own code in which
// the panic of callers (runtime.Callers taken while it unwinds) started:
// "store.(*Inventory).Boom at /src/store/store.go:57". The standard
// library's frames in between are passed over; "" when the panic started
// in evaluated code (a frame of yaegi, reflect or this package comes
// first) or in the standard library called from there.
func hostFrame(callers []uintptr) string {
	var frames []runtime.Frame
	it := runtime.CallersFrames(callers)
	for more := true; more; {
		var f runtime.Frame
		f, more = it.Next()
		frames = append(frames, f)
	}
	// yaegi recovers and panics again on the way up: the innermost
	// gopanic is where it started.
	start := -1
	for i, f := range frames {
		if f.Function == "runtime.gopanic" {
			start = i + 1
		}
	}
	if start < 0 {
		return ""
	}
	for _, f := range frames[start:] {
		fn := f.Function
		switch {
		case strings.HasPrefix(fn, "reflect."), strings.HasPrefix(fn, yaegiPkg+"/"),
			strings.HasPrefix(fn, interpPkg+".") && !strings.HasSuffix(f.File, "_test.go"):
			return ""
		case !isStdFunc(fn):
			name := fn
			if i := strings.LastIndexByte(name, '/'); i >= 0 {
				name = name[i+1:]
			}
			return fmt.Sprintf("%s at %s:%d", name, f.File, f.Line)
		}
	}
	return ""
}

const interpPkg = "github.com/gomanhole/manhole/interp"

// isStdFunc reports whether the function named fn (as runtime.Frame has
// it) is of the standard library: its package path has no dot in its
// first element, and is not main.
func isStdFunc(fn string) bool {
	first, _, _ := strings.Cut(fn, "/")
	if !strings.Contains(fn, "/") {
		first, _, _ = strings.Cut(fn, ".")
	}
	return first != "main" && !strings.Contains(first, ".")
}

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
func execError(err error, names *typeNames) error {
	var p yaegi.Panic
	if errors.As(err, &p) {
		return &panicError{value: p.Value, at: hostFrame(p.Callers), names: names}
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
