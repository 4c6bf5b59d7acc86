package main

import (
	"errors"
	"math"
	"os"
	"syscall"
)

// process is what we can learn about a pid without being its owner.
type process struct {
	pid    int
	exists bool
	uid    int    // -1 when unknown
	name   string // "" when unknown
}

// lookupProcess asks the kernel about pid.
func lookupProcess(pid int) process {
	p := process{pid: pid, uid: -1}
	if pid <= 0 || pid > math.MaxInt32 {
		// kill(2) takes a pid_t: a larger number would wrap around to
		// some other process, and 0 or less names process groups.
		return p
	}
	err := syscall.Kill(pid, 0)
	// EPERM: it exists, but we may not signal it (another user's).
	p.exists = err == nil || errors.Is(err, syscall.EPERM)
	if p.exists {
		osProcess(&p)
		if p.uid < 0 && errors.Is(err, syscall.EPERM) && os.Getuid() == 0 {
			p.uid = 0
		}
	}
	return p
}

// reachable reports whether the process runs as our uid (or an unknown
// one), or whether we are root and may reach anyone's.
func (p process) reachable() bool {
	return os.Getuid() == 0 || p.uid < 0 || p.uid == os.Getuid()
}
