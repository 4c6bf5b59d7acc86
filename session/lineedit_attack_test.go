package session

import (
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Regression tests of an attack on the line editor and the history.

// TestFullInputClosingBracket: a closing bracket refused at the input's
// bound changes nothing (it used to panic in dedent with the editor's
// lock held, hanging the session for good).
func TestFullInputClosingBracket(t *testing.T) {
	for _, c := range []struct {
		buf string
		pos int
	}{
		{strings.Repeat("a", maxInput), 0},
		{"x\n        y" + strings.Repeat("a", maxInput-11), 10},
	} {
		e := newEditor(io.Discard, strings.NewReader(""), &history{})
		e.buf, e.pos = []rune(c.buf), c.pos
		e.handle(key{r: '}'})
		if string(e.buf) != c.buf || e.pos != c.pos {
			t.Errorf("a refused '}' changed the input (pos %d -> %d)", c.pos, e.pos)
		}
	}
}

// TestEditorPanicKeepsTheSession: a panic while handling a key ends the
// input with an error and releases the editor.
func TestEditorPanicKeepsTheSession(t *testing.T) {
	tt := newTermTest(t, 80)
	tt.ed.incomplete = func(string) bool { panic("boom") }
	tt.read()
	_, err := tt.done("x\r")
	if _, ok := err.(editorPanic); !ok {
		t.Fatalf("got %v, want the editor's panic as an error", err)
	}
	tt.ed.incomplete = nil
	tt.enter("y\r", "y") // the lock was released: the next input works
	fmtWrite := make(chan struct{})
	go func() { tt.ed.Write([]byte("out\n")); close(fmtWrite) }()
	select {
	case <-fmtWrite:
	case <-time.After(10 * time.Second):
		t.Fatal("a write after the panic hangs")
	}
}

func TestCommonPrefixWholeCharacters(t *testing.T) {
	if got := commonPrefix([]string{"héllo", "hêllo"}); got != "h" {
		t.Fatalf("common prefix %q, want h", got)
	}
}

func TestHistoryFileAttacks(t *testing.T) {
	log := slog.New(slog.DiscardHandler)
	t.Run("an entry that quotes long does not disable the file", func(t *testing.T) {
		dir := t.TempDir()
		h := (&Server{HistoryFile: dir + "/h"}).historyFor("peer uid 0", log)
		h.Add(strings.Repeat(`\`, maxHistoryBytes))
		h.Add("1+1")
		h2 := (&Server{HistoryFile: dir + "/h"}).historyFor("peer uid 0", log)
		if h2.file == "" || h2.At(0) != "1+1" {
			t.Fatalf("after a restart: file %q, newest %q", h2.file, h2.At(0))
		}
	})
	t.Run("the file stays bounded while running", func(t *testing.T) {
		dir := t.TempDir()
		h := (&Server{HistoryFile: dir + "/h"}).historyFor("peer uid 0", log)
		for i := range 100 {
			h.Add(strings.Repeat("x", 1<<20-8) + strings.Repeat(string(rune('a'+i%26)), 8))
		}
		fi, err := os.Stat(h.file)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Size() > maxFileBytes {
			t.Fatalf("file of %d MiB after 100 inputs of 1 MiB, bound %d MiB", fi.Size()>>20, maxFileBytes>>20)
		}
		if !strings.HasSuffix(h.At(0), strings.Repeat(string(rune('a'+99%26)), 8)) {
			t.Fatal("the newest entry was lost")
		}
	})
	t.Run("a hard link is refused", func(t *testing.T) {
		dir := t.TempDir()
		secret := filepath.Join(dir, "secret")
		os.WriteFile(secret, []byte("\"api-token=hunter2\"\n"), 0o600)
		if err := os.Link(secret, HistoryPath(dir+"/h", "peer uid 0")); err != nil {
			t.Fatal(err)
		}
		h := (&Server{HistoryFile: dir + "/h"}).historyFor("peer uid 0", log)
		h.Add("typed")
		b, _ := os.ReadFile(secret)
		if h.Len() != 1 || h.At(0) != "typed" || strings.Contains(string(b), "typed") {
			t.Fatalf("a hard-linked file was used: %d entries, secret %q", h.Len(), b)
		}
	})
}

// TestCutPasteIsRefused: a paste the pump had to cut (sent while an
// evaluation ran) is refused whole rather than run in part.
func TestCutPasteIsRefused(t *testing.T) {
	body := strings.Repeat("世", 400000) // 1.2 MB, fewer runes than maxInput
	in := &input{evaluating: true}
	for _, c := range []byte(pasteStart + "x := \"" + body + "\"\n" + pasteEnd) {
		in.feed(c)
	}
	e := newEditor(io.Discard, strings.NewReader(""), &history{})
	b := in.buf
	for {
		k, n := e.decode(b)
		if n == 0 {
			t.Fatal("no paste came out")
		}
		b = b[n:]
		if k.name == kPaste {
			break
		}
	}
	if !e.pasteOverflowed {
		t.Fatal("a cut paste was not refused")
	}
}

// TestStalePasteLetsCtrlCThrough: a paste start that never ends holds
// Ctrl-C as text only for a while.
func TestStalePasteLetsCtrlCThrough(t *testing.T) {
	cancels := 0
	in := &input{evaluating: true, cancel: func() { cancels++ }}
	for _, c := range []byte(pasteStart + "abc\x03") {
		in.feed(c)
	}
	if cancels != 0 {
		t.Fatal("a Ctrl-C in a fresh paste cancelled")
	}
	in.pasteSince = time.Now().Add(-2 * pasteStale)
	in.feed(keyCtrlC)
	if cancels != 1 || in.pasting || !strings.HasSuffix(string(in.buf), pasteEnd) {
		t.Fatalf("a Ctrl-C in a stale paste: %d cancels, pasting %v, queued %q", cancels, in.pasting, in.buf)
	}
}

// TestWideCharactersDrawWhereTheyAre: editing among wide characters
// shows what will run.
func TestWideCharactersDrawWhereTheyAre(t *testing.T) {
	tt := newTermTest(t, 80)
	tt.ed.incomplete = nil
	tt.enter(`s := "世界世界世界"`+"\x01"+strings.Repeat("\x06", 8)+"X\r", `s := "世界X世界世界"`)
	tt.screen(`>>> s := "世界X世界世界"`)
	tt = newTermTest(t, 10)
	tt.ed.incomplete = nil
	tt.enter("世界世界世界\x01\x06\x06\x06X\r", "世界世X界世界")
	tt.screen(">>> 世界世\nX界世界")
}
