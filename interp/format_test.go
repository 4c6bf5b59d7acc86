package interp

import (
	"context"
	"strings"
	"testing"
)

type wide struct {
	Name    string
	Tags    []string
	Limits  map[string]int
	Nested  *wide
	private int
}

func TestMultiLineLayout(t *testing.T) {
	width := 80
	f := &fixture{stdout: &safeBuffer{}, stderr: &safeBuffer{}}
	in, err := New(Options{
		Namespace: map[string]any{"w": &wide{Name: "w1", Tags: []string{"a", "b"}, Limits: map[string]int{"cpu": 2, "mem": 512}, private: 7}},
		Stdout:    f.stdout,
		Width:     func() int { return width },
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { in.Close() })
	f.in = in
	for _, tc := range []struct {
		name  string
		width int
		src   string
		want  string
	}{
		{"fits on one line", 200, `w`, `&interp.wide{Name:"w1", Tags:[]string{"a", "b"}, Limits:map[string]int{… not read: no lock of the app guards it here}, Nested:(*interp.wide)(nil), private:7}`},
		{"one field per line, values aligned", 80, `w`, `&interp.wide{
  Name:    "w1",
  Tags:    []string{"a", "b"},
  Limits:  map[string]int{… not read: no lock of the app guards it here},
  Nested:  (*interp.wide)(nil),
  private: 7,
}`},
		// The application's maps are not read without a lock (see
		// guardprint.go); the session's are.
		{"nested composites break too", 30, "type lim struct{ Name string; Limits map[string]int }\nlim{\"w1\", map[string]int{\"cpu\": 2, \"mem\": 512}}", `main.lim{
  Name:   "w1",
  Limits: map[string]int{
    "cpu": 2,
    "mem": 512,
  },
}`},
		{"scalars fill the lines", 40, `[]int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}`, `[]int{
  1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12,
  13, 14, 15,
}`},
		{"a width below the minimum counts as the minimum", 1, `[]string{"a", "b", "c", "d", "e", "f"}`, `[]string{
  "a", "b", "c", "d",
  "e", "f",
}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			width = tc.width
			res, err := f.in.Eval(context.Background(), tc.src)
			if err != nil {
				t.Fatal(err)
			}
			if res.Value != tc.want {
				t.Errorf("Eval(%q) at width %d =\n%s\nwant\n%s", tc.src, tc.width, res.Value, tc.want)
			}
		})
	}
}

func TestLongValuesAreCut(t *testing.T) {
	f := newFixture(t, nil)
	for _, tc := range []struct {
		name, src string
		prefix    string
		suffix    string
	}{
		{"long string", `strings.Repeat("x", 5000)`, `"xxxx`, `x"… (4000 more bytes)`},
		{"long string of multi-byte runes", `strings.Repeat("é", 1500)`, `"éé`, `é"… (1000 more bytes)`},
		{"long byte slice", `[]byte(strings.Repeat("y", 1500))`, `[]byte("yy`, `y")… (500 more bytes)`},
		{"long slice", `make([]int, 1000)`, `[]int{`, "  … (900 more)\n}"},
		{"long map", `m := map[int]bool{}; for i := range 150 { m[i] = true }; m`, `map[int]bool{`, "  … (50 more)\n}"},
		{"string in a composite", `[]string{strings.Repeat("z", 300)}`, `[]string{`, `z"… (100 more bytes),` + "\n}"},
		{"whole output", `s := make([][]string, 50); for i := range s { s[i] = []string{strings.Repeat("w", 150)} }; s`, `[][]string{`, ` more bytes)`},
		{"error text", `errors.New(strings.Repeat("e", 2000))`, `eee`, `e… (1000 more bytes)`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := f.value(t, tc.src)
			if !strings.HasPrefix(got, tc.prefix) || !strings.HasSuffix(got, tc.suffix) {
				t.Errorf("Eval(%q) = %q...%q, want %q...%q", tc.src, head(got), tail(got), tc.prefix, tc.suffix)
			}
			if len(got) > maxValueLen+100 {
				t.Errorf("Eval(%q) printed %d bytes", tc.src, len(got))
			}
		})
	}
}

func head(s string) string { return s[:min(len(s), 40)] }
func tail(s string) string { return s[max(0, len(s)-40):] }

func TestSessionTypesPrintByName(t *testing.T) {
	f := newFixture(t, nil)
	f.eval(t, "type point struct{ X, y int }\ntype node struct{ next *node; V int }\ntype empty struct{}")
	runCases(t, f, []evalCase{
		{name: "value", src: `point{1, 2}`, want: `main.point{X:1, y:2}`},
		{name: "pointer", src: `&point{3, 4}`, want: `&main.point{X:3, y:4}`},
		{name: "slice", src: `[]point{{1, 2}}`, want: `[]main.point{main.point{X:1, y:2}}`},
		{name: "recursive type", src: `node{V: 1}`, want: `main.node{next:(*main.node)(nil), V:1}`},
		{name: "empty struct keeps its own name", src: `struct{}{}`, want: `struct {}{}`},
		{name: "map of them", src: `map[string]point{"a": {1, 2}}`, want: `map[string]main.point{"a":main.point{X:1, y:2}}`},
	})
}

func TestRuntimeErrorsReadLikeGo(t *testing.T) {
	f := newFixture(t, nil)
	runCases(t, f, []evalCase{
		{name: "slice index", src: `[]int{1, 2}[5]`, err: `panic: runtime error: index out of range`},
		{name: "array index", src: `a := [3]int{}; i := 5; a[i]`, err: `panic: runtime error: index out of range`},
		{name: "string index", src: `s := "abc"; i := 5; s[i]`, err: `panic: runtime error: index out of range`},
		{name: "slice bounds", src: `s := []int{1, 2}; s[1:5]`, err: `panic: runtime error: slice bounds out of range`},
		{name: "nil map write", src: `var m map[string]int; m["a"] = 1`, err: `panic: assignment to entry in nil map`},
		{name: "nil pointer", src: `var p *struct{ X int }; p.X`, err: `panic: runtime error: invalid memory address or nil pointer dereference`},
		{name: "division by zero", src: `z := 0; 1 / z`, err: `panic: runtime error: integer divide by zero`},
		{name: "panic with a value", src: `panic(fmt.Sprintf("%d", 42))`, err: `panic: 42`},
		{name: "panic with an error", src: `panic(errors.New("bad"))`, err: `panic: bad`},
		{name: "panic with a struct", src: `panic(struct{ A int }{1})`, err: `panic: struct { A int }{A:1}`},
	})
}

func TestDump(t *testing.T) {
	type inner struct{ secret string }
	type host struct {
		Name  string
		inner *inner
		//lint:ignore U1000 printed by reflection: the test is about such fields
		ch   chan int
		Blob []byte
		Text []byte
	}
	h := &host{Name: "h", inner: &inner{secret: "s3"}, Blob: []byte{0, 1, 2, 0xff}, Text: []byte("hi")}
	f := newFixture(t, map[string]any{"h": h})
	f.eval(t, "type node struct{ Next *node; V int }\ntype tree struct{ kids []*tree; name string }")
	for _, tc := range []struct{ name, src, want string }{
		{"host value with unexported fields", `dump(h)`, `&interp.host{
  Name:  "h",
  inner: &interp.inner{
    secret: "s3",
  },
  ch:    (chan int)(nil),
  Blob:  []byte{ // 4 bytes
    // 0000  00 01 02 ff                                       |....|
  },
  Text:  []byte("hi"),
}
`},
		{"cycle", `n := &node{V: 1}; n.Next = n; dump(n)`, `&main.node{
  Next: <cycle: *main.node>,
  V:    1,
}
`},
		{"shared but not cyclic", `leaf := &tree{name: "leaf"}; dump(&tree{name: "root", kids: []*tree{leaf, leaf}})`, `&main.tree{
  kids: []*main.tree{
    &main.tree{
      kids: []*main.tree(nil),
      name: "leaf",
    },
    &main.tree{
      kids: []*main.tree(nil),
      name: "leaf",
    },
  },
  name: "root",
}
`},
		{"map sorted by key", `dump(map[string]int{"b": 2, "a": 1})`, `map[string]int{
  "a": 1,
  "b": 2,
}
`},
		{"several values", `dump(1, "two", []int{3})`, "1\n\"two\"\n[]int{3}\n"},
		{"long slice", `dump(make([]int, 120))`, "[]int{\n" + strings.Repeat("  "+strings.Repeat("0, ", 25)+"0,\n", 3) + "  " + strings.Repeat("0, ", 21) + "0,\n  … (20 more)\n}\n"},
		{"standard library values by their text", `dump(struct{ D time.Duration; T time.Time }{2 * time.Second, time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)})`, `struct { D time.Duration; T time.Time }{
  D: 2s,
  T: time.Date(2020, time.January, 2, 3, 4, 5, 0, time.UTC),
}
`},
		{"nil", `dump(nil)`, "nil\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := len(f.stdout.String())
			f.eval(t, tc.src)
			if got := f.stdout.String()[before:]; got != tc.want {
				t.Errorf("%s wrote\n%s\nwant\n%s", tc.src, got, tc.want)
			}
		})
	}
	t.Run("depth limit", func(t *testing.T) {
		before := len(f.stdout.String())
		f.eval(t, `var deep any = 1; for range 100 { deep = []any{deep} }; dump(deep)`)
		got := f.stdout.String()[before:]
		if !strings.Contains(got, "…") || strings.Count(got, "\n") > 100 {
			t.Errorf("deep value dumped as %d lines:\n%s", strings.Count(got, "\n"), got)
		}
	})
	t.Run("the session's own dump wins", func(t *testing.T) {
		g := newFixture(t, map[string]any{"dump": func(x int) int { return x * 2 }})
		if got := g.value(t, `dump(21)`); got != "42" {
			t.Errorf("dump(21) = %q, want the namespace function's 42", got)
		}
		g2 := newFixture(t, nil)
		g2.eval(t, `dump := func(s string) string { return s + "!" }`)
		if got := g2.value(t, `dump("x")`); got != `"x!"` {
			t.Errorf("dump(\"x\") = %q, want the session's", got)
		}
	})
}
