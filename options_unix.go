//go:build unix

package manhole

import (
	"fmt"
	"syscall"
)

// unixSockets: a manhole listens on a unix socket unless told otherwise.
const unixSockets = true

func (o *Options) validatePlatform() error {
	if s, ok := o.ActivateOn.(syscall.Signal); o.ActivateOn != nil && (!ok || s == syscall.SIGKILL || s == syscall.SIGSTOP) {
		return fmt.Errorf("manhole: Options.ActivateOn: %v cannot be caught; use SIGUSR1 or SIGUSR2", o.ActivateOn)
	}
	return nil
}
