//go:build unix

package main

import (
	"os"
	"syscall"
)

// killGroup ends p's process group: viaProcAttr made p its leader.
func killGroup(p *os.Process) { syscall.Kill(-p.Pid, syscall.SIGKILL) }
