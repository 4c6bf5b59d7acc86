package stdsyms

import (
	"encoding"
	"encoding/json"
	"fmt"
	"log"
	"reflect"
)

// Symbols holds the symbols of the curated packages, keyed as yaegi's
// Use expects: "import/path/name" (for example "encoding/json/json") to
// the package's exported names. Its entries are filled in by the
// generated files of this package and must not be modified.
var Symbols = map[string]map[string]reflect.Value{}

// MapTypes lists, for the functions that take interface{} arguments and
// behave differently when an argument implements an interface (fmt's
// Stringer and Formatter, json's Marshaler...), the interfaces an
// interpreted value must be wrapped in to be seen as implementing them.
// Pass it to yaegi under the key "." as {"MapTypes": MapTypes}.
var MapTypes = map[reflect.Value][]reflect.Type{}

// The same functions as in yaegi's stdlib (maptypes.go), restricted to the
// packages of this set.
func init() {
	mt := []reflect.Type{
		reflect.TypeFor[fmt.Formatter](),
		reflect.TypeFor[fmt.Stringer](),
	}
	// fmt.Errorf's %w needs an error: the wrapper implements it too.
	MapTypes[reflect.ValueOf(fmt.Errorf)] = append([]reflect.Type{reflect.TypeFor[error]()}, mt...)
	for _, f := range []any{
		fmt.Fprint, fmt.Fprintf, fmt.Fprintln, fmt.Print, fmt.Printf,
		fmt.Println, fmt.Sprint, fmt.Sprintf, fmt.Sprintln,
		log.Fatal, log.Fatalf, log.Fatalln, log.Panic, log.Panicf, log.Panicln,
	} {
		MapTypes[reflect.ValueOf(f)] = mt
	}
	mt = []reflect.Type{reflect.TypeFor[fmt.Scanner]()}
	for _, f := range []any{fmt.Scan, fmt.Scanf, fmt.Scanln} {
		MapTypes[reflect.ValueOf(f)] = mt
	}
	MapTypes[reflect.ValueOf(json.Marshal)] = []reflect.Type{
		reflect.TypeFor[json.Marshaler](),
		reflect.TypeFor[encoding.TextMarshaler](),
	}
	MapTypes[reflect.ValueOf(json.Unmarshal)] = []reflect.Type{
		reflect.TypeFor[json.Unmarshaler](),
		reflect.TypeFor[encoding.TextUnmarshaler](),
	}
}
