package session

import (
	"reflect"
	"slices"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/gomanhole/manhole/internal/lazyre"
)

// completer completes the word before the cursor: a name in scope, a
// package's members (strings.Has<Tab>), or the fields and methods of a
// namespace value (store.<Tab>), following field chains (cfg.Sub.<Tab>).
type completer struct {
	names     func() []string           // names in scope
	members   func(pkg string) []string // a package's exported names
	namespace map[string]any
	// commands lists the ':' commands; args, the words a command takes.
	commands func() []string
	args     func(cmd string) []string
	// packages lists the import paths for `import "`.
	packages func() []string
	// typeOf gives the static type of an expression that calls nothing
	// but, perhaps, the function at its top (interp.StaticType), for the
	// session's own variables and results of calls.
	typeOf func(expr string) (reflect.Type, bool)
}

// exprStart returns where the expression whose member is being typed
// starts: dot is the index of the last '.', and before it come names,
// dots and balanced brackets (time.Now().Add(d).<Tab>). It returns -1
// when there is no such expression.
func exprStart(line string, dot int) int {
	i := dot
	for i > 0 {
		r, size := utf8.DecodeLastRuneInString(line[:i])
		switch {
		case r == '.' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r):
			i -= size
		case r == ')' || r == ']':
			depth := 0
			j := i
			for j > 0 {
				c := line[j-1]
				j--
				switch c {
				case ')', ']':
					depth++
				case '(', '[':
					depth--
				case '"', '`', '\'':
					// Back over the literal to its opening quote.
					k := j - 1
					for k >= 0 && (line[k] != c || c != '`' && k > 0 && line[k-1] == '\\') {
						k--
					}
					if k < 0 {
						return -1
					}
					j = k
				}
				if depth == 0 {
					break
				}
			}
			if depth != 0 {
				return -1
			}
			i = j
		default:
			return i
		}
	}
	return i
}

var importPathRE = lazyre.New(`^\s*(?:import\s*(?:\(\s*)?)?"([^"]*)$`)

// special completes what is not Go names: ':' commands and their
// arguments, and import paths. ok is false when the line is Go code.
func (c *completer) special(line string, pos int) (start int, cands []string, ok bool) {
	before := line[:pos]
	if trimmed := strings.TrimLeft(before, " "); strings.HasPrefix(trimmed, ":") && c.commands != nil {
		offset := len(before) - len(trimmed)
		cmd, arg, hasArg := strings.Cut(trimmed[1:], " ")
		if !hasArg {
			return offset + 1, filterPrefix(c.commands(), cmd), true
		}
		if c.args == nil || strings.Contains(arg, " ") {
			return pos, nil, true
		}
		return pos - len(arg), filterPrefix(c.args(cmd), arg), true
	}
	if c.packages == nil {
		return 0, nil, false
	}
	// import "enc<Tab>, import ("enc<Tab>, or a line of an import
	// block: "enc<Tab>.
	m := importPathRE().FindStringSubmatchIndex(before)
	if m == nil {
		return 0, nil, false
	}
	q := m[2]
	return q, filterPrefix(c.packages(), before[q:]), true
}

// wordStart returns where the identifier chain (a.b.c) ending at pos
// starts.
func wordStart(line string, pos int) int {
	i := pos
	for i > 0 {
		r, size := utf8.DecodeLastRuneInString(line[:i])
		if r != '.' && r != '_' && !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			break
		}
		i -= size
	}
	return i
}

// candidates returns the completions of the word ending at pos, and where
// that word's last part starts.
func (c *completer) candidates(line string, pos int) (start int, cands []string) {
	word := line[wordStart(line, pos):pos]
	start = pos - len(word)
	if start > 0 && line[start-1] == ')' || start > 0 && line[start-1] == ']' || strings.HasPrefix(word, ".") {
		// A member of a call's result or an indexed value.
		dot := start + strings.IndexByte(word, '.')
		if dot < start || c.typeOf == nil {
			return start, nil
		}
		from := exprStart(line, dot)
		if from < 0 || from == dot {
			return start, nil
		}
		base := line[from:dot]
		rest := line[dot+1 : pos]
		parts := strings.Split(rest, ".")
		t, ok := c.typeOf(base)
		for _, f := range parts[:len(parts)-1] {
			if !ok {
				break
			}
			t, ok = fieldType(t, f)
		}
		if !ok {
			return pos, nil
		}
		last := parts[len(parts)-1]
		return pos - len(last), filterPrefix(membersOfType(t), last)
	}
	dot := strings.LastIndexByte(word, '.')
	if dot < 0 {
		return start, filterPrefix(c.names(), word)
	}
	base, prefix := word[:dot], word[dot+1:]
	start += dot + 1
	parts := strings.Split(base, ".")
	if len(parts) == 1 {
		if _, isValue := c.namespace[base]; !isValue {
			if members := c.members(base); members != nil {
				return start, filterPrefix(members, prefix)
			}
		}
	}
	v, ok := c.namespace[parts[0]]
	if !ok {
		// A variable of the session: by its static type.
		if c.typeOf == nil {
			return start, nil
		}
		t, ok := c.typeOf(base)
		if !ok {
			return start, nil
		}
		return start, filterPrefix(membersOfType(t), prefix)
	}
	rv := reflect.ValueOf(v)
	for _, f := range parts[1:] {
		rv = fieldOf(rv, f)
		if !rv.IsValid() {
			return start, nil
		}
	}
	return start, filterPrefix(membersOf(rv), prefix)
}

// fieldOf returns the exported field name of v, through pointers.
func fieldOf(v reflect.Value, name string) reflect.Value {
	for v.IsValid() && (v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface) {
		if v.IsNil() {
			return reflect.Value{}
		}
		v = v.Elem()
	}
	if !v.IsValid() || v.Kind() != reflect.Struct {
		return reflect.Value{}
	}
	if sf, ok := v.Type().FieldByName(name); !ok || !sf.IsExported() {
		return reflect.Value{}
	}
	return v.FieldByName(name)
}

// membersOf lists the exported methods and fields usable on v: those of
// its type, and through an interface the fields of the value in it.
func membersOf(v reflect.Value) []string {
	if !v.IsValid() {
		return nil
	}
	out := membersOfType(v.Type())
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			return out
		}
		v = v.Elem()
	}
	if v.Kind() == reflect.Struct {
		for _, f := range reflect.VisibleFields(v.Type()) {
			if f.IsExported() && !slices.Contains(out, f.Name) {
				out = append(out, f.Name)
			}
		}
		sort.Strings(out)
	}
	return out
}

// fieldType is the type of t's exported field name, through a pointer.
func fieldType(t reflect.Type, name string) (reflect.Type, bool) {
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return nil, false
	}
	sf, ok := t.FieldByName(name)
	if !ok || !sf.IsExported() {
		return nil, false
	}
	return sf.Type, true
}

// membersOfType lists the exported methods and fields usable on a value
// of static type t (a variable: the methods of *t too).
func membersOfType(t reflect.Type) []string {
	seen := map[string]bool{}
	for i := 0; i < t.NumMethod(); i++ {
		if t.Kind() == reflect.Interface || t.Method(i).IsExported() {
			seen[t.Method(i).Name] = true
		}
	}
	if t.Kind() != reflect.Pointer && t.Kind() != reflect.Interface {
		pt := reflect.PointerTo(t)
		for i := 0; i < pt.NumMethod(); i++ {
			seen[pt.Method(i).Name] = true
		}
	}
	st := t
	if st.Kind() == reflect.Pointer {
		st = st.Elem()
	}
	if st.Kind() == reflect.Struct {
		for _, f := range reflect.VisibleFields(st) {
			if f.IsExported() {
				seen[f.Name] = true
			}
		}
	}
	out := make([]string, 0, len(seen))
	for k := range seen {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// indent is what Tab inserts where there is no word to complete: spaces,
// since a tab character would break x/term's cursor arithmetic.
const indent = "    "

func filterPrefix(list []string, prefix string) []string {
	var out []string
	for _, s := range list {
		if strings.HasPrefix(s, prefix) && !strings.HasPrefix(s, "__") {
			out = append(out, s)
		}
	}
	return out
}

func commonPrefix(list []string) string {
	if len(list) == 0 {
		return ""
	}
	p := list[0]
	for _, s := range list[1:] {
		for !strings.HasPrefix(s, p) {
			_, size := utf8.DecodeLastRuneInString(p)
			p = p[:len(p)-size] // whole characters only
		}
	}
	return p
}

// complete serves Tab for x/term's AutoCompleteCallback: it extends the
// word to the candidates' common prefix; when that adds nothing and there
// are several, it returns them in list to show, and leaves the line.
func (c *completer) complete(line string, pos int) (newLine string, newPos int, ok bool, list []string) {
	start, cands, special := c.special(line, pos)
	if !special {
		if wordStart(line, pos) == pos {
			// Nothing to complete: Tab indents, as typed code expects.
			return line[:pos] + indent + line[pos:], pos + len(indent), true, nil
		}
		start, cands = c.candidates(line, pos)
	}
	if len(cands) == 0 {
		return "", 0, false, nil
	}
	typed := line[start:pos]
	common := commonPrefix(cands)
	if len(common) > len(typed) {
		return line[:start] + common + line[pos:], start + len(common), true, nil
	}
	if len(cands) > 1 {
		return "", 0, false, cands
	}
	return "", 0, false, nil
}

// formatColumns lays names out in columns within width.
func formatColumns(names []string, width int) string {
	maxLen := 0
	for _, n := range names {
		maxLen = max(maxLen, len(n))
	}
	colW := maxLen + 2
	cols := max(1, width/colW)
	var b strings.Builder
	for i, n := range names {
		b.WriteString(n)
		if (i+1)%cols == 0 || i == len(names)-1 {
			b.WriteByte('\n')
		} else {
			b.WriteString(strings.Repeat(" ", colW-len(n)))
		}
	}
	return b.String()
}
