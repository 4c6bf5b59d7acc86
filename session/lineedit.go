package session

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// editor is the REPL's line editor: a whole input, however many lines, is
// one buffer that the keys move through and edit, and one history entry.
// It reads keys from the input pump and draws on the client's terminal;
// output written while it reads (a goroutine printing) goes above the
// input, which is then drawn again.
//
// The keys are readline's (emacs mode), listed in keyHelp.
type editor struct {
	out io.Writer // the client's terminal
	in  io.Reader // keystrokes

	mu      sync.Mutex // protects everything below; held while drawing
	width   int
	midLine bool // output ended without a newline

	// The input being read; reading is false between inputs.
	reading      bool
	prompt, cont string
	buf          []rune
	pos          int
	// What the terminal shows of the input, and where its cursor is,
	// in rows below the prompt's row and columns.
	shown           []rune
	curRow, curCol  int
	endRow, endCol  int // where the shown text ends
	hist            *history
	histIdx         int    // -1: editing a new input; else the entry shown
	histSaved       []rune // the new input, while going through history
	kill            []rune // what Ctrl-Y yanks
	lastKill        bool   // the previous key killed: kills append
	search          *search
	complete        func(line string, pos int) (string, int, bool, []string)
	incomplete      func(src string) bool
	pendingKeys     []byte // read, not yet decoded
	inPaste         bool
	paste           []rune
	pasteOverflowed bool
	pasteBytes      int // bytes of the paste being collected
	readErr         error
	readBuf         [4096]byte
	lastSearch      string       // the query of the last search, for Ctrl-R Ctrl-R
	editedFrom      int          // the first rune changed since the last refresh
	shownHead       string       // the first row's prompt as shown
	pendingList     []string     // completions to show above the input
	pendingNote     string       // a message to show above the input
	pendingRaw      string       // escape sequences to send first
	scratch         bytes.Buffer // what one key draws
	keyBuf          [64]byte
}

// search is the state of an incremental history search (Ctrl-R/Ctrl-S).
type search struct {
	query   []rune
	back    bool   // Ctrl-R: towards older entries
	idx     int    // the entry matched, -1 none
	saved   []rune // the input before the search
	savePos int
	failed  bool
}

// Limits of one input.
const (
	maxInput  = 1 << 20 // runes; beyond, typing is refused with a bell
	tabWidth  = 4       // a tab in a pasted input shows as this many spaces
	indentStr = "    "
)

var errInterrupt = errors.New("session: interrupt") // Ctrl-C

func newEditor(out io.Writer, in io.Reader, hist *history) *editor {
	if hist == nil {
		hist = &history{}
	}
	return &editor{out: out, in: in, width: 80, hist: hist, histIdx: -1, editedFrom: math.MaxInt}
}

// Write shows output of evaluated code or commands: \n becomes \r\n, and
// an input being read is moved below it.
func (e *editor) Write(p []byte) (int, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(p) == 0 {
		return 0, nil
	}
	var b bytes.Buffer
	if e.reading {
		e.clearInput(&b)
	}
	writeCRLF(&b, p)
	e.midLine = p[len(p)-1] != '\n'
	if e.reading {
		if e.midLine {
			b.WriteString("\r\n")
			e.midLine = false
		}
		e.drawAll(&b)
	}
	if _, err := io.WriteString(e.out, b.String()); err != nil {
		return 0, err
	}
	return len(p), nil
}

// writeRaw writes p as it is (escape sequences of its own).
func (e *editor) writeRaw(p string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	io.WriteString(e.out, p)
}

func writeCRLF(b *bytes.Buffer, p []byte) {
	for len(p) > 0 {
		i := strings.IndexByte(string(p), '\n')
		if i < 0 {
			b.Write(p)
			return
		}
		b.Write(p[:i])
		b.WriteString("\r\n")
		p = p[i+1:]
	}
}

// endLine ends a line that output left open, so that a prompt starts at
// the left margin.
func (e *editor) endLine() {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.midLine {
		io.WriteString(e.out, "\r\n")
		e.midLine = false
	}
}

// SetSize follows the client's window; an input being read is drawn again.
func (e *editor) SetSize(cols int) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if cols <= 0 {
		cols = 80
	}
	cols = min(cols, 4096)
	if cols == e.width {
		return
	}
	if !e.reading {
		e.width = cols
		return
	}
	var b bytes.Buffer
	e.clearInput(&b)
	e.width = cols
	e.drawAll(&b)
	io.WriteString(e.out, b.String())
}

// ReadInput reads one input: lines are added while incomplete says the
// source so far is, Enter on a complete one returns it. It returns
// io.EOF for Ctrl-D on an empty input, errInterrupt for Ctrl-C, and the
// input's read error when the client leaves.
func (e *editor) ReadInput(prompt, cont string) (string, error) {
	e.mu.Lock()
	if e.midLine {
		io.WriteString(e.out, "\r\n")
		e.midLine = false
	}
	e.prompt, e.cont = prompt, cont
	e.buf, e.pos, e.shown = e.buf[:0], 0, nil
	e.curRow, e.curCol = 0, 0
	e.histIdx, e.histSaved, e.search, e.lastKill = -1, nil, nil, false
	e.reading = true
	b := &e.scratch
	b.Reset()
	e.drawAll(b)
	e.out.Write(b.Bytes())
	e.mu.Unlock()
	defer func() {
		e.mu.Lock()
		e.reading = false
		e.mu.Unlock()
	}()
	for {
		key, ok := e.nextKey()
		if !ok {
			if e.readErr == nil {
				e.readErr = io.EOF
			}
			err := e.readErr
			e.readErr = nil
			return "", err
		}
		line, done, err := e.apply(key)
		if errors.Is(err, errEOF) {
			return "", io.EOF
		}
		if done || err != nil {
			return line, err
		}
	}
}

// apply handles one key and draws its effect. A panic in the editor
// (a bug) ends the input with an error instead of leaving e.mu held,
// which would hang the session and every writer to it.
func (e *editor) apply(k key) (line string, done bool, err error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	defer func() {
		if r := recover(); r != nil {
			e.buf, e.pos, e.search = e.buf[:0], 0, nil
			e.shown = nil
			line, done, err = "", false, editorPanic{r}
		}
	}()
	line, done, err = e.handle(k)
	b := &e.scratch // one buffer for every key: no allocation per key
	b.Reset()
	e.refresh(b)
	if done || err != nil {
		e.finish(b, err)
	}
	e.out.Write(b.Bytes())
	if b.Cap() > 64<<10 {
		e.scratch = bytes.Buffer{} // a large redraw's array goes
	}
	return line, done, err
}

// editorPanic is a bug of the editor, caught: the input is dropped and
// the session goes on.
type editorPanic struct{ value any }

func (p editorPanic) Error() string {
	return fmt.Sprintf("internal error in the line editor: %v (the input was dropped)", p.value)
}

// finish leaves the cursor below the input.
func (e *editor) finish(b *bytes.Buffer, err error) {
	r, c := e.endPos()
	e.moveTo(b, r, c)
	if errors.Is(err, errInterrupt) {
		b.WriteString("^C")
	}
	b.WriteString("\r\n")
	e.shown = nil
	e.curRow, e.curCol, e.endRow, e.endCol = 0, 0, 0, 0
}

// key is one decoded keystroke: a rune to insert, or a named key.
type key struct {
	r    rune
	name keyName
	text string // the text of a paste
}

type keyName int

const (
	keyRune keyName = iota
	kEnter
	kBackspace
	kDelete
	kCtrlD
	kLeft
	kRight
	kUp
	kDown
	kHome
	kEnd
	kWordLeft
	kWordRight
	kKillWordBack  // Ctrl-W: to the previous space
	kKillWordLeft  // Alt-Backspace: to the previous word start
	kKillWordRight // Alt-d
	kKillLineStart // Ctrl-U
	kKillLineEnd   // Ctrl-K
	kYank          // Ctrl-Y
	kTranspose     // Ctrl-T
	kClear         // Ctrl-L
	kSearchBack    // Ctrl-R
	kSearchForward // Ctrl-S
	kCancel        // Ctrl-G
	kInterrupt     // Ctrl-C
	kTab           // Tab
	kPaste         // a bracketed paste, in text
	kIgnore        // a key that does nothing here
	kNewline       // Alt-Enter: a new line even when the input is complete
	kPageUp
	kPageDown
)

// nextKey decodes the next keystroke, reading as needed.
func (e *editor) nextKey() (key, bool) {
	for {
		if k, n := e.decode(e.pendingKeys); n > 0 {
			e.pendingKeys = e.pendingKeys[n:]
			if len(e.pendingKeys) == 0 {
				e.pendingKeys = e.keyBuf[:0] // reused: no allocation per key
			}
			if k.name == kIgnore {
				continue
			}
			return k, true
		}
		n, err := e.in.Read(e.readBuf[:])
		e.pendingKeys = append(e.pendingKeys, e.readBuf[:n]...)
		if err != nil && n == 0 {
			e.readErr = err
			return key{}, false
		}
	}
}

// controlKeys names the keys of the control characters below 0x20 that
// the editor binds (Emacs and readline's); the rest are ignored. ESC,
// CR and LF are decoded apart.
var controlKeys = [0x20]keyName{
	0x01: kHome,          // Ctrl-A
	0x02: kLeft,          // Ctrl-B
	0x03: kInterrupt,     // Ctrl-C
	0x04: kCtrlD,         // Ctrl-D
	0x05: kEnd,           // Ctrl-E
	0x06: kRight,         // Ctrl-F
	0x07: kCancel,        // Ctrl-G
	0x08: kBackspace,     // Ctrl-H
	0x09: kTab,           // Tab
	0x0b: kKillLineEnd,   // Ctrl-K
	0x0c: kClear,         // Ctrl-L
	0x0e: kDown,          // Ctrl-N
	0x10: kUp,            // Ctrl-P
	0x12: kSearchBack,    // Ctrl-R
	0x13: kSearchForward, // Ctrl-S
	0x14: kTranspose,     // Ctrl-T
	0x15: kKillLineStart, // Ctrl-U
	0x17: kKillWordBack,  // Ctrl-W
	0x19: kYank,          // Ctrl-Y
}

// decode decodes the first key of b; n is 0 when b holds only part of
// one.
func (e *editor) decode(b []byte) (k key, n int) {
	if len(b) == 0 {
		return key{}, 0
	}
	if e.inPaste {
		return e.decodePaste(b)
	}
	switch c := b[0]; c {
	case '\r', '\n':
		if c == '\r' && len(b) > 1 && b[1] == '\n' {
			return key{name: kEnter}, 2
		}
		return key{name: kEnter}, 1
	case 0x1b:
		return e.decodeEscape(b)
	case 0x7f:
		return key{name: kBackspace}, 1
	}
	if b[0] < 0x20 {
		if name := controlKeys[b[0]]; name != keyRune {
			return key{name: name}, 1
		}
		return key{name: kIgnore}, 1
	}
	if !utf8.FullRune(b) {
		if len(b) >= utf8.UTFMax {
			return key{name: kIgnore}, 1
		}
		return key{}, 0
	}
	r, size := utf8.DecodeRune(b)
	if r == utf8.RuneError || !unicode.IsPrint(r) {
		return key{name: kIgnore}, size
	}
	return key{r: r}, size
}

// decodeEscape decodes a key that starts with ESC: Alt-x, CSI and SS3
// sequences. Unknown sequences are consumed whole and ignored.
func (e *editor) decodeEscape(b []byte) (key, int) {
	if len(b) < 2 {
		return key{}, 0
	}
	switch b[1] {
	case '[':
		// CSI: parameters 0x30-0x3f, intermediates 0x20-0x2f, a final
		// byte 0x40-0x7e.
		i := 2
		for i < len(b) && b[i] >= 0x20 && b[i] <= 0x3f {
			i++
		}
		if i == len(b) {
			if i > 64 {
				return key{name: kIgnore}, i // a runaway sequence
			}
			return key{}, 0
		}
		if b[i] < 0x40 || b[i] > 0x7e {
			return key{name: kIgnore}, i
		}
		params, final := string(b[2:i]), b[i]
		n := i + 1
		if params == "200" && final == '~' {
			e.inPaste, e.paste, e.pasteOverflowed, e.pasteBytes = true, e.paste[:0], false, 0
			return key{name: kIgnore}, n
		}
		return key{name: csiKey(params, final)}, n
	case 'O':
		if len(b) < 3 {
			return key{}, 0
		}
		switch b[2] {
		case 'A':
			return key{name: kUp}, 3
		case 'B':
			return key{name: kDown}, 3
		case 'C':
			return key{name: kRight}, 3
		case 'D':
			return key{name: kLeft}, 3
		case 'H':
			return key{name: kHome}, 3
		case 'F':
			return key{name: kEnd}, 3
		}
		return key{name: kIgnore}, 3
	case 'b', 'B':
		return key{name: kWordLeft}, 2
	case 'f', 'F':
		return key{name: kWordRight}, 2
	case 'd', 'D':
		return key{name: kKillWordRight}, 2
	case 0x7f, 0x08:
		return key{name: kKillWordLeft}, 2
	case '\r', '\n':
		return key{name: kNewline}, 2
	case 0x1b:
		return key{name: kIgnore}, 1 // Esc pressed twice: drop one
	}
	return key{name: kIgnore}, 2
}

// csiKey names the CSI sequences terminals send for the keys we use.
func csiKey(params string, final byte) keyName {
	mod := ""
	if i := strings.IndexByte(params, ';'); i >= 0 {
		params, mod = params[:i], params[i+1:]
	}
	word := mod == "3" || mod == "5" // Alt or Ctrl
	switch final {
	case 'A':
		return kUp
	case 'B':
		return kDown
	case 'C':
		if word {
			return kWordRight
		}
		return kRight
	case 'D':
		if word {
			return kWordLeft
		}
		return kLeft
	case 'H':
		return kHome
	case 'F':
		return kEnd
	case '~':
		switch params {
		case "1", "7":
			return kHome
		case "4", "8":
			return kEnd
		case "3":
			return kDelete
		case "5":
			return kPageUp
		case "6":
			return kPageDown
		}
	}
	return kIgnore
}

// decodePaste collects a bracketed paste up to its end marker.
func (e *editor) decodePaste(b []byte) (key, int) {
	end := strings.Index(string(b), pasteEnd)
	take := len(b)
	if end >= 0 {
		take = end
	} else if keep := partialMarker(b, pasteEnd); keep > 0 {
		take = len(b) - keep
		if take == 0 {
			return key{}, 0
		}
	}
	chunk := b[:take]
	for len(chunk) > 0 {
		if !utf8.FullRune(chunk) && end < 0 && take == len(b) {
			break // the rest of a rune comes with the next read
		}
		r, size := utf8.DecodeRune(chunk)
		chunk = chunk[size:]
		switch {
		case r == '\r':
			if len(chunk) > 0 && chunk[0] == '\n' {
				chunk = chunk[1:]
			}
			r = '\n'
		case r == '\n' || r == '\t':
		case r == utf8.RuneError || !unicode.IsPrint(r):
			continue
		}
		e.pasteBytes += size
		if len(e.paste) >= maxInput || e.pasteBytes >= maxPaste {
			// The pump keeps at most about maxPaste bytes of a paste:
			// one that long may have been cut, so it is refused whole.
			e.pasteOverflowed = true
			continue
		}
		e.paste = append(e.paste, r)
	}
	n := take - len(chunk)
	if end < 0 {
		if n == 0 {
			return key{}, 0
		}
		return key{name: kIgnore}, n
	}
	e.inPaste = false
	text := string(e.paste)
	e.paste = e.paste[:0]
	if e.pasteOverflowed {
		return key{name: kPaste, text: ""}, end + len(pasteEnd)
	}
	return key{name: kPaste, text: text}, end + len(pasteEnd)
}

// partialMarker is the length of the longest suffix of data that is a
// proper prefix of marker: a marker split across two reads.
func partialMarker(data []byte, marker string) int {
	for n := min(len(marker)-1, len(data)); n > 0; n-- {
		if strings.HasSuffix(string(data), marker[:n]) {
			return n
		}
	}
	return 0
}
