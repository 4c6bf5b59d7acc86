package manhole

import (
	"os"
	"syscall"
)

// signalNames: Windows has no ActivateOn, so only for messages.
var signalNames = map[os.Signal]string{
	syscall.SIGHUP:  "SIGHUP",
	syscall.SIGINT:  "SIGINT",
	syscall.SIGTERM: "SIGTERM",
	syscall.SIGQUIT: "SIGQUIT",
}
