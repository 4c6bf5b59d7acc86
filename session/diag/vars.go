package diag

import (
	"context"
	"fmt"
	"io"
	"reflect"
	"slices"
	"text/tabwriter"

	"github.com/gomanhole/manhole/interp"
)

// maxShownElems is the length above which :vars shows a collection's
// length instead of its elements: formatting a million-entry map would
// stall the session and the application's CPU.
const maxShownElems = 64

func (d *Set) cmdVars(ctx context.Context, c *Env, args string) int {
	if args != "" {
		fmt.Fprintln(c.Stderr, "usage: :vars")
		return 2
	}
	ns := d.host.Namespace()
	if len(ns) == 0 {
		fmt.Fprintln(c.Stdout, "the application exposes no values (manhole.Options.Namespace)")
		return 0
	}
	// A String method of the application's may block (a lock held by a
	// stuck goroutine: the very thing one opens a manhole to look at), so
	// formatting runs apart and Ctrl-C abandons it.
	done := make(chan struct{})
	var out []string
	go func() {
		defer close(done)
		out = formatVars(ns, c.Width)
	}()
	select {
	case <-done:
	case <-ctx.Done():
		fmt.Fprintf(c.Stderr, "stopped (%v): a value's String method did not return\n", context.Cause(ctx))
		return 1
	}
	w := tabwriter.NewWriter(c.Stdout, 0, 0, 2, ' ', 0)
	for _, line := range out {
		io.WriteString(w, line)
	}
	w.Flush()
	return 0
}

// formatVars returns one tab-separated line per name: name, type, value.
func formatVars(ns map[string]any, width int) []string {
	names := make([]string, 0, len(ns))
	for n := range ns {
		names = append(names, n)
	}
	slices.Sort(names)
	lines := make([]string, 0, len(names))
	for _, n := range names {
		v := ns[n]
		typ := "nil"
		if v != nil {
			typ = reflect.TypeOf(v).String()
		}
		typ = cut(typ, 40)
		val := cut(formatValue(v), max(width-len(n)-len([]rune(typ))-6, 16))
		lines = append(lines, n+"\t"+typ+"\t"+val+"\n")
	}
	return lines
}

// formatValue is a namespace value on one line, read as the printer
// reads the host's values (interp.Inspect): under the value's own locks,
// with unguarded maps left unread, and without calling its methods,
// which may block or have side effects (a String that drains a queue).
func formatValue(v any) string {
	rv := reflect.ValueOf(v)
	if !rv.IsValid() {
		return "nil"
	}
	// Through one pointer, as %v does for a *struct.
	elem := rv
	if elem.Kind() == reflect.Pointer && !elem.IsNil() {
		elem = elem.Elem()
	}
	switch elem.Kind() {
	case reflect.Func:
		if rv.IsNil() {
			return "nil"
		}
		return "func"
	case reflect.Map, reflect.Slice, reflect.Array, reflect.Chan:
		if elem.Kind() == reflect.Map {
			break // interp.Inspect does not read it
		}
		if elem.Kind() == reflect.Chan || elem.Len() > maxShownElems {
			if k := elem.Kind(); k == reflect.Slice || k == reflect.Chan {
				return fmt.Sprintf("len %d, cap %d", elem.Len(), elem.Cap())
			}
			return fmt.Sprintf("len %d", elem.Len())
		}
	}
	return interp.Inspect(v, 1<<10)
}
