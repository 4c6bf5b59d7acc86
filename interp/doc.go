// Package interp evaluates Go source against values a running program
// exposes: the evaluator behind every manhole session. It knows nothing of
// SSH or terminals and can be used on its own.
//
//	in, err := interp.New(interp.Options{
//		Namespace: map[string]any{"cache": cache, "cfg": &cfg},
//		Stdout:    w,
//		Stderr:    w,
//		Width:     func() int { return termCols },
//	})
//	if err != nil { ... }
//	defer in.Close()
//	res, err := in.Eval(ctx, "cache.Len()")
//	if res.HasValue { fmt.Fprintln(w, res.Value) } // 1024
//
// It is built on github.com/traefik/yaegi v0.16.1, with the workarounds
// described below. Each [Interp] is one session: declarations persist from
// one Eval to the next, and nothing is shared between two Interps.
//
// # Input
//
// Eval takes one complete input, possibly many lines: statements, func,
// method, type, var, const and import declarations, and expressions, in any
// mix (`var m = map[string]int{}; m["a"] = 1; m`). [Incomplete] tells a
// REPL when to ask for another line instead. Errors give the line and
// column in the input as typed (2:6: undefined: x), also inside code the
// rewrites below changed.
//
// As in a Go file, a function or method may be declared before the
// functions and variables it uses: an input of function declarations that
// uses a name nobody declared yet waits, with a note on Stderr ("1:23:
// note: a uses b, which is not declared yet"), and is declared as soon as
// an input declares (or imports) the name; using one of its functions
// before then is an error that says what it waits for. Functions that use
// one another may be typed one by one. A package-level var may use a var
// of an earlier input (var y = x + 1), which yaegi's own REPL refuses.
//
// Values of [Options.Namespace] are used by their bare names. They keep
// their Go types, so fields and methods of the host's own types work
// (store.Get("k"), stats.Requests); through a pointer, evaluated code
// changes the host's value (cfg.Level = 5). A non-pointer value is a copy.
// An unexported field of a host type is refused as Go refuses it (store.m
// undefined (cannot refer to unexported field m)); printing the value
// shows it.
//
// The application's named types that the namespace's values reach (their
// fields', elements', methods' parameter and result types, recursively)
// can be named: a type of the host's package main by its bare name, as
// the application's own code writes it (var p *Stats = stats, x.(*Stats),
// Event{Kind: "x"}), a type of another package under that package's name
// (inventory.Item), as if imported. A name the session declares is the
// session's. A package name that a standard package of the symbol set
// already has stays the standard one's; the application's package is then
// imported by its path. Of two application packages of one name, the
// shorter path gets it. Whole packages of the application (functions,
// variables, every type) come from a symbol table that `manhole extract`
// writes, given in [Options.Symbols]; their package variables can be set
// (pkg.V = x).
//
// Standard packages need no import line: an identifier like strings in
// strings.ToUpper is imported on first use, unless the name is declared in
// the session or in the namespace. `import "strings"` is accepted too, even
// when the package is already imported. Where several standard packages
// share a name, rand means math/rand, template text/template, scanner
// text/scanner and pprof runtime/pprof. Packages outside the symbol set
// cannot be imported.
//
// # Go 1.21 to 1.23
//
// yaegi implements Go 1.20; the input is rewritten before yaegi compiles it
// so that these work as in Go 1.23:
//
//   - min and max, of any number of numbers or strings. Constants are
//     computed as the compiler would (min(1, 2.5) is the untyped float 1;
//     named untyped constants count). Other calls keep their arguments'
//     type, named types included (max(d, time.Second) is a time.Duration),
//     evaluate each argument once, in order, and return NaN if one is NaN.
//   - clear, of a map or a slice.
//   - range over an integer (for i := range n, for range 10), when the
//     type of the expression is known without running it: literals, len
//     and cap, conversions, variables and constants of the input or of the
//     session, namespace values and their fields and methods, results of
//     the session's functions and methods and of standard functions. The
//     iteration variable has the expression's type.
//   - range over a function (for k, v := range seq), when the yield
//     function's parameter types are known the same way. break, continue
//     and return work in the body, labeled ones too; defer, goto, and a
//     break or continue to a loop outside the body are refused with a
//     message.
//   - a new loop variable per iteration, for three-clause and range loops,
//     where the body could tell the difference: it takes the variable's
//     address or has a function literal that uses it. A change to the
//     variable in the body still counts for the next iteration, as Go
//     1.22 specifies.
//
// And from Go 1.21 to 1.26: slices.Sort, SortFunc, SortStableFunc,
// IsSorted, Min, Max, BinarySearch and the iterator functions of slices
// and maps (All, Values, Keys, Backward, Collect, Sorted, Insert); package
// iter (Seq, Seq2); new(expr) of a value whose type is known without
// running it (new(42), new(T{...})); errors.AsType[E](err).
//
// # Generics and errors
//
// yaegi infers a type parameter only from an argument of exactly that
// type, and cannot give a top-level variable the type of a generic call.
// manhole infers the type arguments of a call of a generic function of the
// session or of slices and maps itself, from the arguments whose types are
// known (func literals, package functions, variables, ~[]E constraints,
// untyped constants by Go's default-type rule), writes them out, and
// declares x := F(...) with F's result type. Where it cannot tell, yaegi
// infers as it does.
//
// An error of a session type works as an error: var err error = E{},
// err = E{}, error(v), x.(error), fmt.Errorf's %w, errors.Unwrap,
// errors.Is and errors.As with pointer types. yaegi keeps only part of a
// value of a session struct type in the wrapper compiled code sees, so
// errors.As with a value target of a session type is refused with the way
// around (give the methods a pointer receiver and use a pointer target).
// err1 == err2, err != E{...}, switch err { case ... } and errors.Is
// compare what the wrappers hold (yaegi's own == panics on them,
// "comparing uncomparable type interp._error"): pointers exactly, values
// of session struct types by that part and their Error texts. The wrapper
// has no other method of the value's, so errors.Is and errors.As do not
// call a session type's Is or As methods, and asserting such an error to
// another interface fails.
//
// Also, dump(x, ...) writes values to Stdout in depth (see Results).
// A session-level declaration or a namespace value named min, max, clear or
// dump takes precedence.
//
// Known limits: a min or max that cannot be expanded in place (in a loop
// condition, right of && or ||, in a case, after a call in the same
// statement) uses a generic helper, which yaegi instantiates with the
// underlying type (a time.Duration there becomes an int64), and which a
// top-level declaration cannot take its type from (`x := f() + min(a, b)`
// is refused: write m := min(a, b) first). min and max of typed constants
// are not constants. min(-0.0, 0.0) may be 0. A range over an integer or
// a function whose type cannot be inferred (the result of a generic
// function, say) is reported as an error; range int(n) makes an integer
// visible. A method with a pointer receiver called on a loop variable does
// not make it per iteration. A function literal in a loop body that
// also assigns the loop variable shares it with the other iterations'
// literals (a deferred closure there sees the last value).
//
// # Seeing the rewrites
//
// [Interp.SetDebugRewrite] hands a function the Go source yaegi compiles
// for each part of each input, after every rewrite above and the guards
// below: the loop with three clauses that range over an integer became,
// min expanded in place, the __mh.Check calls between top-level
// statements and __mh.Show of an expression's value (but for a plain
// expression such as x+1, which compiles as it is). Setting the
// environment variable MANHOLE_DEBUG=rewrite (a comma-separated list,
// read once per process; see [DebugRewriteEnv]) makes New set one that
// writes each source to Stderr after a "// rewritten:" line. The source
// is compact (one statement per line, no comments) and valid Go; gofmt
// lays it out as usual. Off, it costs nothing but an atomic load.
//
// # Results
//
// An input that ends in an expression with a value prints it in
// [Result.Value], in Go syntax like fmt's %#v: 2, "abc", []string{"a"},
// map[string]int{"a":1}, &main.Stats{Requests:3, Errors:0}. The exceptions
// serve reading: unsigned integers print in decimal (except single bytes
// inside composites, in hex as %#v has them), a byte slice prints as
// []byte("text"), a value with an Error or String method prints as that
// text (errors.New("boom") prints boom, 2*time.Second prints 2s; so does
// a value of a type declared in the session with such a method, the method
// running inside the evaluation: it is interrupted like any code, and a
// panic in it prints as fmt has it, %!v(PANIC=String method: boom)), and a
// map prints in the order of its keys as fmt sorts them (numbers by value,
// strings, false before true, structs and arrays field by field). Struct
// types declared in the session print with their name and field names
// (main.point{X:1, y:2}, main.Empty{}); yaegi's own reflect types have
// neither. A call with several results prints them
// comma-separated: "v", true. Statements, declarations and calls without
// results print nothing, and neither does fmt.Print*/Fprint*'s (n, err)
// unless err is set.
//
// A composite value whose one-line form is wider than [Options.Width]
// prints on several lines, one field or element per line, indented by two
// spaces, values aligned after their keys; scalars in a slice fill the
// lines. Long values are cut with a note saying how much was left out: a
// string after 1000 runes (200 inside a composite), a slice after 100
// elements, a map after its first 100 keys, the whole result after 4 KiB:
//
//	"xxxx…xxxx"… (4000 more bytes)
//	[]int{0, 1, …, 99, … (900 more)}
//
// A value met again inside itself prints as <cycle: T>; printing also
// stops at 32 levels and 20000 values.
//
// dump(a, b, ...) writes each value to Stdout in depth, one field per
// line: pointers are followed at every level (to <cycle: *main.node> for a
// pointer met again on the way down), unexported fields of the host's
// types are shown, a byte slice that is not text is a hex dump, values of
// standard library types print as their GoString or String (time.Date(...),
// 2s), and a struct with a String method shows it in a comment. A dump is
// bounded to 64 KiB.
//
// # Output
//
// fmt.Print*, log.*, the print and println builtins, dump and writes to
// os.Stdout and os.Stderr go to [Options.Stdout] and [Options.Stderr],
// never to the host's streams: os.Stdout and os.Stderr are io.Writer
// variables there (not *os.File), os.Stdin is an empty io.Reader, and print
// and println write to Stdout, as yaegi has them.
//
// The print functions of fmt and log (Print*, Sprint*, Fprint*, Errorf,
// Append*, log.Print*/Panic*/Fatal*) print the session's struct types as
// the compiled program would: %+v of MyS{1, "x"} is {A:1 b:x}, %T main.MyS,
// %#v main.MyS{A:1, b:"x"}, in slices, maps, pointers and interfaces too,
// with the types' String, Error and GoString methods called where fmt
// calls them ([]St{{1}} prints [st!]). yaegi has none of this: its struct
// types are unnamed, their unexported fields exported with an X, without
// methods. What remains of it: two struct types declared with the same
// fields share one reflect type, and print by their structure with no
// method called; an empty struct type and the types that are not structs
// (type C int) print their %T and %#v as the underlying type, and their
// String method is seen at the top of an argument only; other printing
// routes (a *log.Logger's methods, the host's own functions) print the
// session's values as yaegi does.
//
// # Containment
//
// This is not a sandbox: evaluated code runs in the host process, with the
// host's memory and rights. But what plain yaegi would let end the host
// process, or wedge the session, is contained:
//
//   - A panic, in the evaluation or in compiled code it calls, is Eval's
//     error "panic: <value>", without yaegi's internal stack. Runtime errors
//     that yaegi raises through package reflect read as Go's: "runtime
//     error: index out of range", "runtime error: slice bounds out of
//     range" (without the index and length Go would add: reflect does not
//     give them).
//   - A panic in a goroutine started by evaluated code (a go statement, or
//     a time.AfterFunc or context.AfterFunc callback, also when the
//     function is reached through a variable) is written to Stderr as
//     "panic in goroutine: <value>"; in plain yaegi it kills the host.
//     Every go statement becomes a call of a compiled helper that starts
//     the goroutine and recovers in Go code (a recover in interpreted
//     code is skipped when yaegi's run state changes). The function value
//     and the arguments are evaluated when the go statement runs, as in
//     Go. A session runs at most 1000 goroutines at once ([Interp.Goroutines]
//     counts them, pending AfterFunc timers included); more panics with
//     "too many goroutines", and so do more than 10000 for all the
//     Interps of the process together, counting those of closed Interps
//     still blocked in compiled code.
//   - Go's fatal errors, which no recover survives, are prevented: a
//     statement x.Unlock(), x.RUnlock() or x.Wait() checks the
//     sync.Mutex, sync.RWMutex or sync.Cond behind x (through pointers,
//     interfaces and embedded fields) and panics where Go would be fatal;
//     make of a slice, map or channel type written in the input, and
//     strings.Repeat and bytes.Repeat, panic if the allocation exceeds
//     the memory the process can get (GOMEMLIMIT, the cgroup's limit,
//     MemAvailable); runtime.SetFinalizer, debug.SetMaxStack,
//     debug.SetMaxThreads, debug.WriteHeapDump, runtime.LockOSThread,
//     slog.SetDefault and os.NewFile panic with a message saying they
//     are refused. A method value x.Unlock of a sync lock type the
//     rewrite can infer (f := mu.Unlock, go mu.Unlock()) checks before it
//     calls; strings.Builder and bytes.Buffer Grow are bounded like make;
//     fmt, log and json print functions refuse a value nesting over 1000
//     levels (a map that holds itself overflows their stack); an input
//     nesting over 2000 levels is refused before yaegi compiles it.
//     Concurrent writes to one map from several goroutines stay fatal,
//     as in Go.
//   - Printing never reads a map the host may be writing without a lock
//     that guards it: a struct's own sync.Mutex or sync.RWMutex is held
//     (TryLock, at most 20 ms) while its fields are read, no String or
//     Error method of the host's types is called while a lock is held, and
//     a map reached from the namespace (by fields, indexes and pointers,
//     not through a call) or inside a struct of a host type, with no lock
//     held, prints as "map[K]V{… not read: no lock of the app guards it
//     here}". [Inspect] prints a host value this way without calling any
//     of its methods.
//   - When the Interp closes, goroutines blocked in a channel operation, a
//     select or an interpreted loop stop, and pending AfterFunc timers are
//     stopped. A goroutine blocked in compiled code (a lock, a sleep, a
//     host call) cannot be stopped; [Interp.Goroutines] still counts it.
//   - os.Exit, log.Fatal*, log.Default (whose Fatal would exit) and
//     runtime.Breakpoint panic with a message saying they are refused.
//   - yaegi's compiler panics on some constructs; the panic is reported as
//     a one-line error. A range over an integer or a function whose type
//     the rewrite could not infer is one: yaegi has then already written
//     "nil type" to the host's standard logger. Comma-ok declarations of
//     the global block (v, ok := m[k], n, ok := x.(T)), another such
//     panic, are rewritten so that yaegi compiles them; a comma-ok
//     receive there is refused before yaegi sees it.
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
//     The count is of the session's goroutines together (compiled code
//     cannot tell goroutines apart), with 32 more calls allowed for each
//     goroutine running, so goroutines parked a few calls deep do not
//     make a recursion in another one overflow; one goroutine can nest at
//     most 42000 calls, far below Go's limit.
//   - Names starting with __mh are reserved for the rewritten code.
//
// # Cancellation
//
// Eval stops when its context is done and returns an error wrapping
// ctx.Err() that reads "interrupted" or "timed out". Interpreted code
// stops at its next step, a blocked channel operation or select at once.
// Compiled code cannot be stopped: if the evaluation is inside such a call
// (time.Sleep, a mutex, a host function) and it does not return within
// 250 ms, Eval returns anyway with an error saying the call was abandoned;
// the call goes on in the background, and the rest of its input is not run
// when it returns. (A known gap: a session variable that the call's
// result was assigned to, v := f() or v = f(), is still written when f
// returns, and a panic of f unwinds through yaegi's global frame, both
// unsynchronized with the inputs evaluated since: a data race, which the
// race detector reports.)
//
// Stopping an evaluation stops every goroutine that the same Interp's code
// started, in earlier inputs too, at its next interpreted step (yaegi
// issue 1686): yaegi has one run state per interpreter. Each session has
// its own Interp, so cancelling in one session never stops another's
// goroutines. Close stops them too. An interrupted evaluation leaves no
// goroutine behind, except the one of a call it abandoned: when the call
// returns, that goroutine waits at its input's next check until Close
// (unwinding, it would pass through yaegi's global frame next to later
// inputs), then ends.
//
// # Memory: long sessions
//
// A yaegi interpreter keeps everything it compiled, about 3 KB per input,
// until it is dropped (yaegi issue 1678), and its global frame, which each
// input grows and which is copied when it grows, makes each input cost more
// as a session ages. So an Interp moves to a new yaegi interpreter every
// 250 inputs or more (more when the move is slow: it is kept under about
// 20 µs per input), transparently: imports are done again; functions,
// methods, types and constants are compiled again from their source;
// variable declarations are compiled without being run, and the new
// interpreter uses the old variables themselves (not copies: a pointer to
// a variable, a goroutine still using it, and the variable stay the same).
// A variable holding a function literal gets a new closure from its
// declaration. Time and memory per input stay flat: 1+1 takes about
// 0.15 ms and the heap stays under 2 MB after 100000 inputs, where a single
// interpreter took over 1 ms per input and held 150 MB after 10000. A move
// takes a few milliseconds for a small session (about 45 ms for 600
// declarations), on the input that triggers it.
//
// The move waits (it is tried again 250 inputs later) while a variable
// holds a closure that cannot be made again: one in a slice, map or
// struct, one returned by a function, or a function variable assigned
// after its declaration; and while a variable of an interface type
// declared in the session holds a value. A goroutine started before a move
// keeps running in the old interpreter, on the same variables, and is
// still stopped by an interruption or Close; functions and types declared
// after the move are not visible to it. A closure handed to the host (a
// callback) keeps the old interpreter alive while the host holds it.
//
// # Other limits inherited from yaegi v0.16.1
//
//   - Top-level variables live in yaegi's global frame, which grows
//     without a lock when an input declares a new one: a goroutine that
//     keeps using a session-level variable races with later inputs, and
//     with the later groups of its own input (each is compiled when the
//     one before has run). The race is on the frame's slice, which yaegi
//     replaces by a longer copy of the same reflect.Values: a goroutine
//     reads only slots that both copies hold, so no value is lost or
//     torn. A goroutine working on its own (function-local) variables
//     does not race.
//   - A nil pointer stored in an error is a nil error: yaegi's wrapper
//     makes a nil interface of it (var e error = (*P)(nil); e == nil).
//   - An error holding a session value cannot be a map key or be compared
//     inside an array, a struct or compiled generic code: yaegi's wrapper
//     holds a func ("comparing uncomparable type interp._error"); == and
//     switch on the errors themselves work (see errors above).
//   - Two struct types declared with the same fields share one reflect
//     type: type assertions and switches, errors.As and printing cannot
//     tell them apart.
//   - The depth limit (10 000 calls) counts the calls in progress of all
//     the session's goroutines together: a goroutine deep in a recursion
//     leaves less to the next input. The calls of itself by name of a
//     function that calls nothing else but builtins and packages'
//     functions (fib) are counted 8 levels at a time (the guard's cost,
//     two calls through reflect, is paid once in 8 levels); one that calls
//     a session function, a method or a func value is counted call by
//     call, as a recursion back through those would otherwise count a
//     group at each entry. Entered again from a closure handed to a
//     package (sort.Slice), it counts up to 7 calls more for each entry.
//   - A value assigned by a top-level := or var stays referenced by yaegi
//     until the next move to a new interpreter, even after the variable is
//     reassigned. Values computed by other top-level statements and
//     expressions are freed.
//   - Declaring main is refused: yaegi would run it after every input.
//   - A generic type's methods and constraints beyond unions and ~T work
//     as yaegi has them; compiled generic code of a package (a symbol
//     table's) cannot be called at all.
//   - A session value stored in an any (var x any = E{}) has no methods
//     for a type assertion to an interface there: x.(error) of it fails.
//   - error(f()) of a function returning a session struct type, at the
//     top level, fails in reflect; var err error = f() works.
//
// # How it is built
//
// Each input goes through one pipeline (eval.go): it is parsed (without
// go/parser's deprecated object resolution) and its names resolved by a
// scope of our own (scope.go), split into groups yaegi can compile, and
// each group is checked (the pre-compile checks of checks.go), given the
// modern Go that yaegi lacks by the modernizer (modern.go, minmax.go,
// loops.go and rangefunc.go) and goes through prepare: the passes that
// need the session's state (app types, host calls, generic calls, error
// values, value checks) and the automatic imports, then the rewriter
// (rewrite.go: the guards of guards.go and selfcall.go), all over one
// walker (walk.go). The checks, the modernizer, those passes, the
// rewriter and the type inferer they ask (infer.go) see the session only
// through a narrow interface, sessionScope (passscope.go), which [Interp]
// implements: each runs, and is tested, without an interpreter. The
// source that results is what [Interp.SetDebugRewrite] shows
// (srcprint.go): top-level statements in the global block with checks
// between them, and an expression's value taken by __mh.Show in an init
// function, except for a plain expression (a number, string or bool made
// of names, literals, operators, selectors and indexes, with no call, of
// at most 64 nodes), which runs alone in the global block, as plain yaegi runs it, at a
// third of the cost (see runPlain). run.go runs it on a worker
// goroutine and owns the run and cancel state machine; recycle.go moves
// a long session to a new interpreter. Everything that reads yaegi's unexported state is in
// yaegistate.go, checked against the pinned version by a test.
package interp
