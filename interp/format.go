package interp

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"
)

const (
	// maxValueLen bounds a printed result: a REPL answer fits a screen or
	// two; dump(x) and fmt.Print show more.
	maxValueLen = 4 << 10

	// Strings and composites are cut with a note saying how much was left
	// out: a top-level string after maxStringRunes runes, a string inside
	// a composite after maxInnerRunes, a slice, array or map after
	// maxElems elements.
	maxStringRunes = 1000
	maxInnerRunes  = 200
	maxElems       = 100

	// fmt has no cycle detection: printing a map that contains itself
	// recurses until Go's fatal stack overflow. The printer below notes
	// cycles and stops at these bounds.
	maxPrintDepth = 32
	maxPrintNodes = 20000

	defaultWidth  = 80
	maxAlignedKey = 24
	minWidth      = 20
	indentStep    = "  "
)

// ellipsis starts every note about what was left out.
const ellipsis = "…"

// formatValues formats the results of an expression, comma-separated;
// host says they were reached from the namespace (see hostRooted).
func (in *Interp) formatValues(vals []any, host bool) string {
	parts := make([]string, len(vals))
	width := in.termWidth()
	for i, v := range vals {
		parts[i] = in.formatValue(v, width, host)
	}
	return strings.Join(parts, ", ")
}

// termWidth returns Options.Width's answer, bounded; 0 or less means
// unknown.
func (in *Interp) termWidth() (w int) {
	if in.width == nil {
		return defaultWidth
	}
	defer func() {
		if recover() != nil {
			w = defaultWidth
		}
	}()
	if w = in.width(); w <= 0 {
		return defaultWidth
	}
	return max(w, minWidth)
}

// formatValue prints v the way the package doc describes: Go syntax, like
// %#v, but with unsigned integers in decimal, a value with an Error or
// String method printed as that text, the names of the session's types,
// and a composite wider than width laid out on several lines.
func (in *Interp) formatValue(v any, width int, host bool) (s string) {
	defer func() {
		if rec := recover(); rec != nil {
			s = fmt.Sprintf("<cannot print %T: panic: %v>", v, rec)
		}
	}()
	switch x := v.(type) {
	case nil:
		return "nil"
	case shownText:
		s = string(x)
	case error, fmt.Stringer:
		// fmt recovers a panic in the method and prints a nil receiver.
		s = cutString(fmt.Sprint(x), maxStringRunes)
	default:
		p := &printer{names: in.names, hostRoot: host}
		d := p.value(reflect.ValueOf(v), 0)
		s = d.render(width)
	}
	return cutOutput(s, maxValueLen)
}

// cutOutput bounds s to about limit bytes, at a line end if one is near,
// and says how much was cut.
func cutOutput(s string, limit int) string {
	if len(s) <= limit {
		return s
	}
	cut := limit
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	if nl := strings.LastIndexByte(s[:cut], '\n'); nl > limit/2 {
		cut = nl + 1
	}
	return s[:cut] + fmt.Sprintf("%s (%d more bytes)", ellipsis, len(s)-cut)
}

// cutString shortens s to n runes, with a note.
func cutString(s string, n int) string {
	if len(s) <= n {
		return s
	}
	i, count := 0, 0
	for i < len(s) && count < n {
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
		count++
	}
	if i >= len(s) {
		return s
	}
	return s[:i] + fmt.Sprintf("%s (%d more bytes)", ellipsis, len(s)-i)
}

// quoteCut quotes s, cut after n runes with a note outside the quotes.
func quoteCut(s string, n int) string {
	i, count := 0, 0
	for i < len(s) && count < n {
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
		count++
	}
	if i >= len(s) {
		return strconv.Quote(s)
	}
	return strconv.Quote(s[:i]) + fmt.Sprintf("%s (%d more bytes)", ellipsis, len(s)-i)
}

// formatPanic prints a panic value the way Go's runtime does: the text
// of an error or a string, anything else as formatValue does. With the
// session's type names, a value of a session type with an Error or
// String method prints as its text, as Go prints an error or a
// fmt.Stringer, other values with their declared names.
func formatPanic(v any, names *typeNames) string {
	if rv, ok := v.(reflect.Value); ok {
		// yaegi panics with the reflect.Value of the interpreted panic's
		// argument.
		if !rv.IsValid() || !rv.CanInterface() {
			return fmt.Sprint(rv)
		}
		v = rv.Interface()
	}
	switch x := v.(type) {
	case string:
		return runtimeError(x)
	case *reflect.ValueError:
		// yaegi dereferences a nil pointer through reflect.
		if x.Kind == reflect.Invalid {
			return "runtime error: invalid memory address or nil pointer dereference"
		}
		// yaegi compiles a call of a compiled value that is no function
		// (stats.Requests() of an int field) and calls it through reflect.
		if x.Method == "reflect.Value.Call" {
			return fmt.Sprintf("invalid operation: cannot call non-function (a value of kind %s)", x.Kind)
		}
	case error:
		return runtimeError(x.Error())
	}
	rv := reflect.ValueOf(v)
	if held, ok := wrappedValue(rv); ok && isYaegiWrapper(rv.Type()) {
		rv = held
	}
	if names != nil && rv.IsValid() {
		if name := names.sessionType(rv.Type()); name != "" {
			for _, m := range []string{"Error", "String"} {
				if sm, ok := names.method(name, rv.Type(), m); ok {
					if text, panicked := callPrintMethod(sm, rv); panicked == nil {
						return text
					}
				}
			}
		}
	}
	p := &printer{names: names}
	return cutOutput(p.value(rv, 0).render(1<<30), maxValueLen)
}

// reflectPanics are the panics of package reflect through which yaegi
// reports Go's runtime errors, and what Go itself says. The values Go puts
// in the message (the index, the length) are not in reflect's.
var reflectPanics = map[string]string{
	"reflect: slice index out of range":                      "runtime error: index out of range",
	"reflect: array index out of range":                      "runtime error: index out of range",
	"reflect: string index out of range":                     "runtime error: index out of range",
	"reflect.Value.Slice: slice index out of bounds":         "runtime error: slice bounds out of range",
	"reflect.Value.Slice3: slice index out of bounds":        "runtime error: slice bounds out of range",
	"reflect.Value.Slice: string slice index out of bounds":  "runtime error: slice bounds out of range",
	"reflect: call of reflect.Value.Elem on zero Value":      "runtime error: invalid memory address or nil pointer dereference",
	"reflect: call of reflect.Value.Field on zero Value":     "runtime error: invalid memory address or nil pointer dereference",
	"reflect: call of reflect.Value.Interface on zero Value": "runtime error: invalid memory address or nil pointer dereference",
}

func runtimeError(msg string) string {
	if m, ok := reflectPanics[msg]; ok {
		return m
	}
	return msg
}

// pdoc is a printed value before layout: a leaf, or a composite whose
// elements are laid out on one line if it fits, else one per line.
type pdoc struct {
	head  string // a leaf's text, or a composite's opening "T{"
	kids  []pkid // a composite's elements or fields
	more  string // a note after the elements: "… (12 more)"
	tail  string // a composite's closing "}"; "" for a leaf
	comp  bool
	multi bool   // always one element per line (dump's structs)
	flat  int    // length of the one-line form
	note  string // dump's comment after the opening brace
	lines []string
}

type pkid struct {
	key string // field name or map key; "" for a slice element
	val *pdoc
}

func leaf(s string) *pdoc { return &pdoc{head: s, flat: utf8.RuneCountInString(s)} }

func (d *pdoc) finish() *pdoc {
	d.comp = true
	n := utf8.RuneCountInString(d.head) + len(d.tail)
	for i, k := range d.kids {
		if i > 0 {
			n += 2
		}
		if k.key != "" {
			n += utf8.RuneCountInString(k.key) + 1
		}
		n += k.val.flat
	}
	if d.more != "" {
		n += utf8.RuneCountInString(d.more) + 2
	}
	if len(d.lines) > 0 {
		n = 1 << 30 // a hex dump is never one line
	}
	d.flat = n
	return d
}

// render lays d out for a terminal width columns wide.
func (d *pdoc) render(width int) string {
	w := &layout{width: width}
	d.write(w, "")
	return w.b.String()
}

// layout is the output of render, with the column it is at.
type layout struct {
	b     strings.Builder
	col   int
	width int
}

func (w *layout) str(s string) {
	w.b.WriteString(s)
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		w.col = utf8.RuneCountInString(s[i+1:])
	} else {
		w.col += utf8.RuneCountInString(s)
	}
}

// write writes d at the current position: on the rest of the line if it
// fits, else with one element per line, indented one step more than
// indent.
func (d *pdoc) write(w *layout, indent string) {
	if w.b.Len() > maxValueLen*16 {
		return // cut by the caller anyway
	}
	if !d.comp {
		w.str(d.head)
		return
	}
	if !d.multi && w.col+d.flat <= w.width {
		var b strings.Builder
		d.writeFlat(&b)
		w.str(b.String())
		return
	}
	if len(d.kids) == 0 && d.more == "" && len(d.lines) == 0 {
		w.str(d.head + d.tail)
		return
	}
	w.str(d.head)
	if d.note != "" {
		w.str(" // " + d.note)
	}
	w.str("\n")
	inner := indent + indentStep
	for _, l := range d.lines {
		w.str(inner + l + "\n")
	}
	if d.leaves() {
		// Elements that are all short scalars fill the lines.
		w.str(inner)
		for i, k := range d.kids {
			if i > 0 {
				if w.col+2+k.val.flat > w.width {
					w.str(",\n" + inner)
				} else {
					w.str(", ")
				}
			}
			w.str(k.val.head)
		}
		w.str(",\n")
		if d.more != "" {
			w.str(inner + d.more + "\n")
		}
		w.str(indent + d.tail)
		return
	}
	// Values line up after their keys, as gofmt has them, unless a key
	// is long.
	keyWidth := 0
	for _, k := range d.kids {
		keyWidth = max(keyWidth, utf8.RuneCountInString(k.key))
	}
	if keyWidth > maxAlignedKey {
		keyWidth = 0
	}
	for _, k := range d.kids {
		w.str(inner)
		if k.key != "" {
			pad := max(keyWidth-utf8.RuneCountInString(k.key), 0)
			w.str(k.key + ": " + strings.Repeat(" ", pad))
		}
		k.val.write(w, inner)
		w.str(",\n")
	}
	if d.more != "" {
		w.str(inner + d.more + "\n")
	}
	w.str(indent + d.tail)
}

// leaves reports whether d is a list of short scalars, without keys.
func (d *pdoc) leaves() bool {
	for _, k := range d.kids {
		if k.key != "" || k.val.comp || k.val.flat > 24 {
			return false
		}
	}
	return len(d.kids) > 0
}

func (d *pdoc) writeFlat(b *strings.Builder) {
	b.WriteString(d.head)
	if !d.comp {
		return
	}
	for i, k := range d.kids {
		if i > 0 {
			b.WriteString(", ")
		}
		if k.key != "" {
			b.WriteString(k.key + ":")
		}
		k.val.writeFlat(b)
	}
	if d.more != "" {
		if len(d.kids) > 0 {
			b.WriteString(", ")
		}
		b.WriteString(d.more)
	}
	b.WriteString(d.tail)
}

// printer turns values into pdocs. It follows fmt's %#v except for
// unsigned integers other than bytes, which it writes in decimal (a
// counter reads 1500, not 0x5dc), byte slices, written as text, and the
// types declared in the session, which it names (main.point) where yaegi's
// reflect types have no name.
type printer struct {
	names *typeNames
	nodes int
	dump  bool // dump's layout: pointers followed, byte slices in hex

	// What keeps printing from killing the host (see guardprint.go).
	hostRoot  bool // the value was reached from the namespace without a call
	inHost    int  // structs of the host's types being printed
	locks     int  // locks of the host's held while printing below them
	noMethods bool // call no String or Error method of the host's types

	// The maps, slices and pointers being printed, to catch cycles.
	path map[uintptr]bool
}

func (p *printer) typeString(t reflect.Type) string {
	if p.names == nil {
		return t.String()
	}
	return p.names.typeString(t)
}

func (p *printer) value(v reflect.Value, depth int) *pdoc {
	p.nodes++
	if p.nodes > maxPrintNodes || depth > maxPrintDepth {
		return leaf(ellipsis)
	}
	if !v.IsValid() {
		return leaf("nil")
	}
	if isYaegiInterface(v.Type()) {
		// A value of a session interface type, or a session value in
		// an interface, as yaegi stores it.
		if inner := yaegiInterfaceValue(v); inner.IsValid() {
			return p.value(inner, depth)
		}
	}
	if isYaegiWrapper(v.Type()) {
		// A session value in an error (or another of yaegi's interface
		// wrappers), inside a composite: the value, not the wrapper.
		if held, ok := wrappedValue(v); ok {
			return p.value(held, depth)
		}
	}
	if v.Kind() != reflect.Interface && v.CanInterface() && hasMethods(v) && (!p.dump || isStdType(v.Type())) && p.mayCall(v.Type()) {
		if g, ok := noCopy(v).(fmt.GoStringer); ok {
			if s, ok := goString(g); ok {
				return leaf(s)
			}
		}
		if p.dump && !(v.Kind() == reflect.Pointer && v.IsNil()) {
			if s, ok := stringerText(v); ok {
				return leaf(cutString(s, maxInnerRunes))
			}
		}
	}
	t := v.Type()
	switch v.Kind() {
	case reflect.Bool:
		return leaf(strconv.FormatBool(v.Bool()))
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if p.dump && p.mayCall(t) && hasMethods(v) {
			if s, ok := stringerText(v); ok {
				return leaf(s)
			}
		}
		if n, ok := atomicInt(v); ok {
			return leaf(strconv.FormatInt(n, 10))
		}
		return leaf(strconv.FormatInt(v.Int(), 10))
	case reflect.Uint8:
		if depth > 0 {
			return leaf("0x" + strconv.FormatUint(v.Uint(), 16))
		}
		return leaf(strconv.FormatUint(v.Uint(), 10))
	case reflect.Uint, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		if n, ok := atomicUint(v); ok {
			return leaf(strconv.FormatUint(n, 10))
		}
		return leaf(strconv.FormatUint(v.Uint(), 10))
	case reflect.Float32, reflect.Float64, reflect.Complex64, reflect.Complex128:
		return leaf(fmt.Sprintf("%#v", valueOf(v)))
	case reflect.String:
		if depth == 0 {
			return leaf(quoteCut(v.String(), maxStringRunes))
		}
		return leaf(quoteCut(v.String(), maxInnerRunes))
	case reflect.Interface:
		if v.IsNil() {
			return leaf(p.typeString(t) + "(nil)")
		}
		return p.value(v.Elem(), depth+1)
	case reflect.Pointer:
		if v.IsNil() {
			return leaf("(" + p.typeString(t) + ")(nil)")
		}
		if (depth == 0 || p.dump) && isComposite(v.Elem().Kind()) {
			addr := uintptr(v.UnsafePointer())
			if p.path[addr] {
				return leaf("<cycle: " + p.typeString(t) + ">")
			}
			p.enter(addr)
			defer delete(p.path, addr)
			d := p.value(v.Elem(), depth+1)
			d.head = "&" + d.head
			d.flat++
			return d
		}
		return leaf(fmt.Sprintf("(%s)(%#x)", p.typeString(t), v.Pointer()))
	case reflect.Chan, reflect.Func, reflect.UnsafePointer:
		if v.IsNil() {
			return leaf("(" + p.typeString(t) + ")(nil)")
		}
		return leaf(fmt.Sprintf("(%s)(%#x)", p.typeString(t), v.Pointer()))
	case reflect.Slice, reflect.Array:
		if v.Kind() == reflect.Slice && v.IsNil() {
			return leaf(p.typeString(t) + "(nil)")
		}
		if t.Elem().Kind() == reflect.Uint8 && v.Kind() == reflect.Slice {
			return p.bytes(v, depth)
		}
		if v.Kind() == reflect.Slice && v.Len() > 0 {
			addr := uintptr(v.Pointer())
			if p.path[addr] {
				return leaf("<cycle: " + p.typeString(t) + ">")
			}
			p.enter(addr)
			defer delete(p.path, addr)
		}
		d := &pdoc{head: p.typeString(t) + "{", tail: "}"}
		n := v.Len()
		for i := 0; i < n && i < maxElems; i++ {
			d.kids = append(d.kids, pkid{val: p.value(v.Index(i), depth+1)})
		}
		if n > maxElems {
			d.more = fmt.Sprintf("%s (%d more)", ellipsis, n-maxElems)
		}
		return d.finish()
	case reflect.Map:
		if v.IsNil() {
			return leaf(p.typeString(t) + "(nil)")
		}
		if p.unguarded() {
			return leaf(unreadMap(p.typeString(t)))
		}
		addr := uintptr(v.UnsafePointer())
		if p.path[addr] {
			return leaf("<cycle: " + p.typeString(t) + ">")
		}
		p.enter(addr)
		defer delete(p.path, addr)
		d := &pdoc{head: p.typeString(t) + "{", tail: "}", multi: p.dump}
		p.mapEntries(d, v, depth)
		return d.finish()
	case reflect.Struct:
		if t == mutexType || t == rwMutexType {
			return leaf(p.typeString(t) + "{…}")
		}
		d := &pdoc{head: p.typeString(t) + "{", tail: "}", multi: p.dump}
		if p.dump && p.mayCall(t) {
			if s, ok := stringerText(v); ok {
				d.note = cutString(s, maxInnerRunes)
			}
		}
		// Methods first, then the locks: a String method that takes the
		// value's own lock would wait for ever on the printer.
		unlock, note := p.lockFields(v)
		defer unlock()
		if isHostType(t) {
			p.inHost++
			defer func() { p.inHost-- }()
		}
		fields := p.fieldNames(t)
		for i := 0; i < v.NumField(); i++ {
			d.kids = append(d.kids, pkid{key: fields[i], val: p.value(v.Field(i), depth+1)})
		}
		d.more = note
		return d.finish()
	}
	return leaf(fmt.Sprintf("%#v", valueOf(v)))
}

func (p *printer) enter(addr uintptr) {
	if p.path == nil {
		p.path = map[uintptr]bool{}
	}
	p.path[addr] = true
}

func isComposite(k reflect.Kind) bool {
	switch k {
	case reflect.Array, reflect.Slice, reflect.Struct, reflect.Map:
		return true
	}
	return false
}

// fieldNames returns the names of t's fields as the user wrote them:
// yaegi exports unexported fields of the session's types with an X.
func (p *printer) fieldNames(t reflect.Type) []string {
	if p.names != nil {
		if f := p.names.fields(t); f != nil {
			return f
		}
	}
	names := make([]string, t.NumField())
	for i := range names {
		names[i] = t.Field(i).Name
	}
	return names
}

// bytes prints a byte slice as text, or in dump as a hex dump when it is
// not text.
func (p *printer) bytes(v reflect.Value, depth int) *pdoc {
	name := p.typeString(v.Type())
	if name == "[]uint8" {
		name = "[]byte"
	}
	b := v.Bytes()
	limit := maxInnerRunes
	if depth == 0 {
		limit = maxStringRunes
	}
	if !p.dump || isText(b) {
		s := quoteCut(string(b), limit)
		if i := strings.LastIndex(s, `"`); i >= 0 && i < len(s)-1 {
			return leaf(name + "(" + s[:i+1] + ")" + s[i+1:])
		}
		return leaf(name + "(" + s + ")")
	}
	d := &pdoc{head: name + "{", tail: "}", note: fmt.Sprintf("%d bytes", len(b))}
	const maxHex = 256
	shown := b
	if len(shown) > maxHex {
		shown = shown[:maxHex]
		d.more = fmt.Sprintf("%s (%d more bytes)", ellipsis, len(b)-maxHex)
	}
	for off := 0; off < len(shown); off += 16 {
		row := shown[off:min(off+16, len(shown))]
		var hex, text strings.Builder
		for i, c := range row {
			if i == 8 {
				hex.WriteByte(' ')
			}
			fmt.Fprintf(&hex, "%02x ", c)
			if c >= 0x20 && c < 0x7f {
				text.WriteByte(c)
			} else {
				text.WriteByte('.')
			}
		}
		d.lines = append(d.lines, fmt.Sprintf("// %04x  %-49s |%s|", off, hex.String(), text.String()))
	}
	return d.finish()
}

// isText reports whether b reads as text: valid UTF-8, printable but for
// common whitespace.
func isText(b []byte) bool {
	if !utf8.Valid(b) {
		return false
	}
	for _, r := range string(b) {
		if r < 0x20 && r != '\n' && r != '\t' && r != '\r' || r == 0x7f {
			return false
		}
	}
	return true
}

// goString returns g.GoString(), false if it panicked (a nil receiver,
// say), in which case the value is printed by its structure.
func goString(g fmt.GoStringer) (s string, ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	return g.GoString(), true
}

// stringerText returns the text of v's Error or String method, for dump.
func stringerText(v reflect.Value) (s string, ok bool) {
	if !v.CanInterface() {
		return "", false
	}
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	switch x := noCopy(v).(type) {
	case error:
		return x.Error(), true
	case fmt.Stringer:
		return x.String(), true
	}
	return "", false
}

// mapEntries adds the entries in the order of their keys, as fmt has
// them (see compareKeys): the first maxElems of them.
func (p *printer) mapEntries(d *pdoc, v reflect.Value, depth int) {
	entries := mapKeysSorted(v, maxElems)
	for _, e := range entries {
		if p.nodes > maxPrintNodes {
			d.more = ellipsis
			return
		}
		k := p.value(e.key, depth+1)
		var kb strings.Builder
		k.writeFlat(&kb)
		d.kids = append(d.kids, pkid{key: kb.String(), val: p.value(e.val, depth+1)})
	}
	if n := v.Len(); n > len(entries) {
		d.more = fmt.Sprintf("%s (%d more)", ellipsis, n-len(entries))
	}
}

// noCopy returns v as an interface, through its address when it has one:
// copying a struct the host is writing would race with it.
func noCopy(v reflect.Value) any {
	if v.Kind() == reflect.Struct && v.CanAddr() && v.Addr().CanInterface() {
		return v.Addr().Interface()
	}
	return v.Interface()
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
