package interp

import (
	"fmt"
	"go/ast"
	"go/token"
	"io"
	"log/slog"
	"reflect"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Options configures an [Interp].
type Options struct {
	// Namespace holds the values evaluated code can use by their bare
	// names, like python-manhole's locals. Values keep their Go types, so
	// methods and fields of the host's own types work; a pointer lets
	// evaluated code change the host's variable (cfg.Level = 5), a plain
	// value is a copy. Names must be Go identifiers and must not be a
	// predeclared identifier (len, int, nil...). A name equal to a standard
	// package name (log, time...) hides that package from automatic
	// imports. Optional.
	Namespace map[string]any

	// Stdout and Stderr receive the output of evaluated code: fmt.Print*,
	// the print and println builtins (both to Stdout, as in yaegi), log.*,
	// and writes to os.Stdout and os.Stderr. Never the host's own streams.
	// Writes are serialized, so the writers need not be safe for concurrent
	// use. Optional; nil discards.
	Stdout, Stderr io.Writer

	// Width returns the width of the terminal that results are shown on,
	// in columns: a composite value whose one-line form is wider prints
	// on several lines, indented. It is called for each result and each
	// dump, from any goroutine, so it may follow a terminal's resizes.
	// Optional; nil, or an answer of 0 or less, means 80. A width below 20
	// counts as 20.
	Width func() int

	// Symbols are the compiled packages evaluated code can import, and
	// import automatically by name. Optional; nil means NewSymbols(): a
	// curated part of the standard library (package stdsyms).
	Symbols *Symbols

	// Logger receives the interpreter's notes for the host's log: a
	// session that could not move to a fresh interpreter (see Long
	// sessions in the package documentation) stays on its own and tries
	// again later; each such failure is logged here, with the count so
	// far. A move held back by a closure in a variable is not a failure.
	// Optional; nil discards.
	Logger *slog.Logger
}

// Result is what an evaluation printed.
type Result struct {
	// Value is the formatted value of the input's trailing expression, or
	// several values joined by ", " for a call with several results.
	Value string
	// HasValue is false when the input did not end in an expression with a
	// value (a statement, a declaration, a call without results).
	HasValue bool
}

// Interp is the evaluator of one session. Evaluated code keeps its
// declarations from one Eval to the next.
//
// An Interp is not meant for concurrent Eval calls: callers serialize them
// (concurrent calls are serialized internally, each waiting for the
// previous one). Close may be called at any time, from any goroutine.
type Interp struct {
	stdout io.Writer
	stderr io.Writer
	width  func() int

	namespace map[string]bool
	pkgs      *symIndex                // the packages of Options.Symbols
	nsValues  map[string]reflect.Value // the namespace as yaegi sees it
	nsTypes   map[string]reflect.Type  // their types, for the rewrites
	names     *typeNames               // names of the session's types, for printing

	// Held for a whole Eval and by Close, so that only one run talks to
	// yaegi's cancellation at a time.
	evalMu sync.Mutex
	// Fields below evalMu are only used by the goroutine running an Eval.
	gen         *generation              // the yaegi interpreter in use; see recycle.go
	imported    map[string]string        // name -> import path, in the global scope
	dotImports  map[string]bool          // import paths imported with the name "."
	declared    map[string]bool          // top-level names declared by evaluated code
	types       map[string]bool          // which of them were last declared as types
	consts      map[string]bool          // which of them were last declared as constants
	tainted     map[string]bool          // session variables set from a host value; see hostRooted
	aliases     map[string][]string      // type aliases -> the names they refer to
	typeKinds   map[string]reflect.Kind  // kinds of the session's types
	declTypes   map[string]string        // the session type a variable or constant was declared with; see noteDeclTypes
	funcResults map[string]*ast.FuncType // signatures of the session's functions
	res         resolution               // the names of the input being run; see scope.go
	sigs        resolution               // the names in funcResults, resolved in their input
	valueRecv   map[string]bool          // "T.m" of the session's methods with a value receiver
	journal     []*declUnit              // declarations, replayed by a recycle
	pending     []*pendingDecl           // declarations waiting for a name; see pending.go
	retired     []*generation            // replaced generations whose goroutines still ran
	reassigned  map[string]bool          // session variables assigned outside their declaration
	recycles    int                      // interpreters replaced so far
	recycleErrs int                      // recycles that failed (errNotRecyclable aside)
	logger      *slog.Logger
	nextRecycle int // evaluations of gen before the next attempt
	seq         int64
	tmpSeq      int64

	mu        sync.Mutex    // protects cur, abandoned and wake
	cur       *run          // the running evaluation, nil between evaluations
	abandoned *run          // the last evaluation abandoned inside a call
	wake      chan struct{} // closed to wake the goroutines in park

	depth      atomic.Int64 // interpreted calls in progress, all goroutines
	goroutines atomic.Int64 // goroutines of evaluated code running; see goStart
	stops      atomic.Int64 // times yaegi's run id was (about to be) bumped

	timersMu  sync.Mutex
	timers    map[*time.Timer]bool // pending timers of afterFunc
	compiling atomic.Bool          // the user's goroutine is inside yaegi's compiler
	broken    atomic.Bool          // an abandoned evaluation is stuck in the compiler or in manhole's passes
	closed    atomic.Bool
	idle      chan chan *run                 // the mailbox of the idle worker, if any; see worker
	keep      time.Duration                  // workerKeep; a test lengthens it
	closing   chan struct{}                  // closed by Close, to interrupt a running Eval
	unpark    chan struct{}                  // closed at the end of Close; see parkStale
	staleTurn chan struct{}                  // one slot; see parkStale
	debug     atomic.Pointer[func(ast.Node)] // see SetDebugRewrite
}

// syncWriter serializes writes from evaluated code, which may print from
// several goroutines at once.
type syncWriter struct {
	mu *sync.Mutex // shared by Stdout and Stderr, often the same stream
	w  io.Writer
}

func (w *syncWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.w.Write(p)
}

// Import paths of the binary packages through which the host's values and
// manhole's own helpers reach evaluated code. helperName is the name the
// helpers are imported under; names with its prefix are reserved.
const (
	nsPath     = "manhole/ns"
	helperPath = "manhole/rt"
	helperName = "__mh"
)

// predeclared are the identifiers of Go's universe block. A namespace value
// with one of these names would shadow it for every line of the session.
var predeclared = map[string]bool{
	"any": true, "bool": true, "byte": true, "comparable": true, "complex64": true,
	"complex128": true, "error": true, "float32": true, "float64": true, "int": true,
	"int8": true, "int16": true, "int32": true, "int64": true, "rune": true,
	"string": true, "uint": true, "uint8": true, "uint16": true, "uint32": true,
	"uint64": true, "uintptr": true, "true": true, "false": true, "iota": true,
	"nil": true, "append": true, "cap": true, "clear": true, "close": true,
	"complex": true, "copy": true, "delete": true, "imag": true, "len": true,
	"make": true, "max": true, "min": true, "new": true, "panic": true,
	"print": true, "println": true, "real": true, "recover": true,
}

// validName reports why name cannot be a namespace name, or "".
func validName(name string) string {
	switch {
	case !token.IsIdentifier(name):
		return "is not a Go identifier"
	case name == "_":
		return "is the blank identifier"
	case predeclared[name]:
		return "would hide the predeclared identifier " + name
	case strings.HasPrefix(name, helperName):
		return "uses the reserved prefix " + helperName
	}
	return ""
}

// New returns an interpreter exposing opts.Namespace. It is cheap: standard
// packages are loaded when evaluated code first refers to them.
func New(opts Options) (*Interp, error) {
	names := make([]string, 0, len(opts.Namespace))
	for name := range opts.Namespace {
		names = append(names, name)
	}
	sort.Strings(names) // the same error for the same namespace
	ns := make(map[string]reflect.Value, len(names))
	for _, name := range names {
		if why := validName(name); why != "" {
			return nil, fmt.Errorf("namespace name %q %s", name, why)
		}
		ns[name] = variable(opts.Namespace[name])
	}

	var outMu sync.Mutex
	stdout, stderr := opts.Stdout, opts.Stderr
	if stdout == nil {
		stdout = io.Discard
	}
	if stderr == nil {
		stderr = io.Discard
	}
	in := &Interp{
		stdout:      &syncWriter{mu: &outMu, w: stdout},
		stderr:      &syncWriter{mu: &outMu, w: stderr},
		width:       opts.Width,
		logger:      opts.Logger,
		namespace:   make(map[string]bool, len(names)),
		nsValues:    ns,
		nsTypes:     make(map[string]reflect.Type, len(names)),
		names:       newTypeNames(),
		imported:    map[string]string{},
		declared:    map[string]bool{},
		dotImports:  map[string]bool{},
		types:       map[string]bool{},
		consts:      map[string]bool{},
		tainted:     map[string]bool{},
		aliases:     map[string][]string{},
		typeKinds:   map[string]reflect.Kind{},
		declTypes:   map[string]string{},
		funcResults: map[string]*ast.FuncType{},
		valueRecv:   map[string]bool{},
		reassigned:  map[string]bool{},
		nextRecycle: recycleAfter,
		idle:        make(chan chan *run, 1),
		keep:        workerKeep,
		closing:     make(chan struct{}),
		unpark:      make(chan struct{}),
		staleTurn:   make(chan struct{}, 1),
		wake:        make(chan struct{}),
	}
	for _, name := range names {
		in.namespace[name] = true
		if v := opts.Namespace[name]; v != nil {
			in.nsTypes[name] = reflect.TypeOf(v)
		}
	}
	syms := opts.Symbols
	if syms == nil {
		syms = defaultSymbols
	}
	in.pkgs = syms.index().withAppTypes(ns)
	if DebugRewriteEnv() {
		in.SetDebugRewrite(in.debugToStderr)
	}
	gen, err := in.newGeneration()
	if err != nil {
		return nil, err
	}
	in.gen = gen
	return in, nil
}

// variable returns an addressable copy of v with v's dynamic type. yaegi
// treats an addressable value of a binary package as a variable; a value
// of interface type would hide the methods and fields of v.
func variable(v any) reflect.Value {
	if v == nil {
		var x any
		return reflect.ValueOf(&x).Elem()
	}
	rv := reflect.ValueOf(v)
	p := reflect.New(rv.Type()).Elem()
	p.Set(rv)
	return p
}

// compileAndRun runs import declarations that manhole writes itself, whose
// positions mean nothing to the user.
func (in *Interp) compileAndRun(src string) error {
	in.compiling.Store(true)
	prog, err := in.gen.yi.Compile(src)
	in.compiling.Store(false)
	if err != nil {
		return err
	}
	_, err = in.gen.yi.Execute(prog)
	return err
}

// Close interrupts a running evaluation and stops the goroutines evaluated
// code started, where yaegi can: a goroutine stops at its next interpreted
// step, except while it is blocked in a channel operation or inside a
// call to compiled code. Eval returns ErrClosed afterwards.
func (in *Interp) Close() error {
	if !in.closed.CompareAndSwap(false, true) {
		return nil
	}
	close(in.closing)
	in.stopTimers()
	in.evalMu.Lock()
	defer in.evalMu.Unlock()
	in.stopGen(in.gen)
	in.wakeGoroutines(in.gen)
	for _, g := range in.retired {
		in.stopGen(g)
		in.wakeGoroutines(g)
	}
	in.retired = nil
	// Nothing runs in this interpreter any more: the goroutines of
	// abandoned runs that came back may unwind (see parkStale).
	close(in.unpark)
	return nil
}

// stopGen makes every interpreted frame of a generation return at its
// next step (see bumpRunID).
func (in *Interp) stopGen(gen *generation) {
	in.stops.Add(1)
	bumpRunID(gen.yi)
}

// wakeGoroutines closes the channels of gen's finished runs, on which
// goroutines of evaluated code may be blocked: with yaegi's run id bumped
// (stopGen, or the cancellation of a run), they return instead of
// waiting forever.
func (in *Interp) wakeGoroutines(gen *generation) {
	for _, c := range gen.dones {
		close(c)
	}
	gen.dones = nil
	in.mu.Lock()
	close(in.wake)
	in.wake = make(chan struct{})
	in.mu.Unlock()
}

// stopRetired stops the goroutines still running in retired generations,
// as cancelling an evaluation stops those of the current one (see Eval).
func (in *Interp) stopRetired() {
	for _, g := range in.retired {
		if g.live.Load() > 0 {
			in.stopGen(g)
			in.wakeGoroutines(g)
		}
	}
}

func (in *Interp) current() *run {
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.cur
}

func (in *Interp) setCurrent(r *run) {
	in.mu.Lock()
	in.cur = r
	in.mu.Unlock()
}
