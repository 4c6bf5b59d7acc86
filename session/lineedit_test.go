package session

import (
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"

	"github.com/gomanhole/manhole/internal/termwidth"
	"github.com/gomanhole/manhole/internal/vt"
	"github.com/gomanhole/manhole/interp"
)

// keyFeed is the editor's keyboard in tests: each send is handed over
// whole, and send returns once the editor has taken it all and waits for
// more, so the screen is settled.
type keyFeed struct {
	ch      chan []byte
	waiting chan struct{}
	rest    []byte
}

func (k *keyFeed) Read(p []byte) (int, error) {
	if len(k.rest) == 0 {
		k.waiting <- struct{}{}
		b, ok := <-k.ch
		if !ok {
			return 0, io.EOF
		}
		k.rest = b
	}
	n := copy(p, k.rest)
	k.rest = k.rest[n:]
	return n, nil
}

// lockedScreen lets the test read the screen while the editor writes.
type lockedScreen struct {
	mu sync.Mutex
	*vt.Screen
}

func (s *lockedScreen) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.Screen.Write(p)
}

func (s *lockedScreen) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.Screen.String()
}

type termTest struct {
	t      *testing.T
	scr    *lockedScreen
	feed   *keyFeed
	ed     *editor
	result chan readResult
}

type readResult struct {
	src string
	err error
}

func newTermTest(t *testing.T, width int) *termTest {
	scr := &lockedScreen{Screen: vt.New(width)}
	feed := &keyFeed{ch: make(chan []byte), waiting: make(chan struct{})}
	ed := newEditor(scr, feed, &history{})
	ed.SetSize(width)
	ed.incomplete = interp.Incomplete
	tt := &termTest{t: t, scr: scr, feed: feed, ed: ed, result: make(chan readResult, 1)}
	t.Cleanup(func() { close(feed.ch) })
	return tt
}

// read starts reading an input; the first prompt is drawn when it
// returns.
func (tt *termTest) read() {
	go func() {
		src, err := tt.ed.ReadInput(">>> ", "... ")
		tt.result <- readResult{src, err}
	}()
	<-tt.feed.waiting
}

// typeKeys sends keys and waits until the editor has handled them.
func (tt *termTest) typeKeys(keys string) {
	tt.t.Helper()
	tt.feed.ch <- []byte(keys)
	select {
	case <-tt.feed.waiting:
	case r := <-tt.result:
		tt.result <- r // the input ended; done() collects it
	}
}

// done sends the last keys and returns what ReadInput returned.
func (tt *termTest) done(keys string) (string, error) {
	tt.t.Helper()
	tt.feed.ch <- []byte(keys)
	r := <-tt.result
	return r.src, r.err
}

// enter reads one input typed as keys (ending with Enter) and checks it.
func (tt *termTest) enter(keys, want string) {
	tt.t.Helper()
	tt.read()
	got, err := tt.done(keys)
	if err != nil || got != want {
		tt.t.Fatalf("keys %q gave %q, %v; want %q", keys, got, err, want)
	}
}

func (tt *termTest) screen(want string) {
	tt.t.Helper()
	if got := tt.scr.String(); got != want {
		tt.t.Fatalf("screen:\n%s\nwant:\n%s", got, want)
	}
}

const (
	up, down, right, left = "\x1b[A", "\x1b[B", "\x1b[C", "\x1b[D"
	altB, altF, altD      = "\x1bb", "\x1bf", "\x1bd"
	ctrlLeft, ctrlRight   = "\x1b[1;5D", "\x1b[1;5C"
	home, end             = "\x1b[H", "\x1b[F"
)

func TestEditorEditingKeys(t *testing.T) {
	for _, tc := range []struct{ name, keys, want string }{
		{"typing", "1 + 1\r", "1 + 1"},
		{"backspace", "1 + 12\x7f\r", "1 + 1"},
		{"left and insert", "ac" + left + "b\r", "abc"},
		{"ctrl-a ctrl-e", "bc\x01a\x05d\r", "abcd"},
		{"home end", "bc" + home + "a" + end + "d\r", "abcd"},
		{"home end vt220", "bc\x1b[1~a\x1b[4~d\r", "abcd"},
		{"home end ss3", "bc\x1bOHa\x1bOFd\r", "abcd"},
		{"delete", "abc" + home + "\x1b[3~\r", "bc"},
		{"ctrl-d deletes", "abc\x01\x04\r", "bc"},
		{"alt-b alt-f", "foo bar baz" + altB + altB + "X" + altF + "Y\r", "foo XbarY baz"},
		{"ctrl-left ctrl-right", "foo bar" + ctrlLeft + "X" + ctrlRight + "Y\r", "foo XbarY"},
		{"alt-left alt-right", "foo bar\x1b[1;3D" + "X\x1b[1;3CY\r", "foo XbarY"},
		{"ctrl-w", "x := foo.bar(1)\x17\r", "x := "},
		{"alt-backspace", "x := foo.bar\x1b\x7f\r", "x := foo."},
		{"alt-d", "foo bar baz" + home + altF + altD + "\r", "foo baz"},
		{"ctrl-u", "foo bar\x02\x02\x15\r", "ar"},
		{"ctrl-k", "foo bar" + home + altF + "\x0b\r", "foo"},
		{"ctrl-k ctrl-y", "foo bar" + home + altF + "\x0b" + home + "\x19\r", " barfoo"},
		{"kills append", "a b c\x17\x17\x19\r", "a b c"},
		{"ctrl-t", "ab\x14\r", "ba"},
		{"tab indents", "\tx\r", "    x"},
		{"unknown keys ignored", "a\x1b[15~\x1b[99;9Zb\x1bOz\x00c\r", "abc"},
		{"utf-8", "héllo" + left + "\x7f\r", "hélo"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tt := newTermTest(t, 80)
			tt.ed.incomplete = nil // every input is complete
			tt.enter(tc.keys, tc.want)
			tt.screen(strings.TrimRight(">>> "+tc.want, " "))
		})
	}
}

func TestEditorBlocks(t *testing.T) {
	tt := newTermTest(t, 80)
	tt.enter("if true {\rprintln(1)\r}\r", "if true {\n    println(1)\n}")
	tt.screen(">>> if true {\n...     println(1)\n... }")

	// Up brings the whole block back; Enter runs it again.
	tt.enter(up+"\r", "if true {\n    println(1)\n}")

	// In a block, Up and Down move between its lines: edit the middle
	// line of the recalled block.
	tt.enter(up+down+end+"\x7f\x7f2)"+"\r", "if true {\n    println(2)\n}")

	// Alt-Enter starts a line in a complete input.
	tt.enter("a := 1\x1b\rb := 2\r", "a := 1\nb := 2")

	// A closing bracket dedents; an unfinished call continues.
	tt.enter("f(\r1,\r)\r", "f(\n    1,\n)")
}

func TestEditorHistory(t *testing.T) {
	tt := newTermTest(t, 80)
	tt.enter("one\r", "one")
	tt.enter("two\r", "two")
	tt.enter("two\r", "two")    // no repeat
	tt.enter(up+up+"\r", "one") // history: one two one
	tt.enter(up+up+up+down+"\r", "two")
	// What was typed comes back after going through history.
	tt.enter("thr"+up+up+down+down+"ee\r", "three")
	tt.enter("\x10\x10\x0e\r", "three") // Ctrl-P Ctrl-P Ctrl-N
	if tt.ed.hist.Len() != 5 {
		t.Fatalf("history %q", tt.ed.hist.entries)
	}
}

func TestEditorSearch(t *testing.T) {
	tt := newTermTest(t, 80)
	for _, in := range []string{"alpha := 1", "beta := 2", "alphabet()"} {
		tt.enter(in+"\r", in)
	}
	tt.read()
	tt.typeKeys("\x12alp")
	if got := tt.scr.Screen.Line(3); got != "(reverse-i-search)`alp': alphabet()" {
		t.Fatalf("search line %q", got)
	}
	tt.typeKeys("\x12")
	if got := tt.scr.Screen.Line(3); got != "(reverse-i-search)`alp': alpha := 1" {
		t.Fatalf("after a second Ctrl-R: %q", got)
	}
	tt.typeKeys("\x12")
	if got := tt.scr.Screen.Line(3); !strings.HasPrefix(got, "(failed reverse-i-search)`alp'") {
		t.Fatalf("past the oldest match: %q", got)
	}
	tt.typeKeys("\x13") // Ctrl-S: forward again
	if got := tt.scr.Screen.Line(3); got != "(forward-i-search)`alp': alphabet()" {
		t.Fatalf("after Ctrl-S: %q", got)
	}
	got, err := tt.done("\r")
	if err != nil || got != "alphabet()" {
		t.Fatalf("Enter in a search gave %q, %v", got, err)
	}

	// Another key ends the search and edits what was found.
	tt.enter("\x12beta"+end+" + 1\r", "beta := 2 + 1")
	// Ctrl-G gives the line back as it was.
	tt.enter("xyz\x12alp\x07\r", "xyz")
	// Backspace shortens the query.
	tt.enter("\x12alphab\x7f\x7f\x7f\r", "alphabet()")
	// Ctrl-R Ctrl-R searches for the last query again.
	tt.enter("\x12\x12\r", "alphabet()")
}

func TestEditorControlKeys(t *testing.T) {
	tt := newTermTest(t, 80)
	tt.read()
	if _, err := tt.done("half\x03"); !errors.Is(err, errInterrupt) {
		t.Fatalf("Ctrl-C gave %v", err)
	}
	tt.screen(">>> half^C")
	tt.read()
	if _, err := tt.done("\x04"); err != io.EOF {
		t.Fatalf("Ctrl-D on an empty line gave %v, want io.EOF", err)
	}
	tt = newTermTest(t, 80)
	tt.enter("1\r", "1")
	tt.read()
	tt.typeKeys("2\x0c")
	tt.screen(">>> 2")
	tt.done("\r")
}

// TestEditorPaste: a complete multi-line paste runs at once; an
// incomplete one waits for more; a single line stays to be edited.
func TestEditorPaste(t *testing.T) {
	tt := newTermTest(t, 80)
	tt.enter("\x1b[200~x := 1\r\ny := 2\r\n\x1b[201~", "x := 1\ny := 2")
	tt.screen(">>> x := 1\n... y := 2")
	// A paste that ends with a newline leaves the cursor on a new line.
	tt.enter("\x1b[200~func f() {\r\n\x1b[201~}\r", "func f() {\n}")
	tt.enter("a\x1b[200~bc\x1b[201~d\r", "abcd")
	// Control characters in a paste are dropped, a tab is kept.
	tt.enter("\x1b[200~\ty\x03\x07z\x1b[201~\r", "\tyz")
	tt.screen(">>> x := 1\n... y := 2\n>>> func f() {\n... }\n>>> abcd\n>>>     yz")
}

func TestEditorLongLine(t *testing.T) {
	tt := newTermTest(t, 80)
	long := strings.Repeat("x", 100_000)
	tt.enter(`"`+long+`"`+"\r", `"`+long+`"`)
	tt.enter("\x1b[200~"+long+"\x1b[201~\r", long)
	tt.read()
	tt.typeKeys("\x1b[200~" + strings.Repeat("y", maxInput+10) + "\x1b[201~")
	if !strings.Contains(tt.scr.String(), "paste too long") {
		t.Fatalf("an oversized paste was not refused: %q", tt.scr.String()[:200])
	}
	tt.done("\x03")
}

// TestEditorWriteWhileReading: output from a goroutine goes above the
// input, which stays intact.
func TestEditorWriteWhileReading(t *testing.T) {
	tt := newTermTest(t, 80)
	tt.read()
	tt.typeKeys("partial")
	fmt.Fprint(tt.ed, "tick\n")
	fmt.Fprint(tt.ed, "no newline")
	tt.screen("tick\nno newline\n>>> partial")
	if got, _ := tt.done(" input\r"); got != "partial input" {
		t.Fatalf("got %q", got)
	}
}

// TestEditorDrawsWhatItHolds edits at random on narrow and wide windows:
// after every step the screen must show exactly the prompt and the input,
// wrapped at the width, with the cursor where the input's cursor is.
func TestEditorDrawsWhatItHolds(t *testing.T) {
	keys := []string{"a", "b", "é", "世", "e\u0301", " ", "{", "}", "(", "\t", left, right, up, down, home, end,
		"\x7f", "\x1b[3~", altB, altF, altD, "\x17", "\x0b", "\x15", "\x19", "\x14", "\x1b\r", "x := 1", "\x1b[200~p\r\nq\tr\x1b[201~",
		"\x0c", "\x12", "\x13", "\x07", strings.Repeat("w", 30)}
	rng := rand.New(rand.NewPCG(1, 2))
	for _, width := range []int{1, 2, 3, 5, 7, 11, 13, 80, 1, 4, 9} {
		tt := newTermTest(t, width)
		tt.ed.incomplete = func(string) bool { return true } // no paste ends the input
		tt.read()
		for _, in := range []string{"abc", "x := 1\ny := 2", "if {\n\tz\n}"} {
			tt.ed.hist.Add(in)
		}
		var typed []string
		for step := range 1500 {
			k := keys[rng.IntN(len(keys))]
			typed = append(typed, k)
			tt.typeKeys(k)
			if tt.ed.pos > len(tt.ed.buf) {
				t.Fatalf("width %d, step %d: cursor %d past the input %q after keys %q", width, step, tt.ed.pos, string(tt.ed.buf), typed)
			}
			want := expectedScreen(tt.ed, width)
			tt.ed.mu.Lock()
			row, col := tt.ed.cursorAt(tt.ed.pos)
			tt.ed.mu.Unlock()
			if got := tt.scr.String(); got != want {
				t.Fatalf("width %d, step %d (key %q): screen\n%s\nwant\n%s", width, step, k, got, want)
			}
			if r, c := tt.scr.Screen.Cursor(); r != row || c != col {
				t.Fatalf("width %d, step %d (key %q): cursor at %d,%d, want %d,%d; input %q pos %d", width, step, k, r, c, row, col, string(tt.ed.buf), tt.ed.pos)
			}
		}
		tt.done("\x03")
	}
}

// expectedScreen lays out the editor's input as the terminal must show
// it.
func expectedScreen(e *editor, width int) string {
	e.mu.Lock()
	text := e.head() + strings.ReplaceAll(strings.ReplaceAll(string(e.buf), "\t", "    "), "\n", "\n"+e.cont)
	e.mu.Unlock()
	var rows []string
	for _, line := range strings.Split(text, "\n") {
		var row []rune
		col := 0
		for _, r := range line {
			w := min(termwidth.Rune(r), width)
			if w == 0 {
				continue // the screen keeps no combining marks
			}
			if col+w > width {
				rows = append(rows, string(row))
				row, col = nil, 0
			}
			row = append(row, r)
			col += w
		}
		rows = append(rows, string(row))
	}
	for i := range rows {
		rows[i] = strings.TrimRight(rows[i], " ")
	}
	return strings.TrimRight(strings.Join(rows, "\n"), "\n")
}

func TestPager(t *testing.T) {
	tt := newTermTest(t, 40)
	var lines []string
	for i := range 50 {
		lines = append(lines, fmt.Sprintf("line %d", i))
	}
	done := make(chan error, 1)
	go func() { done <- tt.ed.Page(strings.Join(lines, "\n"), ":test", func() int { return 10 }) }()
	<-tt.feed.waiting
	if !tt.scr.Screen.AltScreen {
		t.Fatal("the pager is not on the alternate screen")
	}
	page := func() string {
		tt.scr.mu.Lock()
		defer tt.scr.mu.Unlock()
		return tt.scr.Screen.Line(0) + "|" + tt.scr.Screen.Line(9)
	}
	if got := page(); !strings.HasPrefix(got, "line 0|:test: lines 1-9 of 50  (space, b,") {
		t.Fatalf("first page: %q", got)
	}
	for _, step := range []struct{ keys, want string }{
		{" ", "line 9|:test: lines 10-18 of 50  (space, b"},
		{"b", "line 0|:test: lines 1-9 of 50  (space, b,"},
		{"\r\x1b[B", "line 2|:test: lines 3-11 of 50  (space, b"},
		{"G", "line 41|:test: lines 42-50 of 50  (space, b"},
		{"g/line 3", "line 0|/line 3"},
		{"\r", "line 3|:test: lines 4-12 of 50  (space, b,"},
		{"n", "line 30|:test: lines 31-39 of 50  (space, b"},
		{"/nothing\r", "line 30|not found: nothing"},
		{"\x1b[6~", "line 39|:test: lines 40-48 of 50  (space, b"},
	} {
		tt.typeKeys(step.keys)
		if got := page(); !strings.HasPrefix(got, step.want) {
			t.Fatalf("after %q: %q, want %q", step.keys, got, step.want)
		}
	}
	tt.feed.ch <- []byte("q")
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if tt.scr.Screen.AltScreen {
		t.Fatal("the pager left the alternate screen on")
	}
	if !strings.Contains(tt.scr.String(), "(:test: 50 lines, shown in the pager)") {
		t.Fatalf("no note after the pager: %q", tt.scr.String())
	}

	// Short output is printed as it is.
	tt.ed.Page("one\ntwo", ":short", func() int { return 10 })
	if !strings.HasSuffix(tt.scr.String(), "one\ntwo") {
		t.Fatalf("short output: %q", tt.scr.String())
	}
}
