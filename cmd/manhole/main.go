// Command manhole finds and reaches manholes: SSH servers that Go programs
// embed with github.com/gomanhole/manhole.
//
//	manhole list [-clean]                   the manholes on this host
//	manhole connect [flags] TARGET          interactive session
//	manhole exec [flags] TARGET CODE...     evaluate once; exit 0 ok, 1 error, 255 no connection
//	manhole exec --fleet [flags] TARGET... -- CODE  the same on many targets (--via, --targets)
//	manhole top [flags] TARGET              live view of the process (:top)
//	manhole proxy [flags] TARGET            stdio bridge for OpenSSH's ProxyCommand
//	manhole ssh-config                      makes "ssh manhole-PID" work
//	manhole known-hosts HOST...             OpenSSH's KnownHostsCommand
//	manhole extract [flags] PACKAGE...      symbol file of the app's packages, for Options.Symbols
//
// TARGET is a pid (or manhole-PID), a socket path, or HOST:PORT. Run
// "manhole help" for the details. It finds manholes, and decides which
// files to believe, by the rules of internal/discovery, the package it
// shares with the library: it is an SSH client and links no SSH server.
// On Windows only HOST:PORT targets are found, and -signal is refused.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
)

// Exit statuses, as ssh's: the remote status passes through, 255 means we
// never reached the manhole.
const (
	exitError   = 1
	exitUsage   = 2
	exitConnect = 255
)

// subcommand is one entry of the command table; the overview and each
// command's -h are both built from it, so they cannot drift apart.
type subcommand struct {
	name     string
	synopsis []string // after "manhole "
	summary  []string // for each synopsis, one line of the overview
	details  string   // the rest of "manhole help NAME"
	flags    func(*flag.FlagSet)
	run      func(c *cli, args []string) int
}

// cli carries the standard streams, so tests can run commands in-process.
type cli struct {
	stdin          io.Reader
	stdout, stderr io.Writer
}

// commandList is the command table. It is a function, not a variable,
// because the run functions look their own usage up in it.
func commandList() []*subcommand {
	return []*subcommand{
		{
			name:     "list",
			synopsis: []string{"list [-clean]"},
			summary:  []string{"list the manholes on this host"},
			details:  listHelp,
			flags:    listFlags,
			run:      (*cli).list,
		},
		{
			name:     "connect",
			synopsis: []string{"connect [flags] TARGET"},
			summary:  []string{"interactive session: a Go REPL"},
			details:  connectHelp,
			flags:    activationFlags,
			run:      (*cli).connect,
		},
		{
			name:     "exec",
			synopsis: []string{"exec [flags] TARGET CODE...", "exec [flags] TARGET -", "exec --fleet [flags] TARGET... -- CODE"},
			summary:  []string{"evaluate CODE (or a :command) once", "run a script read from stdin", "the same on many targets"},
			details:  execHelp,
			flags:    fleetFlags,
			run:      (*cli).exec,
		},
		{
			name:     "top",
			synopsis: []string{"top [flags] TARGET"},
			summary:  []string{"live view: CPU, heap, GC, goroutines"},
			details:  topHelp,
			flags:    activationFlags,
			run:      (*cli).top,
		},
		{
			name:     "proxy",
			synopsis: []string{"proxy [flags] TARGET"},
			summary:  []string{"stdio bridge for OpenSSH's ProxyCommand"},
			details:  proxyHelp,
			flags:    proxyFlags,
			run:      (*cli).proxy,
		},
		{
			name:     "ssh-config",
			synopsis: []string{"ssh-config"},
			summary:  []string{`ssh_config block: "ssh manhole-PID" works`},
			details:  sshConfigHelp,
			run:      (*cli).sshConfig,
		},
		{
			name:     "known-hosts",
			synopsis: []string{"known-hosts HOST..."},
			summary:  []string{"host keys for OpenSSH's KnownHostsCommand"},
			details:  knownHostsHelp,
			run:      (*cli).knownHosts,
		},
		{
			name:     "extract",
			synopsis: []string{"extract [flags] PACKAGE..."},
			summary:  []string{"write the symbol file of app packages"},
			details:  extractHelp,
			flags:    extractFlags,
			run:      (*cli).extract,
		},
		{
			name:     "help",
			synopsis: []string{"help [COMMAND]"},
			summary:  []string{"this text, or a command's details"},
			details:  "Prints the overview, or the usage of COMMAND (as COMMAND -h does).\n",
			run:      (*cli).help,
		},
	}
}

const overviewHead = `manhole - find and reach the manholes of running Go programs

Usage:
`

const overviewTail = `
TARGET is one of:
  PID, manhole-PID  a process on this host: its socket and host key are found
                    in its metadata file (<pid>.json beside the socket)
  PATH              the manhole's unix socket (any argument with a "/")
  [USER@]HOST:PORT  a manhole on TCP: its host key is checked against its
                    metadata file if it runs here, else ~/.ssh/known_hosts;
                    a key of ssh-agent or ~/.ssh (id_ed25519, id_ecdsa,
                    id_rsa) must be in its authorized keys

Where manholes are: $XDG_RUNTIME_DIR/manhole/ and /run/user/<uid>/manhole/,
else /tmp/manhole-<uid>/ (as root: every user's), and on Linux beside any
socket a pid listens on.

Exit status: connect and exec exit with the session's status (exec: 0 ok,
1 evaluation error); 255 when the manhole could not be reached; 2 for a
usage error.

Environment:
  MANHOLE_DIR    look for manholes only in this directory
  SSH_AUTH_SOCK  ssh-agent whose keys are offered to HOST:PORT targets

Run "manhole help COMMAND" for a command's flags and details.
`

func overview() string {
	var b strings.Builder
	b.WriteString(overviewHead)
	for _, c := range commandList() {
		for i, s := range c.synopsis {
			if len(s) > 27 {
				// Too long for the column: the summary goes below.
				fmt.Fprintf(&b, "  manhole %s\n  %-35s  %s\n", s, "", c.summary[i])
				continue
			}
			fmt.Fprintf(&b, "  manhole %-27s  %s\n", s, c.summary[i])
		}
	}
	b.WriteString(overviewTail)
	return b.String()
}

// usageOf is the full help of one command: synopsis, details, flags.
func usageOf(c *subcommand) string {
	var b strings.Builder
	for i, s := range c.synopsis {
		if i == 0 {
			fmt.Fprintf(&b, "Usage: manhole %s\n", s)
		} else {
			fmt.Fprintf(&b, "       manhole %s\n", s)
		}
	}
	fmt.Fprintf(&b, "\n%s", c.details)
	if c.flags != nil {
		fs := flag.NewFlagSet(c.name, flag.ContinueOnError)
		c.flags(fs)
		b.WriteString("\nFlags:\n")
		fs.SetOutput(&b)
		fs.PrintDefaults()
	}
	return b.String()
}

func main() {
	c := &cli{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr}
	os.Exit(c.run(os.Args[1:]))
}

func (c *cli) run(args []string) int {
	if len(args) == 0 {
		fmt.Fprint(c.stderr, overview())
		return exitUsage
	}
	name, args := args[0], args[1:]
	switch name {
	case "-h", "-help", "--help":
		name = "help"
	}
	if sc := lookup(name); sc != nil {
		return sc.run(c, args)
	}
	fmt.Fprintf(c.stderr, "manhole: unknown command %q; run \"manhole help\" for the list\n", name)
	return exitUsage
}

func (c *cli) help(args []string) int {
	if len(args) == 0 {
		fmt.Fprint(c.stdout, overview())
		return 0
	}
	sc := lookup(args[0])
	if sc == nil || len(args) > 1 {
		fmt.Fprintf(c.stderr, "manhole help: unknown command %q; run \"manhole help\" for the list\n", strings.Join(args, " "))
		return exitUsage
	}
	fmt.Fprint(c.stdout, usageOf(sc))
	return 0
}

func lookup(name string) *subcommand {
	for _, sc := range commandList() {
		if sc.name == name {
			return sc
		}
	}
	return nil
}

// parse parses a command's flags. With interspersed, flags may also
// follow the first positional argument (manhole connect 4242 -timeout 10s),
// as people type them; parsing stops at the next positional argument or
// at "--", so CODE may start with "-" after a "--". ok is false when the
// command must return code at once (-h, a bad flag).
func (c *cli) parse(name string, args []string, interspersed bool) (fs *flag.FlagSet, rest []string, code int, ok bool) {
	sc := lookup(name)
	fs = flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(c.stderr)
	// Parse errors are printed by the flag package; -h is handled below.
	fs.Usage = func() {}
	if sc.flags != nil {
		sc.flags(fs)
	}
	fail := func(err error) (*flag.FlagSet, []string, int, bool) {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(c.stdout, usageOf(sc))
			return fs, nil, 0, false
		}
		fmt.Fprintf(c.stderr, "usage: manhole %s\nRun \"manhole help %s\" for details.\n", strings.Join(sc.synopsis, "\n       manhole "), name)
		return fs, nil, exitUsage, false
	}
	if err := fs.Parse(args); err != nil {
		return fail(err)
	}
	rest = fs.Args()
	// After an explicit "--" everything is positional.
	dashdash := len(rest) < len(args) && args[len(args)-len(rest)-1] == "--"
	if interspersed && len(rest) > 0 && !dashdash {
		first := rest[0]
		if err := fs.Parse(rest[1:]); err != nil {
			return fail(err)
		}
		rest = append([]string{first}, fs.Args()...)
	}
	return fs, rest, 0, true
}

// usageError prints msg and the command's synopsis.
func (c *cli) usageError(name, msg string) int {
	sc := lookup(name)
	fmt.Fprintf(c.stderr, "manhole %s: %s\nusage: manhole %s\nRun \"manhole help %s\" for details.\n",
		name, msg, strings.Join(sc.synopsis, "\n       manhole "), name)
	return exitUsage
}
