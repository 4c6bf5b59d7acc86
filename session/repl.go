package session

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"

	"golang.org/x/term"

	"github.com/gomanhole/manhole/interp"
)

const (
	prompt     = ">>> "
	contPrompt = "... "
)

// termWriter is where evaluated code's output goes in a terminal session:
// through x/term, which turns \n into \r\n and keeps a pending prompt
// intact. It remembers whether output ended mid-line so that the next
// prompt starts on a fresh line.
type termWriter struct {
	mu      sync.Mutex // protects t and midLine
	t       *term.Terminal
	midLine bool
}

func (w *termWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(p) == 0 {
		return 0, nil
	}
	w.midLine = p[len(p)-1] != '\n'
	return w.t.Write(p)
}

func (w *termWriter) set(t *term.Terminal) {
	w.mu.Lock()
	w.t = t
	w.mu.Unlock()
}

// endLine ends a line left open by evaluated output.
func (w *termWriter) endLine() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.midLine {
		w.t.Write([]byte("\n"))
		w.midLine = false
	}
}

// repl runs the interactive loop of a terminal session.
func (s *session) repl() int {
	in := newInput(s.ch)
	defer in.Close()
	s.mu.Lock()
	s.input = in
	win := s.win
	s.mu.Unlock()

	hist := &history{}
	rw := struct {
		io.Reader
		io.Writer
	}{in, s.ch}
	newTerm := func() *term.Terminal {
		t := term.NewTerminal(rw, prompt)
		t.History = hist
		s.mu.Lock()
		t.SetSize(s.win.Cols, s.win.Rows)
		s.mu.Unlock()
		return t
	}
	t := newTerm()
	t.SetSize(win.Cols, win.Rows)
	out := &termWriter{t: t}
	s.mu.Lock()
	s.onWinch = func(w Window) { out.mu.Lock(); out.t.SetSize(w.Cols, w.Rows); out.mu.Unlock() }
	s.mu.Unlock()

	ip, release, err := s.acquire(out, out)
	if err != nil {
		fmt.Fprintf(out, "manhole: cannot start the evaluator: %v\n", err)
		return 1
	}
	defer release()

	comp := &completer{names: ip.ip.Names, members: ip.ip.PackageMembers, namespace: s.cfg.Namespace}
	setCompletion := func(t *term.Terminal) {
		t.AutoCompleteCallback = func(line string, pos int, key rune) (string, int, bool) {
			if key != '\t' {
				return "", 0, false
			}
			newLine, newPos, ok, list := comp.complete(line, pos)
			if list != nil {
				s.mu.Lock()
				width := s.win.Cols
				s.mu.Unlock()
				// x/term redraws the prompt and line below the list.
				out.Write([]byte(formatColumns(list, width)))
			}
			return newLine, newPos, ok
		}
	}
	setCompletion(t)
	if s.cfg.Banner != nil {
		fmt.Fprint(out, s.cfg.Banner())
	}
	// Bracketed paste lets a multi-line paste run as one block; the
	// client's terminal must be left with it off.
	s.ch.Write([]byte("\x1b[?2004h"))
	defer s.ch.Write([]byte("\x1b[?2004l"))

	var pending []string // lines of an incomplete input
	for {
		if len(pending) > 0 {
			t.SetPrompt(contPrompt)
		} else {
			t.SetPrompt(prompt)
		}
		out.endLine()
		line, err := t.ReadLine()
		if err != nil {
			if errors.Is(err, io.EOF) && in.takeInterrupt() {
				// x/term keeps the interrupted line's state; start a
				// fresh terminal (same history) for a clean prompt.
				s.ch.Write([]byte("^C\r\n"))
				pending = nil
				t = newTerm()
				setCompletion(t)
				out.set(t)
				continue
			}
			if errors.Is(err, term.ErrPasteIndicator) {
				err = nil
			} else {
				s.ch.Write([]byte("\r\n"))
				return 0
			}
		}
		if paste, ok := in.takePaste(); ok {
			// x/term showed the first line; show the rest as if typed,
			// then run the paste as one block.
			rest := strings.TrimRight(paste, "\n")
			for _, l := range strings.Split(rest, "\n") {
				fmt.Fprintf(out, "%s%s\n", contPrompt, l)
			}
			block := line + "\n" + rest
			pending = append(pending, block)
			src := strings.Join(pending, "\n")
			if interp.Incomplete(src) {
				continue
			}
			pending = nil
			s.evalAndShow(ip, out, src)
			continue
		}
		if len(pending) == 0 {
			if name, args, ok := parseCommand(line); ok {
				if cmd, full := s.cfg.lookup(name); cmd != nil && full == "quit" {
					return 0
				}
				s.mu.Lock()
				width := s.win.Cols
				s.mu.Unlock()
				ctx, done := s.interruptible(0)
				s.runCommand(ctx, &cmdIO{Stdout: out, Stderr: out, PTY: true, Width: width}, name, args)
				done()
				continue
			}
			if strings.TrimSpace(line) == "" {
				continue
			}
		}
		pending = append(pending, line)
		src := strings.Join(pending, "\n")
		if interp.Incomplete(src) {
			continue
		}
		pending = nil
		s.evalAndShow(ip, out, src)
	}
}

// evalAndShow evaluates src in a terminal session and prints the value or
// the error.
func (s *session) evalAndShow(ip *evaluator, out *termWriter, src string) {
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
