package session

import (
	"context"
	"errors"
	"fmt"
	"io"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/gomanhole/manhole/interp"
)

const (
	prompt     = ">>> "
	contPrompt = "... "
)

// completionWait bounds how long Tab waits to look at a type.
const completionWait = time.Second

// repl runs the interactive loop of a terminal session.
func (s *session) repl() int {
	in := newInput(s.ch)
	defer in.Close()
	s.mu.Lock()
	s.input = in
	win := s.win
	s.mu.Unlock()

	out := newEditor(s.ch, in, s.cfg.historyFor(s.meta.Identity, s.log))
	out.SetSize(win.Cols)
	s.mu.Lock()
	s.onWinch = func(w window) { out.SetSize(w.Cols) }
	s.mu.Unlock()

	ip, release, err := s.acquire(out, out)
	if err != nil {
		fmt.Fprintf(out, "manhole: cannot start the evaluator: %v\n", err)
		return 1
	}
	defer release()

	comp := &completer{
		names: ip.ip.Names, members: ip.ip.PackageMembers, namespace: s.cfg.Namespace,
		commands: s.cfg.commandNames, args: s.cfg.commandArgs,
		packages: func() []string {
			var paths []string
			for _, p := range ip.ip.Packages() {
				paths = append(paths, p.Path)
			}
			return paths
		},
		typeOf: func(expr string) (reflect.Type, bool) {
			// Only while this session waits at the prompt; with the
			// shared interpreter, not for long behind the others.
			ctx, cancel := context.WithTimeout(s.ctx, completionWait)
			defer cancel()
			var t reflect.Type
			var err error
			if s.inTurn(ctx, ip, io.Discard, io.Discard, func() { t, err = ip.ip.StaticType(ctx, expr) }) != nil || err != nil {
				return nil, false
			}
			return t, true
		},
	}
	out.complete = comp.complete
	out.incomplete = func(src string) bool {
		if _, _, cmd := parseCommand(src); cmd && !strings.Contains(src, "\n") {
			return false
		}
		return interp.Incomplete(src)
	}
	if s.cfg.Banner != nil {
		fmt.Fprint(out, s.cfg.Banner())
	}
	// Bracketed paste lets a multi-line paste run as one block; the
	// client's terminal must be left with it off.
	out.writeRaw("\x1b[?2004h")
	defer out.writeRaw("\x1b[?2004l")

	for {
		out.endLine()
		src, err := out.ReadInput(prompt, contPrompt)
		if errors.Is(err, errInterrupt) {
			continue
		}
		var bug editorPanic
		if errors.As(err, &bug) {
			s.log.Error("manhole: line editor panic", "session", s.meta.ID, "panic", bug.value)
			fmt.Fprintln(out, bug)
			continue
		}
		if err != nil {
			return 0 // Ctrl-D, or the client left
		}
		if name, args, ok := parseCommand(src); ok && !strings.Contains(src, "\n") {
			if cmd, full := s.cfg.lookup(name); cmd != nil && full == "quit" {
				return 0
			}
			s.mu.Lock()
			width := s.win.Cols
			s.mu.Unlock()
			ctx, done := s.interruptible(0)
			if cmd, _ := s.cfg.lookup(name); cmd != nil && cmd.pages {
				buf := &cappedBuffer{limit: maxPaged}
				s.runCommand(ctx, &cmdIO{Stdout: buf, Stderr: out, PTY: true, Width: width}, name, args)
				done()
				out.Page(buf.String(), ":"+name, func() int {
					s.mu.Lock()
					defer s.mu.Unlock()
					return s.win.Rows
				})
				continue
			}
			s.runCommand(ctx, &cmdIO{Stdout: out, Stderr: out, PTY: true, Width: width}, name, args)
			done()
			continue
		}
		if strings.TrimSpace(src) == "" {
			continue
		}
		if hint := leaveOrHelpHint(src, ip.ip.Names); hint != "" {
			fmt.Fprintln(out, hint)
			continue
		}
		s.evalAndShow(ip, out, src)
	}
}

// evalAndShow evaluates src in a terminal session and prints the value or
// the error.
func (s *session) evalAndShow(ip *evaluator, out *editor, src string) {
	res, err := s.evaluate(ip, out, out, src, s.cfg.EvalTimeout)
	out.endLine()
	if err != nil {
		fmt.Fprintf(out, "%v\n", err)
		return
	}
	if res.HasValue {
		fmt.Fprintf(out, "%s\n", res.Value)
	}
}

// leaveOrHelpHint answers what a newcomer types to leave or ask for help
// (exit, quit(), help...), unless the session has such a name of its own.
func leaveOrHelpHint(src string, names func() []string) string {
	word := strings.TrimSuffix(strings.TrimSpace(src), "()")
	var hint string
	switch word {
	case "exit", "quit":
		hint = "To leave, press Ctrl-D or type :quit."
	case "help":
		hint = "Type :help for help (:help keys for the editing keys)."
	default:
		return ""
	}
	if slices.Contains(names(), word) {
		return ""
	}
	return hint
}
