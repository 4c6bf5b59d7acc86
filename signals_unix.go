//go:build unix

package manhole

import (
	"os"
	"syscall"
)

// signalNames are the conventional names of the signals an app may
// activate on, or otherwise handle.
var signalNames = map[os.Signal]string{
	syscall.SIGUSR1:  "SIGUSR1",
	syscall.SIGUSR2:  "SIGUSR2",
	syscall.SIGHUP:   "SIGHUP",
	syscall.SIGINT:   "SIGINT",
	syscall.SIGTERM:  "SIGTERM",
	syscall.SIGQUIT:  "SIGQUIT",
	syscall.SIGWINCH: "SIGWINCH",
}
