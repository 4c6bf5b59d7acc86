package main

import (
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"golang.org/x/crypto/ssh"
)

const execHelp = `Evaluates CODE once in the program and prints the result: a Go expression,
statements, or a :command such as :help. Several CODE arguments are joined
with spaces. With "-", a script is read from stdin and evaluated input by
input; it stops at the first error.

No terminal is involved: stdout and stderr stay apart and are passed on byte
for byte. Exit status: 0 ok, 1 evaluation error (the message is on stderr),
255 the manhole could not be reached. Put "--" before CODE that starts with
"-". Ctrl-C interrupts the evaluation; a second one gives up at once.

A pid whose manhole waits for a signal is woken up as by connect.
`

// exec evaluates CODE once.
func (c *cli) exec(args []string) int {
	fs, rest, code, ok := c.parse("exec", args, true)
	if !ok {
		return code
	}
	if len(rest) < 2 {
		return c.usageError("exec", "want TARGET and CODE (or - to read a script from stdin)")
	}
	src := strings.Join(rest[1:], " ")
	t, err := resolve(rest[0], activationFrom(fs))
	if err != nil {
		fmt.Fprintf(c.stderr, "manhole exec: %v\n", err)
		return exitConnect
	}
	client, err := dial(t)
	if err != nil {
		fmt.Fprintf(c.stderr, "manhole exec: %v\n", err)
		return exitConnect
	}
	defer client.Close()
	sess, err := client.NewSession()
	if err != nil {
		fmt.Fprintf(c.stderr, "manhole exec: %v\n", err)
		return exitConnect
	}
	defer sess.Close()
	sess.Stdout, sess.Stderr = c.stdout, c.stderr

	// The evaluation runs in the program: Ctrl-C must stop it there, not
	// just end us and leave it running until its timeout.
	ints := make(chan os.Signal, 2)
	signal.Notify(ints, syscall.SIGINT)
	defer signal.Stop(ints)
	done := make(chan struct{})
	defer close(done)
	go func() {
		select {
		case <-ints:
			sess.Signal(ssh.SIGINT)
		case <-done:
			return
		}
		select {
		case <-ints:
			fmt.Fprintln(c.stderr, "manhole exec: interrupted")
			os.Exit(130)
		case <-done:
		}
	}()

	if src == "-" {
		sess.Stdin = c.stdin
		err = sess.Shell()
	} else {
		err = sess.Start(src)
	}
	if err != nil {
		fmt.Fprintf(c.stderr, "manhole exec: %v\n", err)
		return exitConnect
	}
	return exitCode(sess.Wait(), c.stderr)
}
