package testkit

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// recorder keeps what ErrorPrefix reports instead of failing the test.
type recorder struct {
	testing.TB
	errs []string
}

func (r *recorder) Helper() {}
func (r *recorder) Errorf(format string, args ...any) {
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}
func (r *recorder) Fatalf(format string, args ...any) { r.Errorf(format, args...) }

func TestErrorPrefixFindsUnprefixedErrors(t *testing.T) {
	dir := t.TempDir()
	src := `package p

import ("errors"; "fmt")

var ErrGood = errors.New("p: good")
var errBad = errors.New("bad sentinel")

func f(s string, err error) []error {
	return []error{
		errors.New("p: fine"),
		fmt.Errorf("p: fine %d", 1),
		fmt.Errorf("%w: wrapped sentinel", ErrGood),
		errors.New("no prefix"),
		fmt.Errorf("%w: wrapped unprefixed", errBad),
		fmt.Errorf("%w: wrapped anything", err),
		errors.New(s),
	}
}
`
	os.WriteFile(filepath.Join(dir, "p.go"), []byte(src), 0o644)
	os.WriteFile(filepath.Join(dir, "p_test.go"), []byte("package p\nimport \"errors\"\nvar e = errors.New(\"tests are not checked\")\n"), 0o644)
	r := &recorder{TB: t}
	ErrorPrefix(r, dir, "p: ")
	want := []string{`"bad sentinel"`, `"no prefix"`, `"%w: wrapped unprefixed"`, `"%w: wrapped anything"`, "not a string literal"}
	if len(r.errs) != len(want) {
		t.Fatalf("got %d reports, want %d:\n%s", len(r.errs), len(want), strings.Join(r.errs, "\n"))
	}
	for i, w := range want {
		if !strings.Contains(r.errs[i], w) {
			t.Errorf("report %d = %q, want it to mention %s", i, r.errs[i], w)
		}
	}
}
