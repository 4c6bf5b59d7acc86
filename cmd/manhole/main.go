// Command manhole finds and talks to manholes: SSH servers that Go
// programs embed with github.com/gomanhole/manhole.
//
//	manhole connect TARGET         interactive session
//	manhole exec TARGET CODE...    evaluate once; exit 0 ok, 1 error, 255 no connection
//	manhole proxy TARGET           stdio bridge for OpenSSH's ProxyCommand
//
// TARGET is a process id or a socket path.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
)

const usage = `manhole - reach the manhole of a running Go program

Usage:
  manhole connect TARGET         interactive session (a REPL) in the program
  manhole exec TARGET CODE...    evaluate CODE once and print the result;
                                 exit status 0 ok, 1 evaluation error,
                                 255 could not connect. CODE "-" reads stdin.
  manhole proxy TARGET           bridge stdin/stdout to the manhole's socket,
                                 for OpenSSH: ssh -o ProxyCommand='manhole proxy TARGET' x
  manhole help                   this text

TARGET is the pid of a process with a manhole, or the path of its socket.
The host key is verified against the metadata file the manhole writes
beside its socket (<pid>.json).
`

// exitUsage and exitConnect mirror ssh's exit statuses.
const (
	exitError   = 1
	exitUsage   = 2
	exitConnect = 255
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	cmd, args := args[0], args[1:]
	switch cmd {
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	case "proxy":
		return cmdProxy(args, stdin, stdout, stderr)
	case "connect":
		return cmdConnect(args, stderr)
	case "exec":
		return cmdExec(args, stdin, stdout, stderr)
	}
	fmt.Fprintf(stderr, "manhole: unknown command %q\n\n%s", cmd, usage)
	return exitUsage
}

// newFlags returns a flag set whose -h prints the subcommand's usage.
func newFlags(name, synopsis string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: manhole %s\n", synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// parseErr is the exit status for a flag parse error: 0 for -h.
func parseErr(err error) int {
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	return exitUsage
}
