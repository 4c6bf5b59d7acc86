package discovery

import (
	"errors"
	"syscall"
)

// lookup opens the process for its exit code: a handle may outlive the
// process. Windows has no uids; the name is not looked up.
func lookup(p *Process) {
	const queryLimitedInformation = 0x1000 // PROCESS_QUERY_LIMITED_INFORMATION
	const stillActive = 259                // STILL_ACTIVE
	h, err := syscall.OpenProcess(queryLimitedInformation, false, uint32(p.PID))
	if errors.Is(err, syscall.ERROR_ACCESS_DENIED) {
		p.Exists = true
		return
	}
	if err != nil {
		return
	}
	defer syscall.CloseHandle(h)
	var code uint32
	p.Exists = syscall.GetExitCodeProcess(h, &code) == nil && code == stillActive
}
