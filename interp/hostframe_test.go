package interp

import (
	"context"
	"fmt"
	"reflect"
	"regexp"
	"runtime"
	"strings"
	"testing"
)

// boomer is an application type whose methods panic.
type boomer struct {
	m map[string]int
	p *int
}

func (b *boomer) Boom()          { b.m["x"] = 1 }
func (b *boomer) Deref() int     { return *b.p }
func (b *boomer) Repeat() string { return strings.Repeat("x", -1) }
func (b *boomer) Call(f func())  { f() }

// Where Boom is: its body is on the line it starts.
var boomFile, boomLine = runtime.FuncForPC(reflect.ValueOf((*boomer).Boom).Pointer()).FileLine(reflect.ValueOf((*boomer).Boom).Pointer())

// A panic in the application's code says where: the innermost frame of
// the host's own code, past the standard library's; a panic of evaluated
// code, or of the standard library called from it, names no frame.
func TestPanicNamesTheHostFrame(t *testing.T) {
	f := newFixture(t, map[string]any{"inv": &boomer{}})
	at := func(fn string) *regexp.Regexp {
		return regexp.MustCompile(`\(in interp\.\(\*boomer\)\.` + fn + ` at /\S+/interp/hostframe_test\.go:\d+\)$`)
	}
	for _, tc := range []struct {
		src  string
		want *regexp.Regexp
	}{
		{`inv.Boom()`, regexp.MustCompile(`^panic: assignment to entry in nil map \(in interp\.\(\*boomer\)\.Boom at ` + regexp.QuoteMeta(fmt.Sprintf("%s:%d", boomFile, boomLine)) + `\)$`)},
		{`inv.Deref()`, at("Deref")},
		{`inv.Repeat()`, at("Repeat")},
		{`func g() { inv.Boom() }; g()`, at("Boom")},
		{`strings.Repeat("x", -1)`, regexp.MustCompile(`^panic: strings: negative Repeat count$`)},
		{`var m map[string]int; m["a"] = 1`, regexp.MustCompile(`^panic: assignment to entry in nil map$`)},
		{`inv.Call(func() { panic("in closure") })`, regexp.MustCompile(`^panic: in closure$`)},
	} {
		_, err := f.in.Eval(context.Background(), tc.src)
		if err == nil || !tc.want.MatchString(err.Error()) {
			t.Errorf("%s: %v, want %v", tc.src, err, tc.want)
		}
	}
	f.eval(t, `go inv.Boom()`)
	waitFor(t, "the goroutine's panic", func() bool { return strings.Contains(f.stderr.String(), "panic in goroutine") })
	if got := strings.TrimSpace(f.stderr.String()); !at("Boom").MatchString(got) {
		t.Errorf("in a goroutine: %q", got)
	}
}
