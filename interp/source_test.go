package interp

import (
	"go/token"
	"testing"
)

func TestIncomplete(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		want      bool
	}{
		{"open if", "if x {", true},
		{"open func", "func f() {", true},
		{"open raw string", "`abc", true},
		{"open call", "fmt.Println(", true},
		{"trailing plus", "1 +", true},
		{"trailing and", "a &&", true},
		{"trailing comma", "f(a,\nb,", true},
		{"trailing dot", "fmt.", true},
		{"trailing define", "x :=", true},
		{"trailing assign", "x =", true},
		{"trailing send", "ch <-", true},
		{"open block comment", "x := 1 /* more", true},
		{"open composite literal", "m := map[string]int{\n\"a\": 1,", true},
		{"nested open", "if x {\n\tfor {\n\t}", true},
		{"multi-line raw string", "s := `line1\nline2", true},
		{"define", "x := 1", false},
		{"stray close paren", ")", false},
		{"stray close brace", "}", false},
		{"mismatched brackets", "f(]", false},
		{"closed if", "if x {\n}", false},
		{"closed func", "func f() {\n\treturn\n}", false},
		{"increment", "x++", false},
		{"unterminated string", `"abc`, false},
		{"complete call", "fmt.Println(1)", false},
		{"empty", "", false},
		{"comment", "// just a comment", false},
		{"closed raw string", "`abc`", false},
		{"error inside open block", "if x {\n\ts := \"abc", false},
		{"trailing operator after comment", "1 + // c", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Incomplete(tc.src); got != tc.want {
				t.Errorf("Incomplete(%q) = %v, want %v", tc.src, got, tc.want)
			}
		})
	}
}

func TestSplitUnits(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		want      []groupKind
	}{
		{"expression", "1+1", []groupKind{stmtGroup}},
		{"func decl", "func f() {}", []groupKind{declGroup}},
		{"method decl", "func (t T) M() {}", []groupKind{declGroup}},
		{"func literal call", "func() {}()", []groupKind{stmtGroup}},
		{"func literal with params", "func(x int) int { return x }(1)", []groupKind{stmtGroup}},
		{"func literal with result list", "func(x int) (int, error) { return x, nil }(1)", []groupKind{stmtGroup}},
		{"mixed", "var m = map[string]int{}; m[\"a\"] = 1; m", []groupKind{declGroup, stmtGroup, stmtGroup}},
		{"import", "import \"fmt\"\nfmt.Println()", []groupKind{importGroup, stmtGroup}},
		{"type and const", "type T int\nconst c = 1", []groupKind{declGroup, declGroup}},
		{"multi-line if", "if x {\n\ty()\n}\nz()", []groupKind{stmtGroup, stmtGroup}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			units := splitUnits(tc.src)
			if len(units) != len(tc.want) {
				t.Fatalf("splitUnits(%q) = %v units, want %d", tc.src, units, len(tc.want))
			}
			for i, u := range units {
				if u.kind != tc.want[i] {
					t.Errorf("unit %d (%q) kind = %v, want %v", i, tc.src[u.start:u.end], u.kind, tc.want[i])
				}
			}
		})
	}
}

func TestParseInputSplitsTrailingExpression(t *testing.T) {
	groups, err := parseInput(token.NewFileSet(), "var m = map[string]int{}; m[\"a\"] = 1; m")
	if err != nil {
		t.Fatal(err)
	}
	var kinds []groupKind
	for _, g := range groups {
		kinds = append(kinds, g.kind)
	}
	want := []groupKind{declGroup, stmtGroup, exprGroup}
	if len(kinds) != len(want) {
		t.Fatalf("groups = %v, want %v", kinds, want)
	}
	for i := range want {
		if kinds[i] != want[i] {
			t.Fatalf("groups = %v, want %v", kinds, want)
		}
	}
}
