package session

import (
	"bytes"
	"fmt"
	"github.com/gomanhole/manhole/internal/termwidth"
	"math"
)

// Drawing keeps one invariant: after anything is sent, the terminal's
// cursor is never in the last column's pending-wrap state, so that its
// position is always (curRow, curCol) with curCol < width.

// touch records that the input changed from rune i on.
func (e *editor) touch(i int) { e.editedFrom = min(e.editedFrom, i) }

// head is the prompt of the input's first row: the prompt, or the state
// of a search.
func (e *editor) head() string {
	s := e.search
	if s == nil {
		return e.prompt
	}
	dir := "reverse"
	if !s.back {
		dir = "forward"
	}
	if s.failed {
		dir = "failed " + dir
	}
	return fmt.Sprintf("(%s-i-search)`%s': ", dir, string(s.query))
}

// refresh brings the terminal up to date with the input (called with
// e.mu held, after each key).
func (e *editor) refresh(b *bytes.Buffer) {
	if e.pendingRaw != "" {
		b.WriteString(e.pendingRaw)
		e.pendingRaw = ""
	}
	if e.pendingList != nil || e.pendingNote != "" {
		r, c := e.endPos()
		e.moveTo(b, r, c)
		b.WriteString("\r\n")
		if e.pendingList != nil {
			writeCRLF(b, []byte(formatColumns(e.pendingList, e.width)))
		}
		if e.pendingNote != "" {
			writeCRLF(b, []byte(e.pendingNote+"\n"))
		}
		e.pendingList, e.pendingNote = nil, ""
		e.shown = nil
		e.curRow, e.curCol = 0, 0
	}
	head := e.head()
	edited := e.editedFrom
	e.editedFrom = math.MaxInt
	if e.shown != nil && head == e.shownHead && edited >= len(e.shown) && len(e.buf) > len(e.shown) &&
		e.pos == len(e.buf) && e.atEnd() && !(e.endCol >= e.width && termwidth.Rune(e.buf[len(e.shown)]) == 0) {
		// Typing at the end: send what is new.
		text := e.buf[len(e.shown):]
		row, col := e.endRow, e.endCol
		if col >= e.width && len(text) > 0 && text[0] == '\n' {
			// The terminal is on the next row already (endRowWrap).
			row, col = row+1, 0
			for _, p := range e.cont {
				row, col = e.put(b, p, row, col)
			}
			text = text[1:]
		}
		row, col = e.emit(b, text, row, col)
		e.shown = append(e.shown, e.buf[len(e.shown):]...)
		e.setEnd(b, row, col)
		return
	}
	if e.shown != nil && head == e.shownHead && edited >= len(e.shown) && len(e.buf) == len(e.shown) {
		// Only the cursor moved.
		row, col := e.cursorAt(e.pos)
		e.moveTo(b, row, col)
		return
	}
	if e.shown != nil && head == e.shownHead && edited <= len(e.shown) {
		// Draw again from the first change on.
		row, col := e.layoutAt(edited)
		if col < e.width {
			e.moveTo(b, row, col)
			b.WriteString("\x1b[J")
			row, col = e.emit(b, e.buf[edited:], row, col)
			e.shown = append(e.shown[:edited], e.buf[edited:]...)
			e.setEnd(b, row, col)
			row, col = e.cursorAt(e.pos)
			e.moveTo(b, row, col)
			return
		}
	}
	e.clearInput(b)
	e.drawAll(b)
}

// clearInput erases the input from the terminal, leaving the cursor where
// its first row starts.
func (e *editor) clearInput(b *bytes.Buffer) {
	e.moveTo(b, 0, 0)
	b.WriteString("\x1b[J")
	e.shown = nil
}

// drawAll draws the whole input from the cursor, which is at the left
// margin, and puts the cursor at e.pos.
func (e *editor) drawAll(b *bytes.Buffer) {
	e.shownHead = e.head()
	row, col := e.emit(b, []rune(e.shownHead), 0, 0)
	row, col = e.emit(b, e.buf, row, col)
	e.shown = append(make([]rune, 0, len(e.buf)), e.buf...)
	e.setEnd(b, row, col)
	e.editedFrom = math.MaxInt
	r, c := e.cursorAt(e.pos)
	e.moveTo(b, r, c)
}

// setEnd records where the shown input ends, as laid out: col is the
// width after a full last row. The terminal's cursor is left there, on
// the next row in that case, out of the pending-wrap state.
func (e *editor) setEnd(b *bytes.Buffer, row, col int) {
	e.endRow, e.endCol = row, col
	e.curRow, e.curCol = row, col
	if col >= e.width {
		b.WriteString("\r\n")
		e.curRow, e.curCol = row+1, 0
	}
}

// endPos is where the terminal's cursor is when it is at the input's end.
func (e *editor) endPos() (row, col int) {
	if e.endCol >= e.width {
		return e.endRow + 1, 0
	}
	return e.endRow, e.endCol
}

func (e *editor) atEnd() bool {
	r, c := e.endPos()
	return e.curRow == r && e.curCol == c
}

// emit sends text from (row, col) and returns where it ends; newlines of
// the input start a row with the continuation prompt.
func (e *editor) emit(b *bytes.Buffer, text []rune, row, col int) (int, int) {
	for _, r := range text {
		switch r {
		case '\n':
			b.WriteString("\r\n")
			row, col = row+1, 0
			for _, p := range e.cont {
				row, col = e.put(b, p, row, col)
			}
		case '\t':
			for range tabWidth {
				row, col = e.put(b, ' ', row, col)
			}
		default:
			row, col = e.put(b, r, row, col)
		}
	}
	return row, col
}

func (e *editor) put(b *bytes.Buffer, r rune, row, col int) (int, int) {
	row, col = e.advance(row, col, r)
	b.WriteRune(r)
	return row, col
}

// cursorAt is where the terminal shows the cursor for input position i.
func (e *editor) cursorAt(i int) (row, col int) {
	row, col = e.layoutAt(i)
	if col >= e.width {
		if i < len(e.buf) && e.buf[i] == '\n' {
			return row, e.width - 1
		}
		return row + 1, 0
	}
	return row, col
}

// layoutAt is where drawing input position i starts: col is the width
// when the row before is full and the terminal has not wrapped yet.
func (e *editor) layoutAt(i int) (row, col int) {
	measure := func(text []rune) {
		for _, r := range text {
			switch r {
			case '\n':
				row, col = row+1, 0
				for _, p := range e.cont {
					row, col = e.advance(row, col, p)
				}
			case '\t':
				for range tabWidth {
					row, col = e.advance(row, col, ' ')
				}
			default:
				row, col = e.advance(row, col, r)
			}
		}
	}
	measure([]rune(e.shownHead))
	measure(e.buf[:i])
	return row, col
}

// advance is where drawing r at (row, col) leaves the cursor: a rune
// that does not fit in the row's last columns goes to the next row, as
// terminals wrap it; a zero-width one (a combining mark) takes no column.
func (e *editor) advance(row, col int, r rune) (int, int) {
	w := min(termwidth.Rune(r), e.width)
	if w == 0 {
		return row, col
	}
	if col+w > e.width {
		row, col = row+1, 0
	}
	return row, col + w
}

// moveTo moves the cursor to (row, col) of the input.
func (e *editor) moveTo(b *bytes.Buffer, row, col int) {
	if row < e.curRow {
		fmt.Fprintf(b, "\x1b[%dA", e.curRow-row)
	} else if row > e.curRow {
		fmt.Fprintf(b, "\x1b[%dB", row-e.curRow)
	}
	if col != e.curCol || row != e.curRow {
		b.WriteByte('\r')
		if col > 0 {
			fmt.Fprintf(b, "\x1b[%dC", col)
		}
	}
	e.curRow, e.curCol = row, col
}
