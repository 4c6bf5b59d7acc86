package interp

import (
	"fmt"
	"reflect"
	"strings"
)

// maxDumpLen bounds what one value's dump writes.
const maxDumpLen = 64 << 10

// dump is the dump builtin: it writes each value to the session's Stdout
// in depth, one field per line. Unlike a result, it follows pointers at
// every level (a pointer met again on the way down prints as
// <cycle: *T>), shows unexported fields, and prints a byte slice that is
// not text as a hex dump. Values of standard library types print as their
// GoString or String, which is what their fields mean.
func (in *Interp) dump(vals ...any) { in.dumpValues(false, vals) }

// dumpHost is dump of values reached from the namespace (see hostRooted).
func (in *Interp) dumpHost(vals ...any) { in.dumpValues(true, vals) }

func (in *Interp) dumpValues(host bool, vals []any) {
	width := in.termWidth()
	var b strings.Builder
	for _, v := range vals {
		p := &printer{names: in.names, dump: true, hostRoot: host}
		s := cutOutput(p.value(reflect.ValueOf(v), 0).render(width), maxDumpLen)
		b.WriteString(s + "\n")
	}
	fmt.Fprint(in.stdout, b.String())
}

// isStdType reports whether t is a named type of the standard library.
func isStdType(t reflect.Type) bool {
	for t.Kind() == reflect.Pointer && t.Name() == "" {
		t = t.Elem()
	}
	p := t.PkgPath()
	if p == "" {
		return false
	}
	first, _, _ := strings.Cut(p, "/")
	return !strings.Contains(first, ".") && p != "main"
}
