package main

import (
	"os"
	"syscall"
)

// viaProcAttr asks for nothing on Windows: there are no process groups to
// put the via command in.
func viaProcAttr() *syscall.SysProcAttr { return nil }

// killGroup ends p alone: what it started itself may outlive it.
func killGroup(p *os.Process) { p.Kill() }
