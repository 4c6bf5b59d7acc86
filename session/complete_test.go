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
