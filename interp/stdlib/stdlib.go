// Package stdlib offers the whole standard library to a manhole's
// sessions, as yaegi's stdlib package has it. Importing it is what costs
// the size: about 8 MiB more in a stripped binary than the default set
// (package stdsyms). Pass [Symbols] as the extra symbols of a manhole or an
// interpreter to use it.
package stdlib

import (
	"reflect"

	"github.com/traefik/yaegi/stdlib"
)

// Symbols is yaegi's table of the standard library: import path and
// package name ("encoding/json/json") to exported name to value. Its "."
// entry carries the map types of its functions (see stdsyms.MapTypes).
// It must not be modified. Unlike the default set, yaegi builds it when the
// program starts: importing this package holds about 630 KiB of heap from
// then on, whether or not a session ever opens.
var Symbols map[string]map[string]reflect.Value = stdlib.Symbols
