package discovery

import (
	"math"
	"os"
)

// Process is what can be learnt about a pid without being its owner.
type Process struct {
	PID    int
	Exists bool
	UID    int    // -1 when unknown
	Name   string // "" when unknown
}

// LookupProcess asks the kernel about pid. A zombie does not exist: it
// will never listen.
func LookupProcess(pid int) Process {
	p := Process{PID: pid, UID: -1}
	if pid <= 0 || pid > math.MaxInt32 {
		// kill(2) takes a pid_t: a larger number would wrap around to
		// some other process, and 0 or less names process groups.
		return p
	}
	lookup(&p)
	return p
}

// Reachable reports whether p runs as our uid (or an unknown one), or
// whether we are root and may reach anyone's: whom a manhole lets in by
// default.
func (p Process) Reachable() bool {
	return os.Getuid() == 0 || p.UID < 0 || p.UID == os.Getuid()
}
