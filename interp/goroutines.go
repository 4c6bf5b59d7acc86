package interp

// The session's goroutines and timers: started through compiled code
// that recovers their panics and counts them, bounded per session and per
// process, parked by select {}, and stopped with the session.

import (
	"fmt"
	"runtime"
	"sync/atomic"
	"time"
)

func (in *Interp) goPanic(v any) {
	if v == errStale {
		return // a goroutine stopped in park
	}
	msg := formatPanic(v, in.names)
	if at := hostFrame(callers()); at != "" {
		msg += " (in " + at + ")"
	}
	fmt.Fprintf(in.stderr, "panic in goroutine: %s\n", msg)
}

// callers is runtime.Callers from its caller's caller: called in a
// deferred function while a panic unwinds, it holds where it started.
func callers() []uintptr {
	pc := make([]uintptr, 64)
	return pc[:runtime.Callers(2, pc)]
}

func (in *Interp) recoverGoroutine() {
	if rec := recover(); rec != nil && rec != errStale {
		in.goPanic(rec)
	}
}

// park is `select {}` of evaluated code: it blocks until the session's
// evaluations are interrupted or it closes, and then stops the goroutine
// (or the evaluation) as yaegi's cancellation does.
func (in *Interp) park() {
	in.mu.Lock()
	wake := in.wake
	in.mu.Unlock()
	select {
	case <-wake:
	case <-in.closing:
	}
	panic(errStale)
}

// maxGoroutines bounds the goroutines one Interp's code runs at once: a
// loop of go statements would otherwise grow the host without limit
// (each parked goroutine holds its stack and yaegi's frames). Pending
// AfterFunc timers count too. maxProcessGoroutines bounds those of all
// Interps of the process together, including the ones ended sessions
// left blocked in compiled code, which nothing can stop.
const (
	maxGoroutines        = 1000
	maxProcessGoroutines = 10000
)

// processGoroutines counts the goroutines and pending timers of every
// Interp of the process.
var processGoroutines atomic.Int64

// reserve counts one more goroutine or timer of in's, or panics with why
// it may not.
func (in *Interp) reserve() {
	if n := processGoroutines.Add(1); n > maxProcessGoroutines {
		processGoroutines.Add(-1)
		panic(fmt.Sprintf("too many goroutines: the manhole's sessions run at most %d in the process (those ended sessions left blocked in compiled code count; see :sessions)", maxProcessGoroutines))
	}
	if n := in.goroutines.Add(1); n > maxGoroutines {
		in.goroutines.Add(-1)
		processGoroutines.Add(-1)
		panic(fmt.Sprintf("too many goroutines: a session runs at most %d at once (pending time.AfterFunc timers count)", maxGoroutines))
	}
}

func (in *Interp) release() {
	in.goroutines.Add(-1)
	processGoroutines.Add(-1)
}

// goStart returns __mh.Go, which every go statement of evaluated code
// becomes (see rewriter.goStmt): it starts f on a goroutine that recovers
// a panic in compiled code, where no state of yaegi's can skip the
// recover, and counts it for the limit, for :sessions and for a recycle.
func (in *Interp) goStart(gen *generation) func(f func()) {
	return func(f func()) {
		if in.closed.Load() {
			return
		}
		stops := in.stops.Load()
		in.reserve()
		gen.live.Add(1)
		go func() {
			defer func() {
				gen.live.Add(-1)
				in.release()
			}()
			defer in.recoverGoroutine()
			if in.stops.Load() != stops {
				// Stopped before it started: yaegi would return at
				// once, through the write-back exitGuard avoids.
				return
			}
			f()
		}()
	}
}

// callback wraps a function of evaluated code that compiled code runs on
// a goroutine of its own (time.AfterFunc, context.AfterFunc): it recovers
// a panic, and does nothing once the Interp is closed.
func (in *Interp) callback(f func()) func() {
	if f == nil {
		// The timer's goroutine would call nil and end the host.
		panic("nil func for a callback")
	}
	return func() {
		if in.closed.Load() {
			return
		}
		in.goroutines.Add(1)
		processGoroutines.Add(1)
		defer in.release()
		defer in.recoverGoroutine()
		f()
	}
}

// afterFunc is time.AfterFunc for evaluated code: the callback is
// contained, and a timer still pending when the Interp closes is stopped.
func (in *Interp) afterFunc(d time.Duration, f func()) *time.Timer {
	cb := in.callback(f)
	// A pending timer counts as a goroutine: a loop of AfterFunc would
	// otherwise start any number of them when they fire.
	in.reserve()
	in.timersMu.Lock()
	defer in.timersMu.Unlock()
	if in.timers == nil {
		in.timers = map[*time.Timer]bool{}
	}
	var t *time.Timer
	t = time.AfterFunc(d, func() {
		in.timersMu.Lock()
		pending := in.timers[t]
		delete(in.timers, t)
		in.timersMu.Unlock()
		if pending {
			in.release()
		}
		cb()
	})
	in.timers[t] = true
	return t
}

// stopTimers stops the timers of afterFunc that have not fired.
func (in *Interp) stopTimers() {
	in.timersMu.Lock()
	defer in.timersMu.Unlock()
	for t := range in.timers {
		// In the map, it has not fired (the firing takes it out under
		// the lock); stopped or not by the session, it counted.
		t.Stop()
		in.release()
	}
	in.timers = nil
}

// Goroutines returns how many goroutines the Interp's code is running:
// those its go statements started and callbacks running now.
func (in *Interp) Goroutines() int { return int(in.goroutines.Load()) }
