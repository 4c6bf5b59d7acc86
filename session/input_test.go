package session

import (
	"io"
	"strings"
	"testing"
)

// TestPumpKeepsPastes feeds keystrokes in every split into two reads: the
// queued bytes are the same whatever the split, pastes included whole,
// and a Ctrl-C inside a paste never cancels an evaluation.
func TestPumpKeepsPastes(t *testing.T) {
	for _, tc := range []struct{ name, in, queued string }{
		{"no paste", "abc\r", "abc\r"},
		{"paste", "x\x1b[200~foo\x1b[201~y", "x\x1b[200~foo\x1b[201~y"},
		{"ctrl-c in paste is text", "\x1b[200~a\x03b\x1b[201~\x03", "\x1b[200~a\x03b\x1b[201~"},
		{"escape sequences pass", "\x1b[A\x1b[2~\x1bb\x1b[20x", "\x1b[A\x1b[2~\x1bb\x1b[20x"},
		{"end marker outside a paste is text", "\x1b[201~z", "\x1b[201~z"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for split := 0; split <= len(tc.in); split++ {
				in := &input{}
				cancels := 0
				in.evaluating, in.cancel = true, func() { cancels++ }
				for _, c := range []byte(tc.in[:split]) {
					in.feed(c)
				}
				for _, c := range []byte(tc.in[split:]) {
					in.feed(c)
				}
				if string(in.buf) != tc.queued {
					t.Fatalf("split %d: queued %q, want %q", split, in.buf, tc.queued)
				}
				want := strings.Count(tc.in, "\x03") - strings.Count(tc.queued, "\x03")
				if cancels != want {
					t.Fatalf("split %d: %d cancels, want %d", split, cancels, want)
				}
			}
		})
	}
}

// TestPumpBounds: what a client queues while an evaluation runs is
// bounded, and a paste that starts in the queue always ends there.
func TestPumpBounds(t *testing.T) {
	in := &input{}
	for range maxTypeAhead + 100 {
		in.feed('a')
	}
	if len(in.buf) != maxTypeAhead {
		t.Fatalf("queued %d bytes, want the bound %d", len(in.buf), maxTypeAhead)
	}
	for _, c := range []byte(pasteStart + "x" + pasteEnd) {
		in.feed(c)
	}
	if len(in.buf) != maxTypeAhead {
		t.Fatalf("a paste after the bound was queued: %d bytes", len(in.buf))
	}
	in = &input{}
	for _, c := range []byte(pasteStart) {
		in.feed(c)
	}
	for range maxTypeAhead + maxPaste + 100 {
		in.feed('p')
	}
	for _, c := range []byte(pasteEnd) {
		in.feed(c)
	}
	if n := len(in.buf); n != maxTypeAhead+maxPaste+len(pasteEnd) || !strings.HasSuffix(string(in.buf), pasteEnd) {
		t.Fatalf("queued %d bytes, ending %q: want the bound and the end marker", n, in.buf[max(0, n-8):])
	}
}

// TestInputCtrlCDuringEvalCancels: while evaluating, Ctrl-C cancels and
// never reaches the editor.
func TestInputCtrlCDuringEvalCancels(t *testing.T) {
	r, w := io.Pipe()
	in := newInput(r)
	defer in.Close()
	cancelled := make(chan struct{})
	done := in.startEval(func() { close(cancelled) })
	w.Write([]byte("\x03"))
	<-cancelled
	done()
	w.Write([]byte("x\x03"))
	buf := make([]byte, 8)
	got := ""
	for len(got) < 2 {
		n, _ := in.Read(buf)
		got += string(buf[:n])
	}
	if got != "x\x03" {
		t.Fatalf("read %q after the cancel, want x and the Ctrl-C", got)
	}
	w.Close()
}
