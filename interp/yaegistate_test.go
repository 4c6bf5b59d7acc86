package interp

import (
	"os"
	"reflect"
	"strings"
	"testing"
)

// yaegiVersion is the yaegi that yaegistate.go was written against.
const yaegiVersion = "v0.16.1"

// TestYaegiVersion fails when go.mod moves to another yaegi: the code in
// yaegistate.go relies on its unexported fields and internal types.
// Review each function there (their tests show whether they still hold),
// then move yaegiVersion.
func TestYaegiVersion(t *testing.T) {
	// go test binaries carry no dependency list: go.mod says.
	mod, err := os.ReadFile("../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(mod), "\n") {
		f := strings.Fields(strings.TrimPrefix(strings.TrimSpace(line), "require "))
		if len(f) < 2 || f[0] != "github.com/traefik/yaegi" {
			continue
		}
		if strings.Contains(string(mod), "\nreplace github.com/traefik/yaegi") {
			t.Fatal("go.mod replaces yaegi: yaegistate.go was written against the release " + yaegiVersion)
		}
		if f[1] != yaegiVersion {
			t.Fatalf("yaegi is %s; yaegistate.go was written against %s: review it, then move yaegiVersion", f[1], yaegiVersion)
		}
		// And the fields it reaches for are where it expects them.
		if !runState.ok {
			t.Error(errYaegiState)
		}
		in, err := New(Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer in.Close()
		if _, err := frameSlots(in.gen.yi); err != nil {
			t.Error(err)
		}
		if id := reflect.ValueOf(in.gen.yi).Elem().FieldByName("frame").Elem().FieldByName("id"); !id.IsValid() || id.Kind() != reflect.Uint64 {
			t.Error("yaegi's frame has no uint64 id (see resumeGlobalFrame)")
		}
		return
	}
	t.Fatal("go.mod does not require yaegi")
}
