package interp

import (
	"fmt"
	"reflect"
	"strings"
)

const (
	// maxValueLen bounds a printed result: a REPL line, not a data dump.
	maxValueLen = 64 << 10

	// fmt has no cycle detection: printing a map that contains itself
	// recurses until Go's fatal stack overflow. Values are walked first,
	// within these bounds, and printed only if the walk ends.
	maxWalkDepth = 64
	maxWalkNodes = 100000
)

// formatValues formats the results of an expression, comma-separated.
func formatValues(vals []any) string {
	parts := make([]string, len(vals))
	for i, v := range vals {
		parts[i] = formatValue(v)
	}
	return strings.Join(parts, ", ")
}

// formatValue prints v in Go syntax (%#v), except that a value with an
// Error or String method prints as that text, and nil prints as nil.
func formatValue(v any) (s string) {
	defer func() {
		if rec := recover(); rec != nil {
			s = fmt.Sprintf("<cannot print %T: panic: %v>", v, rec)
		}
	}()
	switch x := v.(type) {
	case nil:
		return "nil"
	case error, fmt.Stringer:
		// fmt recovers a panic in the method, and prints a nil receiver.
		s = fmt.Sprint(x)
	default:
		rv := reflect.ValueOf(v)
		nodes := 0
		if !walkable(rv, 0, &nodes) {
			return describe(rv)
		}
		s = fmt.Sprintf("%#v", v)
	}
	if len(s) > maxValueLen {
		s = s[:maxValueLen] + fmt.Sprintf("... (%d more bytes)", len(s)-maxValueLen)
	}
	return s
}

// formatPanicValue prints a panic value the way Go's runtime does: the
// text of an error or a string, anything else as formatValue does.
func formatPanicValue(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case *reflect.ValueError:
		// yaegi dereferences a nil pointer through reflect.
		if x.Kind == reflect.Invalid {
			return "runtime error: invalid memory address or nil pointer dereference"
		}
	}
	return formatValue(v)
}

// describe stands in for a value too deep, too large or cyclic to print.
func describe(v reflect.Value) string {
	switch v.Kind() {
	case reflect.Map, reflect.Slice, reflect.Array, reflect.Chan, reflect.String:
		return fmt.Sprintf("%v (len %d: too large, too deep or cyclic to print)", v.Type(), v.Len())
	}
	return fmt.Sprintf("%v (too large, too deep or cyclic to print)", v.Type())
}

// walkable reports whether fmt can print v in a bounded number of steps. It
// follows v the way fmt's printValue does: through interfaces, maps,
// slices, arrays and structs, and through a pointer only at the top.
func walkable(v reflect.Value, depth int, nodes *int) bool {
	*nodes++
	if *nodes > maxWalkNodes || depth > maxWalkDepth {
		return false
	}
	switch v.Kind() {
	case reflect.Interface:
		return v.IsNil() || walkable(v.Elem(), depth+1, nodes)
	case reflect.Pointer:
		if depth == 0 && !v.IsNil() {
			switch v.Elem().Kind() {
			case reflect.Array, reflect.Slice, reflect.Struct, reflect.Map:
				return walkable(v.Elem(), depth+1, nodes)
			}
		}
	case reflect.Map:
		it := v.MapRange()
		for it.Next() {
			if !walkable(it.Key(), depth+1, nodes) || !walkable(it.Value(), depth+1, nodes) {
				return false
			}
		}
	case reflect.Slice, reflect.Array:
		if isFlat(v.Type().Elem()) {
			*nodes += v.Len() / 16
			return *nodes <= maxWalkNodes
		}
		for i := 0; i < v.Len(); i++ {
			if !walkable(v.Index(i), depth+1, nodes) {
				return false
			}
		}
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if !walkable(v.Field(i), depth+1, nodes) {
				return false
			}
		}
	}
	return true
}

// isFlat reports whether values of t print without recursion.
func isFlat(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Interface, reflect.Map, reflect.Slice, reflect.Array, reflect.Struct, reflect.Pointer:
		return false
	}
	return true
}
