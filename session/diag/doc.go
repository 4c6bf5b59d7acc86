// Package diag is the diagnostics of a manhole session: the ':' commands
// that look at the running process and tune it, as net/http/pprof is
// net/http's. Package session registers them beside its own (:help,
// :packages, :logs...) and runs them.
//
//	:goroutines  every goroutine, grouped by identical stack
//	:mem, :gc    heap, stacks, GC and scheduler figures; a collection
//	:setgc       GOGC; :memlimit, GOMEMLIMIT
//	:pprof, :cpu profiles, :trace an execution trace: binary without a
//	             terminal, the top functions in one
//	:build       Go version, modules, VCS and build settings
//	:vars        the values the application exposes
//	:sessions    who is connected; :kick ends a session
//	:top         a live view of all of it
//
// # What the host provides
//
// A [Set] is built once per manhole with [New] from a [Host]: the live
// sessions (and a way to end one), the goroutines ended sessions left
// behind, the application's namespace and a logger. Each run of a
// command gets an [Env] from the session that runs it: where to write,
// whether that is a terminal and how wide, the session's id and
// restrictions, and for a terminal session its [Terminal], which :top
// takes over for its full-screen view (raw output, the window's size,
// the keystrokes). Cancellation is the run's context: Ctrl-C, the
// client's INT signal, a disconnect, the session's end.
//
// # The idle path
//
// Nothing here runs unless a command does. :top's sampler, the only
// goroutine and timer of the package, starts with the first session
// that watches and stops, its history dropped, when the last one leaves;
// every watcher of a Set shares it.
package diag
