package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"golang.org/x/crypto/ssh"
	"golang.org/x/term"
)

func isEOF(err error) bool {
	return errors.Is(err, io.EOF) || strings.Contains(err.Error(), "EOF")
}

// cmdConnect runs an interactive session, like ssh -t: the local terminal
// is raw while connected and restored on every way out.
func cmdConnect(args []string, stderr io.Writer) int {
	fs := newFlags("connect", "connect TARGET", stderr)
	if err := fs.Parse(args); err != nil {
		return parseErr(err)
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return exitUsage
	}
	t, err := resolve(fs.Arg(0))
	if err != nil {
		fmt.Fprintf(stderr, "manhole connect: %v\n", err)
		return exitConnect
	}
	client, err := dial(t)
	if err != nil {
		fmt.Fprintf(stderr, "manhole connect: %v\n", err)
		return exitConnect
	}
	defer client.Close()
	sess, err := client.NewSession()
	if err != nil {
		fmt.Fprintf(stderr, "manhole connect: %v\n", err)
		return exitConnect
	}
	defer sess.Close()
	sess.Stdin, sess.Stdout, sess.Stderr = os.Stdin, os.Stdout, os.Stderr

	fd := int(os.Stdin.Fd())
	if term.IsTerminal(fd) {
		cols, rows, err := term.GetSize(fd)
		if err != nil {
			cols, rows = 80, 24
		}
		termEnv := os.Getenv("TERM")
		if termEnv == "" {
			termEnv = "xterm"
		}
		if err := sess.RequestPty(termEnv, rows, cols, ssh.TerminalModes{ssh.ECHO: 1}); err != nil {
			fmt.Fprintf(stderr, "manhole connect: %v\n", err)
			return exitConnect
		}
		old, err := term.MakeRaw(fd)
		if err != nil {
			fmt.Fprintf(stderr, "manhole connect: %v\n", err)
			return exitConnect
		}
		restore := func() { term.Restore(fd, old) }
		defer restore()

		sigs := make(chan os.Signal, 4)
		signal.Notify(sigs, syscall.SIGWINCH, syscall.SIGTERM, syscall.SIGHUP)
		defer signal.Stop(sigs)
		go func() {
			for sig := range sigs {
				if sig == syscall.SIGWINCH {
					if c, r, err := term.GetSize(fd); err == nil {
						sess.WindowChange(r, c)
					}
					continue
				}
				// Killed from outside: leave the terminal usable.
				restore()
				os.Exit(exitConnect)
			}
		}()
	}
	if err := sess.Shell(); err != nil {
		fmt.Fprintf(stderr, "manhole connect: %v\n", err)
		return exitConnect
	}
	return exitCode(sess.Wait(), stderr)
}

// exitCode turns a session's end into our exit status, as ssh does.
func exitCode(err error, stderr io.Writer) int {
	var ee *ssh.ExitError
	var missing *ssh.ExitMissingError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ee):
		return ee.ExitStatus()
	case errors.As(err, &missing):
		fmt.Fprintln(stderr, "manhole: connection to the manhole lost")
		return exitConnect
	}
	fmt.Fprintf(stderr, "manhole: %v\n", err)
	return exitConnect
}
