package interp

import (
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
}

type typeName struct {
	name      string
	fields    []string
	ambiguous bool
}

func newTypeNames() *typeNames { return &typeNames{byType: map[reflect.Type]*typeName{}} }

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
// __mh.NameType("main.T", fields, (*T)(nil)).
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

func (in *Interp) nameType(name string, fields []string, p any) {
	if t := reflect.TypeOf(p); t != nil && t.Kind() == reflect.Pointer {
		in.names.add(t.Elem(), name, fields)
	}
}
