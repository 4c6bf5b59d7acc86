package stdsyms

import (
	"encoding"
	"encoding/json"
	"fmt"
	"go/constant"
	"go/token"
	"log"
	"reflect"
	"sync"
)

// Symbols returns the symbols of the curated packages, keyed as yaegi's
// Use expects: "import/path/name" (for example "encoding/json/json") to
// the package's exported names. The table is built at the first call, not
// when the program starts: linking this package costs an application no
// heap until a session needs it. Every call returns the same map, which
// must not be modified.
func Symbols() map[string]map[string]reflect.Value {
	symbolsOnce.Do(func() {
		symbols = make(map[string]map[string]reflect.Value, len(packages))
		for _, p := range packages {
			symbols[p.key] = p.symbols()
		}
	})
	return symbols
}

var (
	symbolsOnce sync.Once
	symbols     map[string]map[string]reflect.Value // set once by symbolsOnce
)

// lazyPackage is an entry of packages (packages.go, generated): a
// package's key in Symbols and the function that builds its table.
type lazyPackage struct {
	key     string
	symbols func() map[string]reflect.Value
}

// MapTypes returns, for the functions that take interface{} arguments and
// behave differently when an argument implements an interface (fmt's
// Stringer and Formatter, json's Marshaler...), the interfaces an
// interpreted value must be wrapped in to be seen as implementing them.
// Pass it to yaegi under the key "." as {"MapTypes": MapTypes()}. Built at
// the first call, as Symbols is; the same map every time, not to be
// modified.
func MapTypes() map[reflect.Value][]reflect.Type {
	mapTypesOnce.Do(func() { mapTypes = buildMapTypes() })
	return mapTypes
}

var (
	mapTypesOnce sync.Once
	mapTypes     map[reflect.Value][]reflect.Type // set once by mapTypesOnce
)

// buildMapTypes lists the same functions as yaegi's stdlib (maptypes.go),
// restricted to the packages of this set.
func buildMapTypes() map[reflect.Value][]reflect.Type {
	m := map[reflect.Value][]reflect.Type{}
	mt := []reflect.Type{
		reflect.TypeFor[fmt.Formatter](),
		reflect.TypeFor[fmt.Stringer](),
	}
	// fmt.Errorf's %w needs an error: the wrapper implements it too.
	m[reflect.ValueOf(fmt.Errorf)] = append([]reflect.Type{reflect.TypeFor[error]()}, mt...)
	for _, f := range []any{
		fmt.Fprint, fmt.Fprintf, fmt.Fprintln, fmt.Print, fmt.Printf,
		fmt.Println, fmt.Sprint, fmt.Sprintf, fmt.Sprintln,
		log.Fatal, log.Fatalf, log.Fatalln, log.Panic, log.Panicf, log.Panicln,
	} {
		m[reflect.ValueOf(f)] = mt
	}
	mt = []reflect.Type{reflect.TypeFor[fmt.Scanner]()}
	for _, f := range []any{fmt.Scan, fmt.Scanf, fmt.Scanln} {
		m[reflect.ValueOf(f)] = mt
	}
	m[reflect.ValueOf(json.Marshal)] = []reflect.Type{
		reflect.TypeFor[json.Marshaler](),
		reflect.TypeFor[encoding.TextMarshaler](),
	}
	m[reflect.ValueOf(json.Unmarshal)] = []reflect.Type{
		reflect.TypeFor[json.Unmarshaler](),
		reflect.TypeFor[encoding.TextUnmarshaler](),
	}
	return m
}

// symbol is an entry of the generated tables (see internal/stdsymsgen):
// a name and a function, a typed nil pointer standing for a type, or the
// address of a variable.
type symbol struct {
	name string
	v    any
}

// setValues adds the functions and types of syms to m.
func setValues(m map[string]reflect.Value, syms []symbol) {
	for _, s := range syms {
		m[s.name] = reflect.ValueOf(s.v)
	}
}

// setVariables adds the variables of syms to m: addressable values, as
// yaegi wants them, that the session reads and writes in place.
func setVariables(m map[string]reflect.Value, syms []symbol) {
	for _, s := range syms {
		m[s.name] = reflect.ValueOf(s.v).Elem()
	}
}

// constantSymbol is an entry of a generated table of constants: what
// constant.MakeFromLiteral takes.
type constantSymbol struct {
	name, literal string
	kind          token.Token
}

// setConstants adds the constants of syms to m, as constant.Value, which
// is how yaegi wants untyped constants.
func setConstants(m map[string]reflect.Value, syms []constantSymbol) {
	for _, s := range syms {
		m[s.name] = reflect.ValueOf(constant.MakeFromLiteral(s.literal, s.kind, 0))
	}
}
