// Package bench holds manhole's side-by-side benchmarks: each figure is
// measured in the same run as an anchor (a gops agent, a bare gliderlabs
// SSH server, plain yaegi, plain x/crypto), so that the ratio means
// something on a shared, noisy machine.
//
//	make bench
//
// runs them all (with the other packages' benchmarks) and prints the table
// of figures, anchors and ratios that BENCHMARKS.md keeps. The programs
// under cmd/ are the child processes the benchmarks start: a process is
// the unit of the idle footprint, and the real ssh and gops clients need
// one to talk to.
//
// TestBinaryGrowth, a plain test, checks the binary size budget.
package bench
