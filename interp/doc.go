// Package interp evaluates Go source against values a running program
// exposes: the evaluator behind every manhole session. It knows nothing of
// SSH or terminals and can be used on its own.
//
//	in, err := interp.New(interp.Options{
//		Namespace: map[string]any{"cache": cache, "cfg": &cfg},
//		Stdout:    w,
//		Stderr:    w,
//	})
//	if err != nil { ... }
//	defer in.Close()
//	res, err := in.Eval(ctx, "cache.Len()")
//	if res.HasValue { fmt.Fprintln(w, res.Value) } // 1024
//
// It is built on github.com/traefik/yaegi, with the workarounds described
// below. Each [Interp] is one session: declarations persist from one Eval
// to the next, and nothing is shared between two Interps.
//
// # Input
//
// Eval takes one complete input, possibly many lines: statements, func,
// method, type, var, const and import declarations, and expressions, in any
// mix (`var m = map[string]int{}; m["a"] = 1; m`). [Incomplete] tells a
// REPL when to ask for another line instead.
//
// Values of [Options.Namespace] are used by their bare names. They keep
// their Go types, so fields and methods of the host's own types work
// (store.Get("k"), stats.Requests); through a pointer, evaluated code
// changes the host's value (cfg.Level = 5). A non-pointer value is a copy.
//
// Standard packages need no import line: an identifier like strings in
// strings.ToUpper is imported on first use, unless the name is declared in
// the session or in the namespace. `import "strings"` is accepted too, even
// when the package is already imported. Where several standard packages
// share a name, rand means math/rand, template text/template, scanner
// text/scanner and pprof runtime/pprof. Packages outside the standard
// library cannot be imported.
//
// # Results
//
// An input that ends in an expression with a value prints it in
// [Result.Value], in Go syntax like fmt's %#v: 2, "abc", []string{"a"},
// map[string]int{"a":1}, &main.Stats{Requests:3, Errors:0}. The exceptions
// serve reading: unsigned integers print in decimal (except single bytes
// inside composites, in hex as %#v has them), a byte slice prints as
// []byte("text"), and a value with an Error or String method prints as that
// text (errors.New("boom") prints boom, 2*time.Second prints 2s). A call
// with several results prints them comma-separated: "v", true. Statements,
// declarations and calls without results print nothing, and neither does
// fmt.Print*/Fprint*'s (n, err) unless err is set. Values of types declared
// in the session print with their structure only (struct { X int }{X:1}):
// yaegi gives them no name. Printing stops at 32 levels, 20000 elements or
// 64 KiB, with "...", so a cyclic value cannot hang or crash the host.
//
// # Output
//
// fmt.Print*, log.*, the print and println builtins and writes to
// os.Stdout and os.Stderr go to [Options.Stdout] and [Options.Stderr],
// never to the host's streams: os.Stdout and os.Stderr are io.Writer
// variables there (not *os.File), os.Stdin is an empty io.Reader, and print
// and println write to Stdout, as yaegi has them.
//
// # Containment
//
// This is not a sandbox: evaluated code runs in the host process, with the
// host's memory and rights. But what plain yaegi would let end the host
// process, or wedge the session, is contained:
//
//   - A panic, in the evaluation or in compiled code it calls, is Eval's
//     error "panic: <value>", without yaegi's internal stack.
//   - A panic in a goroutine started by evaluated code (a go statement, or a
//     time.AfterFunc or context.AfterFunc callback) is written to Stderr as
//     "panic in goroutine: <value>"; in plain yaegi it kills the host. A go
//     statement that calls anything but a function literal runs through a
//     helper, so a wrong argument there is reported as such a panic rather
//     than at compile time.
//   - os.Exit, log.Fatal*, log.Default (whose Fatal would exit) and
//     runtime.Breakpoint panic with a message saying they are refused.
//   - yaegi's compiler panics on some constructs; the panic is reported as
//     a one-line error. Range over an integer or a function is rejected with
//     a clear message where the syntax shows it (range 10, range len(s));
//     hidden behind a variable, yaegi's compiler panic is caught, but yaegi
//     has already written "nil type" to the host's standard logger.
//   - yaegi's compiler cannot be interrupted, and on some invalid programs
//     it recurses until Go's fatal stack overflow or instantiates generics
//     until memory runs out. The known ones are rejected before compiling:
//     a name that is not a type used as one (func f(x f)), a cycle of type
//     aliases (type T = *T), an instantiation cycle (f[[]P] inside f[P]).
//     Should an evaluation still be abandoned inside the compiler, the
//     Interp refuses further input: compiling next to it could corrupt
//     yaegi's state.
//   - Interpreted calls nest at most 10000 deep. Go's own stack overflow is
//     fatal to the process, so runaway recursion stops before: the
//     evaluation is stopped as by a cancellation, and Eval reports
//     "stack overflow". (In a goroutine outside an evaluation it panics.)
//   - Names starting with __mh are reserved for the rewritten code.
//
// # Cancellation
//
// Eval stops when its context is done and returns an error wrapping
// ctx.Err() that reads "interrupted" or "timed out". Interpreted code
// stops at its next step, a blocked channel operation or select at once.
// Compiled code cannot be stopped: if the evaluation is inside such a call
// (time.Sleep, a mutex, a host function) and it does not return within
// 50 ms, Eval returns anyway with an error saying the call was abandoned;
// the call goes on in the background, and the rest of its input is not run
// when it returns.
//
// Stopping an evaluation stops every goroutine that the same Interp's code
// started, in earlier inputs too, at its next interpreted step (yaegi
// issue 1686): yaegi has one run state per interpreter. Each session has
// its own Interp, so cancelling in one session never stops another's
// goroutines. Close stops them too. Each interrupted evaluation keeps one
// parked goroutine until Close: yaegi's own goroutine for the run must not
// finish concurrently with later inputs.
//
// # Limits inherited from yaegi v0.16.1
//
//   - No range over integers or functions, no min, max or clear builtins,
//     and loop variables are per loop, as before Go 1.22.
//   - Top-level variables live in yaegi's global frame, which grows
//     without a lock when an input declares a new one: a goroutine that
//     keeps using a session-level variable races with later inputs. A
//     goroutine working on its own (function-local) variables does not.
//   - A value assigned by a top-level := or var stays referenced by yaegi
//     until Close, even after the variable is reassigned. Values computed
//     by other top-level statements and expressions are freed.
//   - yaegi's global frame grows by a few slots per input and is copied
//     at each, so an input costs more as a session ages: 1+1 takes about
//     0.15 ms in a new session, 0.4 ms after 1000 inputs, 2 ms after 10000.
//   - Declaring main is refused: yaegi would run it after every input.
package interp
