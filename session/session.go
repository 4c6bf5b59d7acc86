package session

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"github.com/gomanhole/manhole/interp"
	"github.com/gomanhole/manhole/session/diag"
)

// DefaultExecTimeout bounds an exec request's evaluation when
// Server.ExecTimeout is zero: a one-shot command must not hang a script.
const DefaultExecTimeout = 30 * time.Second

// Limits on what a client may send before its session starts.
const (
	maxEnv     = 64
	maxCommand = 1 << 20
)

// Server serves the sessions of one manhole: it holds what they share
// (configuration, the interpreters, the registry of live sessions) and
// its methods serve, list, kick and end them.
type Server struct {
	// NewInterp builds the evaluator of one session; evaluated code
	// writes to stdout and stderr, and results are laid out for width()
	// columns (0: unknown). Required.
	NewInterp func(stdout, stderr io.Writer, width func() int) (*interp.Interp, error)
	// RequestTimeout closes a session that asks for neither a shell nor
	// a command this long after it opens. Default DefaultRequestTimeout.
	RequestTimeout time.Duration
	// Logger receives an audit record per evaluation. Default: discard.
	Logger *slog.Logger
	// EvalTimeout bounds each evaluation in a terminal session; zero
	// means no bound (Ctrl-C still cancels).
	EvalTimeout time.Duration
	// ExecTimeout bounds each evaluation of an exec request or a piped
	// script. Zero means DefaultExecTimeout; negative means none.
	ExecTimeout time.Duration
	// Banner, if set, returns the text shown when a terminal session
	// starts.
	Banner func() string

	// Namespace is what :vars lists: the values the application exposes.
	// Optional.
	Namespace map[string]any
	// Logs, if set, is what :logs follows. Optional.
	Logs *LogHub

	// HistoryFile, if set, keeps each identity's input history across
	// restarts: in HistoryPath(HistoryFile, identity), mode 0600. Without
	// it, history lasts for the life of the process.
	HistoryFile string

	// Shared makes every session use one interpreter (aiomanhole's
	// shared=True): declarations are visible to all, evaluations are
	// serialized.
	Shared bool

	built    atomic.Int64
	mu       sync.Mutex        // protects prepared
	prepared map[uint64]*built // interpreters built for connections' first sessions
	sharedMu sync.Mutex        // protects shared and turn
	shared   *evaluator
	turn     chan struct{}

	histories histories

	cmdOnce  sync.Once
	cmds     map[string]*command
	regOnce  sync.Once
	registry *registry
	diagOnce sync.Once
	diag     *diag.Set

	orphansMu sync.Mutex       // protects orphans
	orphans   []*interp.Interp // closed interpreters with goroutines left; see reportLeftovers
}

// Meta identifies a session for logs and :sessions.
type Meta struct {
	// ID names the session in :sessions and :kick, and in the audit
	// log: unique within a Server.
	ID uint64
	// ConnID identifies the connection, for Prepare.
	ConnID uint64
	// Identity is the key fingerprint, or "peer uid N".
	Identity string
	// UID and PID are the unix-socket peer's, or -1.
	UID, PID int
	// Remote is the client's address.
	Remote string

	// Restrictions from the authorized_keys line of the key that
	// authenticated.

	// ForcedCommand, if set, runs instead of whatever the client asked.
	ForcedCommand string
	// NoPTY refuses a terminal.
	NoPTY bool
	// InspectOnly refuses evaluation; ':' commands still run.
	InspectOnly bool

	// CloseConn closes the session's whole connection: the last resort
	// when a client that reads nothing keeps the session from ending.
	// Optional.
	CloseConn func()
}

// endGrace is how long a session that must end waits for its last writes
// and its runner before it closes the channel, then the connection.
const endGrace = 2 * time.Second

// session is one "session" channel.
type session struct {
	cfg  *Server
	log  *slog.Logger
	meta Meta
	ch   gossh.Channel
	// ctx ends the session; cancel ends it with a cause (:kick).
	ctx    context.Context
	cancel context.CancelCauseFunc
	since  time.Time
	// input is the keystroke pump of a terminal session, nil otherwise.
	input *input
	evals atomic.Int64 // evaluations so far, numbering the audit records
	// debugRewrite: each evaluation shows the source yaegi compiles
	// (:debug rewrite; MANHOLE_DEBUG=rewrite sets it at the start).
	debugRewrite atomic.Bool

	mu       sync.Mutex // protects the fields below
	started  bool       // shell or exec accepted: no second one, no late pty-req
	mode     string
	activity string
	pty      bool
	term     string
	win      window
	env      []string
	onWinch  func(window) // set once the REPL runs
	onINT    func()       // cancels the running evaluation, if any
	onEnd    func()       // restores the client's terminal before the session is ended (:top)
	onResize func()       // told of window changes while :top runs; must not block
	ev       *evaluator   // the session's interpreter, once it has one
}

// DefaultRequestTimeout is how long a session has to ask for a shell or
// a command after its channel opens.
const DefaultRequestTimeout = 10 * time.Second

// Serve serves one session channel until the client leaves or ctx is
// cancelled; in the latter case the client is told context.Cause(ctx)
// and the session exits with status 255. Serve closes ch.
func (srv *Server) Serve(ctx context.Context, meta Meta, ch gossh.Channel, reqs <-chan *gossh.Request) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	s := &session{cfg: srv, log: srv.Logger, meta: meta, ch: ch, ctx: ctx, cancel: cancel, since: time.Now()}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	s.debugRewrite.Store(interp.DebugRewriteEnv())
	defer ch.Close()
	srv.reg().add(s)
	defer srv.reg().remove(s)

	// Until shell or exec, requests are handled here; none of them may
	// block (a window-change before shell hangs gliderlabs' handler).
	// A session that asks for neither within requestTimeout is closed:
	// held open it would only take a slot of MaxSessions from others.
	requestTimeout := srv.RequestTimeout
	if requestTimeout <= 0 {
		requestTimeout = DefaultRequestTimeout
	}
	idle := time.NewTimer(requestTimeout)
	defer idle.Stop()
	var run func() int
	for run == nil {
		select {
		case req, ok := <-reqs:
			if !ok {
				return
			}
			run = s.request(req)
		case <-idle.C:
			s.log.Warn("manhole: session closed", "session", meta.ID, "identity", meta.Identity,
				"reason", "no shell or exec request", "within", requestTimeout)
			return
		case <-ctx.Done():
			return
		}
	}
	idle.Stop()

	s.mu.Lock()
	mode := s.mode
	s.mu.Unlock()
	s.log.Info("manhole: session start", "session", meta.ID, "identity", meta.Identity, "mode", mode, "term", s.term,
		"cols", s.win.Cols, "rows", s.win.Rows)
	reqsDone := make(chan struct{})
	go func() {
		defer close(reqsDone)
		for req := range reqs {
			s.safeRequest(req)
		}
	}()
	runDone := make(chan int, 1)
	go func() {
		code := 1
		defer func() {
			if r := recover(); r != nil {
				s.log.Error("manhole: session panic", "session", meta.ID, "panic", r, "stack", string(debug.Stack()))
				fmt.Fprintf(ch.Stderr(), "manhole: internal error: %v\r\n", r)
			}
			runDone <- code
		}()
		code = run()
	}()

	var code int
	ran := false
	select {
	case code = <-runDone:
		ran = true
	case <-ctx.Done():
		s.mu.Lock()
		onEnd := s.onEnd
		s.mu.Unlock()
		// A client that stopped reading blocks these writes on its full
		// window: they get a moment, then the channel closes regardless.
		said := make(chan struct{})
		go func() {
			defer close(said)
			if onEnd != nil {
				// A full-screen view leaves the alternate screen first:
				// the message must reach the client's own screen.
				onEnd()
			}
			if cause := context.Cause(ctx); cause != nil {
				// "session ends: session: kicked by..." would stutter;
				// another package's prefix (sshd: ...) says who ended it.
				fmt.Fprintf(ch.Stderr(), "\r\nmanhole: session ends: %s\r\n", strings.TrimPrefix(cause.Error(), "session: "))
			}
		}()
		t := time.NewTimer(endGrace)
		select {
		case <-said:
		case <-t.C:
		}
		t.Stop()
		code = 255
	}
	ch.SendRequest("exit-status", false, gossh.Marshal(exitStatus{uint32(code)}))
	ch.Close()
	s.log.Info("manhole: session end", "session", meta.ID, "identity", meta.Identity, "mode", mode,
		"duration", time.Since(s.since), "exit_status", code)
	if !ran {
		// Closing the channel ends the runner's reads; its evaluation
		// was cancelled with ctx. A runner blocked writing to a client
		// that reads nothing stays blocked (x/crypto wakes writers only
		// when the connection ends): then the connection is closed.
		t := time.NewTimer(endGrace)
		select {
		case <-runDone:
		case <-t.C:
			if meta.CloseConn != nil {
				s.log.Warn("manhole: connection closed", "session", meta.ID, "identity", meta.Identity,
					"reason", "the client reads nothing and the session could not end")
				meta.CloseConn()
			}
			<-runDone
		}
		t.Stop()
	}
	<-reqsDone
}

// safeRequest is request for the requests that come once the session
// runs: a panic in it is logged and answered false, and the loop goes on
// (a stopped loop would stall the connection's other channels).
func (s *session) safeRequest(req *gossh.Request) {
	defer func() {
		if r := recover(); r != nil {
			s.log.Error("manhole: session request panic", "session", s.meta.ID, "request", req.Type, "panic", r, "stack", string(debug.Stack()))
			if req.WantReply {
				req.Reply(false, nil)
			}
		}
	}()
	s.request(req)
}

// request handles one channel request; for shell and exec it returns the
// function that runs the session.
func (s *session) request(req *gossh.Request) (run func() int) {
	ok := false
	s.mu.Lock()
	switch req.Type {
	case "pty-req":
		if !s.pty && !s.started && !s.meta.NoPTY {
			s.term, s.win, ok = parsePtyReq(req.Payload)
			s.pty = ok
		}
	case "window-change":
		if w, parsed := parseWindowChange(req.Payload); parsed && s.pty {
			s.win, ok = w, true
			if s.onWinch != nil {
				// Called under s.mu; onWinch only resizes x/term, which
				// never blocks on the client.
				s.onWinch(w)
			}
			if s.onResize != nil {
				s.onResize()
			}
		}
	case "env":
		var e envRequest
		if gossh.Unmarshal(req.Payload, &e) == nil && len(s.env) < maxEnv && len(e.Name)+len(e.Value) < 4096 {
			s.env = append(s.env, e.Name+"="+e.Value)
			ok = true
		}
	case "signal":
		var sig signalRequest
		if gossh.Unmarshal(req.Payload, &sig) == nil && sig.Signal == "INT" && s.onINT != nil {
			s.onINT()
			ok = true
		}
	case "shell":
		if !s.started {
			ok = true
			if s.pty {
				run, s.mode = s.repl, "pty"
			} else {
				run, s.mode = s.script, "script"
			}
		}
	case "exec":
		var e execRequest
		if !s.started && gossh.Unmarshal(req.Payload, &e) == nil && len(e.Command) <= maxCommand {
			ok = true
			run, s.mode = func() int { return s.exec(e.Command) }, "exec"
		}
	}
	if run != nil {
		s.started = true
		if fc := s.meta.ForcedCommand; fc != "" {
			// As sshd: the forced command runs whatever was asked.
			var orig execRequest
			gossh.Unmarshal(req.Payload, &orig)
			s.log.Info("manhole: forced command", "session", s.meta.ID, "command", fc, "requested", orig.Command)
			run, s.mode = func() int { return s.exec(fc) }, "exec"
		}
	}
	s.mu.Unlock()
	if req.WantReply {
		req.Reply(ok, nil)
	}
	return run
}

// setINT installs the function a client's INT signal or Ctrl-C calls.
func (s *session) setINT(f func()) {
	s.mu.Lock()
	s.onINT = f
	s.mu.Unlock()
}

// interruptible returns a context that Ctrl-C, the client's INT signal,
// the timeout (if positive) and the session's end cancel; call done when
// the work ends.
func (s *session) interruptible(timeout time.Duration) (ctx context.Context, done func()) {
	ctx, cancel := context.WithCancelCause(s.ctx)
	var stop context.CancelFunc = func() {}
	if timeout > 0 {
		ctx, stop = context.WithTimeoutCause(ctx, timeout, fmt.Errorf("session: timed out after %v", timeout))
	}
	interrupt := func() { cancel(errInterrupted) }
	s.setINT(interrupt)
	endEval := func() {}
	if s.input != nil {
		endEval = s.input.startEval(interrupt)
	}
	return ctx, func() {
		endEval()
		s.setINT(nil)
		stop()
		cancel(nil)
	}
}

// evaluate runs one input under the session's limits, logs it, and
// returns the result.
func (s *session) evaluate(ev *evaluator, stdout, stderr io.Writer, src string, timeout time.Duration) (interp.Result, error) {
	ctx, done := s.interruptible(timeout)
	defer done()
	if s.meta.InspectOnly {
		s.log.Info("manhole: eval refused", "session", s.meta.ID, "identity", s.meta.Identity, "code", src, "reason", "inspect-only")
		return interp.Result{}, errInspectOnly
	}
	s.setActivity(src)
	defer s.setActivity("")
	// The statement is logged before it runs: one that kills or wedges
	// the host must still be on record. Its outcome follows.
	seq := s.evals.Add(1)
	s.log.Info("manhole: eval", "session", s.meta.ID, "identity", s.meta.Identity, "eval", seq, "code", src)
	start := time.Now()
	res, err := s.eval(ctx, ev, stdout, stderr, src)
	attrs := []any{"session", s.meta.ID, "identity", s.meta.Identity, "eval", seq, "duration", time.Since(start)}
	if err != nil {
		attrs = append(attrs, "err", err.Error())
	}
	s.log.Info("manhole: eval done", attrs...)
	return res, err
}

var (
	errInterrupted = errors.New("session: interrupted")
	errInspectOnly = errors.New("session: evaluation refused: this key is inspect-only (':' commands work; :help lists them)")
)

// command splits a ":name args" line; ok is false for Go code.
func parseCommand(line string) (name, args string, ok bool) {
	line = strings.TrimSpace(line)
	if !strings.HasPrefix(line, ":") {
		return "", "", false
	}
	name, args, _ = strings.Cut(line[1:], " ")
	return name, strings.TrimSpace(args), true
}
