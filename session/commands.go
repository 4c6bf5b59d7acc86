package session

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
)

// cmdIO is where a ':' command writes. In a terminal session Stdout goes
// through x/term (\n becomes \r\n), so binary output must not be written
// there: commands check PTY and print a readable summary instead.
type cmdIO struct {
	Stdout, Stderr io.Writer
	// PTY is true in an interactive terminal session.
	PTY bool
	// Width is the terminal width in columns (80 without a terminal).
	Width int
}

// command is one built-in ':' command.
type command struct {
	// summary is the one line :help shows.
	summary string
	// usage is what ":help NAME" shows after the summary: arguments and
	// details. It starts with the command line, e.g. ":setgc PERCENT".
	usage string
	// run executes the command. ctx is cancelled by Ctrl-C, the client's
	// INT signal, a disconnect or the session's end. It returns the exit
	// status of an exec request: 0 ok, 1 failure, 2 bad usage.
	run func(ctx context.Context, s *session, c *cmdIO, args string) int
}

// commands is the table of ':' commands, built once per Config.
func (cfg *Config) commands() map[string]*command {
	cfg.cmdOnce.Do(func() {
		cfg.cmds = map[string]*command{
			"help": {
				summary: "list the commands, or show one command's usage",
				usage:   ":help [COMMAND]",
				run:     cmdHelp,
			},
			"quit": {
				summary: "leave the session (Ctrl-D does too)",
				usage:   ":quit",
				run:     func(context.Context, *session, *cmdIO, string) int { return 0 },
			},
		}
		for name, c := range diagCommands() {
			cfg.cmds[name] = c
		}
	})
	return cfg.cmds
}

// aliases maps short names to commands.
var aliases = map[string]string{"h": "help", "?": "help", "q": "quit", "exit": "quit"}

func (cfg *Config) lookup(name string) (*command, string) {
	if a, ok := aliases[name]; ok {
		name = a
	}
	return cfg.commands()[name], name
}

// runCommand runs ":name args" and returns its exit status.
func (s *session) runCommand(ctx context.Context, c *cmdIO, name, args string) int {
	cmd, name := s.cfg.lookup(name)
	if cmd == nil {
		fmt.Fprintf(c.Stderr, "unknown command :%s (type :help for the list)\n", name)
		return 2
	}
	s.log.Info("manhole: command", "session", s.meta.ID, "identity", s.meta.Identity, "command", ":"+name, "args", args)
	s.setActivity(":" + strings.TrimSpace(name+" "+args))
	defer s.setActivity("")
	return cmd.run(ctx, s, c, args)
}

func cmdHelp(_ context.Context, s *session, c *cmdIO, args string) int {
	if args != "" {
		cmd, name := s.cfg.lookup(strings.TrimPrefix(args, ":"))
		if cmd == nil {
			fmt.Fprintf(c.Stderr, "no command :%s\n", name)
			return 2
		}
		fmt.Fprintf(c.Stdout, "%s\n  %s\n", cmd.usage, cmd.summary)
		return 0
	}
	fmt.Fprint(c.Stdout, `Type Go: expressions print their value; statements and declarations run
and persist. The application's values are in scope by name; standard
packages need no import line.
  Ctrl-C     cancel the running evaluation or command, or clear the line
  Ctrl-D     leave (on an empty line)
Commands (":help NAME" for usage):
`)
	cmds := s.cfg.commands()
	names := make([]string, 0, len(cmds))
	for n := range cmds {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		fmt.Fprintf(c.Stdout, "  :%-11s %s\n", n, cmds[n].summary)
	}
	return 0
}
