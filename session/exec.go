package session

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/gomanhole/manhole/interp"
)

// execTimeout is the bound on one evaluation without a terminal.
func (s *session) execTimeout() time.Duration {
	switch t := s.cfg.ExecTimeout; {
	case t == 0:
		return DefaultExecTimeout
	case t < 0:
		return 0
	default:
		return t
	}
}

// exec evaluates the command of an exec request. stdout gets the value
// and whatever the code printed, byte for byte; an error goes to stderr
// and the exit status is 1.
func (s *session) exec(code string) int {
	var stdout, stderr io.Writer = s.ch, s.ch.Stderr()
	s.mu.Lock()
	pty := s.pty
	s.mu.Unlock()
	if pty {
		// A forced command on a terminal: the client's tty expects \r\n.
		stdout, stderr = crlfWriter{stdout}, crlfWriter{stderr}
	}
	if name, args, ok := parseCommand(code); ok {
		return s.execCommand(stdout, stderr, pty, name, args)
	}
	ip, release, err := s.acquire(stdout, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "manhole: cannot start the evaluator: %v\n", err)
		return 1
	}
	defer release()
	return s.evalPrint(ip, code, stdout, stderr)
}

// evalPrint evaluates src without a terminal and reports the outcome as
// an exit status.
func (s *session) evalPrint(ip *evaluator, src string, stdout, stderr io.Writer) int {
	res, err := s.evaluate(ip, stdout, stderr, src, s.execTimeout())
	if err != nil {
		fmt.Fprintf(stderr, "%v\n", err)
		return 1
	}
	if res.HasValue {
		fmt.Fprintf(stdout, "%s\n", res.Value)
	}
	return 0
}

// execCommand runs a ':' command without a terminal: no timeout (a CPU
// profile takes as long as asked), but the client's INT signal and a
// disconnect stop it.
// With pty set (a forced command on a terminal), stdout rewrites \n, so
// commands print text instead of binary.
func (s *session) execCommand(stdout, stderr io.Writer, pty bool, name, args string) int {
	ctx, done := s.interruptible(0)
	defer done()
	width := defaultCols
	if pty {
		s.mu.Lock()
		width = s.win.Cols
		s.mu.Unlock()
	}
	return s.runCommand(ctx, &cmdIO{Stdout: stdout, Stderr: stderr, PTY: pty, Width: width}, name, args)
}

// script evaluates a program piped to a shell request without a terminal,
// one complete input at a time, and stops at the first error.
func (s *session) script() int {
	stdout, stderr := s.ch, s.ch.Stderr()
	ip, release, err := s.acquire(stdout, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "manhole: cannot start the evaluator: %v\n", err)
		return 1
	}
	defer release()

	sc := bufio.NewScanner(s.ch)
	sc.Buffer(make([]byte, 0, 64<<10), maxCommand)
	var pending []string
	lineNo, startLine := 0, 1
	for sc.Scan() {
		lineNo++
		line := sc.Text()
		if len(pending) == 0 {
			startLine = lineNo
			if strings.TrimSpace(line) == "" {
				continue
			}
			if name, args, ok := parseCommand(line); ok {
				if code := s.execCommand(stdout, stderr, false, name, args); code != 0 {
					return code
				}
				continue
			}
		}
		pending = append(pending, line)
		src := strings.Join(pending, "\n")
		if interp.Incomplete(src) {
			continue
		}
		pending = nil
		if code := s.evalPrint(ip, src, stdout, prefixWriter{stderr, fmt.Sprintf("line %d: ", startLine)}); code != 0 {
			return code
		}
	}
	if err := sc.Err(); err != nil {
		fmt.Fprintf(stderr, "manhole: reading script: %v\n", err)
		return 1
	}
	if len(pending) > 0 {
		fmt.Fprintf(stderr, "line %d: unexpected end of input\n", startLine)
		return 1
	}
	return 0
}

// prefixWriter puts a prefix before an error message.
type prefixWriter struct {
	w      io.Writer
	prefix string
}

func (p prefixWriter) Write(b []byte) (int, error) {
	if _, err := io.WriteString(p.w, p.prefix); err != nil {
		return 0, err
	}
	return p.w.Write(b)
}

// crlfWriter turns \n into \r\n for a client's terminal.
type crlfWriter struct{ w io.Writer }

func (c crlfWriter) Write(p []byte) (int, error) {
	if _, err := c.w.Write(bytes.ReplaceAll(p, []byte("\n"), []byte("\r\n"))); err != nil {
		return 0, err
	}
	return len(p), nil
}
