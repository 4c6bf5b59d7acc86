package interp

import (
	"fmt"
	"go/ast"
	"reflect"
	"strconv"
	"strings"
	"sync"
)

// yaegi gives a struct type declared in the session an unnamed reflect
// type, struct { X int; Xy int }, whose unexported fields it renames with
// an X. typeNames maps such reflect types back to the declared name and
// field names, so that values print as main.point{X:1, y:2}, as compiled
// Go would print them. Identical struct types share one reflect type: a
// type declared twice under different names with the same fields prints
// by its structure.
type typeNames struct {
	mu     sync.RWMutex // the printer runs on any goroutine (dump)
	byType map[reflect.Type]*typeName

	// methods holds, by declared name ("main.T"), the session's String,
	// Error and GoString methods of the type: yaegi's reflect types have
	// no methods, so fmt cannot see them (see sessionMethod).
	methods map[string]map[string]sessionMethod
	// formatters are the session types with a Format method, which only
	// yaegi's own wrapper of an argument calls.
	formatters map[string]bool
}

// sessionMethod calls a String, Error or GoString method declared in the
// session: fn is func(*T) string, compiled by yaegi, whose argument is a
// pointer to the value; ptr says the method has a pointer receiver, so
// that only a *T has it, as in Go.
type sessionMethod struct {
	fn  reflect.Value
	ptr bool
}

type typeName struct {
	name      string
	fields    []string
	ambiguous bool
}

func newTypeNames() *typeNames {
	return &typeNames{byType: map[reflect.Type]*typeName{}, methods: map[string]map[string]sessionMethod{},
		formatters: map[string]bool{}}
}

// printMethods are the methods of the session's types that printing calls,
// in the order fmt looks for them (GoString only for %#v).
var printMethods = []string{"Error", "String", "GoString"}

// addMethod records a printing method of the session type called name.
func (n *typeNames) addMethod(name, method string, ptr bool, fn any) {
	fv := reflect.ValueOf(fn)
	if fv.Kind() != reflect.Func || fv.Type().NumIn() != 1 || fv.Type().NumOut() != 1 ||
		fv.Type().In(0).Kind() != reflect.Pointer || fv.Type().Out(0).Kind() != reflect.String {
		return
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	m := n.methods[name]
	if m == nil {
		m = map[string]sessionMethod{}
		n.methods[name] = m
	}
	m[method] = sessionMethod{fn: fv, ptr: ptr}
}

// forgetMethods drops what is known of the methods of a type declared
// again: the new declaration comes with its own.
func (n *typeNames) forgetMethods(name string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	delete(n.methods, name)
	delete(n.formatters, name)
}

func (n *typeNames) addFormatter(name string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.formatters[name] = true
}

// printsItself reports whether the session type called name has a String,
// Error or GoString method, and no Format method.
func (n *typeNames) printsItself(name string) bool {
	n.mu.RLock()
	defer n.mu.RUnlock()
	if len(n.methods[name]) == 0 || n.formatters[name] {
		return false
	}
	// And its values are known by their reflect type (not struct{}, nor
	// a type sharing its fields with another).
	for _, tn := range n.byType {
		if tn.name == name && !tn.ambiguous {
			return true
		}
	}
	return false
}

// method returns the method of the session type called name that a value
// of type t has (t is the type, or a pointer to it), if it has one.
func (n *typeNames) method(name string, t reflect.Type, method string) (sessionMethod, bool) {
	n.mu.RLock()
	m, ok := n.methods[name][method]
	n.mu.RUnlock()
	if !ok {
		return m, false
	}
	elem := m.fn.Type().In(0).Elem()
	switch {
	case t == elem:
		return m, !m.ptr
	case t.Kind() == reflect.Pointer && t.Elem() == elem:
		return m, true
	}
	return m, false // the type was declared again since
}

// sessionType returns the declared name of t, a session struct type or a
// pointer to one, "" if it has none that is sure.
func (n *typeNames) sessionType(t reflect.Type) string {
	if n == nil {
		return ""
	}
	if t.Kind() == reflect.Pointer && t.Name() == "" {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct || t.Name() != "" {
		return ""
	}
	if tn := n.lookup(t); tn != nil && !tn.ambiguous {
		return tn.name
	}
	return ""
}

func (n *typeNames) add(t reflect.Type, name string, fields []string) {
	if t == nil || t.Kind() != reflect.Struct || t.Name() != "" || t.NumField() == 0 {
		// struct{} is everybody's: it keeps its name.
		return
	}
	if len(fields) != t.NumField() {
		fields = nil
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if old, ok := n.byType[t]; ok && old.name != name {
		old.ambiguous = true
		return
	}
	n.byType[t] = &typeName{name: name, fields: fields}
}

func (n *typeNames) lookup(t reflect.Type) *typeName {
	n.mu.RLock()
	defer n.mu.RUnlock()
	return n.byType[t]
}

// fields returns the declared field names of a session struct type.
func (n *typeNames) fields(t reflect.Type) []string {
	if tn := n.lookup(t); tn != nil {
		return tn.fields
	}
	return nil
}

// typeString writes t as Go would, with the names of the session's types.
func (n *typeNames) typeString(t reflect.Type) string {
	if t.Name() != "" {
		return t.String()
	}
	if tn := n.lookup(t); tn != nil && !tn.ambiguous {
		return tn.name
	}
	switch t.Kind() {
	case reflect.Pointer:
		return "*" + n.typeString(t.Elem())
	case reflect.Slice:
		return "[]" + n.typeString(t.Elem())
	case reflect.Array:
		return "[" + strconv.Itoa(t.Len()) + "]" + n.typeString(t.Elem())
	case reflect.Map:
		return "map[" + n.typeString(t.Key()) + "]" + n.typeString(t.Elem())
	case reflect.Chan:
		switch t.ChanDir() {
		case reflect.RecvDir:
			return "<-chan " + n.typeString(t.Elem())
		case reflect.SendDir:
			return "chan<- " + n.typeString(t.Elem())
		}
		return "chan " + n.typeString(t.Elem())
	}
	return t.String()
}

// registerTypes names the struct types a group declared at top level (see
// typeNames). It asks yaegi for their reflect types by running
// __mh.NameType("main.T", fields, (*T)(nil)), and for their printing
// methods by running __mh.NameMethod("main.T", "String", false,
// func(p *T) string { return p.String() }).
func (in *Interp) registerTypes(g group) {
	if g.file == nil {
		return
	}
	var b strings.Builder
	for _, d := range g.file.Decls {
		gd, ok := d.(*ast.GenDecl)
		if !ok {
			continue
		}
		for _, s := range gd.Specs {
			ts, ok := s.(*ast.TypeSpec)
			if !ok || ts.Assign.IsValid() || ts.TypeParams != nil {
				continue
			}
			in.names.forgetMethods("main." + ts.Name.Name)
			st, ok := ts.Type.(*ast.StructType)
			if !ok {
				continue
			}
			var fields []string
			for _, f := range st.Fields.List {
				if len(f.Names) == 0 {
					fields = append(fields, recvTypeName(embeddedName(f.Type)))
				}
				for _, id := range f.Names {
					fields = append(fields, id.Name)
				}
			}
			quoted := make([]string, len(fields))
			for i, f := range fields {
				quoted[i] = strconv.Quote(f)
			}
			b.WriteString(helperName + ".NameType(" + strconv.Quote("main."+ts.Name.Name) +
				", []string{" + strings.Join(quoted, ", ") + "}, (*" + ts.Name.Name + ")(nil))\n")
		}
	}
	for _, d := range g.file.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok || fd.Recv == nil || len(fd.Recv.List) != 1 {
			continue
		}
		recv, ptr := fd.Recv.List[0].Type, false
		if s, ok := recv.(*ast.StarExpr); ok {
			recv, ptr = s.X, true
		}
		id, ok := recv.(*ast.Ident) // not a generic type's T[P]
		if !ok {
			continue
		}
		if fd.Name.Name == "Format" {
			in.names.addFormatter("main." + id.Name)
		}
		if !isPrintMethod(fd) {
			continue
		}
		m := fd.Name.Name
		b.WriteString(helperName + ".NameMethod(" + strconv.Quote("main."+id.Name) + ", " + strconv.Quote(m) + ", " +
			strconv.FormatBool(ptr) + ", func(p *" + id.Name + ") string { return p." + m + "() })\n")
	}
	if b.Len() > 0 {
		// Naming is cosmetic: a failure only leaves the structure printed.
		_ = in.compileAndRun(b.String())
	}
}

// embeddedName returns the type name of an embedded field: T for T, *T,
// pkg.T.
func embeddedName(t ast.Expr) ast.Expr {
	if s, ok := t.(*ast.StarExpr); ok {
		t = s.X
	}
	if s, ok := t.(*ast.SelectorExpr); ok {
		return s.Sel
	}
	return t
}

// isPrintMethod reports whether fd is a String, Error or GoString method
// as fmt knows them: no parameters, one string result.
func isPrintMethod(fd *ast.FuncDecl) bool {
	found := false
	for _, m := range printMethods {
		found = found || fd.Name.Name == m
	}
	if !found || fd.Type.Params.NumFields() != 0 || fd.Type.TypeParams != nil ||
		fd.Type.Results == nil || fd.Type.Results.NumFields() != 1 {
		return false
	}
	id, ok := fd.Type.Results.List[0].Type.(*ast.Ident)
	return ok && id.Name == "string"
}

func (in *Interp) nameType(name string, fields []string, p any) {
	if t := reflect.TypeOf(p); t != nil && t.Kind() == reflect.Pointer {
		in.names.add(t.Elem(), name, fields)
	}
}

// shownText is a result already printed: by its session type's String or
// Error method, or by its name when only the expression tells it.
type shownText string

// shownTypeName returns the session type the expression x is known to
// have, "main.T", or "".
func (in *Interp) shownTypeName(x ast.Expr) string {
	if t := (&inferer{s: in}).exprType(x); t.named != "" {
		return "main." + t.named
	}
	return ""
}

// prepareShown prints the results of the REPL's expression that are of a
// session type with an Error or String method as that text, the way the
// host's values with such methods print (see formatValue); and an empty
// struct of a session type by its name, which only the expression tells
// (yaegi's struct{} is everybody's). It runs inside the evaluation, so
// that a method that loops for ever is stopped like any of the session's
// code; a panic of the method prints as fmt prints it.
func (in *Interp) prepareShown(vals []any, typeName string) []any {
	var out []any
	for i, v := range vals {
		if v == nil {
			continue
		}
		rv := reflect.ValueOf(v)
		name := in.names.sessionType(rv.Type())
		if name == "" && len(vals) == 1 {
			name = typeName
		}
		if name == "" {
			continue
		}
		text, ok := "", false
		for _, m := range []string{"Error", "String"} {
			sm, has := in.names.method(name, rv.Type(), m)
			if !has {
				continue
			}
			s, panicked := callPrintMethod(sm, rv)
			switch {
			case panicked == nilReceiver:
				s = "<nil>"
			case panicked != nil:
				s = "%!v(PANIC=" + m + " method: " + fmt.Sprint(panicked) + ")"
			}
			text, ok = cutString(s, maxStringRunes), true
			break
		}
		if !ok && rv.Kind() == reflect.Struct && rv.NumField() == 0 && rv.Type().Name() == "" && name == typeName {
			text, ok = name+"{}", true
		}
		if !ok {
			continue
		}
		if out == nil {
			out = append([]any(nil), vals...)
		}
		out[i] = shownText(text)
	}
	if out == nil {
		return vals
	}
	return out
}
