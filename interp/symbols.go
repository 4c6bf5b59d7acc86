package interp

import (
	"context"
	"fmt"
	"go/parser"
	"go/token"
	"io"
	"io/fs"
	"log"
	"log/slog"
	"path"
	"reflect"
	"runtime"
	"sort"
	"strings"
	"sync"

	yaegi "github.com/traefik/yaegi/interp"
	gen "github.com/traefik/yaegi/stdlib/generic"

	"github.com/gomanhole/manhole/interp/stdsyms"
)

// preferredPath picks the package a bare name means when the symbol table
// has several packages of that name.
var preferredPath = map[string]string{
	"rand":     "math/rand",
	"pprof":    "runtime/pprof",
	"template": "text/template",
	"scanner":  "text/scanner",
}

// Symbols is the set of compiled packages evaluated code can import, with
// the index an interpreter needs to find them: by import path, and by
// package name for automatic imports. Build one with [NewSymbols] and share
// it between interpreters; the index is computed at the first [New] that
// uses it, so holding a Symbols costs nothing until then.
type Symbols struct {
	tables []map[string]map[string]reflect.Value
	index  func() *symIndex
}

// NewSymbols returns the default symbol set (package [stdsyms], a curated
// part of the standard library) extended with tables: symbol tables in the
// format yaegi's extractor generates ("import/path/name" -> exported name
// -> value), such as the full standard library (package interp/stdlib) or
// the application's own packages extracted with `yaegi extract`. A
// package in a later table replaces the same package in an earlier one or
// in the default set. The tables must not be modified afterwards.
func NewSymbols(tables ...map[string]map[string]reflect.Value) *Symbols {
	// The default set is not taken here but in build: stdsyms.Symbols
	// builds its tables at its first call, and this runs at init for
	// defaultSymbols.
	s := &Symbols{tables: tables}
	s.index = sync.OnceValue(s.build)
	return s
}

// defaultSymbols is what Options.Symbols == nil means.
var defaultSymbols = NewSymbols()

// symIndex is derived once per Symbols from its tables.
type symIndex struct {
	byPath   map[string]string                   // import path -> key ("path/name")
	byName   map[string]string                   // package name -> import path auto-imported for it
	packages map[string]map[string]reflect.Value // key -> symbols, the last table's
	mapTypes map[reflect.Value][]reflect.Type    // see stdsyms.MapTypes()
	deps     sync.Map                            // import path -> []string, see interfaceDeps
}

// interfaceDeps are the other available packages whose interfaces the
// package's functions and methods take or return (fmt's io.Writer). yaegi
// wraps an interpreted value for such an interface with the wrapper type
// of the interface's own package (io's _io_Writer), and fails to compile
// the call ("CFG post-order panic") when that package was never given to
// it: `fmt.Fprintln(myWriter{}, "x")` needs io loaded, imported or not.
func (idx *symIndex) interfaceDeps(importPath, key string) []string {
	if v, ok := idx.deps.Load(importPath); ok {
		return v.([]string)
	}
	seen := map[string]bool{}
	var visit func(t reflect.Type)
	visit = func(t reflect.Type) {
		for {
			switch t.Kind() {
			case reflect.Pointer, reflect.Slice, reflect.Array, reflect.Chan, reflect.Map:
				t = t.Elem()
				continue
			case reflect.Func:
				for i := range t.NumIn() {
					visit(t.In(i))
				}
				for i := range t.NumOut() {
					visit(t.Out(i))
				}
			case reflect.Interface:
				if p := t.PkgPath(); p != "" && p != importPath {
					if _, ok := idx.byPath[p]; ok {
						seen[p] = true
					}
				}
			}
			return
		}
	}
	for _, v := range idx.packages[key] {
		switch {
		case v.Kind() == reflect.Func:
			visit(v.Type())
		case v.Kind() == reflect.Pointer && v.IsNil():
			// A type: (*T)(nil). Its methods, and those of *T.
			pt := v.Type()
			for i := range pt.NumMethod() {
				visit(pt.Method(i).Type)
			}
		}
	}
	deps := make([]string, 0, len(seen))
	for p := range seen {
		deps = append(deps, p)
	}
	sort.Strings(deps)
	idx.deps.Store(importPath, deps)
	return deps
}

func (s *Symbols) build() *symIndex {
	idx := &symIndex{
		byPath:   map[string]string{},
		byName:   map[string]string{},
		packages: map[string]map[string]reflect.Value{},
		mapTypes: map[reflect.Value][]reflect.Type{},
	}
	for k, v := range stdsyms.MapTypes() {
		idx.mapTypes[k] = v
	}
	for _, t := range append([]map[string]map[string]reflect.Value{stdsyms.Symbols()}, s.tables...) {
		for key, syms := range t {
			if key == "." {
				// yaegi's stdlib keeps its MapTypes there.
				if mt, ok := syms["MapTypes"].Interface().(map[reflect.Value][]reflect.Type); ok {
					for k, v := range mt {
						idx.mapTypes[k] = v
					}
				}
				continue
			}
			if strings.HasPrefix(key, "github.com/traefik/yaegi/") {
				// yaegi's stdlib exports its own table: not for a manhole.
				continue
			}
			idx.packages[key] = syms
			idx.byPath[path.Dir(key)] = key
		}
	}
	for p := range genericExtras {
		if _, ok := idx.byPath[p]; !ok {
			// iter: nothing compiled, all from source.
			key := p + "/" + path.Base(p)
			idx.packages[key] = map[string]reflect.Value{}
			idx.byPath[p] = key
		}
	}
	for p, key := range idx.byPath {
		name := path.Base(key)
		if prev, ok := idx.byName[name]; ok {
			if want, ok := preferredPath[name]; ok {
				if p != want {
					continue
				}
			} else if !preferred(p, prev) {
				continue
			}
		}
		idx.byName[name] = p
	}
	return idx
}

// preferred reports whether import path p should win over prev for a bare
// package name: the standard library over other modules, then the shorter
// path (math/rand over crypto/rand... unless preferredPath says otherwise),
// then the first in order, so that the choice never depends on map order.
func preferred(p, prev string) bool {
	if std, prevStd := isStd(p), isStd(prev); std != prevStd {
		return std
	}
	if len(p) != len(prev) {
		return len(p) < len(prev)
	}
	return p < prev
}

// isStd reports whether p is a standard library path: no dot in its first
// element.
func isStd(p string) bool {
	first, _, _ := strings.Cut(p, "/")
	return !strings.Contains(first, ".")
}

// genericSources holds the source of the standard packages that yaegi can
// only run interpreted (cmp, maps, slices), by import path.
var genericSources = sync.OnceValue(func() map[string]string {
	m := map[string]string{}
	for _, src := range gen.Sources {
		f, err := parser.ParseFile(token.NewFileSet(), "", src, parser.PackageClauseOnly)
		if err == nil {
			m[f.Name.Name] = src
		}
	}
	return m
})

// genericDeps lists what a generic source package imports.
var genericDeps = map[string][]string{"slices": {"cmp"}}

// refused returns a function of type t that panics with msg: the symbol
// keeps its type, so code using it still compiles and fails only if called.
func refused(t reflect.Type, msg string) reflect.Value {
	return reflect.MakeFunc(t, func([]reflect.Value) []reflect.Value { panic(msg) })
}

// eofReader is the standard input of evaluated code: a session has no stdin
// of its own, and the host's must not be stolen.
type eofReader struct{}

func (eofReader) Read([]byte) (int, error) { return 0, io.EOF }

// emptyFS stops yaegi from looking for source packages on the host's disk.
type emptyFS struct{}

func (emptyFS) Open(string) (fs.File, error) { return nil, fs.ErrNotExist }

// symbols returns the symbols of the package at key, rewired for this
// interpreter, with the map types of its functions (see stdsyms.MapTypes):
// without them, fmt.Sprint and json.Marshal would not see the String and
// MarshalJSON methods of interpreted types.
func (in *Interp) symbols(key string) (map[string]reflect.Value, map[reflect.Value][]reflect.Type) {
	syms, mapTypes := in.rewired(key)
	for _, v := range syms {
		// Functions (fmt.Println: which interfaces to wrap an argument
		// in) and interface wrapper types ((*_io_Reader)(nil): the
		// composed wrappers that keep WriteTo, ReadFrom, Hijack...).
		if v.Kind() != reflect.Func && !(v.Kind() == reflect.Pointer && v.IsNil()) {
			continue
		}
		if mt, ok := in.pkgs.mapTypes[v]; ok {
			if mapTypes == nil {
				mapTypes = map[reflect.Value][]reflect.Type{}
			}
			if _, done := mapTypes[v]; !done {
				mapTypes[v] = mt
			}
		}
	}
	return syms, mapTypes
}

// rewired returns the symbols of the package at key, rewired for this
// interpreter: output goes to the session's writers and whatever would end
// the host process panics instead (see also guards.go).
func (in *Interp) rewired(key string) (map[string]reflect.Value, map[reflect.Value][]reflect.Type) {
	syms, mapTypes := in.rewiredIO(key)
	extra := refusals(key, syms)
	for k, v := range repeatGuards(key) {
		extra[k] = v
	}
	for k, v := range errorsGuards(key) {
		extra[k] = v
	}
	for k, v := range printGuards(key, syms, in.names, in.chargePrint) {
		// The wrapper stands for the function yaegi knows by its map
		// types (which let fmt see interpreted String methods).
		orig := syms[k]
		mt, ok := mapTypes[orig]
		if !ok {
			mt, ok = in.pkgs.mapTypes[orig]
		}
		if ok {
			if mapTypes == nil {
				mapTypes = map[reflect.Value][]reflect.Type{}
			}
			mapTypes[v] = mt
		}
		extra[k] = v
	}
	if len(extra) == 0 {
		return syms, mapTypes
	}
	out := make(map[string]reflect.Value, len(syms))
	for k, v := range syms {
		out[k] = v
	}
	for k, v := range extra {
		out[k] = v
	}
	return out, mapTypes
}

// rewiredIO rewires output, exits and callbacks.
func (in *Interp) rewiredIO(key string) (map[string]reflect.Value, map[reflect.Value][]reflect.Type) {
	base := in.pkgs.packages[key]
	var mapTypes map[reflect.Value][]reflect.Type
	override := func(m map[string]reflect.Value) map[string]reflect.Value {
		out := make(map[string]reflect.Value, len(base))
		for k, v := range base {
			out[k] = v
		}
		for k, v := range m {
			out[k] = v
		}
		return out
	}
	// Print functions taking interface{} arguments need yaegi's "map types"
	// to see interpreted String and Error methods; the rewired functions are
	// new values, so they are registered again under their own identity.
	mapLike := func(m map[string]reflect.Value, orig map[string]any) {
		if mapTypes == nil {
			mapTypes = map[reflect.Value][]reflect.Type{}
		}
		for name, fn := range orig {
			if mt, ok := in.pkgs.mapTypes[reflect.ValueOf(fn)]; ok {
				mapTypes[m[name]] = mt
			}
		}
	}
	switch key {
	case "fmt/fmt":
		stdout := in.stdout
		m := map[string]reflect.Value{
			"Print":   reflect.ValueOf(func(a ...any) (int, error) { return fmt.Fprint(stdout, a...) }),
			"Printf":  reflect.ValueOf(func(f string, a ...any) (int, error) { return fmt.Fprintf(stdout, f, a...) }),
			"Println": reflect.ValueOf(func(a ...any) (int, error) { return fmt.Fprintln(stdout, a...) }),
			"Scan":    reflect.ValueOf(func(a ...any) (int, error) { return fmt.Fscan(eofReader{}, a...) }),
			"Scanf":   reflect.ValueOf(func(f string, a ...any) (int, error) { return fmt.Fscanf(eofReader{}, f, a...) }),
			"Scanln":  reflect.ValueOf(func(a ...any) (int, error) { return fmt.Fscanln(eofReader{}, a...) }),
		}
		mapLike(m, map[string]any{"Print": fmt.Print, "Printf": fmt.Printf, "Println": fmt.Println,
			"Scan": fmt.Scan, "Scanf": fmt.Scanf, "Scanln": fmt.Scanln})
		return override(m), mapTypes
	case "log/log":
		l := log.New(in.stderr, "", log.LstdFlags)
		// The message is still logged, then the call panics instead of
		// exiting; the panic is contained like any other.
		fatal := func(name, msg string) {
			_ = l.Output(3, msg)
			panic(name + " is refused inside a manhole (it would exit the process): " + strings.TrimSuffix(msg, "\n"))
		}
		m := map[string]reflect.Value{
			"Fatal":     reflect.ValueOf(func(a ...any) { fatal("log.Fatal", fmt.Sprint(a...)) }),
			"Fatalf":    reflect.ValueOf(func(f string, a ...any) { fatal("log.Fatalf", fmt.Sprintf(f, a...)) }),
			"Fatalln":   reflect.ValueOf(func(a ...any) { fatal("log.Fatalln", fmt.Sprintln(a...)) }),
			"Default":   refused(reflect.TypeOf(log.Default), "log.Default is refused inside a manhole: its Fatal methods would exit the process; use log.Print* or log.New"),
			"Flags":     reflect.ValueOf(l.Flags),
			"Output":    reflect.ValueOf(l.Output),
			"Panic":     reflect.ValueOf(l.Panic),
			"Panicf":    reflect.ValueOf(l.Panicf),
			"Panicln":   reflect.ValueOf(l.Panicln),
			"Prefix":    reflect.ValueOf(l.Prefix),
			"Print":     reflect.ValueOf(l.Print),
			"Printf":    reflect.ValueOf(l.Printf),
			"Println":   reflect.ValueOf(l.Println),
			"SetFlags":  reflect.ValueOf(l.SetFlags),
			"SetOutput": reflect.ValueOf(l.SetOutput),
			"SetPrefix": reflect.ValueOf(l.SetPrefix),
			"Writer":    reflect.ValueOf(l.Writer),
		}
		mapLike(m, map[string]any{"Fatal": log.Fatal, "Fatalf": log.Fatalf, "Fatalln": log.Fatalln,
			"Panic": log.Panic, "Panicf": log.Panicf, "Panicln": log.Panicln,
			"Print": log.Print, "Printf": log.Printf, "Println": log.Println})
		return override(m), mapTypes
	case "os/os":
		// os.Stdout and friends become plain io.Writer/io.Reader variables:
		// a *os.File would need a pipe and a copying goroutine per session,
		// and would reorder output against fmt.Print*.
		stdout, stderr := io.Writer(in.stdout), io.Writer(in.stderr)
		stdin := io.Reader(eofReader{})
		return override(map[string]reflect.Value{
			"Exit": reflect.ValueOf(func(code int) {
				panic(fmt.Sprintf("os.Exit(%d) is refused inside a manhole", code))
			}),
			"Stdout": reflect.ValueOf(&stdout).Elem(),
			"Stderr": reflect.ValueOf(&stderr).Elem(),
			"Stdin":  reflect.ValueOf(&stdin).Elem(),
		}), nil
	case "log/slog/slog":
		// slog's default logger is the application's: evaluated code
		// logs to the session's stderr instead.
		l := slog.New(slog.NewTextHandler(in.stderr, nil))
		return override(map[string]reflect.Value{
			"Default":      reflect.ValueOf(func() *slog.Logger { return l }),
			"Debug":        reflect.ValueOf(l.Debug),
			"DebugContext": reflect.ValueOf(l.DebugContext),
			"Info":         reflect.ValueOf(l.Info),
			"InfoContext":  reflect.ValueOf(l.InfoContext),
			"Warn":         reflect.ValueOf(l.Warn),
			"WarnContext":  reflect.ValueOf(l.WarnContext),
			"Error":        reflect.ValueOf(l.Error),
			"ErrorContext": reflect.ValueOf(l.ErrorContext),
			"Log":          reflect.ValueOf(l.Log),
			"LogAttrs":     reflect.ValueOf(l.LogAttrs),
		}), nil
	case "time/time":
		return override(map[string]reflect.Value{"AfterFunc": reflect.ValueOf(in.afterFunc)}), nil
	case "context/context":
		m := map[string]reflect.Value{
			"AfterFunc": reflect.ValueOf(func(ctx context.Context, f func()) (stop func() bool) {
				checkParent("AfterFunc", ctx)
				return context.AfterFunc(ctx, in.callback(f))
			}),
		}
		// A parent Context implemented in the session would be called by
		// package context on a goroutine of its own, where a panic of its
		// Done method ends the host, and which no limit counts.
		for _, name := range []string{"WithCancel", "WithCancelCause", "WithDeadline", "WithDeadlineCause",
			"WithTimeout", "WithTimeoutCause", "WithoutCancel", "WithValue"} {
			fn, ok := base[name]
			if !ok {
				continue
			}
			m[name] = reflect.MakeFunc(fn.Type(), func(args []reflect.Value) []reflect.Value {
				if len(args) > 0 {
					if ctx, ok := args[0].Interface().(context.Context); ok {
						checkParent(name, ctx)
					}
				}
				return fn.Call(args)
			})
		}
		return override(m), nil
	case "runtime/runtime":
		return override(map[string]reflect.Value{
			// A breakpoint trap kills a process that has no debugger attached.
			"Breakpoint": refused(reflect.TypeOf(runtime.Breakpoint), "runtime.Breakpoint is refused inside a manhole"),
		}), nil
	}
	return base, nil
}

// loadPackage makes the standard package at importPath known to yaegi, so
// that an import declaration for it compiles.
func (in *Interp) loadPackage(importPath string) error {
	if in.gen.loaded[importPath] {
		return nil
	}
	key, ok := in.pkgs.byPath[importPath]
	if !ok {
		return fmt.Errorf("package %q is not available in this manhole", importPath)
	}
	in.compiling.Store(true)
	defer in.compiling.Store(false)
	syms, mapTypes := in.symbols(key)
	// yaegi rewires fmt, log and os to its own streams, and compiles its
	// generic sources (milliseconds), whenever a Use call has the key
	// "fmt/fmt". "./fmt/fmt" names the same package without that trigger:
	// the rewiring is done above, per package, and generics on demand.
	exp := yaegi.Exports{"./" + key: syms}
	if mapTypes != nil {
		exp["."] = map[string]reflect.Value{"MapTypes": reflect.ValueOf(mapTypes)}
	}
	if err := in.gen.yi.Use(exp); err != nil {
		return err
	}
	in.gen.loaded[importPath] = true
	for _, dep := range in.pkgs.interfaceDeps(importPath, key) {
		if err := in.loadPackage(dep); err != nil {
			return err
		}
	}
	if src, ok := genericSources()[importPath]; ok {
		for _, dep := range genericDeps[importPath] {
			if err := in.loadPackage(dep); err != nil {
				return err
			}
		}
		if _, err := in.gen.yi.Compile(src); err != nil {
			return fmt.Errorf("loading package %s: %w", importPath, err)
		}
	}
	if extra, ok := genericExtras[importPath]; ok {
		if strings.Contains(extra, `import "sort"`) {
			if err := in.loadPackage("sort"); err != nil {
				return err
			}
		}
		if _, err := in.gen.yi.Compile(extra); err != nil {
			return fmt.Errorf("loading package %s: %w", importPath, err)
		}
	}
	return nil
}
