//go:build unix

package diag

import (
	"syscall"
	"time"
)

// processCPU is the CPU time the process used so far, in user and kernel
// mode, from getrusage.
func processCPU() (user, sys time.Duration) {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0, 0
	}
	return time.Duration(ru.Utime.Nano()), time.Duration(ru.Stime.Nano())
}
