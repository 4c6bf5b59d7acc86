package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"sync"
	"syscall"

	"golang.org/x/crypto/ssh"
	"golang.org/x/term"
)

const connectHelp = `Opens an interactive session in the program: a Go REPL against the values
it exposes, like "ssh -t". While connected the local terminal is raw; it is
restored however the session ends, even if the program dies. TERM and the
window size are sent, and resizes follow. The session's exit status becomes
manhole's; 255 means the manhole could not be reached or the connection was
lost.

Without a terminal on stdin, stdin is evaluated as a script (as exec - does).

A pid whose manhole waits for a signal (its metadata file says
"activate_on") is sent that signal first; -signal sends one even without a
metadata file.
`

const topHelp = `Opens the program's live view (the :top command) full-screen in this
terminal: process CPU, heap, GC, goroutines and scheduling latency with
their sparklines, the goroutine groups and the sessions, redrawn every
second. q or Ctrl-C leaves; s changes the sort, + and - the interval. The
terminal is restored however it ends, even if the program dies.

Without a terminal on stdin, prints one text snapshot (as
"manhole exec TARGET :top" does; ":top -n 5" prints five).
`

// top opens :top on the local terminal.
func (c *cli) top(args []string) int {
	return c.interactive("top", args, ":top")
}

func isEOF(err error) bool {
	return errors.Is(err, io.EOF)
}

// connect runs an interactive session, like ssh -t.
func (c *cli) connect(args []string) int {
	return c.interactive("connect", args, "")
}

// interactive runs a session on the local terminal: the REPL (command
// "") or one command, as ssh -t does.
func (c *cli) interactive(name string, args []string, command string) int {
	fs, rest, code, ok := c.parse(name, args, true)
	if !ok {
		return code
	}
	if len(rest) != 1 {
		return c.usageError(name, "want exactly one TARGET")
	}
	t, err := resolve(rest[0], activationFrom(fs))
	if err != nil {
		fmt.Fprintf(c.stderr, "manhole %s: %v\n", name, err)
		return exitConnect
	}
	client, err := dial(t)
	if err != nil {
		fmt.Fprintf(c.stderr, "manhole %s: %v\n", name, err)
		return exitConnect
	}
	defer client.Close()
	sess, err := client.NewSession()
	if err != nil {
		fmt.Fprintf(c.stderr, "manhole %s: %v\n", name, err)
		return exitConnect
	}
	defer sess.Close()
	// The screen modes the session turns on (the alternate screen of
	// :top, a hidden cursor, bracketed paste) are turned off again if
	// the session ends without doing it: the program died, the
	// connection dropped.
	screen := &screenModes{w: c.stdout}
	sess.Stdin, sess.Stdout, sess.Stderr = c.stdin, screen, c.stderr

	restore := func() {}
	if f, isFile := c.stdin.(*os.File); isFile && term.IsTerminal(int(f.Fd())) {
		fd := int(f.Fd())
		cols, rows, err := term.GetSize(fd)
		if err != nil || cols <= 0 || rows <= 0 {
			cols, rows = 80, 24
		}
		termEnv := os.Getenv("TERM")
		if termEnv == "" {
			termEnv = "xterm"
		}
		if err := sess.RequestPty(termEnv, rows, cols, ssh.TerminalModes{ssh.ECHO: 1}); err != nil {
			fmt.Fprintf(c.stderr, "manhole %s: %v\n", name, err)
			return exitConnect
		}
		// Installed before the terminal turns raw: a SIGTERM from then
		// on must find a handler that restores it.
		sigs := make(chan os.Signal, 4)
		signal.Notify(sigs, append([]os.Signal{syscall.SIGTERM, syscall.SIGHUP, syscall.SIGINT, syscall.SIGQUIT}, resizeSignals...)...)
		defer signal.Stop(sigs)
		old, err := term.MakeRaw(fd)
		if err != nil {
			fmt.Fprintf(c.stderr, "manhole %s: %v\n", name, err)
			return exitConnect
		}
		var once sync.Once
		restore = func() {
			once.Do(func() {
				screen.reset()
				term.Restore(fd, old)
			})
		}
		defer restore()
		go func() {
			for sig := range sigs {
				if slices.Contains(resizeSignals, sig) {
					if cols, rows, err := term.GetSize(fd); err == nil && cols > 0 && rows > 0 {
						sess.WindowChange(rows, cols)
					}
					continue
				}
				// Killed from outside: leave the terminal usable and
				// exit as ssh does.
				restore()
				fmt.Fprintf(c.stderr, "manhole %s: %v\n", name, sig)
				os.Exit(exitConnect)
			}
		}()
	}
	if command == "" {
		err = sess.Shell()
	} else {
		err = sess.Start(command)
	}
	if err != nil {
		restore()
		fmt.Fprintf(c.stderr, "manhole %s: %v\n", name, err)
		return exitConnect
	}
	err = sess.Wait()
	// Restored before any message, which would otherwise staircase.
	restore()
	return exitCode(err, c.stderr)
}

// exitCode turns a session's end into our exit status, as ssh does.
func exitCode(err error, stderr io.Writer) int {
	var ee *ssh.ExitError
	var missing *ssh.ExitMissingError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ee):
		if ee.Signal() != "" {
			fmt.Fprintf(stderr, "manhole: the session ended with signal %s\n", ee.Signal())
			return exitConnect
		}
		return ee.ExitStatus()
	case errors.As(err, &missing), isEOF(err):
		fmt.Fprintln(stderr, "manhole: connection to the manhole lost (the program exited or closed it)")
		return exitConnect
	}
	fmt.Fprintf(stderr, "manhole: %v\n", err)
	return exitConnect
}
