package interp

import (
	"fmt"
	"go/ast"
	"path"
	"reflect"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"
)

// yaegi builds the session's struct types with reflect.StructOf: they
// have no name, their unexported fields are exported with an X, and they
// have no methods. So fmt prints MyS{1, "x"} with %+v as {A:1 Xb:x}, its
// %T as struct { A int; Xb string }, and calls no String or Error method
// of it but at the top of an argument (where yaegi wraps the value in a
// type of its own, which %T and %#v then print instead).
//
// The print functions of fmt and log given to the session (see
// printGuards) hand fmt, in place of an argument that holds a value of a
// session struct type, a sessionArg: a fmt.Formatter that prints it as
// compiled Go would, walking the value the way fmt does, with the
// declared names and the session's String, Error and GoString methods
// (see typeNames); what holds no session type is left to fmt itself. A %T
// verb of such an argument becomes typeVerb in the format, which
// sessionArg prints as the declared type.

// typeVerb stands for %T in a format whose argument is a sessionArg: fmt
// prints %T itself, without asking a Formatter.
const typeVerb = '\uE054'

// sessionArgs returns the arguments of a print function with those that
// hold session types replaced by sessionArgs, and the format (when the
// function has one) with their %T verbs replaced by typeVerb.
func (n *typeNames) sessionArgs(format string, hasFormat bool, args []any) (string, []any, bool) {
	var out []any
	var typeOnly map[int]bool
	if hasFormat {
		typeOnly = typeOnlyArgs(format)
	}
	for i, a := range args {
		if a == nil {
			continue
		}
		v := reflect.ValueOf(a)
		if _, ok := wrapped(a); ok && strings.HasPrefix(v.Type().Name(), "_") && printOnlyWrapper(v.Type()) {
			// yaegi's wrappers are _error and the extracted _pkg_Iface.
			if out == nil {
				out = make([]any, len(args))
				copy(out, args)
			}
			out[i] = wrapperArg{a, n}
			continue
		}
		if typeOnly[i] {
			// %T needs the type only: the value is not read (it may be
			// an app's map the app writes meanwhile).
			if n.typeHolds(v.Type()) != holdsAlways {
				continue
			}
		} else if !n.holdsSession(v) {
			continue
		}
		if out == nil {
			out = make([]any, len(args))
			copy(out, args)
		}
		out[i] = sessionArg{v: v, n: n}
	}
	if out == nil {
		return format, args, false
	}
	if hasFormat {
		format = rewriteTypeVerbs(format, func(i int) bool {
			if i >= len(out) {
				return false
			}
			switch out[i].(type) {
			case sessionArg, wrapperArg:
				return true
			}
			return false
		})
		// %w needs the error itself: Errorf wraps it; fmt prints %p
		// itself, as %T.
		forVerbs(format, func(i int, verb rune) {
			if (verb == 'w' || verb == 'p') && i < len(out) {
				switch out[i].(type) {
				case sessionArg, wrapperArg:
					out[i] = args[i]
				}
			}
		})
	}
	return format, out, true
}

// holdsSession reports whether printing v meets a value of a session
// struct type, through the composites fmt walks (not into a named type of
// the host's, which fmt prints by its own rules).
func (n *typeNames) holdsSession(v reflect.Value) bool {
	budget := 10000
	var walk func(v reflect.Value, depth int) bool
	walk = func(v reflect.Value, depth int) bool {
		budget--
		if budget < 0 || depth > maxPrintNest {
			return false
		}
		if !v.IsValid() {
			return false
		}
		t := v.Type()
		switch n.typeHolds(t) {
		case holdsNever:
			return false
		case holdsAlways:
			return true
		}
		// The type holds interfaces: look at what they hold.
		switch v.Kind() {
		case reflect.Interface:
			return !v.IsNil() && walk(v.Elem(), depth+1)
		case reflect.Pointer:
			return !v.IsNil() && walk(v.Elem(), depth+1)
		case reflect.Slice, reflect.Array:
			for i := 0; i < v.Len() && budget > 0; i++ {
				if walk(v.Index(i), depth+1) {
					return true
				}
			}
		case reflect.Map:
			it := v.MapRange()
			for it.Next() && budget > 0 {
				if walk(it.Key(), depth+1) || walk(it.Value(), depth+1) {
					return true
				}
			}
		case reflect.Struct:
			for i := 0; i < v.NumField(); i++ {
				if walk(v.Field(i), depth+1) {
					return true
				}
			}
		}
		return false
	}
	return walk(v, 0)
}

type holds int

const (
	holdsNever  holds = iota
	holdsAlways       // a session struct type is in the type
	holdsMaybe        // an interface is: it depends on the value
)

// holdsCache remembers typeHolds's answers that cannot change: for types
// that hold no struct type at all.
var holdsCache sync.Map // reflect.Type -> holds

// typeHolds tells whether a value of type t can hold a session struct.
func (n *typeNames) typeHolds(t reflect.Type) holds {
	if h, ok := holdsCache.Load(t); ok {
		return h.(holds)
	}
	h := n.typeHoldsWalk(t, 0)
	if h == holdsNever {
		holdsCache.Store(t, h)
	}
	return h
}

func (n *typeNames) typeHoldsWalk(t reflect.Type, depth int) holds {
	if depth > 20 {
		return holdsMaybe
	}
	if t.Kind() == reflect.Interface {
		return holdsMaybe
	}
	if isYaegiInterface(t) || isYaegiWrapper(t) {
		return holdsAlways // a session value in an interface
	}
	if t.Name() != "" {
		return holdsNever // the host's or a basic type: fmt's own business
	}
	switch t.Kind() {
	case reflect.Struct:
		if n.sessionType(t) != "" {
			return holdsAlways
		}
		h := holdsNever
		for i := 0; i < t.NumField(); i++ {
			h = max(h, n.typeHoldsWalk(t.Field(i).Type, depth+1))
			if h == holdsAlways {
				return h
			}
		}
		if h == holdsNever && t.NumField() > 0 {
			// An unnamed struct of the session not yet named, or one
			// named later: do not cache.
			return holdsMaybe
		}
		return h
	case reflect.Pointer, reflect.Slice, reflect.Array, reflect.Chan:
		if t.Kind() == reflect.Chan {
			return holdsNever
		}
		return n.typeHoldsWalk(t.Elem(), depth+1)
	case reflect.Map:
		return max(n.typeHoldsWalk(t.Key(), depth+1), n.typeHoldsWalk(t.Elem(), depth+1))
	}
	return holdsNever
}

// forVerbs calls f with the argument index and verb of each directive of
// format, numbering the arguments as fmt does (explicit [n] indexes and
// * widths included).
func forVerbs(format string, f func(arg int, verb rune)) {
	parseFormat(format, func(start, end, arg int, verb rune) { f(arg, verb) })
}

// rewriteTypeVerbs replaces the %T verbs of format whose argument isArg
// says is a sessionArg with typeVerb.
func rewriteTypeVerbs(format string, isArg func(int) bool) string {
	var b strings.Builder
	last := 0
	parseFormat(format, func(start, end, arg int, verb rune) {
		if verb != 'T' || !isArg(arg) {
			return
		}
		b.WriteString(format[last : end-1])
		b.WriteRune(typeVerb)
		last = end
	})
	if last == 0 {
		return format
	}
	b.WriteString(format[last:])
	return b.String()
}

// parseFormat calls f for each directive of format that takes an
// argument, with the directive's bounds (end just past the verb) and the
// index of its argument, following fmt's doPrintf.
func parseFormat(format string, f func(start, end, arg int, verb rune)) {
	argNum := 0
	end := len(format)
	// argIndex parses [n] at i, as fmt's argNumber.
	argIndex := func(i int) (int, int, bool) {
		if i >= end || format[i] != '[' {
			return argNum, i, false
		}
		for j := i + 1; j < end; j++ {
			if format[j] == ']' {
				n := 0
				for _, c := range format[i+1 : j] {
					if c < '0' || c > '9' || n > 1e6 {
						return argNum, j + 1, false
					}
					n = n*10 + int(c-'0')
				}
				if j == i+1 || n < 1 {
					return argNum, j + 1, false
				}
				return n - 1, j + 1, true
			}
		}
		return argNum, i + 1, false
	}
	for i := 0; i < end; {
		if format[i] != '%' {
			i++
			continue
		}
		start := i
		i++
		for i < end && strings.IndexByte("#0+- ", format[i]) >= 0 {
			i++
		}
		var ok bool
		argNum, i, _ = argIndex(i)
		if i < end && format[i] == '*' {
			i++
			argNum++
		} else {
			for i < end && format[i] >= '0' && format[i] <= '9' {
				i++
			}
		}
		if i < end && format[i] == '.' {
			i++
			argNum, i, _ = argIndex(i)
			if i < end && format[i] == '*' {
				i++
				argNum++
			} else {
				for i < end && format[i] >= '0' && format[i] <= '9' {
					i++
				}
			}
		}
		argNum, i, ok = argIndex(i)
		_ = ok
		if i >= end {
			break
		}
		verb, size := utf8.DecodeRuneInString(format[i:])
		i += size
		if verb == '%' {
			continue
		}
		f(start, i, argNum, verb)
		argNum++
	}
}

// sessionArg prints v, which holds values of session types, as fmt would
// print the compiled program's value.
type sessionArg struct {
	v reflect.Value
	n *typeNames
}

func (a sessionArg) Format(s fmt.State, verb rune) {
	w := &fmtWalker{s: s, n: a.n, verb: verb, directive: fmt.FormatString(s, verb)}
	if verb == typeVerb {
		// As fmt prints %T: the type's name, padded as a string.
		fmt.Fprintf(s, strings.TrimSuffix(w.directive, string(typeVerb))+"s", a.n.typeString(a.v.Type()))
		return
	}
	w.sharpV = verb == 'v' && s.Flag('#')
	w.plusV = verb == 'v' && s.Flag('+')
	w.print(a.v, 0)
}

type fmtWalker struct {
	s             fmt.State
	n             *typeNames
	verb          rune
	directive     string // the verb with its flags, width and precision
	sharpV, plusV bool
}

func (w *fmtWalker) str(s string) { _, _ = w.s.Write([]byte(s)) }

// leaf has fmt print v, which holds no session type, with the directive.
func (w *fmtWalker) leaf(v reflect.Value) {
	if v.CanInterface() {
		fmt.Fprintf(w.s, w.directive, v.Interface())
		return
	}
	fmt.Fprintf(w.s, w.directive, v) // fmt reads unexported fields itself
}

// print follows fmt's printValue.
func (w *fmtWalker) print(v reflect.Value, depth int) {
	if !v.IsValid() {
		switch {
		case depth == 0:
			w.str("<invalid reflect.Value>")
		case w.verb == 'v':
			w.str("<nil>")
		default:
			fmt.Fprintf(w.s, w.directive, nil)
		}
		return
	}
	if depth > maxPrintNest {
		w.str(ellipsis)
		return
	}
	t := v.Type()
	if isYaegiInterface(t) {
		if inner := yaegiInterfaceValue(v); inner.IsValid() {
			w.print(inner, depth)
			return
		}
	}
	if isYaegiWrapper(t) {
		// An error (or another interface) holding a session value: fmt
		// calls the wrapper's methods where it calls them (Error and
		// String for %v %s %q %x %X, Format always, GoString for %#v);
		// for the other verbs, the value it holds.
		if held, ok := wrappedValue(v); ok && !w.wrapperMethod(t) {
			w.print(held, depth)
			return
		}
		w.leaf(v)
		return
	}
	if w.n.typeHolds(t) == holdsNever {
		if v.Kind() == reflect.Pointer && depth > 0 && t.NumMethod() == 0 {
			w.pointer(v)
			return
		}
		w.leaf(v)
		return
	}
	if w.methods(v) {
		return
	}
	switch v.Kind() {
	case reflect.Struct:
		if w.sharpV {
			w.str(w.n.typeString(t))
		}
		w.str("{")
		names := w.n.fields(t)
		for i := 0; i < v.NumField(); i++ {
			if i > 0 {
				if w.sharpV {
					w.str(", ")
				} else {
					w.str(" ")
				}
			}
			if w.plusV || w.sharpV {
				name := t.Field(i).Name
				if names != nil {
					name = names[i]
				}
				w.str(name + ":")
			}
			f := v.Field(i)
			if f.Kind() == reflect.Interface && !f.IsNil() {
				f = f.Elem()
			}
			w.print(f, depth+1)
		}
		w.str("}")
	case reflect.Map:
		if w.sharpV {
			w.str(w.n.typeString(t))
			if v.IsNil() {
				w.str("(nil)")
				return
			}
			w.str("{")
		} else {
			w.str("map[")
		}
		for i, e := range mapKeysSorted(v, -1) {
			if i > 0 {
				if w.sharpV {
					w.str(", ")
				} else {
					w.str(" ")
				}
			}
			w.print(e.key, depth+1)
			w.str(":")
			w.print(e.val, depth+1)
		}
		if w.sharpV {
			w.str("}")
		} else {
			w.str("]")
		}
	case reflect.Slice, reflect.Array:
		if w.sharpV {
			w.str(w.n.typeString(t))
			if v.Kind() == reflect.Slice && v.IsNil() {
				w.str("(nil)")
				return
			}
			w.str("{")
		} else {
			w.str("[")
		}
		for i := 0; i < v.Len(); i++ {
			if i > 0 {
				if w.sharpV {
					w.str(", ")
				} else {
					w.str(" ")
				}
			}
			w.print(v.Index(i), depth+1)
		}
		if w.sharpV {
			w.str("}")
		} else {
			w.str("]")
		}
	case reflect.Pointer:
		if depth == 0 && !v.IsNil() && isComposite(v.Elem().Kind()) {
			w.str("&")
			w.print(v.Elem(), depth+1)
			return
		}
		w.pointer(v)
	case reflect.Interface:
		if v.IsNil() {
			if w.sharpV {
				w.str(w.n.typeString(t) + "(nil)")
			} else {
				w.str("<nil>")
			}
			return
		}
		w.print(v.Elem(), depth+1)
	default:
		w.leaf(v)
	}
}

// wrapperMethod reports whether fmt calls a method of the wrapper type t
// for the walker's verb.
func (w *fmtWalker) wrapperMethod(t reflect.Type) bool {
	for i := 1; i < t.NumField(); i++ {
		switch t.Field(i).Name {
		case "WFormat":
			return true
		case "WGoString":
			if w.sharpV {
				return true
			}
		case "WError", "WString":
			if !w.sharpV && strings.ContainsRune("vsxXq", w.verb) {
				return true
			}
		}
	}
	return false
}

// pointer prints a pointer as fmt's fmtPointer does.
func (w *fmtWalker) pointer(v reflect.Value) {
	u := uint64(uintptr(v.UnsafePointer()))
	switch w.verb {
	case 'v':
		if w.sharpV {
			w.str("(" + w.n.typeString(v.Type()) + ")(")
			if u == 0 {
				w.str("nil")
			} else {
				w.str(fmt.Sprintf("%#x", u))
			}
			w.str(")")
			return
		}
		if u == 0 {
			fmt.Fprintf(w.s, w.directive, nil)
			return
		}
		d := strings.TrimSuffix(w.directive, "v") + "p"
		if w.plusV {
			d = strings.Replace(d, "+", "", 1) // fmt clears plus for %+v
		}
		fmt.Fprintf(w.s, d, v.UnsafePointer())
	case 'p':
		fmt.Fprintf(w.s, w.directive, v.UnsafePointer())
	case 'b', 'o', 'd', 'x', 'X':
		fmt.Fprintf(w.s, w.directive, u)
	default:
		w.str("%!" + string(w.verb) + "(" + w.n.typeString(v.Type()) + "=" + fmt.Sprintf("%#x", u) + ")")
	}
}

// methods calls the session's GoString (for %#v), Error or String method
// of v (for %v %s %q %x %X) as fmt's handleMethods does, and reports
// whether it did.
func (w *fmtWalker) methods(v reflect.Value) bool {
	name := w.n.sessionType(v.Type())
	if name == "" {
		return false
	}
	var which []string
	switch {
	case w.sharpV:
		which = []string{"GoString"}
	case strings.ContainsRune("vsxXq", w.verb):
		which = []string{"Error", "String"}
	}
	for _, m := range which {
		sm, ok := w.n.method(name, v.Type(), m)
		if !ok {
			continue
		}
		text, panicked := callPrintMethod(sm, v)
		switch {
		case panicked == nilReceiver:
			w.str("<nil>")
		case panicked != nil:
			w.str("%!" + string(w.verb) + "(PANIC=" + m + " method: " + fmt.Sprint(panicked) + ")")
		case m == "GoString":
			w.str(text)
		default:
			fmt.Fprintf(w.s, w.directive, text)
		}
		return true
	}
	return false
}

// nilReceiver is what callPrintMethod reports when the method panicked on
// a nil pointer: fmt prints <nil> then.
var nilReceiver any = new(int)

// callPrintMethod calls the session method sm on v, a value of its type
// or a pointer to one. A panic of the method is returned, as fmt prints
// it; the panic that stops a cancelled evaluation goes on.
func callPrintMethod(sm sessionMethod, v reflect.Value) (text string, panicked any) {
	arg := v
	if v.Kind() != reflect.Pointer {
		// A value's method gets a copy, as in Go.
		arg = reflect.New(v.Type())
		arg.Elem().Set(v)
	}
	defer func() {
		if r := recover(); r != nil {
			if r == errStale {
				panic(r)
			}
			if arg.IsNil() {
				panicked = nilReceiver
				return
			}
			panicked = r
			if rv, ok := r.(reflect.Value); ok && rv.IsValid() && rv.CanInterface() {
				panicked = rv.Interface() // yaegi panics with the value's reflect.Value
			}
		}
	}()
	out := sm.fn.Call([]reflect.Value{arg})
	return out[0].String(), nil
}

// printArgs converts to any the arguments of a call of fmt's or log's
// print functions that are of a session struct type with printing methods
// (see printsItself): yaegi would hand fmt such a value wrapped in a
// fmt.Stringer of its own, whose %T, %#v and %d print the wrapper, and
// call a pointer method on a value; as an any, the value reaches
// sessionArg.
func (rw *rewriter) printArgs(c *ast.CallExpr) {
	sel, ok := c.Fun.(*ast.SelectorExpr)
	if !ok || c.Ellipsis.IsValid() {
		return
	}
	pkg, ok := sel.X.(*ast.Ident)
	if !ok || !rw.isPackage(pkg) {
		return
	}
	p, _ := rw.s.pkgPath(pkg.Name)
	key := p + "/" + path.Base(p)
	if key != "fmt/fmt" && key != "log/log" || !slices.Contains(printGuarded[key], sel.Sel.Name) {
		return
	}
	name := sel.Sel.Name
	if name == "Errorf" {
		return // %w needs yaegi's error wrapper, which Error() prints by
	}
	fixed := 0
	if strings.HasPrefix(name, "F") && name != "Fatal" && name != "Fatalf" && name != "Fatalln" || strings.HasPrefix(name, "Append") {
		fixed++ // the writer or the buffer
	}
	if strings.HasSuffix(name, "f") {
		fixed++ // the format
	}
	for i := fixed; i < len(c.Args); i++ {
		if rw.printsItself(c.Args[i]) {
			pos := c.Args[i].Pos()
			c.Args[i] = &ast.CallExpr{Fun: ident("any", pos), Lparen: pos, Args: []ast.Expr{c.Args[i]}, Rparen: c.Args[i].End()}
		}
	}
}

// wrapperArg is a print argument that yaegi handed fmt in a wrapper of
// its own (stdsyms._fmt_Stringer{IValue, WString}, interp._error): a
// value of a session type over a basic type with a String or Error
// method (type Age int). fmt would print %T and %d of the wrapper; this
// prints the value, and calls the method where fmt would. The session's
// name of the type is lost: %T prints the basic type.
type wrapperArg struct {
	v any
	n *typeNames
}

// printOnlyWrapper reports whether the wrapper type t has no method but
// String and Error: one with Format or GoString is left to fmt, which
// calls them.
func printOnlyWrapper(t reflect.Type) bool {
	for i := 1; i < t.NumField(); i++ {
		if n := t.Field(i).Name; n != "WString" && n != "WError" {
			return false
		}
	}
	return true
}

func (a wrapperArg) Format(s fmt.State, verb rune) {
	directive := fmt.FormatString(s, verb)
	v := reflect.ValueOf(a.v)
	var method reflect.Value // yaegi's wrapper's String or Error
	methodName := ""
	if w, ok := wrapped(a.v); ok {
		for _, m := range []string{"WError", "WString"} {
			if f := v.FieldByName(m); f.IsValid() && f.Kind() == reflect.Func && !f.IsNil() {
				method, methodName = f, m[1:]
				break
			}
		}
		v = w
	}
	switch {
	case verb == typeVerb:
		fmt.Fprintf(s, strings.TrimSuffix(directive, string(typeVerb))+"s", a.n.typeString(v.Type()))
	case method.IsValid() && strings.ContainsRune("vsxXq", verb) && !(verb == 'v' && s.Flag('#')):
		text, panicked := func() (text string, panicked any) {
			defer func() {
				if r := recover(); r != nil {
					if r == errStale {
						panic(r)
					}
					panicked = r
				}
			}()
			return method.Call(nil)[0].String(), nil
		}()
		if panicked != nil {
			fmt.Fprintf(s, "%%!%c(PANIC=%s method: %v)", verb, methodName, panicked)
			return
		}
		fmt.Fprintf(s, directive, text)
	case v.IsValid():
		sessionArg{v: v, n: a.n}.Format(s, verb) // with the session's names
	default:
		fmt.Fprintf(s, directive, a.v)
	}
}

// printsItself reports whether x is known to be of a session struct type,
// or a pointer to one, with a String, Error or GoString method and no
// Format method.
func (rw *rewriter) printsItself(x ast.Expr) bool {
	f := rw.newInferer()
	t := f.exprType(x)
	if s, ok := t.texpr.(*ast.StarExpr); ok && t.kind == reflect.Pointer {
		t = f.typeExprType(s.X)
	}
	name := ""
	switch {
	case t.named != "" && t.kind == reflect.Struct:
		name = t.named
	case t.rt != nil:
		// A struct yaegi built, as typeNames.sessionType finds it: only
		// those have a name by their type.
		rt := t.rt
		if rt.Kind() == reflect.Pointer && rt.Name() == "" {
			rt = rt.Elem()
		}
		name = rw.s.namedType(rt)
	}
	return name != "" && rw.s.printsItself(name)
}
