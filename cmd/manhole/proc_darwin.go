package main

import (
	"golang.org/x/sys/unix"
)

// osProcess fills in the owner and name from the kernel's process table.
func osProcess(p *process) {
	kp, err := unix.SysctlKinfoProc("kern.proc.pid", p.pid)
	if err != nil || int(kp.Proc.P_pid) != p.pid {
		return
	}
	p.uid = int(kp.Eproc.Ucred.Uid)
	p.name = unix.ByteSliceToString(kp.Proc.P_comm[:])
}

// listeningSockets finds nothing beyond the default directories: macOS has
// no /proc to map a pid to its sockets.
func listeningSockets(pid int) []string { return nil }
