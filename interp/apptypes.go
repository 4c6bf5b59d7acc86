package interp

import (
	"fmt"
	"go/ast"
	"path"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"unicode"
	"unicode/utf8"
)

// The application's own types, by name.
//
// The named types reachable from the namespace's values (their element,
// field, method parameter and result types, recursively) are usable in a
// session: a type of package main by its bare name (Stats, as the app's
// own code writes it), a type of any other package under that package's
// name (store.Item), as if the package were imported. These packages hold
// only the types the namespace reaches, unless the application gave the
// whole package in Options.Symbols (`manhole extract`); then the two are
// one package.
//
// A package name that a standard package of the symbol set already has
// stays the standard package's: the application's is imported by its path
// (import applog "example.com/app/log"). Of two application packages of
// one name, the shorter path (then the first in order) gets the name.

// maxAppTypes bounds the walk from the namespace's values.
const maxAppTypes = 2000

// hostMainPath is the path reflect gives the types of the host's package
// main (a variable for tests, whose own types are of another package).
var hostMainPath = "main"

// mainPkgName is the name under which a session imports the types of the
// host's package main; evaluated code names them bare, and the rewrite in
// bareAppTypes puts this package in front.
const mainPkgName = helperName + "main"

// mainPkgPath is that package's import path: not one a user can type.
const mainPkgPath = "manhole.invalid/" + mainPkgName

// appTypes returns the named, exported types reachable from vals, by
// package path and name.
func appTypes(vals map[string]reflect.Value) map[string]map[string]reflect.Type {
	out := map[string]map[string]reflect.Type{}
	seen := map[reflect.Type]bool{}
	var visit func(t reflect.Type)
	visit = func(t reflect.Type) {
		if t == nil || seen[t] || len(seen) >= maxAppTypes {
			return
		}
		seen[t] = true
		if name, p := t.Name(), t.PkgPath(); name != "" && p != "" && exportedName(name) && !strings.Contains(name, "[") {
			if out[p] == nil {
				out[p] = map[string]reflect.Type{}
			}
			out[p][name] = t
		}
		switch t.Kind() {
		case reflect.Pointer, reflect.Slice, reflect.Array, reflect.Chan:
			visit(t.Elem())
		case reflect.Map:
			visit(t.Key())
			visit(t.Elem())
		case reflect.Struct:
			for i := range t.NumField() {
				visit(t.Field(i).Type)
			}
		case reflect.Func:
			for i := range t.NumIn() {
				visit(t.In(i))
			}
			for i := range t.NumOut() {
				visit(t.Out(i))
			}
		}
		if t.Kind() != reflect.Interface && t.Kind() != reflect.Pointer {
			visit(reflect.PointerTo(t))
		}
		for i := range t.NumMethod() {
			m := t.Method(i)
			if !m.IsExported() {
				continue
			}
			mt := m.Type
			first := 1 // the receiver
			if t.Kind() == reflect.Interface {
				first = 0
			}
			for j := first; j < mt.NumIn(); j++ {
				visit(mt.In(j))
			}
			for j := range mt.NumOut() {
				visit(mt.Out(j))
			}
		}
	}
	names := make([]string, 0, len(vals))
	for name := range vals {
		names = append(names, name)
	}
	sort.Strings(names) // the same bound for the same namespace
	for _, name := range names {
		if v := vals[name]; v.IsValid() {
			visit(v.Type())
			if v.Kind() == reflect.Interface && !v.IsNil() {
				visit(v.Elem().Type())
			}
		}
	}
	return out
}

func exportedName(name string) bool {
	r, _ := utf8.DecodeRuneInString(name)
	return unicode.IsUpper(r)
}

// appIndexes caches the index of a symbol set extended by the types of a
// namespace, by the set and the namespace's types: every session of a
// manhole has the same ones.
var appIndexes sync.Map // appKey -> *symIndex

// appIndexCount counts appIndexes' entries, at most maxAppIndexes.
var (
	appIndexCount atomic.Int64
	maxAppIndexes int64 = 64
)

type appKey struct {
	base  *symIndex
	main  string // hostMainPath
	types string // the namespace's types, in order
}

// withAppTypes returns idx extended by the application's types reachable
// from vals, or idx itself when there are none.
func (idx *symIndex) withAppTypes(vals map[string]reflect.Value) *symIndex {
	names := make([]string, 0, len(vals))
	for _, v := range vals {
		if v.IsValid() {
			t := v.Type()
			if v.Kind() == reflect.Interface && !v.IsNil() {
				t = v.Elem().Type()
			}
			names = append(names, typeKey(t))
		}
	}
	sort.Strings(names)
	key := appKey{idx, hostMainPath, strings.Join(names, "\x00")}
	if v, ok := appIndexes.Load(key); ok {
		return v.(*symIndex)
	}
	ext := idx.extend(appTypes(vals))
	if appIndexCount.Add(1) > maxAppIndexes {
		return ext // namespaces of ever new types: not kept
	}
	v, _ := appIndexes.LoadOrStore(key, ext)
	return v.(*symIndex)
}

// typeKey identifies t in appKey; two distinct types of one string are
// told apart by their address.
func typeKey(t reflect.Type) string {
	return t.String() + "@" + strconv.FormatUint(uint64(reflect.ValueOf(t).Pointer()), 16)
}

// extend returns a copy of idx with the types of types added: to the
// package of the same path when idx has it, as a package of their own
// otherwise.
func (idx *symIndex) extend(types map[string]map[string]reflect.Type) *symIndex {
	added := false
	for p, ts := range types {
		key, ok := idx.byPath[p]
		for name := range ts {
			if !ok {
				added = true
				break
			}
			if _, has := idx.packages[key][name]; !has {
				added = true
				break
			}
		}
	}
	if !added {
		return idx
	}
	ext := &symIndex{
		byPath:   make(map[string]string, len(idx.byPath)+len(types)),
		byName:   make(map[string]string, len(idx.byName)+len(types)),
		packages: make(map[string]map[string]reflect.Value, len(idx.packages)+len(types)),
		mapTypes: idx.mapTypes,
	}
	for k, v := range idx.byPath {
		ext.byPath[k] = v
	}
	for k, v := range idx.byName {
		ext.byName[k] = v
	}
	for k, v := range idx.packages {
		ext.packages[k] = v
	}
	paths := make([]string, 0, len(types))
	for p := range types {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		name := path.Base(p)
		if p == hostMainPath {
			p, name = mainPkgPath, mainPkgName
		}
		key, ok := ext.byPath[p]
		if !ok {
			if !validPkgName(name) {
				continue
			}
			key = p + "/" + name
			ext.byPath[p] = key
			if prev, taken := ext.byName[name]; !taken || (!isStd(prev) && preferred(p, prev)) {
				ext.byName[name] = p
			}
		}
		syms := make(map[string]reflect.Value, len(ext.packages[key])+len(types[p]))
		for k, v := range ext.packages[key] {
			syms[k] = v
		}
		src := p
		if p == mainPkgPath {
			src = hostMainPath
		}
		for name, t := range types[src] {
			if _, has := syms[name]; !has {
				syms[name] = reflect.Zero(reflect.PointerTo(t)) // yaegi's form of a type
			}
		}
		ext.packages[key] = syms
	}
	return ext
}

// validPkgName reports whether name can be a package's name in source:
// the last element of some paths (gopkg.in/yaml.v3, my-app) is not.
func validPkgName(name string) bool {
	if name == "" || name == "_" || name == "main" {
		return false
	}
	for i, r := range name {
		if !(unicode.IsLetter(r) || r == '_' || i > 0 && unicode.IsDigit(r)) {
			return false
		}
	}
	return true
}

// mainTypes returns the types of the host's package main that the session
// can name bare.
func (in *Interp) mainTypes() map[string]reflect.Value {
	key, ok := in.pkgs.byPath[mainPkgPath]
	if !ok {
		return nil
	}
	return in.pkgs.packages[key]
}

// bareAppTypes rewrites the references under n to a type of the host's
// package main that nothing in the session declares (Stats) into a
// selector of the package that holds them (__mhmain.Stats), and reports
// whether it rewrote one.
func (p *pass) bareAppTypes(n ast.Node) bool {
	refs := map[*ast.Ident]bool{}
	references(n, func(id *ast.Ident, tparams map[string]bool) bool {
		if !tparams[id.Name] && p.s.mainType(id.Name) && p.s.unresolved(id) {
			refs[id] = true
		}
		return true
	})
	if len(refs) == 0 {
		return false
	}
	editExprs(n, false, func(e ast.Expr) ast.Expr {
		if id, ok := e.(*ast.Ident); ok && refs[id] {
			return &ast.SelectorExpr{X: &ast.Ident{NamePos: id.Pos(), Name: mainPkgName}, Sel: id}
		}
		return e
	})
	return true
}

// checkUnexported refuses a selector of an unexported field of the host's
// types (store.m), which yaegi compiles and then panics on at run time
// ("reflect.Value.Set using value obtained using unexported field"), with
// the compiler's message.
func (p *pass) checkUnexported(root ast.Node) error {
	var bad error
	inf := p.newInferer()
	ast.Inspect(root, func(n ast.Node) bool {
		sel, ok := n.(*ast.SelectorExpr)
		if !ok || bad != nil {
			return bad == nil
		}
		if exportedName(sel.Sel.Name) {
			return true
		}
		if id, ok := sel.X.(*ast.Ident); ok && p.s.obj(id) == nil {
			if _, isPkg := p.s.pkgPath(id.Name); isPkg {
				return true
			}
		}
		rt := inf.exprType(sel.X).rt
		if rt == nil {
			return true
		}
		if rt.Kind() == reflect.Pointer {
			rt = rt.Elem()
		}
		if rt.Kind() != reflect.Struct {
			return true
		}
		if fd, ok := rt.FieldByName(sel.Sel.Name); ok && !fd.IsExported() {
			bad = fmt.Errorf("%s: %s.%s undefined (cannot refer to unexported field %s; print %s to see it)",
				positionOf(p.fset, sel.Sel.Pos()), exprString(sel.X), sel.Sel.Name, sel.Sel.Name, exprString(sel.X))
		}
		return true
	})
	return bad
}
