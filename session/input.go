package session

import (
	"io"
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
}

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
		for _, c := range b[:n] {
			if c == keyCtrlC && in.evaluating {
				if in.cancel != nil {
					in.cancel()
				}
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
	n := 0
	for n < len(p) && n < len(in.buf) {
		p[n] = in.buf[n]
		n++
		if p[n-1] == keyCtrlC {
			break
		}
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

// Close makes pending and future Reads return io.EOF. The pump goroutine
// ends when the channel's Read fails, which closing the channel causes.
func (in *input) Close() {
	in.mu.Lock()
	in.closed = true
	in.cond.Broadcast()
	in.mu.Unlock()
}
