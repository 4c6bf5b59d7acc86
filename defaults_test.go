package manhole

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestDefaultsDocumented: every default of DefaultOptions is the one the
// field's documentation and README's options table give.
func TestDefaultsDocumented(t *testing.T) {
	docs := fieldDocs(t)
	table := readmeDefaults(t)
	d := reflect.ValueOf(DefaultOptions())
	checked := 0
	for i := 0; i < d.NumField(); i++ {
		f := d.Type().Field(i)
		v := d.Field(i)
		if v.IsZero() {
			continue
		}
		want := fmt.Sprint(v.Interface())
		if dur, ok := v.Interface().(time.Duration); ok {
			want = dur.String()
		}
		if doc := docs[f.Name]; !strings.Contains(doc, "Default: "+want+".") {
			t.Errorf("Options.%s's documentation does not say Default: %s.:\n%s", f.Name, want, doc)
		}
		if got, ok := table[f.Name]; !ok || got != want {
			t.Errorf("README's options table gives %s the default %q, want %q", f.Name, got, want)
		}
		checked++
	}
	if checked < 6 {
		t.Errorf("only %d defaults checked", checked)
	}
	// And Start uses them.
	o := Options{}
	o.setDefaults()
	if !reflect.DeepEqual(o, DefaultOptions()) {
		t.Errorf("setDefaults gives %+v, want %+v", o, DefaultOptions())
	}
}

// fieldDocs returns the doc comment of each field of Options.
func fieldDocs(t *testing.T) map[string]string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), "options.go", nil, parser.ParseComments)
	if err != nil {
		t.Fatal(err)
	}
	docs := map[string]string{}
	ast.Inspect(f, func(n ast.Node) bool {
		ts, ok := n.(*ast.TypeSpec)
		if !ok || ts.Name.Name != "Options" {
			return true
		}
		for _, fl := range ts.Type.(*ast.StructType).Fields.List {
			for _, name := range fl.Names {
				docs[name.Name] = strings.Join(strings.Fields(fl.Doc.Text()), " ")
			}
		}
		return false
	})
	return docs
}

// readmeDefaults reads README's options table: "| `A`, `B` | x, y | ... |"
// (or "`A` / `B` | x / y") gives A the default x and B y.
func readmeDefaults(t *testing.T) map[string]string {
	t.Helper()
	b, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	names := regexp.MustCompile("`(\\w+)`")
	out := map[string]string{}
	for _, line := range strings.Split(string(b), "\n") {
		cells := strings.Split(line, "|")
		if len(cells) < 4 || !strings.HasPrefix(strings.TrimSpace(cells[1]), "`") {
			continue
		}
		fields := names.FindAllStringSubmatch(cells[1], -1)
		values := regexp.MustCompile(`, | / `).Split(strings.TrimSpace(cells[2]), -1)
		if len(values) != len(fields) {
			values = []string{strings.TrimSpace(cells[2])}
		}
		for i, m := range fields {
			if len(values) == len(fields) {
				out[m[1]] = values[i]
			} else {
				out[m[1]] = values[0]
			}
		}
	}
	return out
}
