// Package gops holds the benchmarks whose anchor is a gops agent: the idle
// footprint (BenchmarkIdle) and the goroutine dump of another process
// (BenchmarkGoroutineDump). It is a module of its own, so that gops and
// what it pulls in (gopsutil, go-ole, wmi) stay out of the module graph
// of every program that uses manhole; it uses the manhole of this
// checkout (see the replace directive in go.mod).
//
//	make bench
//
// runs it with the rest and feeds the same table (internal/bench).
package gops
