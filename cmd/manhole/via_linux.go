package main

import "syscall"

// viaProcAttr puts a via command in a process group of its own, for a
// timeout to kill with whatever it started, and has the kernel kill it
// if we die without doing so (SIGKILL cannot be caught).
func viaProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
