package session

import (
	"reflect"
	"strings"
	"testing"
)

type compStore struct{ Sub *compSub }

func (*compStore) Get(string) (string, bool) { return "", false }
func (*compStore) Set(k, v string)           {}
func (*compStore) Len() int                  { return 0 }

type compSub struct {
	Level int
	Label string
	//lint:ignore U1000 completion must not offer unexported fields
	inner int
}

func (compSub) Describe() string { return "" }

func TestComplete(t *testing.T) {
	c := &completer{
		names: func() []string { return []string{"cfg", "store", "strconv", "strings", "x"} },
		members: func(pkg string) []string {
			if pkg == "strings" {
				return []string{"HasPrefix", "HasSuffix", "Index", "ToUpper"}
			}
			return nil
		},
		namespace: map[string]any{"store": &compStore{Sub: &compSub{}}, "cfg": 1},
		commands:  (&Server{}).commandNames,
		args:      (&Server{}).commandArgs,
		packages:  func() []string { return []string{"encoding/hex", "encoding/json", "errors", "strings"} },
	}
	for _, tc := range []struct {
		name, line string
		wantLine   string
		wantList   []string
	}{
		{"name unique", "sto", "store", nil},
		{"names ambiguous extend", "str", "str", []string{"strconv", "strings"}},
		{"package member prefix", "strings.Has", "strings.Has", []string{"HasPrefix", "HasSuffix"}},
		{"package member unique", "x := strings.ToU", "x := strings.ToUpper", nil},
		{"methods of a value", "store.", "store.", []string{"Get", "Len", "Set", "Sub"}},
		{"method unique", "store.L", "store.Len", nil},
		{"field chain", "store.Sub.L", "store.Sub.L", []string{"Label", "Level"}},
		{"field chain value methods", "store.Sub.D", "store.Sub.Describe", nil},
		{"no unexported fields", "store.Sub.in", "", nil},
		{"unknown", "nothing.", "", nil},
		{"tab with no word indents", "if x {", "if x {    ", nil},
		{"command", ":gorou", ":goroutines", nil},
		{"commands ambiguous", ":mem", ":mem", []string{"mem", "memlimit"}},
		{"command argument", ":pprof h", ":pprof heap", nil},
		{"help topic", ":help ke", ":help keys", nil},
		{"alias argument", ":h dum", ":h dump", nil},
		{"import path", `import "enc`, `import "encoding/`, nil},
		{"import path list", `import "encoding/`, `import "encoding/`, []string{"encoding/hex", "encoding/json"}},
		{"import block line", `	"err`, `	"errors`, nil},
		{"import in parens", `import ("str`, `import ("strings`, nil},
		{"a string is not an import", `x := "enc`, "", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			newLine, _, ok, list := c.complete(tc.line, len(tc.line))
			if !ok {
				newLine = ""
				if tc.wantList != nil {
					newLine = tc.line
				}
			}
			if newLine != tc.wantLine {
				t.Errorf("line %q, want %q", newLine, tc.wantLine)
			}
			if !reflect.DeepEqual(list, tc.wantList) {
				t.Errorf("list %q, want %q", list, tc.wantList)
			}
		})
	}
	if got := formatColumns([]string{"Get", "Len", "Set"}, 80); !strings.Contains(got, "Get") || strings.Count(got, "\n") != 1 {
		t.Errorf("columns %q", got)
	}
}

// TestCompleteSessionValues: Tab on the session's own variables and on
// results of calls, by their static types, through a real session.
func TestCompleteSessionValues(t *testing.T) {
	m := startTestManhole(t)
	p := m.pty(t)
	p.run(t, `type tt struct{ Name string; Count int }; var t0 = time.Now(); v := tt{Name: "x"}; var r io.Reader = strings.NewReader("")`)
	for _, c := range []struct{ typed, want string }{
		{"v.Na\t", "v.Name"},
		{"t0.Unix\t", "t0.Unix"},         // Unix, UnixMicro, ...: extends to the common prefix
		{"t0.UnixMic\t", "t0.UnixMicro"}, // unique
		{"time.Now().Add\t", "AddDate"},  // Add and AddDate: listed
		{"r.Re\t", "r.Read"},
		{"strings.NewReader(\"\").Si\t", "strings.NewReader(\"\").Size"},
	} {
		p.send(t, c.typed)
		p.expect(t, c.want)
		p.send(t, "\x03")
		p.expect(t, prompt)
	}
	// A call with arguments that would run is never evaluated for
	// completion: the counter stays.
	p.run(t, "calls := 0; bump := func() tt { calls++; return tt{} }")
	p.send(t, "bump().Na\t")
	p.expect(t, "bump().Name")
	p.send(t, "\x03")
	p.expect(t, prompt)
	p.runWant(t, "calls", "0")
}
