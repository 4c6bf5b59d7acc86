package session

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/gomanhole/manhole/interp"
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
	// pages says that in a terminal its output, when taller than the
	// window, goes through the pager; commands that stream (:logs,
	// :cpu) do not.
	pages bool
	// args, if set, lists the words the command takes, for completion.
	args func() []string
	// run executes the command. ctx is cancelled by Ctrl-C, the client's
	// INT signal, a disconnect or the session's end. It returns the exit
	// status of an exec request: 0 ok, 1 failure, 2 bad usage.
	run func(ctx context.Context, s *session, c *cmdIO, args string) int
}

// commands is the table of ':' commands, built once per Server.
func (srv *Server) commands() map[string]*command {
	srv.cmdOnce.Do(func() {
		srv.cmds = map[string]*command{
			"help": {
				summary: "list the commands, or show one command's usage",
				usage:   ":help [COMMAND]",
				pages:   true,
				run:     cmdHelp,
			},
			"packages": {
				summary: "the packages evaluated code can import, and which need no import line",
				usage: `:packages [PREFIX]
  Lists each package with its import path and its number of exported
  names; "auto" marks those its name brings in without an import line.
  Tab after a package name and a dot lists its members.`,
				pages: true,
				run:   cmdPackages,
			},
			"type": {
				summary: "the static type of an expression",
				usage: `:type EXPR
  The type Go gives EXPR: an interface-typed variable shows its interface,
  an untyped constant its default type. EXPR is evaluated but may call
  nothing; for a call at its top, f(x) or v.M(x), only the function is
  looked at and its results shown.`,
				run: cmdType,
			},
			"methods": {
				summary: "the methods of a value, with their signatures",
				usage: `:methods VALUE
  Evaluates VALUE and lists its method set as reflection sees it; for a
  value that is not a pointer, the methods of a pointer to it too.`,
				pages: true,
				run:   cmdMethods,
			},
			"logs": {
				summary: "follow the application's log output until Ctrl-C",
				usage: `:logs
  Shows what the application logs through mh.LogHandler or mh.LogWriter
  from now on. Lines a slow client cannot take are dropped and counted,
  never held up: the application's logging does not wait.`,
				run: cmdLogs,
			},
			"debug": {
				summary: "show the Go source yaegi compiles for each input, once rewritten",
				usage: `:debug [rewrite [on|off]]
  :debug rewrite turns on (or off again) showing, before each input's
  result, the Go source that yaegi compiles for it once manhole has
  rewritten it: the loop variables made per iteration, min and max
  expanded, range over integers and functions, the guards (__mh.*
  calls). :debug alone says what is on. MANHOLE_DEBUG=rewrite in the
  application's environment turns it on in every session.`,
				args: func() []string { return []string{"rewrite"} },
				run:  cmdDebug,
			},
			"quit": {
				summary: "leave the session (Ctrl-D does too)",
				usage:   ":quit",
				run:     func(context.Context, *session, *cmdIO, string) int { return 0 },
			},
		}
		for _, dc := range srv.diagnostics().Commands() {
			srv.cmds[dc.Name] = &command{summary: dc.Summary, usage: dc.Usage, pages: dc.Pages, args: dc.Args, run: diagRun(dc.Run)}
		}
	})
	return srv.cmds
}

// aliases maps short names to commands.
var aliases = map[string]string{"h": "help", "?": "help", "q": "quit", "exit": "quit"}

func (srv *Server) lookup(name string) (*command, string) {
	if a, ok := aliases[name]; ok {
		name = a
	}
	return srv.commands()[name], name
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

// helpTopics are what ":help TOPIC" explains besides the commands.
var helpTopics = map[string]string{
	"keys": `Editing keys (as readline's, emacs mode):
  Enter          run the input; in an unfinished block, start a new line
  Alt-Enter      start a new line even when the input is complete
  Left Right     move by character (Ctrl-B Ctrl-F)
  Alt-b Alt-f    move by word (Ctrl-Left Ctrl-Right, Alt-Left Alt-Right)
  Home End       start and end of the line (Ctrl-A Ctrl-E)
  Up Down        move between the lines of a block; past its first or last
                 line, the previous or next input (Ctrl-P Ctrl-N)
  Ctrl-R Ctrl-S  search the history backwards, forwards; again for the next
                 match; Enter runs it, Ctrl-G gives the line back
  Backspace Del  delete a character (Ctrl-D too, on a non-empty line)
  Ctrl-W         delete the word before the cursor (Alt-Backspace: to a
                 word boundary); Alt-d deletes the word after it
  Ctrl-U Ctrl-K  delete to the start, to the end of the line
  Ctrl-Y         put back what was deleted last
  Ctrl-T         swap two characters
  Ctrl-L         clear the screen
  Tab            complete (see :help completion), or indent
  Ctrl-C         cancel the running evaluation, or drop the input
  Ctrl-D         leave (on an empty line)`,
	"completion": `Tab completes the word before the cursor: names in scope (the
application's values, the session's declarations, packages), a package's
members (strings.Ha<Tab>), fields and methods of the application's
values through chains of fields (store.<Tab>, cfg.Sub.<Tab>), ':'
commands and their arguments (:pprof h<Tab>), and import paths
(import "enc<Tab>). When several names fit, a second Tab lists them.`,
	"history": `History: Up and Down, Ctrl-R and Ctrl-S. A whole block (a function,
a loop) is one entry and comes back whole, to edit and run again.
History belongs to your identity (your key, or your uid): your other
sessions share it while the process runs, and with the application's
HistoryFile option it outlives the process. What you type lands there as
it lands in the audit log, secrets included.`,
	"dump": `dump(x, ...) prints each value in full, with field names and types,
following pointers (cycles are marked): dump(store), dump(cfg.Sub).
The value a plain expression prints is laid out to the window's width and
cut with a note when long; dump shows it all.`,
}

func cmdHelp(_ context.Context, s *session, c *cmdIO, args string) int {
	if args != "" {
		topic := strings.TrimSuffix(strings.TrimPrefix(args, ":"), "()")
		if text, ok := helpTopics[topic]; ok {
			fmt.Fprintln(c.Stdout, text)
			return 0
		}
		cmd, name := s.cfg.lookup(topic)
		if cmd == nil {
			fmt.Fprintf(c.Stderr, "no command or topic %q (:help lists them)\n", name)
			return 2
		}
		fmt.Fprintf(c.Stdout, "%s\n  %s\n", cmd.usage, cmd.summary)
		return 0
	}
	fmt.Fprint(c.Stdout, `Type Go: expressions print their value; statements and declarations run
and persist. The application's values are in scope by name; standard
packages need no import line (:packages lists them). dump(x) prints a
value in full.
  Tab        complete a name, member, command or import path
  Up, Ctrl-R history: the inputs of your key, whole blocks as one
  Ctrl-C     cancel the running evaluation or command, or drop the input
  Ctrl-D     leave (on an empty line); :quit too
Topics: :help keys, :help completion, :help history, :help dump
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

// commandNames lists the ':' commands, for completion.
func (srv *Server) commandNames() []string {
	cmds := srv.commands()
	names := make([]string, 0, len(cmds))
	for n := range cmds {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// commandArgs lists the words command cmd takes, for completion.
func (srv *Server) commandArgs(cmd string) []string {
	if a, ok := aliases[cmd]; ok {
		cmd = a
	}
	if cmd == "help" {
		words := srv.commandNames()
		for t := range helpTopics {
			words = append(words, t)
		}
		slices.Sort(words)
		return words
	}
	if c := srv.commands()[cmd]; c != nil && c.args != nil {
		return c.args()
	}
	return nil
}

func cmdPackages(_ context.Context, s *session, c *cmdIO, args string) int {
	ev, release, err := s.commandEvaluator(c)
	if err != nil {
		fmt.Fprintf(c.Stderr, "cannot start the evaluator: %v\n", err)
		return 1
	}
	defer release()
	w := tabwriter.NewWriter(c.Stdout, 0, 4, 2, ' ', 0)
	n := 0
	for _, p := range ev.ip.Packages() {
		if args != "" && !strings.HasPrefix(p.Path, args) && !strings.HasPrefix(p.Name, args) {
			continue
		}
		auto := ""
		if p.Auto {
			auto = "auto"
		}
		fmt.Fprintf(w, "%s\t%s\t%d names\t%s\n", p.Path, p.Name, p.Names, auto)
		n++
	}
	w.Flush()
	if n == 0 {
		fmt.Fprintf(c.Stderr, "no package matches %q\n", args)
		return 1
	}
	return 0
}

// evalCommand runs one of the ':' commands that evaluate code (:type,
// :methods) as an evaluation: refused to an inspect-only key, logged,
// in the session's turn.
func evalCommand(ctx context.Context, s *session, c *cmdIO, name, args string, f func(ip *interp.Interp) (string, error)) int {
	if strings.TrimSpace(args) == "" {
		fmt.Fprintf(c.Stderr, "usage: :%s EXPR\n", name)
		return 2
	}
	if s.meta.InspectOnly {
		s.log.Info("manhole: eval refused", "session", s.meta.ID, "identity", s.meta.Identity, "code", ":"+name+" "+args, "reason", "inspect-only")
		fmt.Fprintln(c.Stderr, errInspectOnly)
		return 1
	}
	ev, release, err := s.commandEvaluator(c)
	if err != nil {
		fmt.Fprintf(c.Stderr, "cannot start the evaluator: %v\n", err)
		return 1
	}
	defer release()
	var out string
	if turnErr := s.inTurn(ctx, ev, c.Stdout, c.Stderr, func() { out, err = f(ev.ip) }); turnErr != nil {
		fmt.Fprintln(c.Stderr, turnErr)
		return 1
	}
	if err != nil {
		fmt.Fprintln(c.Stderr, err)
		return 1
	}
	fmt.Fprintln(c.Stdout, out)
	return 0
}

func cmdType(ctx context.Context, s *session, c *cmdIO, args string) int {
	return evalCommand(ctx, s, c, "type", args, func(ip *interp.Interp) (string, error) { return ip.TypeOf(ctx, args) })
}

func cmdMethods(ctx context.Context, s *session, c *cmdIO, args string) int {
	return evalCommand(ctx, s, c, "methods", args, func(ip *interp.Interp) (string, error) {
		ms, err := ip.Methods(ctx, args)
		return strings.Join(ms, "\n"), err
	})
}

func cmdDebug(_ context.Context, s *session, c *cmdIO, args string) int {
	switch words := strings.Fields(args); {
	case len(words) == 0:
	case words[0] != "rewrite" || len(words) > 2:
		fmt.Fprintln(c.Stderr, "usage: :debug [rewrite [on|off]]")
		return 2
	case len(words) == 1:
		s.debugRewrite.Store(!s.debugRewrite.Load())
	case words[1] == "on" || words[1] == "off":
		s.debugRewrite.Store(words[1] == "on")
	default:
		fmt.Fprintln(c.Stderr, "usage: :debug [rewrite [on|off]]")
		return 2
	}
	state := "off"
	if s.debugRewrite.Load() {
		state = "on: each input shows the source yaegi compiles"
	}
	fmt.Fprintf(c.Stdout, "rewrite %s\n", state)
	return 0
}
