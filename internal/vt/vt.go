// Package vt is a small terminal screen for tests: it applies the output
// a session sends (text, CR, LF, backspace, and the CSI cursor and erase
// sequences the line editor uses) to a grid of unbounded height, so a
// test can compare what a user would see rather than the bytes sent.
package vt

import (
	"github.com/gomanhole/manhole/internal/termwidth"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Screen is a terminal of a fixed width and unbounded height.
type Screen struct {
	Width    int
	lines    [][]rune
	row, col int
	pending  []byte // an incomplete escape sequence or rune
	// wrapNext is the pending-wrap state after writing the last column.
	wrapNext bool
	// AltScreen is true while the alternate screen is on; the main
	// screen's lines and cursor wait in saved meanwhile, as xterm keeps
	// them.
	AltScreen bool
	saved     struct {
		lines    [][]rune
		row, col int
	}
	// CursorHidden is true after ESC[?25l until ESC[?25h.
	CursorHidden bool
	// BracketedPaste follows ESC[?2004h and ESC[?2004l.
	BracketedPaste bool
	Bells          int
}

// New returns an empty screen width columns wide.
func New(width int) *Screen { return &Screen{Width: width} }

func (s *Screen) line(r int) []rune {
	for len(s.lines) <= r {
		s.lines = append(s.lines, nil)
	}
	return s.lines[r]
}

// filler marks the second cell of a wide rune.
const filler = -1

func (s *Screen) put(r rune) {
	w := min(termwidth.Rune(r), s.Width)
	if w == 0 {
		return // a combining mark: kept out of the text
	}
	if s.wrapNext || s.col+w > s.Width {
		s.row, s.col, s.wrapNext = s.row+1, 0, false
	}
	l := s.line(s.row)
	for len(l) < s.col+w {
		l = append(l, ' ')
	}
	l[s.col] = r
	if w == 2 {
		l[s.col+1] = filler
	}
	s.lines[s.row] = l
	if s.col+w >= s.Width {
		s.col, s.wrapNext = s.Width-1, true
	} else {
		s.col += w
	}
}

func text(l []rune) string {
	out := make([]rune, 0, len(l))
	for _, r := range l {
		if r != filler {
			out = append(out, r)
		}
	}
	return string(out)
}

// Write applies terminal output.
func (s *Screen) Write(p []byte) (int, error) {
	n := len(p)
	p = append(s.pending, p...)
	s.pending = nil
	for len(p) > 0 {
		c := p[0]
		switch {
		case c == '\r':
			s.col, s.wrapNext = 0, false
			p = p[1:]
		case c == '\n':
			s.row, s.wrapNext = s.row+1, false
			s.line(s.row)
			p = p[1:]
		case c == '\b':
			if s.col > 0 {
				s.col--
			}
			s.wrapNext = false
			p = p[1:]
		case c == '\a':
			s.Bells++
			p = p[1:]
		case c == 0x1b:
			used, ok := s.escape(p)
			if !ok {
				s.pending = append(s.pending, p...)
				return n, nil
			}
			p = p[used:]
		case c < 0x20:
			p = p[1:]
		default:
			if !utf8.FullRune(p) {
				s.pending = append(s.pending, p...)
				return n, nil
			}
			r, size := utf8.DecodeRune(p)
			s.put(r)
			p = p[size:]
		}
	}
	return n, nil
}

// escape applies the sequence at the start of p; ok is false when p
// holds only part of it.
func (s *Screen) escape(p []byte) (int, bool) {
	if len(p) < 2 {
		return 0, false
	}
	if p[1] != '[' {
		return 2, true
	}
	i := 2
	for i < len(p) && (p[i] >= 0x30 && p[i] <= 0x3f) {
		i++
	}
	if i == len(p) {
		return 0, false
	}
	params, final := string(p[2:i]), p[i]
	num := func(def int) int {
		v, err := strconv.Atoi(strings.TrimPrefix(params, "?"))
		if err != nil || v == 0 {
			return def
		}
		return v
	}
	switch final {
	case 'A':
		s.row = max(0, s.row-num(1))
		s.wrapNext = false
	case 'B':
		s.row += num(1)
		s.line(s.row)
		s.wrapNext = false
	case 'C':
		s.col = min(s.Width-1, s.col+num(1))
		s.wrapNext = false
	case 'D':
		s.col = max(0, s.col-num(1))
		s.wrapNext = false
	case 'H':
		s.row, s.col, s.wrapNext = 0, 0, false
		if r, c, ok := strings.Cut(params, ";"); ok {
			rv, _ := strconv.Atoi(r)
			cv, _ := strconv.Atoi(c)
			s.row, s.col = max(rv-1, 0), max(cv-1, 0)
		}
	case 'J':
		switch params {
		case "2", "3":
			s.lines = nil
		default:
			s.clearLineFrom(s.row, s.col)
			s.lines = s.lines[:min(len(s.lines), s.row+1)]
		}
	case 'K':
		s.clearLineFrom(s.row, s.col)
	case 'h', 'l':
		on := final == 'h'
		switch params {
		case "?1049", "?47", "?1047":
			if on && !s.AltScreen {
				s.saved.lines, s.saved.row, s.saved.col = s.lines, s.row, s.col
				s.lines, s.row, s.col = nil, 0, 0
			} else if !on && s.AltScreen {
				s.lines, s.row, s.col = s.saved.lines, s.saved.row, s.saved.col
			}
			s.AltScreen = on
		case "?25":
			s.CursorHidden = !on
		case "?2004":
			s.BracketedPaste = on
		}
	}
	return i + 1, true
}

func (s *Screen) clearLineFrom(r, c int) {
	l := s.line(r)
	if c < len(l) {
		s.lines[r] = l[:c]
	}
}

// String is the screen's text: lines without trailing spaces, no
// trailing empty lines.
func (s *Screen) String() string {
	out := make([]string, len(s.lines))
	for i, l := range s.lines {
		out[i] = strings.TrimRight(text(l), " ")
	}
	return strings.TrimRight(strings.Join(out, "\n"), "\n")
}

// Cursor is the cursor's row and column.
func (s *Screen) Cursor() (row, col int) { return s.row, s.col }

// Line is the text of row r.
func (s *Screen) Line(r int) string {
	if r >= len(s.lines) {
		return ""
	}
	return strings.TrimRight(text(s.lines[r]), " ")
}
