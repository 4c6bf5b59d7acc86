package discovery

import (
	"golang.org/x/sys/unix"
)

// osProcess fills in the owner and name from the kernel's process table.
func osProcess(p *Process) {
	kp, err := unix.SysctlKinfoProc("kern.proc.pid", p.PID)
	if err != nil || int(kp.Proc.P_pid) != p.PID {
		return
	}
	p.UID = int(kp.Eproc.Ucred.Uid)
	p.Name = unix.ByteSliceToString(kp.Proc.P_comm[:])
}

// ListeningSockets finds nothing beyond the default directories: macOS has
// no /proc to map a pid to its sockets.
func ListeningSockets(pid int) []string { return nil }
