//go:build unix

package discovery

import (
	"errors"
	"os"
	"syscall"
)

func lookup(p *Process) {
	err := syscall.Kill(p.PID, 0)
	// EPERM: it exists, but we may not signal it (another user's).
	p.Exists = err == nil || errors.Is(err, syscall.EPERM)
	if p.Exists {
		osProcess(p)
		if p.UID < 0 && errors.Is(err, syscall.EPERM) && os.Getuid() == 0 {
			p.UID = 0
		}
	}
}
