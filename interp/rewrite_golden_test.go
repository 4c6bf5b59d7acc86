package interp

import (
	"context"
	"flag"
	"fmt"
	"go/ast"
	"go/format"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

var updateRewrites = flag.Bool("update", false, "rewrite the golden files of TestRewriteGolden (testdata/rewrite/*.txt) from this run")

// A golden file of testdata/rewrite holds inputs evaluated in order in one
// session, each followed by what yaegi compiled for it, as gofmt prints
// sourceText's output, and by what it printed:
//
//	# what the file shows (lines before the first section)
//	-- input --
//	for i := range 3 { print(i) }
//	-- rewritten --
//	// rewritten:
//	func() { ... }()
//	-- result --
//	012
//
// The result section has what the code wrote to Stdout and Stderr, then
// "value: V" or "error: E" when there is one.
type goldenCase struct {
	input, rewritten, result string
}

const (
	goldenInput     = "-- input --\n"
	goldenRewritten = "-- rewritten --\n"
	goldenResult    = "-- result --\n"
)

func parseGolden(t *testing.T, name, text string) (header string, cases []goldenCase) {
	t.Helper()
	i := strings.Index(text, goldenInput)
	if i < 0 {
		t.Fatalf("%s: no %q section", name, strings.TrimSpace(goldenInput))
	}
	header, text = text[:i], text[i:]
	for text != "" {
		var c goldenCase
		var ok bool
		for _, sec := range []struct {
			mark string
			to   *string
		}{{goldenInput, &c.input}, {goldenRewritten, &c.rewritten}, {goldenResult, &c.result}} {
			if text, ok = strings.CutPrefix(text, sec.mark); !ok {
				t.Fatalf("%s: want %q at %q", name, strings.TrimSpace(sec.mark), firstLine(text))
			}
			end := len(text)
			for _, m := range []string{goldenInput, goldenRewritten, goldenResult} {
				if j := strings.Index(text, "\n"+m); j >= 0 && j+1 < end {
					end = j + 1
				}
				if strings.HasPrefix(text, m) {
					end = 0
				}
			}
			*sec.to, text = text[:end], text[end:]
		}
		cases = append(cases, c)
	}
	return header, cases
}

// TestRewriteGolden evaluates the inputs of testdata/rewrite/*.txt and
// compares what yaegi was given to compile, printed by sourceText and
// laid out by gofmt, and what the inputs printed, with the files; each
// tree compiled must also read back the same from sourceText's source.
// go test -run RewriteGolden -update writes the files again.
func TestRewriteGolden(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "rewrite", "*.txt"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden files: %v", err)
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txt"), func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			header, cases := parseGolden(t, file, string(data))
			asHostMain(t)
			var mu sync.Mutex
			logged := &safeBuffer{}
			f := newFixture(t, map[string]any{
				"mu":   &mu,
				"logf": func(format string, args ...any) { fmt.Fprintf(logged, format, args...) },
			})
			var units []ast.Node
			hook := func(n ast.Node) { units = append(units, n) }
			f.in.debug.Store(&hook)
			var out strings.Builder
			out.WriteString(header)
			for _, c := range cases {
				units = nil
				outAt, errAt, logAt := len(f.stdout.String()), len(f.stderr.String()), len(logged.String())
				res, err := f.in.Eval(context.Background(), strings.TrimSuffix(c.input, "\n"))
				var rewritten strings.Builder
				for _, n := range units {
					checkRoundTrip(t, firstLine(c.input), n, false)
					src := sourceText(n)
					pretty, err := gofmt(n, src)
					if err != nil {
						t.Errorf("%s: gofmt: %v\n%s", firstLine(c.input), err, numbered(src))
						pretty = src
					}
					fmt.Fprintf(&rewritten, "// rewritten:\n%s\n", pretty)
				}
				result := f.stdout.String()[outAt:] + f.stderr.String()[errAt:] + logged.String()[logAt:]
				if result != "" && !strings.HasSuffix(result, "\n") {
					result += "\n"
				}
				switch {
				case err != nil:
					result += "error: " + err.Error() + "\n"
				case res.HasValue:
					result += "value: " + res.Value + "\n"
				}
				got := goldenCase{c.input, rewritten.String(), result}
				if !*updateRewrites && got != c {
					t.Errorf("%s: input\n%s%s", file, c.input, goldenDiff(c.rewritten+goldenResult+c.result, got.rewritten+goldenResult+got.result))
				}
				out.WriteString(goldenInput + got.input + goldenRewritten + got.rewritten + goldenResult + got.result)
			}
			if *updateRewrites {
				if err := os.WriteFile(file, []byte(out.String()), 0o644); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}

// gofmt lays out src, the source of n, as gofmt does. Statements are
// formatted in a function, whose body's indentation is then taken off
// (go/format takes a list of statements on its own only when it cannot
// read them as declarations: not func() {...}()).
func gofmt(n ast.Node, src string) (string, error) {
	if _, stmts := n.(*ast.BlockStmt); !stmts {
		b, err := format.Source([]byte(src))
		return strings.TrimSuffix(string(b), "\n"), err
	}
	b, err := format.Source([]byte("package p\n\nfunc _() {\n" + src + "\n}\n"))
	if err != nil {
		return "", err
	}
	body := strings.TrimPrefix(string(b), "package p\n\nfunc _() {\n")
	body = strings.TrimSuffix(body, "\n}\n")
	lines := strings.Split(body, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimPrefix(l, "\t")
	}
	return strings.Join(lines, "\n"), nil
}

// goldenDiff shows how got differs from want, line by line: - for a line
// only want has, + for one only got has (a longest common subsequence).
func goldenDiff(want, got string) string {
	a, b := strings.Split(want, "\n"), strings.Split(got, "\n")
	lcs := make([][]int, len(a)+1)
	for i := range lcs {
		lcs[i] = make([]int, len(b)+1)
	}
	for i := len(a) - 1; i >= 0; i-- {
		for j := len(b) - 1; j >= 0; j-- {
			if a[i] == b[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var d strings.Builder
	d.WriteString("differs from the golden file (-want +got; -update writes it):\n")
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case i < len(a) && j < len(b) && a[i] == b[j]:
			d.WriteString("  " + a[i] + "\n")
			i, j = i+1, j+1
		case i < len(a) && (j == len(b) || lcs[i+1][j] >= lcs[i][j+1]):
			d.WriteString("- " + a[i] + "\n")
			i++
		default:
			d.WriteString("+ " + b[j] + "\n")
			j++
		}
	}
	return d.String()
}
