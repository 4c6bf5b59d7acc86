// Package bench holds manhole's side-by-side benchmarks: each figure is
// measured in the same run as an anchor (a bare gliderlabs SSH server,
// plain yaegi, plain x/crypto), so that the ratio means something on a
// shared, noisy machine. The benchmarks whose anchor is a gops agent (the
// idle footprint, the goroutine dump) live in the nested module
// internal/bench/gops, so that gops stays out of manhole's go.mod.
//
//	make bench
//
// runs them all (with the other packages' benchmarks) and prints the table
// of figures, anchors and ratios that BENCHMARKS.md keeps. The programs
// under cmd/ are the child processes the benchmarks start: a process is
// the unit of the footprint, and the real ssh client needs one to talk
// to; benchkit is what this package and internal/bench/gops share.
//
// TestBinaryGrowth, a plain test, checks the binary size budget.
package bench
