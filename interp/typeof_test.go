package interp

import (
	"context"
	"strings"
	"testing"
)

func TestTypeOf(t *testing.T) {
	f := newFixture(t, nil)
	f.eval(t, `var r io.Reader = strings.NewReader("x"); n := 3; type point struct{ X, Y int }; p := point{1, 2}; calls := 0; bump := func() int { calls++; return calls }`)
	for expr, want := range map[string]string{
		"1":                         "int",
		"1.5":                       "float64",
		`"s"`:                       "string",
		"n":                         "int",
		"r":                         "io.Reader",
		"&n":                        "*int",
		"p":                         "main.point",
		"[]point{}":                 "[]main.point",
		"strings.Split":             "func(string, string) []string",
		`strings.Split("a,b", ",")`: "[]string",
		`strings.Cut("a", "b")`:     "(string, string, bool)",
		"store":                     "*interp.Store",
		"store.Len()":               "int",
		"store.Get":                 "func(string) (string, bool)",
		"time.Duration(5)":          "time.Duration",
		"bump()":                    "int",
		"func() {}":                 "func()",
		"fmt.Println()":             "(int, error)",
		"store.Set(\"a\", \"b\")":   "no value: the function returns nothing",
	} {
		got, err := f.in.TypeOf(context.Background(), expr)
		if err != nil || got != want {
			t.Errorf(":type %s = %q, %v; want %q", expr, got, err, want)
		}
	}
	if f.value(t, "calls") != "0" {
		t.Error(":type ran a call")
	}
	for _, expr := range []string{"bump() + 1", "bump()()", "<-make(chan int)", "1 +"} {
		if got, err := f.in.TypeOf(context.Background(), expr); err == nil {
			t.Errorf(":type %s = %q, want an error", expr, got)
		}
	}
	if f.value(t, "calls") != "0" {
		t.Error(":type ran a call")
	}
}

func TestMethods(t *testing.T) {
	f := newFixture(t, nil)
	ms, err := f.in.Methods(context.Background(), "store")
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(ms, "\n")
	for _, want := range []string{"Get(string) (string, bool)", "Set(string, string)", "Len() int"} {
		if !strings.Contains(got, want) {
			t.Errorf(":methods store lacks %q:\n%s", want, got)
		}
	}
	ms, err = f.in.Methods(context.Background(), "*store")
	if err != nil || !strings.Contains(strings.Join(ms, "\n"), "(on a pointer)") {
		t.Errorf(":methods *store: %q %v", ms, err)
	}
	ms, err = f.in.Methods(context.Background(), `error(fmt.Errorf("x"))`)
	if err != nil || !strings.Contains(strings.Join(ms, "\n"), "Error() string") {
		t.Errorf(":methods of an error: %q %v", ms, err)
	}
	if _, err := f.in.Methods(context.Background(), "3"); err == nil || !strings.Contains(err.Error(), "no methods") {
		t.Errorf(":methods 3: %v", err)
	}
}
