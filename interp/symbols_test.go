package interp

import (
	"context"
	"strings"
	"testing"

	"github.com/gomanhole/manhole/interp/stdlib"
)

func TestDefaultSymbolsAreCurated(t *testing.T) {
	in, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	_, err = in.Eval(context.Background(), "import \"net/http\"\nhttp.StatusOK")
	if err == nil || !strings.Contains(err.Error(), "not available") {
		t.Fatalf("net/http in the default set: %v", err)
	}
	if _, err := in.Eval(context.Background(), "http.StatusOK"); err == nil {
		t.Fatal("http auto-imported from the default set")
	}
}

func TestSymbolsExtendTheDefaultSet(t *testing.T) {
	syms := NewSymbols(stdlib.Symbols)
	for _, src := range []string{"http.StatusOK", "import \"net/http\"\nhttp.StatusOK"} {
		in, err := New(Options{Symbols: syms})
		if err != nil {
			t.Fatal(err)
		}
		res, err := in.Eval(context.Background(), src)
		in.Close()
		if err != nil || res.Value != "200" {
			t.Errorf("%q = %q, %v; want 200", src, res.Value, err)
		}
	}
}

func TestMapTypesSeeInterpretedMethods(t *testing.T) {
	f := newFixture(t, nil)
	f.eval(t, `type T struct{}`)
	f.eval(t, `func (T) String() string { return "tee" }`)
	f.eval(t, `func (T) MarshalJSON() ([]byte, error) { return []byte("42"), nil }`)
	for src, want := range map[string]string{
		`fmt.Sprint(T{})`:                      `"tee"`,
		`fmt.Sprintf("%v", T{})`:               `"tee"`,
		`fmt.Errorf("%s", T{}).Error()`:        `"tee"`,
		`b, _ := json.Marshal(T{}); string(b)`: `"42"`,
	} {
		if got := f.value(t, src); got != want {
			t.Errorf("%s = %s, want %s", src, got, want)
		}
	}
}
