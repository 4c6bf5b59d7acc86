package main

import (
	"fmt"
	"io"
	"strings"
)

// cmdExec evaluates CODE once: stdout and stderr stay apart and binary
// safe (no terminal is requested).
func cmdExec(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := newFlags("exec", "exec TARGET CODE... (CODE - reads a script from stdin)", stderr)
	if err := fs.Parse(args); err != nil {
		return parseErr(err)
	}
	if fs.NArg() < 2 {
		fs.Usage()
		return exitUsage
	}
	t, err := resolve(fs.Arg(0))
	if err != nil {
		fmt.Fprintf(stderr, "manhole exec: %v\n", err)
		return exitConnect
	}
	client, err := dial(t)
	if err != nil {
		fmt.Fprintf(stderr, "manhole exec: %v\n", err)
		return exitConnect
	}
	defer client.Close()
	sess, err := client.NewSession()
	if err != nil {
		fmt.Fprintf(stderr, "manhole exec: %v\n", err)
		return exitConnect
	}
	defer sess.Close()
	sess.Stdout, sess.Stderr = stdout, stderr
	code := strings.Join(fs.Args()[1:], " ")
	if code == "-" {
		sess.Stdin = stdin
		err = sess.Shell()
	} else {
		err = sess.Start(code)
	}
	if err != nil {
		fmt.Fprintf(stderr, "manhole exec: %v\n", err)
		return exitConnect
	}
	return exitCode(sess.Wait(), stderr)
}
