package main

import (
	"errors"
	"os"
)

// activationSignal refuses any -activate-on: Windows has no signals to
// activate on (Options.ActivateOn is refused there too).
func activationSignal(name string) (os.Signal, error) {
	if name == "" {
		return nil, nil
	}
	return nil, errors.New("activation by a signal is not supported on Windows")
}
