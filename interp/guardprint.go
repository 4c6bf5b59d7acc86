package interp

import (
	"fmt"
	"go/ast"
	"go/token"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"
)

// Printing a value the host is changing must not kill it. Go's map
// access is fatal ("concurrent map iteration and map write") when a map
// is read while another goroutine writes it, and no recover catches that.
// So the printer
//
//   - holds the lock of a struct of the host's while it reads the
//     struct's fields: a sync.Mutex or sync.RWMutex field of the struct
//     itself (by value or pointer), taken with TryLock for at most
//     lockWait, and released before anything else is printed; no method
//     of the host's types (String, Error, GoString) is called while a
//     lock is held (Go's mutexes are not reentrant: a String method
//     taking the same lock would wedge the application);
//   - does not read a map that belongs to the host and that no held lock
//     guards: it prints its type, and says why.
//
// A map belongs to the host when it was reached from a namespace value by
// fields, indexes and pointers (not through a call, whose result is the
// caller's: an accessor that copies under its lock is the way to read
// one), or lies inside a struct of one of the host's own types.

// lockWait bounds how long the printer waits for a host's lock.
const lockWait = 20 * time.Millisecond

// mayCall reports whether a String, Error or GoString method of t may be
// called now.
func (p *printer) mayCall(t reflect.Type) bool {
	if isStdType(t) {
		return true
	}
	if p.noMethods && isHostType(t) {
		return false
	}
	return p.locks == 0
}

// unguarded reports whether a map met now must not be read.
func (p *printer) unguarded() bool {
	return p.locks == 0 && (p.hostRoot || p.inHost > 0)
}

// unreadMap is what a map that must not be read prints as. Not even its
// length: reading it races with the writer (harmless, but not to the race
// detector).
func unreadMap(typ string) string {
	return typ + "{" + ellipsis + " not read: no lock of the app guards it here}"
}

// isHostType reports whether t is a named type compiled into the host,
// outside the standard library (yaegi's types for the session's own
// declarations have no package path).
func isHostType(t reflect.Type) bool {
	for t.Kind() == reflect.Pointer && t.Name() == "" {
		t = t.Elem()
	}
	return t.PkgPath() != "" && !isStdType(t) && !strings.HasPrefix(t.PkgPath(), yaegiPkg)
}

// lockFields takes the locks of the struct v, which must be addressable
// (reached through a pointer: a copy's lock guards nothing). It returns
// the function that releases them, and a note when a lock could not be
// taken in time, in which case the maps below are not read.
func (p *printer) lockFields(v reflect.Value) (unlock func(), note string) {
	var held []func()
	release := func() {
		for i := len(held) - 1; i >= 0; i-- {
			held[i]()
		}
		p.locks -= len(held)
	}
	if !v.CanAddr() {
		return release, ""
	}
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		var ptr unsafe.Pointer
		switch {
		case f.Type == mutexType || f.Type == rwMutexType:
			ptr = unsafe.Pointer(v.Field(i).UnsafeAddr())
		case f.Type.Kind() == reflect.Pointer && (f.Type.Elem() == mutexType || f.Type.Elem() == rwMutexType):
			fv := v.Field(i)
			if fv.IsNil() {
				continue
			}
			ptr = fv.UnsafePointer()
		default:
			continue
		}
		var ok bool
		var rel func()
		if f.Type == mutexType || f.Type.Kind() == reflect.Pointer && f.Type.Elem() == mutexType {
			mu := (*sync.Mutex)(ptr)
			ok, rel = tryFor(mu.TryLock), mu.Unlock
		} else {
			rw := (*sync.RWMutex)(ptr)
			ok, rel = tryFor(rw.TryRLock), rw.RUnlock
		}
		if !ok {
			note = fmt.Sprintf("/* %s was held for over %v: maps not read */", p.fieldNames(t)[i], lockWait)
			continue
		}
		held = append(held, rel)
		p.locks++
	}
	return release, note
}

// tryFor calls try until it succeeds or lockWait has passed.
func tryFor(try func() bool) bool {
	deadline := time.Now().Add(lockWait)
	for pause := 10 * time.Microsecond; ; pause = min(2*pause, time.Millisecond) {
		if try() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(pause)
	}
}

// hostRooted reports whether the value of e is reached from a namespace
// value (or a session variable assigned from one) by fields, indexes,
// slicing, dereferences and type assertions, without a call.
func (p *pass) hostRooted(e ast.Expr) bool {
	for i := 0; i < 64; i++ {
		switch x := e.(type) {
		case *ast.Ident:
			if o := p.s.obj(x); o != nil {
				// Declared in the same input: follow its definition.
				if a, ok := o.decl.(*ast.AssignStmt); ok && len(a.Lhs) == len(a.Rhs) {
					for j, l := range a.Lhs {
						if id, ok := l.(*ast.Ident); ok && id.Name == x.Name {
							e = a.Rhs[j]
						}
					}
					if e != x {
						continue
					}
				}
				return false
			}
			sn := p.s.session(x.Name)
			return sn.namespace || sn.hostValue
		case *ast.SelectorExpr:
			if id, ok := x.X.(*ast.Ident); ok && p.s.obj(id) == nil {
				if _, isPkg := p.s.pkgPath(id.Name); isPkg {
					return false
				}
			}
			e = x.X
		case *ast.IndexExpr:
			e = x.X
		case *ast.SliceExpr:
			e = x.X
		case *ast.StarExpr:
			e = x.X
		case *ast.ParenExpr:
			e = x.X
		case *ast.TypeAssertExpr:
			e = x.X
		case *ast.UnaryExpr:
			if x.Op != token.AND {
				return false
			}
			e = x.X
		default:
			return false
		}
	}
	return false
}

// noteTaint records which session variables a top-level statement sets
// from a host value, for hostRooted.
func (in *Interp) noteTaint(stmts []ast.Stmt) {
	set := func(names []ast.Expr, vals []ast.Expr) {
		for i, l := range names {
			id, ok := l.(*ast.Ident)
			if !ok || id.Name == "_" {
				continue
			}
			tainted := false
			if len(vals) == len(names) {
				tainted = (&pass{s: in}).hostRooted(vals[i])
			}
			if tainted {
				in.tainted[id.Name] = true
			} else {
				delete(in.tainted, id.Name)
			}
		}
	}
	for _, s := range stmts {
		switch s := s.(type) {
		case *ast.AssignStmt:
			if s.Tok == token.DEFINE || s.Tok == token.ASSIGN {
				set(s.Lhs, s.Rhs)
			}
		case *ast.DeclStmt:
			if d, ok := s.Decl.(*ast.GenDecl); ok && d.Tok == token.VAR {
				for _, sp := range d.Specs {
					vs := sp.(*ast.ValueSpec)
					names := make([]ast.Expr, len(vs.Names))
					for i, n := range vs.Names {
						names[i] = n
					}
					set(names, vs.Values)
				}
			}
		}
	}
}

// Inspect formats v on one line as :vars shows a namespace value: as the
// host's value, with its locks held while its fields are read, its maps
// not read without one, and none of its type's methods called (a String
// method may have side effects, or block). width bounds the line.
func Inspect(v any, width int) (s string) {
	defer func() {
		if rec := recover(); rec != nil {
			s = fmt.Sprintf("<cannot print %T: panic: %v>", v, rec)
		}
	}()
	p := &printer{hostRoot: true, noMethods: true}
	var b strings.Builder
	p.value(reflect.ValueOf(v), 0).writeFlat(&b)
	return cutString(b.String(), max(width, 16))
}

// hasMethods reports whether v's type, or its pointer type when v is
// addressable, has methods: only then is v converted to an interface to
// look for String and friends (a conversion copies, racing with a writer).
func hasMethods(v reflect.Value) bool {
	return v.Type().NumMethod() > 0 || (v.CanAddr() && reflect.PointerTo(v.Type()).NumMethod() > 0)
}

// atomicBits reads an addressable 32- or 64-bit integer atomically: the
// application may update its counters with sync/atomic, and a plain read
// of them races (harmlessly, but the race detector says otherwise).
func atomicBits(v reflect.Value) (uint64, bool) {
	if !v.CanAddr() {
		return 0, false
	}
	p := unsafe.Pointer(v.UnsafeAddr())
	switch v.Type().Size() {
	case 8:
		if uintptr(p)%8 == 0 {
			return atomic.LoadUint64((*uint64)(p)), true
		}
	case 4:
		return uint64(atomic.LoadUint32((*uint32)(p))), true
	}
	return 0, false
}

func atomicInt(v reflect.Value) (int64, bool) {
	b, ok := atomicBits(v)
	if v.Type().Size() == 4 {
		return int64(int32(b)), ok
	}
	return int64(b), ok
}

func atomicUint(v reflect.Value) (uint64, bool) { return atomicBits(v) }
