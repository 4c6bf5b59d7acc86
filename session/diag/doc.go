// Package diag is the diagnostics of a manhole session, as
// net/http/pprof is net/http's: the ':' commands that look at the
// running process, and the few that tune it. Package session registers
// them beside its own (:help, :packages, :logs...) and runs them.
//
//	:goroutines        every goroutine, grouped by identical stack
//	:mem, :gc          heap, stacks, GC and scheduler figures; a collection
//	:setgc, :memlimit  GOGC and GOMEMLIMIT
//	:pprof, :cpu       profiles: binary without a terminal, the top
//	                   functions in one
//	:trace             an execution trace (binary only)
//	:build             Go version, modules, VCS and build settings
//	:vars              the values the application exposes
//	:sessions, :kick   who is connected; end a session
//	:top               a live view of all of it
//
// # What the host provides
//
// A [Set] is built once per manhole by [New] from a [Host]: the live
// sessions and a way to end one, the goroutines that ended sessions left
// running, the application's namespace, and a logger. Each run of a
// command gets an [Env] from the session that runs it: where to write,
// whether that is a terminal and how wide, the session's id and whether
// it is inspect-only, and in a terminal session its [Terminal], which
// :top takes over for its full-screen view (raw output, the window's
// size, the keystrokes). The run's context is its cancellation: Ctrl-C,
// the client's INT signal, a disconnect, the session's end.
//
// Over exec, binary output (profiles, traces) goes to Env.Stdout byte for
// byte; in a terminal, whose line discipline would corrupt it, the
// commands print a summary and how to fetch the file.
//
// # The idle path
//
// Nothing here runs unless a command does. The one thing that keeps
// running while a command waits, :top's sampler (a goroutine and a
// ticker), starts with the first session that watches and stops, its
// history dropped, when the last one leaves; all the watchers of a Set
// share it.
package diag
