package gops

import (
	"testing"

	"github.com/gomanhole/manhole/internal/bench/benchkit"
	"github.com/gomanhole/manhole/internal/bench/procstat"
)

// BenchmarkIdle starts a manhole (cmd/idle-manhole), a gops agent
// (cmd/idle-gops) or nothing (cmd/idle-none) in a fresh process and
// reports, after a GC:
//
//   - goroutines, heap-B, rss-B: what starting it added in that process;
//   - linked-heap-B, linked-rss-B: what the process holds before starting
//     it, beyond idle-none's process: the cost of linking the package in
//     (package initialisation, symbol tables).
//
// The time per op is a process start and means nothing.
func BenchmarkIdle(b *testing.B) {
	baseline := idleSample(b, "idle-none")
	for _, name := range []string{"manhole", "gops"} {
		b.Run(name, func(b *testing.B) {
			var sum [5]float64
			for b.Loop() {
				s := idleSample(b, "idle-"+name)
				sum[0] += float64(s["after"].Goroutines - s["before"].Goroutines)
				sum[1] += float64(int64(s["after"].HeapAlloc) - int64(s["before"].HeapAlloc))
				sum[2] += float64(int64(s["after"].RSS) - int64(s["before"].RSS))
				sum[3] += float64(int64(s["before"].HeapAlloc) - int64(baseline["before"].HeapAlloc))
				sum[4] += float64(int64(s["before"].RSS) - int64(baseline["before"].RSS))
			}
			n := float64(b.N)
			b.ReportMetric(sum[0]/n, "goroutines")
			b.ReportMetric(sum[1]/n, "heap-B")
			b.ReportMetric(sum[2]/n, "rss-B")
			b.ReportMetric(sum[3]/n, "linked-heap-B")
			b.ReportMetric(sum[4]/n, "linked-rss-B")
		})
	}
}

func idleSample(b *testing.B, name string) map[string]procstat.Stats {
	var s map[string]procstat.Stats
	var args []string
	if name == "idle-manhole" {
		args = []string{"-dir", benchkit.TempDir(b)}
	}
	c := benchkit.StartChild(b, &s, tools.Path(b, name), args...)
	c.Stop()
	return s
}
