// Package testexp drives interactive programs in tests: it collects a
// reader's output and waits, with a deadline, for text to appear in it.
package testexp

import (
	"bytes"
	"fmt"
	"io"
	"regexp"
	"strings"
	"sync"
	"time"
)

// Output accumulates what a process writes.
type Output struct {
	mu   sync.Mutex // protects buf, pos, done
	cond *sync.Cond
	buf  bytes.Buffer
	pos  int // Expect has consumed up to here
	done bool
}

// Collect starts copying r into a new Output.
func Collect(r io.Reader) *Output {
	o := &Output{}
	o.cond = sync.NewCond(&o.mu)
	go func() {
		b := make([]byte, 4096)
		for {
			n, err := r.Read(b)
			o.mu.Lock()
			o.buf.Write(b[:n])
			if err != nil {
				o.done = true
			}
			o.cond.Broadcast()
			o.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	return o
}

// Write lets an Output be a process's Stdout directly.
func (o *Output) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.buf.Write(p)
	o.cond.Broadcast()
	return len(p), nil
}

// New returns an Output fed through Write.
func New() *Output {
	o := &Output{}
	o.cond = sync.NewCond(&o.mu)
	return o
}

// String is everything collected so far, with \r removed.
func (o *Output) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return strings.ReplaceAll(o.buf.String(), "\r", "")
}

// Expect waits until re matches the output after the previous match and
// returns the text up to and including the match (\r removed).
func (o *Output) Expect(re string, timeout time.Duration) (string, error) {
	rx := regexp.MustCompile(re)
	deadline := time.Now().Add(timeout)
	timer := time.AfterFunc(timeout, func() {
		o.mu.Lock()
		o.cond.Broadcast()
		o.mu.Unlock()
	})
	defer timer.Stop()
	o.mu.Lock()
	defer o.mu.Unlock()
	for {
		rest := strings.ReplaceAll(o.buf.String()[o.pos:], "\r", "")
		if loc := rx.FindStringIndex(rest); loc != nil {
			// Advance pos past the match in the raw buffer.
			o.pos += rawOffset(o.buf.String()[o.pos:], loc[1])
			return rest[:loc[1]], nil
		}
		if o.done || time.Now().After(deadline) {
			why := "timed out"
			if o.done {
				why = "output ended"
			}
			return rest, fmt.Errorf("%s waiting for %q; unmatched output:\n%s", why, re, rest)
		}
		o.cond.Wait()
	}
}

// rawOffset maps an offset in s-without-\r back to an offset in s.
func rawOffset(s string, n int) int {
	seen := 0
	for i := 0; i < len(s); i++ {
		if seen == n {
			return i
		}
		if s[i] != '\r' {
			seen++
		}
	}
	return len(s)
}

// Rest returns what Expect has not consumed yet (\r removed) and consumes
// it.
func (o *Output) Rest() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	rest := o.buf.String()[o.pos:]
	o.pos = o.buf.Len()
	return strings.ReplaceAll(rest, "\r", "")
}

// Mark returns a position in the raw output (what Expect has consumed
// so far), for RawSince.
func (o *Output) Mark() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.pos
}

// RawSince returns everything collected after mark, \r and escape
// sequences included, for a test that renders it as a terminal would.
func (o *Output) RawSince(mark int) string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.buf.String()[mark:]
}
