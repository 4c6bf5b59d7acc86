package session

import (
	"context"
	"fmt"
	"io"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gomanhole/manhole/interp"
)

// swapWriter forwards to a writer that can be replaced: an interpreter's
// output is fixed when it is built, but a prepared or shared interpreter
// serves whichever session uses it now.
type swapWriter struct {
	mu sync.Mutex // protects w
	w  io.Writer
}

func newSwapWriter() *swapWriter { return &swapWriter{w: io.Discard} }

func (s *swapWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	w := s.w
	s.mu.Unlock()
	return w.Write(p)
}

func (s *swapWriter) set(w io.Writer) {
	s.mu.Lock()
	s.w = w
	s.mu.Unlock()
}

// evaluator is the interpreter a session evaluates with: its own, or the
// shared one (Server.Shared).
type evaluator struct {
	ip             *interp.Interp
	stdout, stderr *swapWriter
	width          atomic.Int64 // columns of the session evaluating now; 0 = unknown
	shared         bool
}

// built is an interpreter built ahead of need, while a connection's
// handshake runs.
type built struct {
	ready chan struct{} // closed when ev/err are set
	ev    *evaluator
	err   error
	taken bool // guarded by Server.mu
}

// Built is the number of interpreters built so far: 0 for a manhole
// nobody has connected to.
func (srv *Server) Built() int64 { return srv.built.Load() }

func (srv *Server) build() (*evaluator, error) {
	srv.built.Add(1)
	ev := &evaluator{stdout: newSwapWriter(), stderr: newSwapWriter()}
	ip, err := srv.NewInterp(ev.stdout, ev.stderr, func() int { return int(ev.width.Load()) })
	if err != nil {
		return nil, err
	}
	// A session shows the rewritten source only when its own :debug
	// says so, to its own stderr (see eval); not New's default for
	// MANHOLE_DEBUG, which would write it to whichever session uses the
	// interpreter, for :type and :methods too.
	ip.SetDebugRewrite(nil)
	ev.ip = ip
	return ev, nil
}

// Prepare starts building an interpreter for the first session of
// connection connID, so that the cost (a few milliseconds) overlaps the
// SSH handshake instead of delaying the first prompt. It is called for
// accepted connections only: an idle manhole builds nothing. Call the
// returned function when the connection ends; it frees an interpreter
// nobody took.
func (srv *Server) Prepare(connID uint64) (done func()) {
	if srv.Shared {
		return func() {}
	}
	b := &built{ready: make(chan struct{})}
	srv.mu.Lock()
	if srv.prepared == nil {
		srv.prepared = map[uint64]*built{}
	}
	srv.prepared[connID] = b
	srv.mu.Unlock()
	go func() {
		defer close(b.ready)
		defer func() {
			if r := recover(); r != nil {
				b.ev, b.err = nil, fmt.Errorf("session: preparing the interpreter panicked: %v", r)
				if srv.Logger != nil {
					srv.Logger.Error("manhole: preparing a session's interpreter panicked", "panic", r, "stack", string(debug.Stack()))
				}
			}
		}()
		b.ev, b.err = srv.build()
	}()
	return func() {
		srv.mu.Lock()
		delete(srv.prepared, connID)
		taken := b.taken
		b.taken = true
		srv.mu.Unlock()
		if !taken {
			<-b.ready
			if b.ev != nil {
				b.ev.ip.Close()
			}
		}
	}
}

// acquire returns the evaluator for a session writing to stdout and
// stderr: the shared one, the one prepared for its connection, or a new
// one. release gives it back.
func (s *session) acquire(stdout, stderr io.Writer) (ev *evaluator, release func(), err error) {
	cfg := s.cfg
	if cfg.Shared {
		cfg.sharedMu.Lock()
		if cfg.shared == nil {
			cfg.shared, err = cfg.build()
			if err == nil {
				cfg.shared.shared = true
			}
		}
		ev = cfg.shared
		cfg.sharedMu.Unlock()
		if err != nil {
			return nil, nil, err
		}
		s.mu.Lock()
		s.ev = ev
		s.mu.Unlock()
		return ev, func() {}, nil
	}
	cfg.mu.Lock()
	b := cfg.prepared[s.meta.ConnID]
	if b != nil && !b.taken {
		b.taken = true
	} else {
		b = nil
	}
	cfg.mu.Unlock()
	if b != nil {
		<-b.ready
		ev, err = b.ev, b.err
	} else {
		ev, err = cfg.build()
	}
	if err != nil {
		return nil, nil, err
	}
	ev.stdout.set(stdout)
	ev.stderr.set(stderr)
	s.mu.Lock()
	s.ev = ev
	s.mu.Unlock()
	return ev, func() {
		ev.stdout.set(io.Discard)
		ev.stderr.set(io.Discard)
		ev.ip.Close()
		s.reportLeftovers(ev.ip)
	}, nil
}

// leftoverGrace is how long the goroutines of an ended session have to
// notice Close before the ones left are reported.
const leftoverGrace = 200 * time.Millisecond

// reportLeftovers logs, once the session's goroutines have had time to
// stop, those that could not: blocked in compiled code (a mutex, a
// time.Sleep, a call into the application), which nothing can stop.
// :sessions keeps counting them.
func (s *session) reportLeftovers(ip *interp.Interp) {
	if ip.Goroutines() == 0 {
		return
	}
	go func() {
		time.Sleep(leftoverGrace)
		n := ip.Goroutines()
		if n == 0 {
			return
		}
		s.log.Warn("manhole: session left goroutines running", "session", s.meta.ID, "identity", s.meta.Identity,
			"goroutines", n, "why", "blocked in compiled code (a lock, a sleep, a call into the application), which cannot be stopped")
		s.cfg.orphansMu.Lock()
		s.cfg.orphans = append(s.cfg.orphans, ip)
		s.cfg.orphansMu.Unlock()
	}()
}

// orphanGoroutines counts the goroutines ended sessions left running,
// and forgets the interpreters that have none left.
func (srv *Server) orphanGoroutines() int {
	srv.orphansMu.Lock()
	defer srv.orphansMu.Unlock()
	n := 0
	kept := srv.orphans[:0]
	for _, ip := range srv.orphans {
		if g := ip.Goroutines(); g > 0 {
			n += g
			kept = append(kept, ip)
		}
	}
	clear(srv.orphans[len(kept):])
	srv.orphans = kept
	return n
}

// eval runs one evaluation; on the shared interpreter evaluations are
// serialized and its output goes to this session while it runs (and
// after, for goroutines it started, until another session evaluates).
func (s *session) eval(ctx context.Context, ev *evaluator, stdout, stderr io.Writer, src string) (res interp.Result, err error) {
	if turnErr := s.inTurn(ctx, ev, stdout, stderr, func() {
		if s.debugRewrite.Load() {
			ev.ip.SetDebugRewrite(s.showRewrite(stderr))
			defer ev.ip.SetDebugRewrite(nil)
		}
		res, err = ev.ip.Eval(ctx, src)
	}); turnErr != nil {
		return interp.Result{}, turnErr
	}
	return res, err
}

// showRewrite returns the hook of :debug rewrite: each source yaegi
// compiles goes to w after a "// rewritten:" line, dim in a terminal so
// that the result stands out.
func (s *session) showRewrite(w io.Writer) func(src string) {
	s.mu.Lock()
	pty := s.pty
	s.mu.Unlock()
	return func(src string) {
		if pty {
			fmt.Fprintf(w, "\x1b[2m// rewritten:\n%s\x1b[0m\n", src)
			return
		}
		fmt.Fprintf(w, "// rewritten:\n%s\n", src)
	}
}

// inTurn runs f, which uses ev's interpreter, when this session may: at
// once with an interpreter of its own, after the others with the shared
// one (or not, with ctx's cause, if ctx ends first).
func (s *session) inTurn(ctx context.Context, ev *evaluator, stdout, stderr io.Writer, f func()) error {
	if !ev.shared {
		s.setWidth(ev)
		f()
		return nil
	}
	cfg := s.cfg
	select {
	case cfg.sharedTurn() <- struct{}{}:
	case <-ctx.Done():
		return context.Cause(ctx)
	}
	defer func() { <-cfg.sharedTurn() }()
	ev.stdout.set(stdout)
	ev.stderr.set(stderr)
	s.setWidth(ev)
	f()
	return nil
}

// commandEvaluator returns the session's evaluator for a ':' command that
// needs one; an exec request has none until it evaluates, and gets one.
func (s *session) commandEvaluator(c *cmdIO) (ev *evaluator, release func(), err error) {
	s.mu.Lock()
	ev = s.ev
	s.mu.Unlock()
	if ev != nil {
		return ev, func() {}, nil
	}
	return s.acquire(c.Stdout, c.Stderr)
}

// setWidth tells ev how wide this session's terminal is now (0 without
// a terminal: results then lay out for 80 columns).
func (s *session) setWidth(ev *evaluator) {
	s.mu.Lock()
	cols, pty := s.win.Cols, s.pty
	s.mu.Unlock()
	if !pty {
		cols = 0
	}
	ev.width.Store(int64(cols))
}

// sharedTurn is a one-slot semaphore: a channel, so a waiting session can
// give up on Ctrl-C.
func (srv *Server) sharedTurn() chan struct{} {
	srv.sharedMu.Lock()
	defer srv.sharedMu.Unlock()
	if srv.turn == nil {
		srv.turn = make(chan struct{}, 1)
	}
	return srv.turn
}

// Close frees the shared interpreter, if any. Sessions must have ended.
func (srv *Server) Close() error {
	srv.sharedMu.Lock()
	defer srv.sharedMu.Unlock()
	if srv.shared != nil {
		srv.shared.ip.Close()
		srv.shared = nil
	}
	return nil
}
