package interp

import (
	"go/ast"
	"go/token"
	"reflect"
	"strconv"
	"strings"
)

// sessionScope is what the passes of prepare (bareAppTypes, hostCalls,
// genericCalls, errorValues, valueChecks, the rewriter), the modernizer,
// the pre-compile checks and the inferer ask of the session an input runs in: how a name
// that the input does not declare resolves, and the few effects they have
// on it. It is narrow so that a pass can run, and be tested, without an
// interpreter: the session's maps and yaegi stay behind it. *Interp
// implements it.
type sessionScope interface {
	// obj returns the object of the input that id declares or refers to,
	// nil for a name from outside it (see scope.go).
	obj(id *ast.Ident) *object
	// unresolved reports whether id refers to nothing: not to a
	// declaration of the input, nor to a name of the session, the
	// namespace, a package (a dot import's members too) or the universe,
	// and is neither blank nor reserved. A type of the host's package
	// main is unresolved (see bareAppTypes).
	unresolved(id *ast.Ident) bool
	// session tells what a name outside the input is in the session.
	session(name string) sessionName
	// funcType returns the signature of a function the session declared
	// (name) or of a method of one of its types ("T.m"), nil if none.
	funcType(key string) *ast.FuncType
	// aliasRefs returns the names that the session's type alias name
	// refers to, nil if name is not one.
	aliasRefs(name string) []string
	// globalValues returns the session's variables and constants as yaegi
	// holds them now, nil if they cannot be read. A variable's value may
	// be written meanwhile by a goroutine of the session: read its type.
	globalValues() map[string]reflect.Value
	// namedType returns the name a session type, a struct yaegi built,
	// was declared with, as the input writes it; "" if it has none that
	// is sure.
	namedType(t reflect.Type) string

	// pkgPath tells which package an unresolved name refers to: one
	// imported already, or the one an automatic import would bring.
	pkgPath(name string) (string, bool)
	// pkgName returns the name under which the input can refer to the
	// package at path: the one it is imported under, or the one an
	// automatic import would give it.
	pkgName(path string) (string, bool)
	// symbol returns the member name of the package at path as yaegi
	// has it (rewired for the session: see symbols); a type is a nil *T.
	symbol(path, name string) (reflect.Value, bool)
	// printChecked reports whether the functions of the package at path
	// check what they print themselves (see printGuards).
	printChecked(path string) bool
	// mainType reports whether name is a type of the host's package main
	// that the session can name bare.
	mainType(name string) bool
	// valueReceiver reports whether the session's method key ("T.m") has
	// a value receiver.
	valueReceiver(key string) bool
	// printsItself reports whether the session type name has a String,
	// Error or GoString method and no Format method, and its values are
	// known by their reflect type: fmt would not see the methods of a
	// yaegi struct (see printArgs).
	printsItself(name string) bool

	// needErrorHelpers asks for the interpreted helpers of errorValues to
	// be declared before the input compiles (see ensureErrorHelpers).
	needErrorHelpers()
	// needGenericHelpers asks for the generic min and max to be declared
	// before the input compiles (see genericHelpers).
	needGenericHelpers()
	// alias makes copy, a copy of id that a rewrite made, resolve as id
	// does, for obj and for the passes that run after it.
	alias(copy, id *ast.Ident)
	// fresh returns prefix followed by a number the session never gave
	// out: a temporary of the global block is a global variable, so its
	// name must be unique in the session, not only in the input.
	fresh(prefix string) string
}

// sessionName is what a name outside the input is in the session. A
// name can be both a namespace value and one evaluated code declared.
type sessionName struct {
	namespace bool         // a namespace value
	valueType reflect.Type // of the namespace value, nil for a nil one
	declared  bool         // declared by evaluated code at top level
	isType    bool         // last declared as a type
	isConst   bool         // last declared as a constant
	typeKind  reflect.Kind // of the session's type, Invalid if not known
	declType  string       // the session type a variable or constant was declared with, if known
	hostValue bool         // a variable last set from a host value (see hostRooted)
}

var _ sessionScope = (*Interp)(nil)

// pass is what the passes and the checks run with: the session's scope,
// and the positions of the input for their messages.
type pass struct {
	s    sessionScope
	fset *token.FileSet
}

// newInferer returns an inferer that reads the session afresh.
func (p *pass) newInferer() *inferer { return &inferer{s: p.s} }

// shadowed reports whether the session or the namespace declared name,
// hiding what it is in the universe.
func (p *pass) shadowed(name string) bool {
	sn := p.s.session(name)
	return sn.declared || sn.namespace
}

func (in *Interp) session(name string) sessionName {
	return sessionName{
		namespace: in.namespace[name],
		valueType: in.nsTypes[name],
		declared:  in.declared[name],
		isType:    in.types[name],
		isConst:   in.consts[name],
		typeKind:  in.typeKinds[name],
		declType:  in.declTypes[name],
		hostValue: in.tainted[name],
	}
}

func (in *Interp) funcType(key string) *ast.FuncType { return in.funcResults[key] }

func (in *Interp) aliasRefs(name string) []string { return in.aliases[name] }

func (in *Interp) globalValues() map[string]reflect.Value {
	m, _ := globals(in.gen)
	return m
}

func (in *Interp) namedType(t reflect.Type) string {
	if tn := in.names.lookup(t); tn != nil && !tn.ambiguous {
		return strings.TrimPrefix(tn.name, "main.")
	}
	return ""
}

func (in *Interp) pkgName(path string) (string, bool) {
	name := ""
	for n, p := range in.imported {
		if p == path {
			name = n
		}
	}
	if name != "" {
		return name, true
	}
	key, ok := in.pkgs.byPath[path]
	if !ok || in.pkgs.byName[pathBase(key)] != path {
		return "", false
	}
	return pathBase(key), true
}

func (in *Interp) symbol(path, name string) (reflect.Value, bool) {
	key, ok := in.pkgs.byPath[path]
	if !ok {
		return reflect.Value{}, false
	}
	syms, _ := in.symbols(key)
	v, ok := syms[name]
	return v, ok && v.IsValid()
}

func (in *Interp) printChecked(path string) bool { return printGuarded[in.pkgs.byPath[path]] != nil }

func (in *Interp) mainType(name string) bool {
	_, ok := in.mainTypes()[name]
	return ok
}

func (in *Interp) needErrorHelpers() { in.gen.needErrors = true }

func (in *Interp) needGenericHelpers() { in.gen.needGeneric = true }

func (in *Interp) valueReceiver(key string) bool { return in.valueRecv[key] }

func (in *Interp) printsItself(name string) bool { return in.names.printsItself("main." + name) }

func (in *Interp) alias(copy, id *ast.Ident) { in.res.alias(copy, id) }

func (in *Interp) fresh(prefix string) string {
	in.tmpSeq++
	return prefix + strconv.FormatInt(in.tmpSeq, 10)
}
