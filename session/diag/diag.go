package diag

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"runtime/pprof"
	"slices"
	"sort"
	"time"
)

// Host is what the diagnostics need from the manhole that serves them,
// shared by all its sessions. Its methods are called from the sessions'
// goroutines, concurrently.
type Host interface {
	// Sessions lists the live sessions, oldest first (:sessions, :top).
	Sessions() []SessionInfo
	// Kick ends session id and tells its client reason (:kick). For an
	// unknown id it returns an error that wraps ErrNoSession.
	Kick(id uint64, reason string) error
	// Leftovers counts the goroutines that ended sessions left running
	// (:sessions).
	Leftovers() int
	// Namespace is the values the application exposes (:vars); nil for
	// none. The map is read, never written.
	Namespace() map[string]any
	// Logger receives what goes wrong in a command (a panic in :top's
	// view); never nil.
	Logger() *slog.Logger
}

// ErrNoSession is what Host.Kick wraps for an unknown session id.
var ErrNoSession = errors.New("no such session")

// SessionInfo describes a live session, for :sessions and :top.
type SessionInfo struct {
	ID uint64
	// Identity is the key fingerprint, or "peer uid N".
	Identity string
	// UID and PID are the unix-socket peer's, or -1.
	UID, PID int
	Since    time.Time
	// Mode is "pty", "exec" or "script" ("" before shell or exec).
	Mode string
	// Activity is what the session runs now: code, a :command, or "".
	Activity string
	// Goroutines is how many goroutines the session's code runs now; -1
	// before it has an interpreter.
	Goroutines int
}

// Env is what one run of a command gets from the session that runs it.
type Env struct {
	// Stdout and Stderr are where the command writes. In a terminal
	// session they go through the terminal's line discipline (\n becomes
	// \r\n), so binary output must not be written there: commands check
	// PTY and print a readable summary instead.
	Stdout, Stderr io.Writer
	// PTY is true in a terminal session.
	PTY bool
	// Width is the terminal's width in columns (80 without a terminal).
	Width int
	// Session is the id of the session that runs the command, as
	// Host.Sessions lists it.
	Session uint64
	// InspectOnly says that the session may look at the process but not
	// change it (GC settings, other sessions).
	InspectOnly bool
	// Terminal is the client's terminal, for a view that takes the whole
	// screen (:top); nil without a terminal.
	Terminal Terminal
}

// Terminal is a client's terminal, which a full-screen view takes over
// while the session waits for the command to return.
type Terminal interface {
	// Write writes to the client's screen as is: no \n to \r\n.
	io.Writer
	// Stderr writes to the client's stderr as is.
	Stderr() io.Writer
	// Size is the window's size now, in columns and rows (0: unknown).
	Size() (cols, rows int)
	// Take hands the terminal to a view until release is called: every
	// keystroke goes to key instead of the line editor (Ctrl-C and the
	// end of the client's input cancel the command's context first, as
	// they do for any command; a paste is dropped whole), resized is
	// called after each window change, and restore before the session
	// is ended from outside (:kick, shutdown), so that the client's
	// screen is back when the session says why it ends. None of the
	// three may block.
	Take(key func(byte), resized, restore func()) (release func())
}

// Command is one diagnostic command, ":" Name in a session.
type Command struct {
	Name string
	// Summary is the one line :help shows.
	Summary string
	// Usage is what ":help NAME" shows after the summary, starting with
	// the command line, e.g. ":setgc [PERCENT|off]".
	Usage string
	// Pages says that in a terminal the output, when taller than the
	// window, may go through a pager; commands that stream (:cpu, :top)
	// do not.
	Pages bool
	// Args, if set, lists the words the command takes, for completion.
	Args func() []string
	// Run executes the command. ctx is cancelled by Ctrl-C, the client's
	// INT signal, a disconnect or the session's end. It returns the exit
	// status of an exec request: 0 ok, 1 failure, 2 bad usage.
	Run func(ctx context.Context, e *Env, args string) int
}

// Set is the diagnostic commands of one manhole, and the :top sampler
// its sessions share. Building one starts nothing: the sampler runs
// while someone watches :top, and only then.
type Set struct {
	host Host
	top  *topSampler
}

// New returns the diagnostics of the manhole h.
func New(h Host) *Set {
	return &Set{host: h, top: &topSampler{watchers: map[chan struct{}]struct{}{}}}
}

// Commands returns the commands, sorted by name.
func (d *Set) Commands() []Command {
	cmds := []Command{
		{
			Name:    "goroutines",
			Summary: "every goroutine, grouped by identical stack, longest waiting first",
			Usage: `:goroutines [-stacks|-full]
  Groups goroutines that share a state and a stack (arguments and offsets
  aside), the groups that have waited longest first, and prints a row per
  group: its count, its state and the innermost frame outside the runtime.
  -stacks prints each group's whole stack, -full the runtime's raw dump.`,
			Pages: true,
			Args:  func() []string { return []string{"-full"} },
			Run:   cmdGoroutines,
		},
		{
			Name:    "mem",
			Summary: "heap, stacks, GC and scheduler figures",
			Usage: `:mem
  Reads runtime/metrics: no stop-the-world.`,
			Pages: true,
			Run:   cmdMem,
		},
		{
			Name:    "gc",
			Summary: "run a garbage collection and show the heap before and after",
			Usage:   ":gc",
			Pages:   true,
			Run:     cmdGC,
		},
		{
			Name:    "setgc",
			Summary: "show or set the GC percentage (GOGC)",
			Usage: `:setgc [PERCENT|off]
  debug.SetGCPercent: 100 is the default, off disables the collector
  (GOMEMLIMIT still applies). Without an argument, shows the setting.`,
			Args: offArg,
			Run:  cmdSetGC,
		},
		{
			Name:    "memlimit",
			Summary: "show or set the soft memory limit (GOMEMLIMIT)",
			Usage: `:memlimit [BYTES|off]
  debug.SetMemoryLimit. BYTES is a number with an optional suffix B, KiB,
  MiB, GiB or TiB (as in GOMEMLIMIT), e.g. 512MiB; at least 1 MiB. off
  removes the limit. Without an argument, shows the setting.`,
			Args: offArg,
			Run:  cmdMemLimit,
		},
		{
			Name:    "pprof",
			Summary: "write a profile: heap, allocs, goroutine, block, mutex, threadcreate",
			Usage: `:pprof NAME
  Without a terminal (ssh HOST ':pprof heap' > heap.pb.gz) writes the
  gzipped protobuf that go tool pprof reads; in a terminal, prints the top
  functions instead. block and mutex stay empty unless the application
  sets runtime.SetBlockProfileRate / runtime.SetMutexProfileFraction.`,
			Pages: true,
			Args:  profileNames,
			Run:   cmdPprof,
		},
		{
			Name:    "cpu",
			Summary: "profile the CPU for SECONDS (default 30)",
			Usage: fmt.Sprintf(`:cpu [SECONDS]
  Without a terminal (ssh HOST ':cpu 30' > cpu.pb.gz) writes the gzipped
  protobuf that go tool pprof reads; in a terminal, prints the top
  functions. Ctrl-C (or the INT signal) stops early and keeps what was
  collected. At most %d seconds; one CPU profile at a time per process.`, maxProfileSeconds),
			Run: cmdCPU,
		},
		{
			Name:    "trace",
			Summary: "record an execution trace for SECONDS (default 5)",
			Usage: fmt.Sprintf(`:trace [SECONDS]
  Binary only: ssh HOST ':trace 5' > trace.out && go tool trace trace.out.
  Ctrl-C (or the INT signal) stops early and keeps what was recorded.
  At most %d seconds; one trace at a time per process.`, maxProfileSeconds),
			Run: cmdTrace,
		},
		{
			Name:    "build",
			Summary: "Go version, main module, dependencies, VCS and build settings",
			Usage:   ":build",
			Pages:   true,
			Run:     cmdBuild,
		},
		{
			Name:    "vars",
			Summary: "the values the application exposes: names, types, values",
			Usage:   ":vars",
			Pages:   true,
			Run:     d.cmdVars,
		},
		{
			Name:    "sessions",
			Summary: "who is connected and what each session runs",
			Usage: `:sessions
  The current session is marked with *.`,
			Pages: true,
			Run:   d.cmdSessions,
		},
		{
			Name:    "kick",
			Summary: "end another session",
			Usage: `:kick ID
  ID is from :sessions. The client is told who ended it and exits 255.`,
			Run: d.cmdKick,
		},
		{
			Name:    "top",
			Summary: "live view: CPU, heap, GC, goroutines, scheduler, sessions (q quits)",
			Usage:   topUsage,
			Run:     d.cmdTop,
		},
	}
	sort.Slice(cmds, func(i, j int) bool { return cmds[i].Name < cmds[j].Name }) // not generic: see profile.go
	return cmds
}

func offArg() []string { return []string{"off"} }

// profileNames lists the profiles :pprof writes, sorted.
func profileNames() []string {
	var names []string
	for _, p := range pprof.Profiles() {
		names = append(names, p.Name())
	}
	slices.Sort(names)
	return names
}

// refuseInspectOnly tells an inspect-only session that it may look at
// the process but not change it (GC settings, other sessions), and
// reports whether it did.
func refuseInspectOnly(c *Env) bool {
	if !c.InspectOnly {
		return false
	}
	fmt.Fprintln(c.Stderr, "refused: this key is inspect-only; it may look at the process but not change it")
	return true
}
