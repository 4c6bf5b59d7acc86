//go:build unix

package main

import (
	"errors"
	"os"
	"strings"
	"syscall"
)

// activationSignal parses -activate-on: nil for "", else SIGUSR1 or
// SIGUSR2 (with or without SIG, any case).
func activationSignal(name string) (os.Signal, error) {
	switch strings.TrimPrefix(strings.ToUpper(name), "SIG") {
	case "":
		return nil, nil
	case "USR1":
		return syscall.SIGUSR1, nil
	case "USR2":
		return syscall.SIGUSR2, nil
	}
	return nil, errors.New("use SIGUSR1 or SIGUSR2")
}
