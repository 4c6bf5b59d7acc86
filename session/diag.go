package session

import (
	"context"
	"io"
	"log/slog"
	"sync/atomic"

	"github.com/gomanhole/manhole/session/diag"
)

// What package diag gets from sessions: the Server is its Host (the
// registry, leftovers, namespace, logger), and each run of one of its
// commands an Env made from the session and the command's cmdIO.

// diagnostics is the Server's diagnostic commands and the :top sampler
// their sessions share. Building it starts nothing.
func (srv *Server) diagnostics() *diag.Set {
	srv.diagOnce.Do(func() { srv.diag = diag.New(diagHost{srv}) })
	return srv.diag
}

// diagHost is a Server as package diag sees it.
type diagHost struct{ cfg *Server }

var _ diag.Host = diagHost{}

func (h diagHost) Sessions() []diag.SessionInfo {
	infos := h.cfg.Sessions()
	out := make([]diag.SessionInfo, len(infos))
	for i, s := range infos {
		out[i] = diag.SessionInfo{ID: s.ID, Identity: s.Identity, UID: s.UID, PID: s.PID, Since: s.Since,
			Mode: s.Mode, Activity: s.Activity, Goroutines: s.Goroutines}
	}
	return out
}

func (h diagHost) Kick(id uint64, reason string) error { return h.cfg.Kick(id, reason) }
func (h diagHost) Leftovers() int                      { return h.cfg.orphanGoroutines() }
func (h diagHost) Namespace() map[string]any           { return h.cfg.Namespace }

func (h diagHost) Logger() *slog.Logger {
	if h.cfg.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return h.cfg.Logger
}

// diagRun adapts a diag command to the session's table.
func diagRun(run func(context.Context, *diag.Env, string) int) func(context.Context, *session, *cmdIO, string) int {
	return func(ctx context.Context, s *session, c *cmdIO, args string) int {
		e := &diag.Env{Stdout: c.Stdout, Stderr: c.Stderr, PTY: c.PTY, Width: c.Width,
			Session: s.meta.ID, InspectOnly: s.meta.InspectOnly}
		if c.PTY {
			e.Terminal = sessionTerminal{s}
		}
		return run(ctx, e, args)
	}
}

// sessionTerminal is a terminal session's client, for a full-screen
// view.
type sessionTerminal struct{ s *session }

var _ diag.Terminal = sessionTerminal{}

func (t sessionTerminal) Write(p []byte) (int, error) { return t.s.ch.Write(p) }
func (t sessionTerminal) Stderr() io.Writer           { return t.s.ch.Stderr() }

// terminalSizeHook, if set, runs when a full-screen view reads the
// window's size, before each frame (tests: a panic in the view).
var terminalSizeHook atomic.Pointer[func()]

func (t sessionTerminal) Size() (cols, rows int) {
	if hook := terminalSizeHook.Load(); hook != nil {
		(*hook)()
	}
	t.s.mu.Lock()
	defer t.s.mu.Unlock()
	return t.s.win.Cols, t.s.win.Rows
}

func (t sessionTerminal) Take(key func(byte), resized, restore func()) (release func()) {
	s := t.s
	s.mu.Lock()
	in, interrupt := s.input, s.onINT
	s.mu.Unlock()
	endInput := func() {}
	if in == nil {
		// An exec request on a terminal (manhole top, ssh -t HOST :top):
		// nothing reads the keys yet. Ctrl-C and the end of the input
		// then do what the client's INT signal does; the REPL's input
		// does so already while a command runs.
		in = newInput(s.ch)
		endEval := func() {}
		if interrupt != nil {
			endEval = in.startEval(interrupt)
		}
		endInput = func() {
			endEval()
			in.Close()
		}
	}
	in.setTap(key)
	s.mu.Lock()
	s.onResize, s.onEnd = resized, restore
	s.mu.Unlock()
	return func() {
		s.mu.Lock()
		s.onResize, s.onEnd = nil, nil
		s.mu.Unlock()
		in.setTap(nil)
		endInput()
	}
}
