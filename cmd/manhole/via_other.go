//go:build unix && !linux

package main

import "syscall"

// viaProcAttr puts a via command in a process group of its own, for a
// timeout to kill with whatever it started. (No parent-death signal
// outside Linux: SIGTERM and SIGHUP are handled instead.)
func viaProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}
