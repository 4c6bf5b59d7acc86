package session

import (
	"fmt"
	"io"
	"sync"
	"time"
)

const (
	keyCtrlC = 3
	// maxTypeAhead bounds what a client can queue while an evaluation
	// runs; beyond it, input is dropped (Ctrl-C is still seen).
	maxTypeAhead = 64 << 10
)

// input reads the client's keystrokes in its own goroutine so that Ctrl-C
// and a disconnect are seen while an evaluation runs, when the line
// editor is not reading. Everything else is queued for the editor.
//
// Bracketed pastes pass through whole, markers included, so the editor
// inserts them as text; a Ctrl-C byte inside a paste is text, never an
// interrupt.
type input struct {
	src io.Reader

	mu         sync.Mutex // protects the fields below
	cond       *sync.Cond
	buf        []byte
	err        error  // the read error that ended the stream
	evaluating bool   // Ctrl-C cancels instead of reaching the editor
	cancel     func() // cancels the running evaluation
	closed     bool
	// tap, if set, gets every keystroke instead of the editor (a full-screen
	// view reads keys itself); called with mu held, it must not block.
	tap func(byte)

	pasting   bool // inside a bracketed paste
	pasteKept bool // the paste's start marker is in buf, so its end must be
	// pasteSince is when the paste started: a Ctrl-C long after is not
	// part of it.
	pasteSince time.Time
	escape     []byte // a possibly split paste marker, held back
}

const (
	pasteStart = "\x1b[200~"
	pasteEnd   = "\x1b[201~"
	// maxPaste bounds one paste queued on top of maxTypeAhead.
	maxPaste = 1 << 20
	// pasteStale is how long after its start a paste still holds a
	// Ctrl-C as text during an evaluation.
	pasteStale = 3 * time.Second
)

func newInput(src io.Reader) *input {
	in := &input{src: src}
	in.cond = sync.NewCond(&in.mu)
	go in.pump()
	return in
}

func (in *input) pump() {
	defer func() {
		if r := recover(); r != nil {
			in.mu.Lock()
			in.err = fmt.Errorf("session: input: %v", r)
			in.cond.Broadcast()
			in.mu.Unlock()
		}
	}()
	b := make([]byte, 4096)
	for {
		n, err := in.src.Read(b)
		if in.take(b[:n], err) {
			return
		}
	}
}

// take feeds what pump read, under the lock (released on a panic too, so
// that pump's recover can take it), and reports whether pump is done.
func (in *input) take(p []byte, err error) bool {
	in.mu.Lock()
	defer in.mu.Unlock()
	for _, c := range p {
		in.feed(c)
	}
	if err != nil {
		in.err = err
		if in.evaluating && in.cancel != nil {
			in.cancel() // the client left: stop its evaluation
		}
	}
	in.cond.Broadcast()
	return err != nil || in.closed
}

// feed takes one byte from the client (called with in.mu held), holding
// back what may be the start of a paste marker until it is decided.
func (in *input) feed(c byte) {
	marker := pasteStart
	if in.pasting {
		marker = pasteEnd
	}
	if c == marker[len(in.escape)] {
		in.escape = append(in.escape, c)
		if len(in.escape) < len(marker) {
			return
		}
		in.escape = in.escape[:0]
		if !in.pasting {
			in.pasting, in.pasteSince = true, time.Now()
			// A paste into a full-screen view (tap) is dropped whole.
			in.pasteKept = in.tap == nil && len(in.buf) < maxTypeAhead
			if in.pasteKept {
				in.buf = append(in.buf, pasteStart...)
			}
		} else {
			in.pasting = false
			if in.pasteKept {
				// Always queued, so that the editor's paste ends.
				in.buf = append(in.buf, pasteEnd...)
			}
		}
		return
	}
	if len(in.escape) > 0 {
		held := string(in.escape)
		in.escape = in.escape[:0]
		for i := 0; i < len(held); i++ {
			in.queue(held[i])
		}
	}
	if c == marker[0] {
		in.escape = append(in.escape, c)
		return
	}
	in.queue(c)
}

// queue adds one byte that is not part of a paste marker.
func (in *input) queue(c byte) {
	if in.pasting && c == keyCtrlC && time.Since(in.pasteSince) > pasteStale {
		// A paste that never ended (its terminal died mid-paste, or a
		// stray start marker): Ctrl-C is Ctrl-C again, and the paste ends.
		in.pasting = false
		if in.pasteKept {
			in.buf = append(in.buf, pasteEnd...)
		}
	}
	if in.pasting && in.tap != nil && c == keyCtrlC {
		// A full-screen view drops pastes, but Ctrl-C always reaches it.
		in.pasting = false
	}
	if in.pasting {
		if in.pasteKept && len(in.buf) < maxTypeAhead+maxPaste {
			in.buf = append(in.buf, c)
		}
		return
	}
	if c == keyCtrlC && in.evaluating {
		if in.cancel != nil {
			in.cancel()
		}
		return
	}
	if in.tap != nil {
		in.tap(c)
		return
	}
	if len(in.buf) < maxTypeAhead {
		in.buf = append(in.buf, c)
	}
}

// Read hands queued input to the line editor.
func (in *input) Read(p []byte) (int, error) {
	in.mu.Lock()
	defer in.mu.Unlock()
	for len(in.buf) == 0 && in.err == nil && !in.closed {
		in.cond.Wait()
	}
	if len(in.buf) == 0 {
		if in.err != nil {
			return 0, in.err
		}
		return 0, io.EOF
	}
	n := copy(p, in.buf)
	in.buf = in.buf[n:]
	if len(in.buf) == 0 {
		in.buf = nil // let a large paste's array go
	}
	return n, nil
}

// evaluating switches Ctrl-C to call cancel until done is called.
func (in *input) startEval(cancel func()) (done func()) {
	in.mu.Lock()
	in.evaluating, in.cancel = true, cancel
	gone := in.err != nil
	in.mu.Unlock()
	if gone {
		cancel()
	}
	return func() {
		in.mu.Lock()
		in.evaluating, in.cancel = false, nil
		in.mu.Unlock()
	}
}

// setTap hands the keystrokes to f until it is called with nil.
func (in *input) setTap(f func(byte)) {
	in.mu.Lock()
	in.tap = f
	in.mu.Unlock()
}

// Close makes pending and future Reads return io.EOF. The pump goroutine
// ends when the channel's Read fails, which closing the channel causes.
func (in *input) Close() {
	in.mu.Lock()
	in.closed = true
	in.cond.Broadcast()
	in.mu.Unlock()
}
