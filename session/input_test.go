package session

import (
	"io"
	"strings"
	"testing"
)

// TestSplitPastes feeds keystrokes in every split into two reads: pastes
// must come out the same whatever the split.
func TestSplitPastes(t *testing.T) {
	for _, tc := range []struct {
		name, in, typed string
		pastes          []string
	}{
		{"no paste", "abc\r", "abc\r", nil},
		{"single-line paste stays typed", "x\x1b[200~foo\x1b[201~y", "xfooy", nil},
		{"multi-line paste is a block", "\x1b[200~a := 1\r\nb := 2\r\n\x1b[201~", "a := 1\r", []string{"b := 2\n"}},
		{"paste between typing", "q\x1b[200~if x {\ry()\r}\x1b[201~z", "qif x {\rz", []string{"y()\n}\n"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for split := 0; split <= len(tc.in); split++ {
				in := &input{}
				var typed []byte
				typed = append(typed, in.splitPastes([]byte(tc.in[:split]))...)
				typed = append(typed, in.splitPastes([]byte(tc.in[split:]))...)
				if string(typed) != tc.typed {
					t.Fatalf("split %d: typed %q, want %q", split, typed, tc.typed)
				}
				if strings.Join(in.pastes, "|") != strings.Join(tc.pastes, "|") {
					t.Fatalf("split %d: pastes %q, want %q", split, in.pastes, tc.pastes)
				}
			}
		})
	}
}

// TestInputCtrlCEndsRead: x/term must never hold bytes typed after a
// Ctrl-C, since the REPL replaces the terminal when it sees one.
func TestInputCtrlCEndsRead(t *testing.T) {
	r, w := io.Pipe()
	in := newInput(r)
	defer in.Close()
	go w.Write([]byte("ab\x03cd"))
	buf := make([]byte, 64)
	n, _ := in.Read(buf)
	if got := string(buf[:n]); got != "ab" {
		t.Fatalf("first read %q, want %q", got, "ab")
	}
	n, _ = in.Read(buf)
	if got := string(buf[:n]); got != "\x03" {
		t.Fatalf("second read %q, want Ctrl-C alone", got)
	}
	n, _ = in.Read(buf)
	if got := string(buf[:n]); got != "cd" {
		t.Fatalf("third read %q, want %q", got, "cd")
	}
	if !in.takeInterrupt() || in.takeInterrupt() {
		t.Fatal("interrupt count wrong")
	}
	w.Close()
}

// TestInputCtrlCDuringEvalCancels: while evaluating, Ctrl-C cancels and
// never reaches x/term.
func TestInputCtrlCDuringEvalCancels(t *testing.T) {
	r, w := io.Pipe()
	in := newInput(r)
	defer in.Close()
	cancelled := make(chan struct{})
	done := in.startEval(func() { close(cancelled) })
	w.Write([]byte("\x03"))
	<-cancelled
	done()
	w.Write([]byte("x"))
	buf := make([]byte, 8)
	if n, _ := in.Read(buf); string(buf[:n]) != "x" {
		t.Fatalf("read %q after the cancel, want x", buf[:n])
	}
	if in.takeInterrupt() {
		t.Error("the cancelling Ctrl-C was counted as a line interrupt")
	}
	w.Close()
}
