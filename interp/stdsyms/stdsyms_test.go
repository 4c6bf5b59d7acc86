package stdsyms

import (
	"fmt"
	"reflect"
	"testing"
)

// TestBuiltAtFirstCall checks that nothing builds the tables when the
// program starts (linking a manhole must cost no heap until a session
// needs them), and that every call returns the same complete tables. It
// must stay the first test of the package: it looks at the state the
// package's initialisation left.
func TestBuiltAtFirstCall(t *testing.T) {
	if symbols != nil {
		t.Fatal("the symbol tables were built before Symbols was called")
	}
	if mapTypes != nil {
		t.Fatal("the map types were built before MapTypes was called")
	}
	s := Symbols()
	if len(s) != len(packages) {
		t.Errorf("Symbols has %d packages, packages lists %d", len(s), len(packages))
	}
	for _, p := range packages {
		if _, ok := s[p.key]; !ok {
			t.Errorf("Symbols lacks %s", p.key)
		}
	}
	if got := s["fmt/fmt"]["Sprintf"]; !got.IsValid() || got.Pointer() != reflect.ValueOf(fmt.Sprintf).Pointer() {
		t.Errorf(`Symbols()["fmt/fmt"]["Sprintf"] = %v`, got)
	}
	if reflect.ValueOf(Symbols()).Pointer() != reflect.ValueOf(s).Pointer() {
		t.Error("a second call to Symbols built the tables again")
	}
	mt := MapTypes()
	if len(mt[reflect.ValueOf(fmt.Sprint)]) == 0 {
		t.Error("MapTypes has nothing for fmt.Sprint")
	}
	if reflect.ValueOf(MapTypes()).Pointer() != reflect.ValueOf(mt).Pointer() {
		t.Error("a second call to MapTypes built the map again")
	}
}
