package session

import (
	"errors"
	"slices"
	"strings"
	"unicode"
)

// handle applies one key to the input (called with e.mu held). done
// means the input is complete and returned in line.
func (e *editor) handle(k key) (line string, done bool, err error) {
	if e.search != nil {
		if e.searchKey(k) {
			return "", false, nil
		}
		// The key ends the search and then acts on the found input.
	}
	wasKill := e.lastKill
	e.lastKill = false
	switch k.name {
	case keyRune:
		if e.insert([]rune{k.r}) && (k.r == '}' || k.r == ')' || k.r == ']') {
			e.dedent()
		}
	case kPaste:
		if e.pasteOverflowed {
			e.pasteOverflowed = false
			e.message("paste too long (over 1 MiB): dropped")
			return "", false, nil
		}
		// The paste's last newline is not an Enter.
		trimmed := strings.TrimRight(k.text, "\n")
		text := []rune(trimmed)
		if len(e.buf)+len(text) > maxInput {
			e.message("input too long: paste dropped")
			return "", false, nil
		}
		e.insert(text)
		// A pasted block runs at once when it is complete, as if each
		// of its lines had been typed; an incomplete one goes on on a
		// new line.
		if strings.ContainsRune(k.text, '\n') {
			if !e.incompleteNow() {
				return e.submit()
			}
			if len(trimmed) < len(k.text) {
				e.newline()
			}
		}
	case kEnter:
		if e.incompleteNow() {
			e.newline()
			return "", false, nil
		}
		return e.submit()
	case kNewline:
		e.newline()
	case kInterrupt:
		return "", false, errInterrupt
	case kCtrlD:
		if len(e.buf) == 0 {
			return "", false, errEOF
		}
		e.deleteRange(e.pos, min(e.pos+1, len(e.buf)))
	case kDelete:
		e.deleteRange(e.pos, min(e.pos+1, len(e.buf)))
	case kBackspace:
		e.deleteRange(max(e.pos-1, 0), e.pos)
	case kLeft:
		e.pos = max(e.pos-1, 0)
	case kRight:
		e.pos = min(e.pos+1, len(e.buf))
	case kHome:
		e.pos = e.lineStart(e.pos)
	case kEnd:
		e.pos = e.lineEnd(e.pos)
	case kWordLeft:
		e.pos = e.wordLeft(e.pos)
	case kWordRight:
		e.pos = e.wordRight(e.pos)
	case kKillWordBack:
		i := e.pos
		for i > 0 && unicode.IsSpace(e.buf[i-1]) && e.buf[i-1] != '\n' {
			i--
		}
		for i > 0 && !unicode.IsSpace(e.buf[i-1]) {
			i--
		}
		e.killRange(i, e.pos, wasKill, true)
	case kKillWordLeft:
		e.killRange(e.wordLeft(e.pos), e.pos, wasKill, true)
	case kKillWordRight:
		e.killRange(e.pos, e.wordRight(e.pos), wasKill, false)
	case kKillLineStart:
		e.killRange(e.lineStart(e.pos), e.pos, wasKill, true)
	case kKillLineEnd:
		end := e.lineEnd(e.pos)
		if end == e.pos && end < len(e.buf) {
			end++ // at a line's end, Ctrl-K joins the next line
		}
		e.killRange(e.pos, end, wasKill, false)
	case kYank:
		if len(e.kill) > 0 && len(e.buf)+len(e.kill) <= maxInput {
			e.insert(append([]rune(nil), e.kill...))
		}
	case kTranspose:
		if e.pos > 0 && len(e.buf) >= 2 {
			i := e.pos
			if i == len(e.buf) {
				i--
			}
			if e.buf[i] != '\n' && e.buf[i-1] != '\n' {
				e.touch(i - 1)
				e.buf[i-1], e.buf[i] = e.buf[i], e.buf[i-1]
				e.pos = min(i+1, len(e.buf))
			}
		}
	case kClear:
		e.shown = nil
		e.curRow, e.curCol = 0, 0
		e.raw("\x1b[H\x1b[2J")
	case kUp:
		if r := e.rowOf(e.pos); r > 0 {
			e.pos = e.posInLine(r-1, e.pos-e.lineStart(e.pos))
		} else {
			e.historyMove(+1)
		}
	case kDown:
		if r := e.rowOf(e.pos); r < strings.Count(string(e.buf), "\n") {
			e.pos = e.posInLine(r+1, e.pos-e.lineStart(e.pos))
		} else {
			e.historyMove(-1)
		}
	case kSearchBack, kSearchForward:
		e.search = &search{back: k.name == kSearchBack, idx: -1, saved: append([]rune(nil), e.buf...), savePos: e.pos}
	case kTab:
		e.tab()
	case kCancel:
	}
	return "", false, nil
}

// errEOF is Ctrl-D on an empty input; ReadInput's callers see io.EOF.
var errEOF = errors.New("session: EOF")

func (e *editor) incompleteNow() bool {
	return e.incomplete != nil && e.incomplete(string(e.buf))
}

func (e *editor) submit() (string, bool, error) {
	e.pos = len(e.buf)
	line := string(e.buf)
	if strings.TrimSpace(line) != "" {
		e.hist.Add(line)
	}
	return line, true, nil
}

// insert inserts r at the cursor, or rings the bell when the input
// would grow past maxInput; it reports whether it inserted.
func (e *editor) insert(r []rune) bool {
	if len(e.buf)+len(r) > maxInput {
		e.raw("\a")
		return false
	}
	e.touch(e.pos)
	e.buf = slices.Insert(e.buf, e.pos, r...)
	e.pos += len(r)
	return true
}

func (e *editor) deleteRange(from, to int) {
	if from >= to {
		return
	}
	e.touch(from)
	e.buf = append(e.buf[:from], e.buf[to:]...)
	e.pos = from
}

// killRange deletes buf[from:to] into the kill buffer; consecutive kills
// add to it, before or after as readline does.
func (e *editor) killRange(from, to int, appendKill, before bool) {
	if from >= to {
		e.lastKill = appendKill
		return
	}
	cut := append([]rune(nil), e.buf[from:to]...)
	switch {
	case !appendKill:
		e.kill = cut
	case before:
		e.kill = append(cut, e.kill...)
	default:
		e.kill = append(e.kill, cut...)
	}
	if len(e.kill) > maxInput {
		e.kill = e.kill[:maxInput]
	}
	e.deleteRange(from, to)
	e.lastKill = true
}

// newline starts a new line of the input, indented as the one before,
// one step more after an opening bracket.
func (e *editor) newline() {
	start := e.lineStart(e.pos)
	cur := e.buf[start:e.pos]
	n := 0
	for n < len(cur) && (cur[n] == ' ' || cur[n] == '\t') {
		n++
	}
	ind := append([]rune{'\n'}, cur[:n]...)
	trimmed := strings.TrimRightFunc(string(cur), unicode.IsSpace)
	if strings.HasSuffix(trimmed, "{") || strings.HasSuffix(trimmed, "(") || strings.HasSuffix(trimmed, "[") {
		ind = append(ind, []rune(indentStr)...)
	}
	e.insert(ind)
}

// dedent takes one step of indentation off a line whose first character
// was just typed as a closing bracket.
func (e *editor) dedent() {
	start := e.lineStart(e.pos)
	if e.pos-1 < start {
		return
	}
	before := e.buf[start : e.pos-1]
	if start == 0 || strings.TrimLeft(string(before), " \t") != "" || len(before) == 0 {
		return
	}
	drop := 1
	if before[len(before)-1] == ' ' {
		drop = 0
		for drop < len(indentStr) && drop < len(before) && before[len(before)-1-drop] == ' ' {
			drop++
		}
	}
	e.deleteRange(e.pos-1-drop, e.pos-1)
	e.pos++
}

func (e *editor) lineStart(i int) int {
	for i > 0 && e.buf[i-1] != '\n' {
		i--
	}
	return i
}

func (e *editor) lineEnd(i int) int {
	for i < len(e.buf) && e.buf[i] != '\n' {
		i++
	}
	return i
}

// rowOf is the line number of position i within the input.
func (e *editor) rowOf(i int) int {
	n := 0
	for _, r := range e.buf[:i] {
		if r == '\n' {
			n++
		}
	}
	return n
}

// posInLine is the position col runes into line row, or that line's end.
func (e *editor) posInLine(row, col int) int {
	i := 0
	for r := 0; r < row; r++ {
		i = e.lineEnd(i) + 1
	}
	return min(i+col, e.lineEnd(i))
}

func isWordRune(r rune) bool { return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) }

func (e *editor) wordLeft(i int) int {
	for i > 0 && !isWordRune(e.buf[i-1]) {
		i--
	}
	for i > 0 && isWordRune(e.buf[i-1]) {
		i--
	}
	return i
}

func (e *editor) wordRight(i int) int {
	for i < len(e.buf) && !isWordRune(e.buf[i]) {
		i++
	}
	for i < len(e.buf) && isWordRune(e.buf[i]) {
		i++
	}
	return i
}

// historyMove shows the older (+1) or newer (-1) history entry.
func (e *editor) historyMove(dir int) {
	idx := e.histIdx + dir
	if idx < -1 || idx >= e.hist.Len() {
		return
	}
	if e.histIdx == -1 {
		e.histSaved = append([]rune(nil), e.buf...)
	}
	e.histIdx = idx
	e.touch(0)
	if idx == -1 {
		e.buf = append(e.buf[:0], e.histSaved...)
	} else {
		e.buf = append(e.buf[:0], []rune(e.hist.At(idx))...)
	}
	if dir > 0 {
		// Going back, the cursor lands on the entry's first line, so
		// that Up again goes on back; going forward, on its last.
		e.pos = e.lineEnd(0)
	} else {
		e.pos = len(e.buf)
	}
}

// searchKey handles a key during an incremental search; false means the
// key ends the search (the found input stays) and is to be handled.
func (e *editor) searchKey(k key) bool {
	s := e.search
	switch k.name {
	case keyRune:
		s.query = append(s.query, k.r)
		e.searchFind(max(s.idx, 0), false)
		return true
	case kBackspace:
		if len(s.query) > 0 {
			s.query = s.query[:len(s.query)-1]
		}
		s.failed = false
		e.searchFind(0, false)
		if len(s.query) == 0 {
			s.idx = -1
			e.touch(0)
			e.buf, e.pos = append(e.buf[:0], s.saved...), s.savePos
		}
		return true
	case kSearchBack, kSearchForward:
		s.back = k.name == kSearchBack
		if len(s.query) == 0 && e.lastSearch != "" {
			s.query = []rune(e.lastSearch)
			e.searchFind(max(s.idx, 0), false)
			return true
		}
		e.searchFind(s.idx, true)
		return true
	case kCancel, kInterrupt:
		e.touch(0)
		e.buf, e.pos = append(e.buf[:0], s.saved...), s.savePos
		e.search = nil
		return k.name == kCancel // Ctrl-C goes on to interrupt, as in bash
	}
	if len(s.query) > 0 {
		e.lastSearch = string(s.query)
	}
	e.search = nil
	if k.name == kEnter {
		// Enter runs what was found, as readline's accept-line.
		return false
	}
	return false
}

// searchFind looks for the query from history entry from (inclusive,
// unless next) in the search's direction, and shows what it finds.
func (e *editor) searchFind(from int, next bool) {
	s := e.search
	q := string(s.query)
	if q == "" {
		return
	}
	step := 1
	if !s.back {
		step = -1
	}
	i := from
	if next {
		i += step
	}
	if i < 0 {
		i = 0
		if !s.back {
			s.failed = true
			return
		}
	}
	for ; i >= 0 && i < e.hist.Len(); i += step {
		entry := e.hist.At(i)
		if j := strings.LastIndex(entry, q); j >= 0 {
			s.idx, s.failed = i, false
			e.touch(0)
			e.buf = append(e.buf[:0], []rune(entry)...)
			e.pos = len([]rune(entry[:j]))
			e.histIdx = -1
			return
		}
	}
	s.failed = true
	e.raw("\a")
}

// tab completes the word before the cursor, or indents.
func (e *editor) tab() {
	if e.complete == nil {
		e.insert([]rune(indentStr))
		return
	}
	// The completer works on the current line.
	start := e.lineStart(e.pos)
	end := e.lineEnd(e.pos)
	line := string(e.buf[start:end])
	pos := len(string(e.buf[start:e.pos]))
	newLine, newPos, ok, list := e.complete(line, pos)
	if list != nil {
		e.pendingList = list
	}
	if !ok {
		return
	}
	nl := []rune(newLine)
	if len(e.buf)-(end-start)+len(nl) > maxInput {
		return
	}
	same := 0
	for same < len(nl) && start+same < end && nl[same] == e.buf[start+same] {
		same++
	}
	e.touch(start + same)
	rest := append([]rune(nil), e.buf[end:]...)
	e.buf = append(append(e.buf[:start], nl...), rest...)
	e.pos = start + len([]rune(newLine[:newPos]))
}

// message shows a note below the input; the input is drawn again under it.
func (e *editor) message(text string) {
	e.pendingNote = text
}

// raw queues escape sequences to send before the next refresh.
func (e *editor) raw(s string) {
	e.pendingRaw += s
}
