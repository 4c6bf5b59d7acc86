package interp

import (
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"
)

const (
	// maxValueLen bounds a printed result: a REPL line, not a data dump.
	maxValueLen = 64 << 10

	// fmt has no cycle detection: printing a map that contains itself
	// recurses until Go's fatal stack overflow. The printer below stops
	// at these bounds instead.
	maxPrintDepth = 32
	maxPrintNodes = 20000
)

// formatValues formats the results of an expression, comma-separated.
func formatValues(vals []any) string {
	parts := make([]string, len(vals))
	for i, v := range vals {
		parts[i] = formatValue(v)
	}
	return strings.Join(parts, ", ")
}

// formatValue prints v the way the package doc describes: Go syntax, like
// %#v, but with unsigned integers in decimal, and a value with an Error or
// String method printed as that text.
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
		// fmt recovers a panic in the method and prints a nil receiver.
		s = fmt.Sprint(x)
	default:
		p := &printer{}
		p.value(reflect.ValueOf(v), 0)
		s = p.String()
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

// printer writes values in Go syntax. It follows fmt's %#v except for
// unsigned integers other than bytes, which it writes in decimal: a
// counter reads 1500, not 0x5dc. It stops at maxPrintDepth and
// maxPrintNodes, where fmt would recurse without end on a cyclic value.
type printer struct {
	strings.Builder
	nodes int
}

func (p *printer) value(v reflect.Value, depth int) {
	p.nodes++
	if p.nodes > maxPrintNodes || depth > maxPrintDepth || p.Len() > maxValueLen {
		p.WriteString("...")
		return
	}
	if !v.IsValid() {
		p.WriteString("nil")
		return
	}
	if v.Kind() != reflect.Interface && v.CanInterface() {
		if g, ok := v.Interface().(fmt.GoStringer); ok && p.goString(g) {
			return
		}
	}
	t := v.Type()
	switch v.Kind() {
	case reflect.Bool:
		p.WriteString(strconv.FormatBool(v.Bool()))
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		p.WriteString(strconv.FormatInt(v.Int(), 10))
	case reflect.Uint8:
		if depth > 0 {
			p.WriteString("0x" + strconv.FormatUint(v.Uint(), 16))
			return
		}
		p.WriteString(strconv.FormatUint(v.Uint(), 10))
	case reflect.Uint, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		p.WriteString(strconv.FormatUint(v.Uint(), 10))
	case reflect.Float32, reflect.Float64, reflect.Complex64, reflect.Complex128:
		fmt.Fprintf(p, "%#v", valueOf(v))
	case reflect.String:
		p.WriteString(strconv.Quote(v.String()))
	case reflect.Interface:
		if v.IsNil() {
			p.WriteString(t.String() + "(nil)")
			return
		}
		p.value(v.Elem(), depth+1)
	case reflect.Pointer:
		if depth == 0 && !v.IsNil() {
			switch v.Elem().Kind() {
			case reflect.Array, reflect.Slice, reflect.Struct, reflect.Map:
				p.WriteByte('&')
				p.value(v.Elem(), depth+1)
				return
			}
		}
		p.pointer(v)
	case reflect.Chan, reflect.Func, reflect.UnsafePointer:
		p.pointer(v)
	case reflect.Slice, reflect.Array:
		if v.Kind() == reflect.Slice && v.IsNil() {
			p.WriteString(t.String() + "(nil)")
			return
		}
		if v.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Uint8 {
			// Bytes are most often text: []byte("hi"), not []uint8{0x68, 0x69}.
			name := t.String()
			if name == "[]uint8" {
				name = "[]byte"
			}
			b := v.Bytes()
			if len(b) > maxValueLen {
				b = b[:maxValueLen]
			}
			p.WriteString(name + "(" + strconv.Quote(string(b)) + ")")
			if v.Len() > len(b) {
				p.WriteString("...")
			}
			return
		}
		p.WriteString(t.String() + "{")
		for i := 0; i < v.Len(); i++ {
			if i > 0 {
				p.WriteString(", ")
			}
			if p.Len() > maxValueLen {
				p.WriteString("...")
				break
			}
			p.value(v.Index(i), depth+1)
		}
		p.WriteByte('}')
	case reflect.Map:
		if v.IsNil() {
			p.WriteString(t.String() + "(nil)")
			return
		}
		p.WriteString(t.String() + "{")
		p.mapEntries(v, depth)
		p.WriteByte('}')
	case reflect.Struct:
		p.WriteString(t.String() + "{")
		for i := 0; i < v.NumField(); i++ {
			if i > 0 {
				p.WriteString(", ")
			}
			p.WriteString(t.Field(i).Name + ":")
			p.value(v.Field(i), depth+1)
		}
		p.WriteByte('}')
	default:
		fmt.Fprintf(p, "%#v", valueOf(v))
	}
}

// goString writes g.GoString(), reporting false if it panicked (a nil
// receiver, say), in which case the value is printed by its structure.
func (p *printer) goString(g fmt.GoStringer) (ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	s := g.GoString()
	p.WriteString(s)
	return true
}

// pointer writes a pointer-like value as (T)(0x...) or (T)(nil).
func (p *printer) pointer(v reflect.Value) {
	if v.IsNil() {
		fmt.Fprintf(p, "(%v)(nil)", v.Type())
		return
	}
	fmt.Fprintf(p, "(%v)(%#x)", v.Type(), v.Pointer())
}

// mapEntries writes the entries sorted by their printed keys, so that the
// same map always prints the same.
func (p *printer) mapEntries(v reflect.Value, depth int) {
	type entry struct{ key, val string }
	var entries []entry
	it := v.MapRange()
	for it.Next() {
		if p.nodes > maxPrintNodes {
			entries = append(entries, entry{key: "..."})
			break
		}
		k, e := &printer{nodes: p.nodes}, &printer{}
		k.value(it.Key(), depth+1)
		e.nodes = k.nodes
		e.value(it.Value(), depth+1)
		p.nodes = e.nodes
		entries = append(entries, entry{k.String(), e.String()})
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].key < entries[j].key })
	for i, e := range entries {
		if i > 0 {
			p.WriteString(", ")
		}
		p.WriteString(e.key)
		if e.key != "..." {
			p.WriteString(":" + e.val)
		}
	}
}

// valueOf returns v as an interface, also for an unexported field, whose
// Interface method panics; only basic kinds reach here that way.
func valueOf(v reflect.Value) any {
	if v.CanInterface() {
		return v.Interface()
	}
	switch v.Kind() {
	case reflect.Float32, reflect.Float64:
		return v.Float()
	case reflect.Complex64, reflect.Complex128:
		return v.Complex()
	}
	return fmt.Sprint(v)
}
