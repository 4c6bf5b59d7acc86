package session

import (
	"bytes"
	"io"
	"strings"
	"sync"
)

const (
	keyCtrlC = 3
	// maxTypeAhead bounds what a client can queue while an evaluation
	// runs; beyond it, input is dropped (Ctrl-C is still seen).
	maxTypeAhead = 64 << 10
)

// input reads the client's keystrokes in its own goroutine so that Ctrl-C
// and a disconnect are seen while an evaluation runs, when x/term is not
// reading. Everything else is queued for x/term's next ReadLine.
type input struct {
	src io.Reader

	mu         sync.Mutex // protects the fields below
	cond       *sync.Cond
	buf        []byte
	err        error  // the read error that ended the stream
	evaluating bool   // Ctrl-C cancels instead of reaching x/term
	cancel     func() // cancels the running evaluation
	interrupts int    // Ctrl-C bytes handed to x/term, not yet accounted
	closed     bool
	// tap, if set, gets every keystroke instead of x/term (a full-screen
	// view reads keys itself); called with mu held, it must not block.
	tap func(byte)

	// Bracketed paste: a multi-line paste is taken out of the byte
	// stream whole and handed to the REPL as one block; x/term gets a
	// bare Enter so that ReadLine returns and the REPL picks it up.
	pasting bool
	paste   []byte   // the paste being received
	pastes  []string // complete multi-line pastes, oldest first
	escape  []byte   // a possibly split paste marker
}

const (
	pasteStart = "\x1b[200~"
	pasteEnd   = "\x1b[201~"
	maxPaste   = 1 << 20
)

func newInput(src io.Reader) *input {
	in := &input{src: src}
	in.cond = sync.NewCond(&in.mu)
	go in.pump()
	return in
}

func (in *input) pump() {
	b := make([]byte, 4096)
	for {
		n, err := in.src.Read(b)
		in.mu.Lock()
		data := b[:n]
		if in.tap == nil {
			data = in.splitPastes(data)
		}
		for _, c := range data {
			if c == keyCtrlC && in.evaluating {
				if in.cancel != nil {
					in.cancel()
				}
				continue
			}
			if in.tap != nil {
				in.tap(c)
				continue
			}
			if c == keyCtrlC {
				in.interrupts++
			}
			if len(in.buf) < maxTypeAhead {
				in.buf = append(in.buf, c)
			}
		}
		if err != nil {
			in.err = err
			if in.evaluating && in.cancel != nil {
				in.cancel() // the client left: stop its evaluation
			}
		}
		in.cond.Broadcast()
		closed := in.closed
		in.mu.Unlock()
		if err != nil || closed {
			return
		}
	}
}

// Read hands queued input to x/term. A Ctrl-C ends a Read, so x/term
// never holds bytes typed after it.
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
	// A Ctrl-C is always read alone: x/term returns at once on it,
	// dropping the echo of keys before it in the same read, and keeping
	// none after it.
	n := 0
	for n < len(p) && n < len(in.buf) {
		if in.buf[n] == keyCtrlC {
			if n == 0 {
				p[0] = keyCtrlC
				n = 1
			}
			break
		}
		p[n] = in.buf[n]
		n++
	}
	in.buf = in.buf[n:]
	return n, nil
}

// takeInterrupt reports whether x/term's io.EOF came from a Ctrl-C (x/term
// reports Ctrl-C and Ctrl-D alike).
func (in *input) takeInterrupt() bool {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.interrupts > 0 {
		in.interrupts--
		return true
	}
	return false
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

// splitPastes removes bracketed pastes from data (called with in.mu
// held): a single-line paste stays in the stream as typed text; of a
// multi-line one, the first line stays, followed by Enter, and the rest
// goes to in.pastes.
func (in *input) splitPastes(data []byte) []byte {
	if len(in.escape) > 0 {
		data = append(in.escape, data...)
		in.escape = nil
	}
	var out []byte
	for len(data) > 0 {
		if !in.pasting {
			i := bytes.Index(data, []byte(pasteStart))
			if i < 0 {
				keep := partialMarker(data, pasteStart)
				out = append(out, data[:len(data)-keep]...)
				in.escape = append(in.escape, data[len(data)-keep:]...)
				return out
			}
			out = append(out, data[:i]...)
			data = data[i+len(pasteStart):]
			in.pasting, in.paste = true, in.paste[:0]
			continue
		}
		i := bytes.Index(data, []byte(pasteEnd))
		if i < 0 {
			keep := partialMarker(data, pasteEnd)
			if len(in.paste) < maxPaste {
				in.paste = append(in.paste, data[:len(data)-keep]...)
			}
			in.escape = append(in.escape, data[len(data)-keep:]...)
			return out
		}
		if len(in.paste) < maxPaste {
			in.paste = append(in.paste, data[:i]...)
		}
		data = data[i+len(pasteEnd):]
		in.pasting = false
		text := strings.ReplaceAll(string(in.paste), "\r\n", "\n")
		text = strings.ReplaceAll(text, "\r", "\n")
		if first, rest, multi := strings.Cut(strings.TrimRight(text, "\n"), "\n"); multi {
			// x/term gets the first line as typed, so it shows it after
			// the prompt; the REPL takes the rest as a block.
			in.pastes = append(in.pastes, rest+"\n")
			out = append(out, first...)
			out = append(out, '\r')
		} else {
			out = append(out, strings.TrimRight(text, "\n")...)
		}
	}
	return out
}

// partialMarker is the length of the longest suffix of data that is a
// proper prefix of marker: a marker split across two reads.
func partialMarker(data []byte, marker string) int {
	for n := min(len(marker)-1, len(data)); n > 0; n-- {
		if bytes.HasSuffix(data, []byte(marker[:n])) {
			return n
		}
	}
	return 0
}

// takePaste returns the oldest complete multi-line paste, if any.
func (in *input) takePaste() (string, bool) {
	in.mu.Lock()
	defer in.mu.Unlock()
	if len(in.pastes) == 0 {
		return "", false
	}
	p := in.pastes[0]
	in.pastes = in.pastes[1:]
	return p, true
}
