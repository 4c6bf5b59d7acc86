package interp

// The run of one evaluation: how Eval starts the user's code on a
// goroutine manhole owns, and how a run finishes, is cancelled (an
// interrupt, a timeout, the depth limit) or is abandoned in compiled code.

import (
	"context"
	"errors"
	"reflect"
	"sync"
	"sync/atomic"
	"time"

	yaegi "github.com/traefik/yaegi/interp"
)

const (
	// maxCallDepth bounds nested interpreted calls. A yaegi call uses
	// about 700 bytes of Go stack, so the limit keeps a runaway recursion
	// near 8 MB of stack, far below Go's fatal 1 GB. It is also kept low
	// because a panic unwinding N interpreted frames costs O(N²) in Go's
	// runtime (about 5 s at 10000 frames).
	maxCallDepth = 10000

	// parkedDepth is what the depth limit allows for each goroutine the
	// session runs. A compiled helper cannot tell which goroutine calls
	// it (Go has no goroutine-local state), so the count is of all the
	// session's goroutines together; goroutines parked in a few calls
	// (a worker in its loop, a select {}) must not make a recursion in
	// another one overflow. One goroutine may then nest up to
	// maxCallDepth + parkedDepth*maxGoroutines calls (42000, about 80 MB
	// of stack at most), still far below Go's fatal 1 GB.
	parkedDepth = 32

	// abandonGrace is how long Eval waits, after stopping yaegi, for the
	// evaluation to notice. Interpreted code stops at its next step; only
	// a call into compiled code that does not return takes longer. On a
	// loaded machine (two cores, the race detector, a GC) the next step
	// can be tens of milliseconds away: 50 ms abandoned busy interpreted
	// loops about once in a hundred runs of the test suite, and an
	// abandoned evaluation costs the session its interpreter. A quarter of
	// a second is still prompt for a Ctrl-C at a stuck call.
	abandonGrace = 250 * time.Millisecond

	// prepareWait bounds how long a cancelled run waits for manhole's
	// passes over its input to end before it is abandoned, which breaks
	// the interpreter (see run).
	prepareWait = 10 * time.Second

	// rebumpEvery is how often a cancelled run still in its code has
	// yaegi's run id bumped again; see Eval.
	rebumpEvery = 10 * time.Millisecond

	// workerKeep is how long an evaluation may take for its worker to
	// wait for the next one; see worker.
	workerKeep = time.Millisecond
)

// run is one evaluation.
//
// Its input is compiled and run with yaegi's Execute on a goroutine that
// manhole owns (a worker, see worker), and Eval waits for that goroutine
// to say it is done, or for the context. To cancel, Eval does what yaegi
// does when the context of an ExecuteWithContext is done (see cancelRun):
// every interpreted frame returns at its next step, and a frame blocked in
// a channel operation at once. ExecuteWithContext itself is not used: it
// runs the program on a goroutine of yaegi's and returns on a cancellation
// without saying whether that goroutine finished, which would then finish
// its Execute unsynchronized with whatever the session evaluates next.
// Here the goroutine running Execute is the one Eval waits for: after a
// cancellation it is either done, or abandoned inside a call to compiled
// code, and then stopped by its input's checks when the call returns (see
// bindRun and topLevel).
type run struct {
	id     int64
	groups []group
	// user is set while the run's own code runs (execRun); outside it,
	// the user's goroutine is in manhole's passes or yaegi's compiler.
	user atomic.Bool
	// plain is set while a plain expression runs (see runPlain): Eval
	// waits for it as for the passes, and bumps yaegi's run id again.
	plain atomic.Bool

	state    atomic.Int32 // running, finished or cancelled
	overflow atomic.Bool  // the depth limit cancelled the run

	gen *generation // the interpreter it runs in
	// done is yaegi's channel for the run (see setRunDone), closed when
	// the run is cancelled, or later for a run that finished (see
	// wakeGoroutines): goroutines it started select on it.
	done     chan struct{}
	userDone chan struct{} // the user's goroutine returned
	// staleTurn is set when the run's goroutine, abandoned and back,
	// holds the Interp's turn to unwind (see parkStale).
	staleTurn bool

	// Written by the user's goroutine before userDone is closed.
	res      Result
	err      error
	compiled bool // the current group compiled (see declare)

	shownMu sync.Mutex // Show may be called from any goroutine
	shown   []any
	showed  bool
	// shownType is the session type the shown expression is known to
	// have, "" if none is (see prepareShown).
	shownType string
}

// Run states. A run leaves running once, for finished (by Eval, when the
// user's code returned) or cancelled (by Eval or the depth limit).
const (
	running int32 = iota
	finished
	cancelled
)

// Eval evaluates one complete input: statements, declarations and
// expressions, possibly several lines of them. If the input ends in an
// expression with a value, Result holds the formatted value.
//
// When ctx is done, the evaluation is stopped and the error wraps
// ctx.Err(): it reads "interrupted" or "timed out". If the code was inside
// a call to compiled code that did not return, Eval still returns at once
// and the error says the call was abandoned; it keeps running. Stopping an
// evaluation also stops the goroutines the session's code started before
// (yaegi issue 1686); other Interps are not affected.
func (in *Interp) Eval(ctx context.Context, src string) (Result, error) {
	res, _, err := in.eval(ctx, src)
	return res, err
}

// eval is Eval that also returns the values of the trailing expression,
// for TypeOf and Methods.
func (in *Interp) eval(ctx context.Context, src string) (res Result, vals []any, err error) {
	in.evalMu.Lock()
	defer in.evalMu.Unlock()
	if in.closed.Load() {
		return Result{}, nil, ErrClosed
	}
	if in.broken.Load() {
		return Result{}, nil, errBroken
	}
	if err := ctx.Err(); err != nil {
		return Result{}, nil, &interruptedError{cause: err}
	}
	in.maybeRecycle()
	gen := in.gen
	gen.evals++
	groups, err := parseInput(gen.yi.FileSet(), src)
	if err != nil || len(groups) == 0 {
		return Result{}, nil, err
	}

	in.seq++
	r := &run{
		gen:      gen,
		id:       in.seq,
		groups:   groups,
		done:     make(chan struct{}),
		userDone: make(chan struct{}),
	}
	in.setCurrent(r)
	defer in.setCurrent(nil)
	select {
	case mb := <-in.idle:
		mb <- r
	default:
		go in.worker(r)
	}

	var cause error
	select {
	case <-r.userDone:
	case <-ctx.Done():
		cause = ctx.Err()
	case <-in.closing:
		cause = ErrClosed
	}
	if cause == nil && r.state.CompareAndSwap(running, finished) {
		gen.dones = append(gen.dones, r.done)
		r.shownMu.Lock()
		vals = r.shown
		r.shownMu.Unlock()
		return r.res, vals, r.err
	}
	in.cancelRun(r, false)
	// The channels of earlier runs wake the goroutines they started.
	in.wakeGoroutines(gen)
	t := time.NewTimer(abandonGrace)
	defer t.Stop()
	// A cancellation that came between execRun's look at the state and
	// the moment Execute gives the global frame yaegi's run id is absorbed:
	// the program runs under the bumped id. Bumped again while the run's
	// code runs, its frames stop.
	rebump := time.NewTicker(rebumpEvery)
	defer rebump.Stop()
	// manhole's own passes over the input do not see the cancellation
	// but end (unlike a compiled call, or yaegi's compiler): the run
	// waits for them, for a while, rather than break the interpreter.
	waited := time.Duration(0)
wait:
	for {
		select {
		case <-r.userDone:
			break wait
		case <-rebump.C:
			if r.user.Load() || r.plain.Load() {
				bumpRunID(gen.yi)
			}
		case <-t.C:
			waited += abandonGrace
			if waited < prepareWait && !r.user.Load() && !in.compiling.Load() {
				t.Reset(abandonGrace)
				continue
			}
			t.Reset(0)
			break wait
		}
	}
	stopped := false
	select {
	case <-r.userDone:
		stopped = true
	case <-t.C:
		select {
		case <-r.userDone: // as the time ran out
			stopped = true
		default:
		}
	}
	if stopped {
		if cause == nil { // the depth limit stopped the run
			return Result{}, nil, r.err
		}
		in.stopRetired()
		return Result{}, nil, &interruptedError{cause: cause}
	}
	in.mu.Lock()
	in.abandoned = r
	in.mu.Unlock()
	gen.elsewhere = true
	resumeGlobalFrame(gen.yi)
	if in.compiling.Load() || !r.user.Load() {
		// yaegi's compiler has no lock, nor have manhole's passes over
		// an input (they read and write the session's books): going
		// on with later inputs next to this one could corrupt their
		// maps and crash the host.
		in.broken.Store(true)
	}
	if cause == nil {
		return Result{}, nil, depthError{}
	}
	in.stopRetired()
	return Result{}, nil, &interruptedError{cause: cause, abandoned: true}
}

// execute runs on the user's goroutine: it compiles and runs the groups of
// the input in order, under a recover of its own besides yaegi's.
func (in *Interp) execute(r *run) {
	finished := false
	defer func() {
		if rec := recover(); rec != nil {
			r.err = &panicError{value: rec, at: hostFrame(callers()), names: in.names}
		} else if !finished {
			r.err = errors.New("runtime.Goexit stopped the evaluation")
		}
		if r.overflow.Load() {
			r.res, r.err = Result{}, depthError{}
		}
		if r.staleTurn {
			<-in.staleTurn
		}
		close(r.userDone)
	}()
	setRunDone(r.gen.yi, r.done)
	if err := in.bindRun(r); err != nil {
		r.err = err
		finished = true
		return
	}
	for _, g := range r.groups {
		if r.state.Load() == cancelled {
			break
		}
		units := in.journalUnits(in.gen.yi.FileSet(), g)
		for _, u := range units {
			u.input = r.id
		}
		r.compiled = false
		// Only the input's last group may leave a value: f(); type T
		// struct{}; fmt.Println() shows no result of f.
		r.res = Result{}
		if err := in.waiting(g); err != nil {
			r.err = err
			break
		}
		joined, restore, err := in.join(g)
		if err != nil {
			r.err = err
			break
		}
		if joined.file != g.file {
			g = joined
			units = in.journalUnits(in.gen.yi.FileSet(), g)
			for _, u := range units {
				u.input = r.id
			}
		}
		if missing, at := in.undeclared(g); missing != "" {
			if err := in.wait(g, missing, at); err != nil {
				r.err = err
				break
			}
			continue
		}
		if err := in.runGroup(r, g, units); err != nil {
			r.err = err
			if r.compiled && r.state.Load() != cancelled {
				// A panic after a declaration ran: the names exist. (Not
				// after a cancel, the depth limit's too: Eval may have
				// abandoned the run, and the next input own the books.)
				in.record(g, units)
			}
			if len(restore) > 0 && !r.compiled {
				// The waiting declarations joined with it did not
				// compile with it: they wait again.
				in.pending = append(in.pending, restore...)
			}
			break
		}
		if r.state.Load() == cancelled {
			// Abandoned (a native call that did not return in time) and
			// now back: the session's next input may be running, and the
			// bookkeeping is its own.
			break
		}
		in.record(g, units)
		if len(in.pending) > 0 {
			in.declarePending(r)
		}
	}
	finished = true
}

// worker runs evaluations on the user's side: r, then the next one while
// it is the session's only idle worker. An evaluation runs deep in yaegi's
// compiler, and a new goroutine's stack grows to that depth by copying
// itself several times, each evaluation again; a worker kept between
// evaluations has grown it already. A worker whose run was cancelled or
// abandoned ends: it may come back long after the session moved on. So
// does one whose run took longer than workerKeep: the stack growth is
// little next to such a run, and a deep recursion may have left the stack
// megabytes large, which a parked worker would hold until the GC shrank
// it, halving it at each cycle.
func (in *Interp) worker(r *run) {
	mb := make(chan *run, 1)
	for {
		start := time.Now()
		in.execute(r)
		if r.state.Load() == cancelled || time.Since(start) > in.keep {
			return
		}
		select {
		case in.idle <- mb:
		default:
			return // another worker is idle
		}
		select {
		case r = <-mb:
		case <-in.closing:
			return
		}
	}
}

// cancelRun stops r if it is still running, once: it bumps yaegi's run id
// and closes the run's channel, as yaegi's stop does (see bumpRunID).
// overflow says the depth limit stops it.
func (in *Interp) cancelRun(r *run, overflow bool) {
	if !r.state.CompareAndSwap(running, cancelled) {
		return
	}
	if overflow {
		// Before the frames stop: execute reads it once they have.
		r.overflow.Store(true)
	}
	in.stops.Add(1)
	bumpRunID(r.gen.yi)
	close(r.done)
}

// bindRun makes __mh.Check and __mh.Guard, the calls that topLevel and
// inInit put in r's input, r's own: yaegi resolves a symbol of a compiled
// package when it compiles a call of it, so the programs compiled for r
// keep r's checks after later runs have bound theirs. (A run id passed as
// an argument would do the same, but yaegi takes several microseconds to
// compile each constant argument, and every input has two checks or more.)
func (in *Interp) bindRun(r *run) error {
	// check stops what remains of r's input once r was cancelled or
	// abandoned, or a later run is the current one; see topLevel.
	check := func() {
		current := in.current() == r
		if current && r.state.Load() != cancelled {
			return
		}
		if !current {
			in.parkStale(r)
		}
		panic(errStale)
	}
	// guard checks, and returns the same check for the defer that ends an
	// input's init function (see inInit).
	guard := func() func() {
		check()
		return check
	}
	return in.gen.yi.Use(yaegi.Exports{helperPath + "/rt": {
		"Check": reflect.ValueOf(check),
		"Guard": reflect.ValueOf(guard),
	}})
}

// parkStale holds the goroutine of a run that Eval abandoned in a call
// to compiled code and that came back, at its next check, until Close has
// stopped the interpreter. Unwinding from there, it would pass through
// yaegi's run of the global frame (the input's top-level statements run
// in it), whose state yaegi writes without a lock while the session's
// later inputs run there too: a data race in the host. After Close the
// parked goroutines unwind one at a time (staleTurn, given back by
// execute), for the same reason.
//
// A parked goroutine counts as one of the session's (past the limit, its
// next go statement is refused), not checked against the limit itself: it
// cannot be refused.
func (in *Interp) parkStale(r *run) {
	in.goroutines.Add(1)
	processGoroutines.Add(1)
	<-in.unpark
	in.release()
	in.staleTurn <- struct{}{}
	r.staleTurn = true
}

// chargePrint counts the levels fmt's recursion through a value printed
// nests as calls, while the print runs; see printGuards. (Its stack
// frames are smaller than an interpreted call's: one counted call per
// four levels.)
func (in *Interp) chargePrint(levels int) func() {
	n := int64(levels / 4)
	if n == 0 {
		return func() {}
	}
	if !in.enterN(nil, n) {
		return func() {}
	}
	return func() { in.depth.Add(-n) }
}

// leave ends a call that __mh.Enter (enterN of 1) counted.
func (in *Interp) leave() { in.depth.Add(-1) }

// leaveGroup is leave for the levels of an unrolled recursion, which
// enterN counts selfGroup at a time; see unrollSelfCalls.
func (in *Interp) leaveGroup() { in.depth.Add(-selfGroup) }

// enterN counts n interpreted calls of generation gen (__mh.Enter, and
// __mh.EnterGroup for an unrolled recursion). Past the limit it stops the
// running evaluation the way a cancellation does, so that the frames
// return one by one instead of unwinding a panic through all of them (see
// maxCallDepth); with no evaluation running (a goroutine), it panics.
func (in *Interp) enterN(gen *generation, n int64) (counted bool) {
	if d := in.depth.Add(n); d <= maxCallDepth || d <= maxCallDepth+parkedDepth*in.goroutines.Load() {
		return true
	}
	// A goroutine of a retired interpreter does not stop with the
	// running evaluation: it panics, and its frames' deferred leaves keep
	// the count (undone here, its frame would go on and leave again, and
	// the count drift below zero).
	if r := in.current(); r != nil && (gen == nil || !gen.retired.Load()) {
		in.cancelRun(r, true)
		if r.state.Load() == cancelled {
			// Return only once yaegi is stopped (r.done is closed after
			// that), so that the caller's frame returns instead of
			// calling deeper. The frame stops at its next step, before
			// the defer of its leave: undo the count here (it was left
			// one call, a group for enterGroup, too high at each
			// overflow).
			<-r.done
			in.depth.Add(-n)
			return false
		}
	}
	in.depth.Add(-n)
	panic(depthError{}.Error())
}
