package interp

import (
	"context"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// Event and Inventory are reachable only through the namespace's values:
// a field's type and a method's result.
type Event struct {
	Kind string
	At   time.Time
}

type Inventory struct {
	//lint:ignore U1000 the test is about an app type with unexported fields
	mu   sync.Mutex
	Last *Event
	//lint:ignore U1000 the test is about an app type with unexported fields
	counts map[string]int
}

func (i *Inventory) Events() []Event { return []Event{{Kind: "a"}} }

// asHostMain makes this package's types stand for those of the host's
// package main for the test's length.
func asHostMain(t *testing.T) {
	old := hostMainPath
	hostMainPath = reflect.TypeOf(Event{}).PkgPath()
	t.Cleanup(func() { hostMainPath = old })
}

func TestAppTypesByPackageName(t *testing.T) {
	f := newFixture(t, map[string]any{"inv": &Inventory{Last: &Event{Kind: "x"}}})
	for _, tc := range []struct{ src, want string }{
		{`var p *interp.Stats = stats; p.Requests`, `3`},
		{`interp.Stats{Requests: 4}.Requests`, `4`},
		{`var x any = stats; x.(*interp.Stats).Requests`, `3`},
		{`inv.Last.Kind`, `"x"`},
		{`var e interp.Event = *inv.Last; e.Kind`, `"x"`},
		{`len(inv.Events())`, `1`},
		{`func first(es []interp.Event) string { return es[0].Kind }; first(inv.Events())`, `"a"`},
		{`var v any = inv.Events()[0]; _, ok := v.(interp.Event); ok`, `true`},
	} {
		if got := f.value(t, tc.src); got != tc.want {
			t.Errorf("%s = %s, want %s", tc.src, got, tc.want)
		}
	}
	// Unexported types and fields stay out of reach, with Go's message.
	for src, want := range map[string]string{
		`store.m`:         "store.m undefined (cannot refer to unexported field m; print store to see it)",
		`len(inv.counts)`: "inv.counts undefined (cannot refer to unexported field counts",
		`func g() int { return len(inv.counts) }`: "cannot refer to unexported field counts",
		`var s interp.Store; s.mu`:                "cannot refer to unexported field mu",
	} {
		_, err := f.in.Eval(context.Background(), src)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", src, err, want)
		}
	}
}

func TestAppTypesOfPackageMainByBareName(t *testing.T) {
	asHostMain(t)
	f := newFixture(t, map[string]any{"inv": &Inventory{Last: &Event{Kind: "x"}}})
	for _, tc := range []struct{ src, want string }{
		{`var p *Stats = stats; p.Requests`, `3`},
		{`Stats{Requests: 5}.Requests`, `5`},
		{`var x any = stats; x.(*Stats).Requests`, `3`},
		{`var e Event = *inv.Last; e.Kind`, `"x"`},
		{`func kinds(es []Event) (r []string) { for _, e := range es { r = append(r, e.Kind) }; return r }; kinds(inv.Events())`, `[]string{"a"}`},
		{`m := map[string]Event{"k": {Kind: "y"}}; m["k"].Kind`, `"y"`},
		{`type Wrap struct{ E Event; N int }; Wrap{E: Event{Kind: "w"}}.E.Kind`, `"w"`},
	} {
		if got := f.value(t, tc.src); got != tc.want {
			t.Errorf("%s = %s, want %s", tc.src, got, tc.want)
		}
	}
	// A name the session declares is the session's; a local one too.
	if got := f.value(t, `func loc() int { Stats := 7; return Stats }; loc()`); got != "7" {
		t.Errorf("local shadowing: %s", got)
	}
	// After a move to a new interpreter, the functions that use the host's
	// types are compiled again and still work.
	if err := f.in.recycle(); err != nil {
		t.Fatal(err)
	}
	if got := f.value(t, `kinds(inv.Events())`); got != `[]string{"a"}` {
		t.Errorf("after a move: %s", got)
	}
	if got := f.value(t, `var q Event; q.Kind == ""`); got != "true" {
		t.Errorf("after a move: %s", got)
	}
	f.eval(t, `type Stats struct{ Mine bool }`)
	if got := f.value(t, `Stats{Mine: true}.Mine`); got != "true" {
		t.Errorf("session type: %s", got)
	}
}

func TestAppPackageNameClashes(t *testing.T) {
	type T struct{}
	idx := defaultSymbols.index().extend(map[string]map[string]reflect.Type{
		"example.com/app/strings": {"T": reflect.TypeOf(T{})},
		"example.com/b/store":     {"T": reflect.TypeOf(T{})},
		"example.com/a/x/store":   {"T": reflect.TypeOf(T{})},
		"example.com/my-app":      {"T": reflect.TypeOf(T{})},
	})
	if got := idx.byName["strings"]; got != "strings" {
		t.Errorf("strings means %q, want the standard package", got)
	}
	if _, ok := idx.byPath["example.com/app/strings"]; !ok {
		t.Error("the application's strings cannot be imported by its path")
	}
	if got := idx.byName["store"]; got != "example.com/b/store" {
		t.Errorf("store means %q, want the shorter path", got)
	}
	if _, ok := idx.byPath["example.com/my-app"]; ok {
		t.Error("a package whose name is not an identifier was added")
	}
	if defaultSymbols.index().byName["store"] != "" {
		t.Error("extend changed the index it extends")
	}
}

// Many sessions of one namespace share one extended index, built once.
func TestAppTypesIndexShared(t *testing.T) {
	ns := map[string]any{"inv": &Inventory{}}
	var wg sync.WaitGroup
	idxs := make([]*symIndex, 8)
	for i := range idxs {
		wg.Go(func() {
			in, err := New(Options{Namespace: ns})
			if err != nil {
				t.Error(err)
				return
			}
			defer in.Close()
			idxs[i] = in.pkgs
			if _, err := in.Eval(context.Background(), `var e interp.Event; e.Kind = "z"; e.Kind`); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	for _, idx := range idxs[1:] {
		if idx != idxs[0] {
			t.Fatal("two sessions of one namespace built two indexes")
		}
	}
}

// Completion offers the application's types of package main, not the
// package that holds them.
func TestAppTypesInCompletion(t *testing.T) {
	asHostMain(t)
	f := newFixture(t, map[string]any{"inv": &Inventory{}})
	names := f.in.Names()
	if !slices.Contains(names, "Event") || !slices.Contains(names, "Inventory") {
		t.Errorf("Names() lacks the app's types: %v", names)
	}
	if slices.Contains(names, mainPkgName) {
		t.Errorf("Names() has %s", mainPkgName)
	}
	for _, p := range f.in.Packages() {
		if p.Path == mainPkgPath {
			t.Errorf("Packages() lists %s", p.Path)
		}
	}
}
