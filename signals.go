package manhole

import (
	"os"
	"syscall"
)

var signalNames = map[os.Signal]string{
	syscall.SIGUSR1:  "SIGUSR1",
	syscall.SIGUSR2:  "SIGUSR2",
	syscall.SIGHUP:   "SIGHUP",
	syscall.SIGINT:   "SIGINT",
	syscall.SIGTERM:  "SIGTERM",
	syscall.SIGQUIT:  "SIGQUIT",
	syscall.SIGWINCH: "SIGWINCH",
}
