package interp

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"go/ast"
	"go/token"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/gomanhole/manhole/interp/stdsyms"
)

// Some Go errors are fatal, not panics: no recover catches them and the
// host process ends. The guards below stop the ones ordinary-looking code
// reaches before they happen; see the package doc's Containment section.

// fatalRefusals are symbols refused outright: each is process-wide, or
// fatal when misused, with no way to check first.
var fatalRefusals = map[string]map[string]string{
	"runtime/runtime": {
		// A non-pointer first argument is fatal; a finalizer runs on the
		// runtime's goroutine, where a panic ends the process.
		"SetFinalizer": "runtime.SetFinalizer is refused inside a manhole: misused it is fatal to the process, and a finalizer runs where a panic is",
		// A goroutine blocked while it holds its thread keeps the thread
		// until the process ends: past 10000 threads Go dies.
		"LockOSThread": "runtime.LockOSThread is refused inside a manhole: a goroutine left blocked would pin an OS thread for the life of the process",
	},
	"log/slog/slog": {
		"SetDefault":        "slog.SetDefault is refused inside a manhole: it would take over the application's logging",
		"SetLogLoggerLevel": "slog.SetLogLoggerLevel is refused inside a manhole: it changes the application's logging",
	},
	"runtime/debug/debug": {
		"SetMaxStack":   "debug.SetMaxStack is refused inside a manhole: it limits every goroutine of the process, and the limit is fatal",
		"SetMaxThreads": "debug.SetMaxThreads is refused inside a manhole: it limits the whole process, and the limit is fatal",
		"WriteHeapDump": "debug.WriteHeapDump is refused inside a manhole: it writes to a file descriptor of the host's (use :pprof heap)",
	},
	"os/os": {
		// os.NewFile(2, "").Close() closes the host's stderr, and the next
		// accepted connection takes descriptor 2: the host's log then goes
		// into a client's SSH stream. Descriptor 5 may be the netpoller.
		"NewFile": "os.NewFile is refused inside a manhole: the descriptor belongs to the host, and closing it would hand its number to the next connection",
	},
}

// refusals returns the refused symbols of the package at key, as
// functions of the same types that panic with the reason.
func refusals(key string, base map[string]reflect.Value) map[string]reflect.Value {
	m := map[string]reflect.Value{}
	for name, msg := range fatalRefusals[key] {
		if v, ok := base[name]; ok && v.Kind() == reflect.Func {
			m[name] = refused(v.Type(), msg)
		}
	}
	return m
}

// Allocation. Go's "out of memory" is fatal: make([]byte, 60<<30) ends
// the process. make of a slice, map or channel type written in the input,
// strings.Repeat and bytes.Repeat check the size against what the process
// can get first.

// bigAlloc is the size above which an allocation is checked: below it,
// nothing is read.
const bigAlloc = 64 << 20

// checkAlloc panics if an allocation of size bytes would exceed the
// memory the process can still get: GOMEMLIMIT above the heap in use,
// the cgroup's memory.max above its usage, the system's MemAvailable.
func checkAlloc(what string, size float64) {
	if size < bigAlloc {
		return
	}
	avail, from := availableMemory()
	if size > float64(avail) {
		panic(fmt.Sprintf("%s of %s refused: the process can get about %s more (%s); Go's out of memory would end it", what, byteSize(size), byteSize(float64(avail)), from))
	}
}

// availableMemory returns the smallest of the limits checkAlloc names,
// and which one it is.
func availableMemory() (uint64, string) {
	best, from := uint64(math.MaxUint64), "no limit known"
	consider := func(v uint64, name string) {
		if v < best {
			best, from = v, name
		}
	}
	var ms runtime.MemStats
	if limit := debug.SetMemoryLimit(-1); limit < math.MaxInt64 {
		runtime.ReadMemStats(&ms)
		used := ms.HeapAlloc + ms.StackInuse
		if uint64(limit) > used {
			consider(uint64(limit)-used, "GOMEMLIMIT")
		} else {
			consider(0, "GOMEMLIMIT")
		}
	}
	for _, c := range cgroupLimits() {
		if c.limit > c.usage {
			consider(c.limit-c.usage, c.name)
		} else {
			consider(0, c.name)
		}
	}
	if v, ok := memAvailable(); ok {
		consider(v, "MemAvailable")
	}
	return best, from
}

func readUint(path string) (uint64, bool) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, false
	}
	v, err := strconv.ParseUint(strings.TrimSpace(string(b)), 10, 64)
	return v, err == nil
}

func memAvailable() (uint64, bool) {
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return 0, false
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if rest, ok := strings.CutPrefix(s.Text(), "MemAvailable:"); ok {
			kb, err := strconv.ParseUint(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb << 10, err == nil
		}
	}
	return 0, false
}

func byteSize(n float64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", n/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", n/(1<<20))
	}
	return fmt.Sprintf("%.0f bytes", n)
}

// smallMake is the constant size below which make is not checked.
const smallMake = 4096

// makeSize is __mh.MakeSize(n, T(nil)), what make(T, n) becomes: it
// returns n once the allocation it asks for is known to fit.
func makeSize(n any, typed any) int {
	v := reflect.ValueOf(n)
	var count float64
	var out int
	switch v.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		count, out = float64(v.Int()), int(v.Int())
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		u := v.Uint()
		if u > math.MaxInt {
			panic("runtime error: makeslice: len out of range")
		}
		count, out = float64(u), int(u)
	case reflect.Float32, reflect.Float64:
		// An untyped constant such as 1e9 reaches here as a float64.
		f := v.Float()
		if f != math.Trunc(f) || f > math.MaxInt || f < math.MinInt {
			panic(fmt.Sprintf("make: %v is not a valid size", f))
		}
		count, out = f, int(f)
	default:
		panic(fmt.Sprintf("make: size of type %T is not an integer", n))
	}
	if count <= 0 {
		return out // make's own panic says what is wrong
	}
	t := reflect.TypeOf(typed)
	var elem float64 = 1
	switch {
	case t == nil:
	case t.Kind() == reflect.Map:
		// Keys, values and the tables' overhead.
		elem = float64(t.Key().Size()+t.Elem().Size())*1.5 + 2
	case t.Kind() == reflect.Slice || t.Kind() == reflect.Chan:
		elem = float64(max(t.Elem().Size(), 1))
	}
	checkAlloc("make("+t.String()+", "+strconv.Itoa(out)+")", count*elem)
	return out
}

// guardMake rewrites make(T, n...) where T is a slice, map or channel
// type written out, and make is the builtin.
func (rw *rewriter) guardMake(c *ast.CallExpr) {
	id, ok := c.Fun.(*ast.Ident)
	if !ok || id.Name != "make" || rw.s.obj(id) != nil || rw.shadowed("make") || len(c.Args) < 2 {
		return
	}
	switch t := c.Args[0].(type) {
	case *ast.ArrayType, *ast.MapType, *ast.ChanType:
	case *ast.Ident:
		// A type of the session or of the input (make(B, n) with
		// type B []byte); not a type parameter, whose conversion from
		// nil yaegi may not compile.
		if o := rw.s.obj(t); o != nil {
			if _, ok := o.decl.(*ast.TypeSpec); !ok || o.kind != typeObj {
				return
			}
		} else if rw.sessionKind(t.Name) != sessionType {
			return
		}
	case *ast.SelectorExpr:
		// A package's named type: make(sort.IntSlice, n).
		if !rw.isPackage(t.X) {
			return
		}
	default:
		return
	}
	for i := 1; i < len(c.Args); i++ {
		if lit, ok := c.Args[i].(*ast.BasicLit); ok && lit.Kind == token.INT {
			if n, err := strconv.ParseInt(lit.Value, 0, 64); err == nil && n <= smallMake {
				continue // too small to matter, whatever the element
			}
		}
		pos := c.Args[i].Pos()
		typed := callExpr(&ast.ParenExpr{Lparen: pos, X: c.Args[0], Rparen: pos}, pos, ident("nil", pos))
		c.Args[i] = callExpr(helperFunc("MakeSize", pos), pos, c.Args[i], typed)
	}
}

// repeatGuards are strings.Repeat and bytes.Repeat, checked.
func repeatGuards(key string) map[string]reflect.Value {
	switch key {
	case "strings/strings":
		return map[string]reflect.Value{"Repeat": reflect.ValueOf(func(s string, count int) string {
			checkAlloc("strings.Repeat", float64(len(s))*float64(count))
			return strings.Repeat(s, count)
		})}
	case "bytes/bytes":
		return map[string]reflect.Value{"Repeat": reflect.ValueOf(func(b []byte, count int) []byte {
			checkAlloc("bytes.Repeat", float64(len(b))*float64(count))
			return bytes.Repeat(b, count)
		})}
	}
	return nil
}

// Unlocking. "sync: unlock of unlocked mutex" and its RWMutex and Cond
// siblings are fatal. Every statement `x.Unlock()`, `x.RUnlock()` or
// `x.Wait()` (deferred too) becomes __mh.Unlock(&x, x.Unlock) — x itself
// where &x would not compile — which checks a sync.Mutex, sync.RWMutex or
// sync.Cond reached from x (through pointers, interfaces and embedded
// fields) before calling the method; other types' methods are called as
// they are.

var guardedMethods = map[string]string{"Unlock": "Unlock", "RUnlock": "RUnlock", "Wait": "Wait"}

// guardUnlock rewrites a call statement's call if it is one of
// guardedMethods without arguments.
func (rw *rewriter) guardUnlock(c *ast.CallExpr) *ast.CallExpr {
	sel, ok := c.Fun.(*ast.SelectorExpr)
	if !ok || len(c.Args) != 0 || rw.isPackage(sel.X) {
		return c
	}
	helper, ok := guardedMethods[sel.Sel.Name]
	if !ok {
		return c
	}
	pos := c.Pos()
	recv := sel.X
	if addressable(sel.X) {
		recv = &ast.UnaryExpr{OpPos: pos, Op: token.AND, X: sel.X}
	}
	return callExpr(helperFunc(helper, pos), pos, recv, sel)
}

// addressable reports whether &e compiles as far as the syntax tells.
func addressable(e ast.Expr) bool {
	switch e := e.(type) {
	case *ast.Ident:
		return e.Name != "_"
	case *ast.SelectorExpr:
		return addressable(e.X)
	case *ast.StarExpr:
		return true
	case *ast.ParenExpr:
		return addressable(e.X)
	}
	return false
}

var (
	mutexType   = reflect.TypeOf(sync.Mutex{})
	rwMutexType = reflect.TypeOf(sync.RWMutex{})
	condType    = reflect.TypeOf(sync.Cond{})
)

// findLock returns the sync.Mutex, sync.RWMutex or sync.Cond that v is or
// promotes its methods from, as a pointer value, or an invalid Value.
func findLock(v reflect.Value, depth int) reflect.Value {
	for depth < 8 && v.IsValid() {
		switch v.Kind() {
		case reflect.Pointer:
			if v.IsNil() {
				return reflect.Value{}
			}
			if t := v.Type().Elem(); t == mutexType || t == rwMutexType || t == condType || isRLocker(t) {
				return v
			}
			v = v.Elem()
		case reflect.Interface:
			v = v.Elem()
		case reflect.Struct:
			if isYaegiInterface(v.Type()) {
				v = yaegiInterfaceValue(v)
				continue
			}
			t := v.Type()
			if (t == mutexType || t == rwMutexType || t == condType) && v.CanAddr() {
				return v.Addr()
			}
			for i := 0; i < t.NumField(); i++ {
				// yaegi's struct types do not mark embedded fields, but
				// name them after their type.
				f := t.Field(i)
				ft := f.Type
				if ft.Kind() == reflect.Pointer {
					ft = ft.Elem()
				}
				if f.Anonymous || (f.Name == ft.Name() && ft.Name() != "") {
					if l := findLock(v.Field(i), depth+1); l.IsValid() {
						return l
					}
				}
			}
			return reflect.Value{}
		default:
			return reflect.Value{}
		}
		depth++
	}
	return reflect.Value{}
}

// rwReaders returns the readerCount of a RWMutex: readers holding it, less
// rwmutexMaxReaders while a writer holds it or waits. ok is false if this
// Go's RWMutex has no such field.
var rwReaderOffset = func() uintptr {
	f, ok := rwMutexType.FieldByName("readerCount")
	if !ok || f.Type != reflect.TypeOf(atomic.Int32{}) {
		return ^uintptr(0)
	}
	return f.Offset
}()

func rwReaders(rw *sync.RWMutex) (int32, bool) {
	if rwReaderOffset == ^uintptr(0) {
		return 0, false
	}
	return (*atomic.Int32)(unsafe.Add(unsafe.Pointer(rw), rwReaderOffset)).Load(), true
}

const rwmutexMaxReaders = 1 << 30

// isRLocker reports whether t is the type of RWMutex.RLocker's result,
// an unexported RWMutex whose Lock and Unlock are RLock and RUnlock.
func isRLocker(t reflect.Type) bool {
	return t.PkgPath() == "sync" && t.Name() == "rlocker" && t.ConvertibleTo(rwMutexType)
}

// checkUnlock panics, as Go would fatally, if calling method on the lock
// at p now would be fatal.
func checkUnlock(p reflect.Value, method string) {
	if isRLocker(p.Type().Elem()) {
		if method != "Unlock" {
			return
		}
		p, method = reflect.NewAt(rwMutexType, p.UnsafePointer()), "RUnlock"
	}
	switch l := p.Interface().(type) {
	case *sync.Mutex:
		if method == "Unlock" && l.TryLock() {
			l.Unlock()
			panic("sync: unlock of unlocked mutex (refused: in Go this is a fatal error that ends the process)")
		}
	case *sync.RWMutex:
		r, ok := rwReaders(l)
		switch {
		case method == "RUnlock" && ok && (r == 0 || r == -rwmutexMaxReaders):
			panic("sync: RUnlock of unlocked RWMutex (refused: in Go this is a fatal error that ends the process)")
		case method == "Unlock" && ok && r >= 0:
			panic("sync: Unlock of unlocked RWMutex (refused: in Go this is a fatal error that ends the process)")
		case !ok && l.TryLock():
			l.Unlock()
			panic("sync: " + method + " of unlocked RWMutex (refused: in Go this is a fatal error that ends the process)")
		}
	case *sync.Cond:
		if method == "Wait" && l.L != nil {
			if lp := findLock(reflect.ValueOf(l.L), 0); lp.IsValid() {
				if _, isCond := lp.Interface().(*sync.Cond); !isCond {
					checkUnlock(lp, "Unlock")
				}
			}
		}
	}
}

// unlockHelper returns __mh.Unlock, __mh.RUnlock or __mh.Wait. They
// return the method's results, for an input that ends in such a call.
func unlockHelper(method string) func(recv any, call any) []any {
	return func(recv any, call any) []any {
		// The common cases without reflection: mu.Unlock() on a
		// sync.Mutex variable or a pointer to one.
		switch x := recv.(type) {
		case **sync.Mutex:
			if x != nil {
				recv = *x
			}
		case **sync.RWMutex:
			if x != nil {
				recv = *x
			}
		}
		switch x := recv.(type) {
		case *sync.Mutex:
			if x != nil && method == "Unlock" {
				checkUnlock(reflect.ValueOf(x), method)
				x.Unlock()
				return nil
			}
		case *sync.RWMutex:
			if x != nil && (method == "Unlock" || method == "RUnlock") {
				checkUnlock(reflect.ValueOf(x), method)
				if method == "Unlock" {
					x.Unlock()
				} else {
					x.RUnlock()
				}
				return nil
			}
		}
		rv := reflect.ValueOf(recv)
		if rv.Kind() == reflect.Struct {
			// x itself could not be addressed (x is s[i], or a field of
			// one): check a copy, whose lock has the state the
			// original had a moment ago.
			c := reflect.New(rv.Type()).Elem()
			c.Set(rv)
			rv = c
		}
		if l := findLock(rv, 0); l.IsValid() {
			checkUnlock(l, method)
		}
		// The method of the value itself where reflection has it (the
		// host's types, sync's): yaegi may have bound the method value
		// to a copy of a variable, and Wait on a copy of a WaitGroup
		// never returns. Methods of the session's types are yaegi's own.
		if rv := reflect.ValueOf(recv); rv.IsValid() && rv.Kind() == reflect.Pointer && !rv.IsNil() {
			for rv.Kind() == reflect.Pointer && rv.Elem().Kind() == reflect.Pointer && !rv.Elem().IsNil() {
				rv = rv.Elem()
			}
			if m := rv.MethodByName(method); m.IsValid() && m.Type().NumIn() == 0 {
				return results(m.Call(nil))
			}
			if e := rv.Elem(); e.Kind() == reflect.Interface && !e.IsNil() {
				if m := e.Elem().MethodByName(method); m.IsValid() && m.Type().NumIn() == 0 && !isYaegiInterface(e.Elem().Type()) {
					return results(m.Call(nil))
				}
			}
		}
		fv := reflect.ValueOf(call)
		if fv.Kind() != reflect.Func || fv.IsNil() {
			panic("runtime error: invalid memory address or nil pointer dereference")
		}
		return results(fv.Call(nil))
	}
}

func results(vals []reflect.Value) []any {
	out := make([]any, len(vals))
	for i, v := range vals {
		out[i] = v.Interface()
	}
	return out
}

// unlockFunc is __mh.UnlockFunc, what a method value x.Unlock (RUnlock,
// Wait) of a sync type becomes (f := mu.Unlock; time.AfterFunc(d,
// mu.Unlock); go mu.Unlock()): a func that checks before it calls.
func unlockFunc(method string) func(recv any, call any) func() {
	h := unlockHelper(method)
	return func(recv any, call any) func() {
		return func() { h(recv, call) }
	}
}

var lockerType = reflect.TypeOf((*sync.Locker)(nil)).Elem()

// isSyncLock reports whether t is a type whose Unlock, RUnlock or Wait
// the guards check: sync.Mutex, RWMutex, Cond, pointers to them, and
// sync.Locker.
func isSyncLock(t reflect.Type) bool {
	if t == nil {
		return false
	}
	if t == lockerType {
		return true
	}
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t == mutexType || t == rwMutexType || t == condType || isRLocker(t)
}

// guardableMethod reports whether the method value x.name, x of type t,
// is to be checked: t is a sync lock, embeds one, or is an interface
// whose name method is func(). The check finds the lock at run time, and
// calls the method as it is when there is none.
func guardableMethod(t reflect.Type, name string) bool {
	if t == nil || isYaegiInterface(t) {
		// Unknown: an Unlock or RUnlock is almost always a lock's, and a
		// wrong guess fails to compile rather than to run. Wait is not
		// guessed (exec.Cmd.Wait returns an error).
		return name == "Unlock" || name == "RUnlock"
	}
	if isSyncLock(t) {
		return true
	}
	if t.Kind() == reflect.Interface {
		m, ok := t.MethodByName(name)
		return ok && m.Type.NumIn() == 0 && m.Type.NumOut() == 0
	}
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() == reflect.Struct {
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if (f.Anonymous || f.Name == ft.Name()) && (ft == mutexType || ft == rwMutexType || ft == condType) {
				return true
			}
		}
	}
	return false
}

// guardMethodValues rewrites the method values x.Unlock, x.RUnlock and
// x.Wait under root whose x is known to be of a sync lock type (see
// isSyncLock), outside call position.
func (rw *rewriter) guardMethodValues(root ast.Node) {
	called := map[*ast.SelectorExpr]bool{}
	ast.Inspect(root, func(n ast.Node) bool {
		if c, ok := n.(*ast.CallExpr); ok {
			if sel, ok := c.Fun.(*ast.SelectorExpr); ok {
				called[sel] = true
			}
		}
		return true
	})
	editExprs(root, false, func(e ast.Expr) ast.Expr {
		sel, ok := e.(*ast.SelectorExpr)
		if !ok || called[sel] || guardedMethods[sel.Sel.Name] == "" {
			return e
		}
		switch sel.X.(type) {
		case *ast.Ident, *ast.SelectorExpr, *ast.IndexExpr, *ast.ParenExpr, *ast.StarExpr:
		default:
			return e
		}
		if rw.isPackage(sel.X) || !rw.syncLock(sel.X, sel.Sel.Name) {
			return e
		}
		pos := sel.Pos()
		recv := sel.X
		if addressable(sel.X) {
			recv = &ast.UnaryExpr{OpPos: pos, Op: token.AND, X: sel.X}
		}
		return callExpr(helperFunc(sel.Sel.Name+"Func", pos), pos, recv, sel)
	})
}

// isGuardedCall reports whether e is a call guardUnlock made.
func isGuardedCall(e ast.Expr) bool {
	c, ok := e.(*ast.CallExpr)
	if !ok {
		return false
	}
	sel, ok := c.Fun.(*ast.SelectorExpr)
	if !ok {
		return false
	}
	x, ok := sel.X.(*ast.Ident)
	return ok && x.Name == helperName && guardedMethods[sel.Sel.Name] != ""
}

// Printing. fmt and encoding/json recurse into what they print, on the
// goroutine's stack: a map or slice that holds itself (m["m"] = m), or a
// type yaegi accepts though Go would not (type T struct{ a [2]T }), makes
// them recurse until Go's fatal stack overflow. The print functions of
// fmt, log and json check first how deep their arguments go.

// maxPrintNest is how deep a printed value may nest; maxNestWalk bounds
// the values looked at to tell (past it, the value is let through).
const (
	maxPrintNest = 1000
	maxNestWalk  = 1 << 20
)

var printGuarded = map[string][]string{
	"fmt/fmt": {"Print", "Printf", "Println", "Sprint", "Sprintf", "Sprintln", "Fprint", "Fprintf", "Fprintln",
		"Errorf", "Append", "Appendf", "Appendln"},
	"log/log":            {"Print", "Printf", "Println", "Panic", "Panicf", "Panicln", "Fatal", "Fatalf", "Fatalln"},
	"encoding/json/json": {"Marshal", "MarshalIndent"},
	"log/slog/slog":      {"Debug", "Info", "Warn", "Error", "Log", "DebugContext", "InfoContext", "WarnContext", "ErrorContext", "Group", "Any", "AnyValue"},
}

func init() {
	stdsyms.CheckPrint = func(v []any) { checkNesting(reflect.ValueOf(v)) }
}

// printGuards wraps the print functions of the package at key in syms
// with checkNesting, and has them print the session's types by their
// names (see sessionArgs; tn may be nil).
func printGuards(key string, syms map[string]reflect.Value, tn *typeNames, charge func(levels int) func()) map[string]reflect.Value {
	names := printGuarded[key]
	if len(names) == 0 {
		return nil
	}
	out := map[string]reflect.Value{}
	for _, name := range names {
		fn, ok := syms[name]
		if !ok || fn.Kind() != reflect.Func {
			continue
		}
		ft := fn.Type()
		// fmt's and log's take ...any last, after a format string for
		// the f forms.
		named := tn != nil && key != "encoding/json/json" && ft.IsVariadic()
		hasFormat := strings.HasSuffix(name, "f") && ft.IsVariadic() && ft.NumIn() >= 2 && ft.In(ft.NumIn()-2).Kind() == reflect.String
		out[name] = reflect.MakeFunc(ft, func(args []reflect.Value) []reflect.Value {
			levels := 0
			for i, a := range args {
				if i == len(args)-1 && ft.IsVariadic() {
					// Not the arguments only %T or %p print: fmt reads
					// nothing of them (an app's map it writes
					// meanwhile, say).
					var typeOnly map[int]bool
					if hasFormat {
						typeOnly = typeOnlyArgs(args[i-1].String())
					}
					for j := range a.Len() {
						if !typeOnly[j] {
							levels = max(levels, checkNesting(a.Index(j)))
						}
					}
					continue
				}
				levels = max(levels, checkNesting(a))
			}
			// fmt's recursion through the value takes stack the depth
			// limit would not see: a String method printing a value
			// nested 400 deep, which calls it again, took 20 KB a
			// counted call, past Go's fatal 1 GB within the limit.
			defer charge(levels)()
			if named {
				last := len(args) - 1
				vals, _ := args[last].Interface().([]any)
				format := ""
				if hasFormat {
					format = args[last-1].String()
				}
				if f, vs, changed := tn.sessionArgs(format, hasFormat, vals); changed {
					args = append([]reflect.Value(nil), args...)
					args[last] = reflect.ValueOf(vs)
					if hasFormat {
						args[last-1] = reflect.ValueOf(f).Convert(ft.In(last - 1))
					}
				}
			}
			if ft.IsVariadic() {
				return fn.CallSlice(args)
			}
			return fn.Call(args)
		})
	}
	return out
}

// checkNesting panics if printing v would recurse deeper than
// maxPrintNest, following what fmt and json follow: interfaces, maps,
// slices, arrays, struct fields and pointers. The walk has a stack of its
// own: it must not overflow where fmt would.
func checkNesting(v reflect.Value) (deepest int) {
	type item struct {
		v     reflect.Value
		depth int
		// host: inside a struct of the application's types; a map
		// there is the application's, which fmt must not read (see
		// below). deep: behind a pointer fmt prints as an address.
		host, deep bool
	}
	stack := []item{{v: v}}
	seen := map[uintptr]bool{} // pointers followed: json and fmt stop at a pointer cycle
	for n := 0; len(stack) > 0; n++ {
		if n == maxNestWalk {
			panic(fmt.Sprintf("refused to print a value of over %d nested values with fmt or json: it could hide a nesting deep enough to overflow the stack, which is fatal; print a part of it, or use the REPL's own printing", maxNestWalk))
		}
		it := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if it.depth > maxPrintNest {
			panic(fmt.Sprintf("refused to print a value that nests more than %d levels deep (a map or slice that holds itself?): Go's fmt and json would overflow the stack, which is fatal; the REPL's own printing and dump stop at cycles", maxPrintNest))
		}
		v, d := it.v, it.depth+1
		deepest = max(deepest, it.depth)
		switch v.Kind() {
		case reflect.Interface:
			if !v.IsNil() {
				stack = append(stack, item{v.Elem(), d, it.host, it.deep})
			}
		case reflect.Pointer:
			if v.IsNil() || seen[v.Pointer()] {
				continue
			}
			seen[v.Pointer()] = true
			// fmt prints the pointer an argument is (or holds in an any)
			// as &{...}, deeper ones as addresses.
			stack = append(stack, item{v.Elem(), d, it.host, it.deep || it.depth > 1})
		case reflect.Map:
			if it.host && !it.deep {
				// fmt and json would read a map of the application's
				// without the lock that guards it: fatal ("concurrent
				// map iteration and map write") if the application
				// writes it meanwhile. The REPL's own printing takes
				// the struct's lock, or does not read the map.
				panic("refused to print a value holding a map of the application's struct (" + v.Type().String() + ") with fmt, log or json: they would read it without the lock that guards it, which is fatal if the application writes it meanwhile; type the value alone (the REPL's printing takes the struct's lock) or call a method that copies it under its lock")
			}
			deep := it.deep
			mi := v.MapRange()
			for mi.Next() {
				stack = append(stack, item{mi.Key(), d, false, deep}, item{mi.Value(), d, false, deep})
			}
		case reflect.Slice, reflect.Array:
			if k := v.Type().Elem().Kind(); k <= reflect.Complex128 || k == reflect.String {
				continue // scalars end here
			}
			for i := 0; i < v.Len(); i++ {
				stack = append(stack, item{v.Index(i), d, it.host, it.deep})
			}
		case reflect.Struct:
			// Into the unexported fields of a compiled type (the
			// session's have none) only to find its maps: fmt reads them
			// (json does not), and nothing else of them is followed.
			host := isHostType(v.Type())
			named := v.Type().Name() != ""
			for i := 0; i < v.NumField(); i++ {
				if named && !v.Type().Field(i).IsExported() {
					if host && !it.deep && hasMap(v.Type().Field(i).Type) {
						stack = append(stack, item{v.Field(i), d, true, false})
					}
					continue
				}
				stack = append(stack, item{v.Field(i), d, it.host || host, it.deep})
			}
		}
	}
	return deepest
}

// hasMap reports whether t is a map or a struct or array holding one by
// value.
func hasMap(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Map:
		return true
	case reflect.Array:
		return hasMap(t.Elem())
	case reflect.Struct:
		for i := range t.NumField() {
			if hasMap(t.Field(i).Type) {
				return true
			}
		}
	}
	return false
}

// typeOnlyArgs returns the arguments of format that only %T and %p
// directives print.
func typeOnlyArgs(format string) map[int]bool {
	only, other := map[int]bool{}, map[int]bool{}
	forVerbs(format, func(arg int, verb rune) {
		if (verb == 'T' || verb == 'p') && !other[arg] {
			only[arg] = true
			return
		}
		other[arg] = true
		delete(only, arg)
	})
	return only
}

// maxInputDepth bounds how deep an input's syntax may nest. yaegi's
// compiler takes time quadratic in the depth, and cannot be interrupted:
// x := 1+1+…+1 with 99 000 terms compiled for minutes on a core after
// its evaluation was abandoned (2000 levels take about 70 ms).
const maxInputDepth = 2000

// checkDepth rejects an input whose syntax tree is deeper than
// maxInputDepth.
func checkDepth(fset *token.FileSet, root ast.Node) error {
	depth, deepest := 0, 0
	var at ast.Node
	ast.Inspect(root, func(n ast.Node) bool {
		if n == nil {
			depth--
			return false
		}
		depth++
		if depth > deepest {
			deepest, at = depth, n // its Pos walks down a chain: once, below
		}
		return deepest <= maxInputDepth
	})
	if deepest > maxInputDepth {
		return fmt.Errorf("%s: the input nests more than %d levels deep (the interpreter's compiler would take minutes on it, and cannot be stopped): split it up", positionOf(fset, at.Pos()), maxInputDepth)
	}
	return nil
}

var (
	builderType = reflect.TypeOf(strings.Builder{})
	bufferType  = reflect.TypeOf(bytes.Buffer{})
)

// guardGrow bounds b.Grow(n) of a strings.Builder or bytes.Buffer, which
// allocates n bytes: b.Grow(__mh.GrowSize(n)).
func (rw *rewriter) guardGrow(c *ast.CallExpr) {
	sel, ok := c.Fun.(*ast.SelectorExpr)
	if !ok || sel.Sel.Name != "Grow" || len(c.Args) != 1 || rw.isPackage(sel.X) || !rw.growable(sel.X) {
		return
	}
	pos := c.Args[0].Pos()
	c.Args[0] = callExpr(helperFunc("GrowSize", pos), pos, c.Args[0])
}

// growSize is __mh.GrowSize.
func growSize(n int) int {
	checkAlloc("Grow", float64(n))
	return n
}

// checkParent refuses a parent Context whose methods are interpreted code
// (a type the session declared, seen through yaegi's interface wrapper).
func checkParent(fn string, ctx context.Context) {
	if ctx == nil {
		return
	}
	t := reflect.TypeOf(ctx)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	p := t.PkgPath()
	if p == "" || strings.HasPrefix(p, "github.com/gomanhole/manhole/interp/stdsyms") || strings.HasPrefix(p, yaegiPkg) {
		panic("context." + fn + " with a Context implemented in the session is refused: package context would call its methods on a goroutine of its own, where a panic ends the process; derive from context.Background() or the application's contexts")
	}
}

type cgroupLimit struct {
	name         string
	limit, usage uint64
}

// cgroupLimits reads the memory limits of the process's cgroup and of
// its ancestors, cgroup v2 (memory.max) and v1 (memory.limit_in_bytes),
// from /proc/self/cgroup: a container's limit is there, not in
// /proc/meminfo, and crossing it gets the process OOM-killed.
func cgroupLimits() []cgroupLimit {
	data, err := os.ReadFile("/proc/self/cgroup")
	if err != nil {
		return nil
	}
	var out []cgroupLimit
	add := func(dir, limitFile, usageFile, name string) {
		for d := dir; ; d = filepath.Dir(d) {
			if limit, ok := readUint(filepath.Join(d, limitFile)); ok && limit < 1<<62 {
				usage, _ := readUint(filepath.Join(d, usageFile))
				out = append(out, cgroupLimit{name + " (" + d + ")", limit, usage})
			}
			if d == "/" || d == "." || len(d) <= len("/sys/fs/cgroup") {
				return
			}
		}
	}
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		parts := strings.SplitN(line, ":", 3)
		if len(parts) != 3 {
			continue
		}
		switch {
		case parts[0] == "0" && parts[1] == "":
			add(filepath.Join("/sys/fs/cgroup", parts[2]), "memory.max", "memory.current", "the cgroup's memory.max")
		case strings.Contains(","+parts[1]+",", ",memory,"):
			add(filepath.Join("/sys/fs/cgroup/memory", parts[2]), "memory.limit_in_bytes", "memory.usage_in_bytes", "the cgroup's memory.limit_in_bytes")
		}
	}
	return out
}
