//go:build !unix

package diag

import (
	"runtime/metrics"
	"time"
)

// processCPU is the runtime's estimate of the CPU time the process used:
// runtime/metrics' CPU classes (no split between user and kernel mode;
// everything counts as user).
func processCPU() (user, sys time.Duration) {
	s := []metrics.Sample{{Name: "/cpu/classes/total:cpu-seconds"}, {Name: "/cpu/classes/idle:cpu-seconds"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindFloat64 || s[1].Value.Kind() != metrics.KindFloat64 {
		return 0, 0
	}
	return time.Duration((s[0].Value.Float64() - s[1].Value.Float64()) * 1e9), 0
}
