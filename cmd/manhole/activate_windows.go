package main

import (
	"errors"
	"fmt"
	"strconv"
	"syscall"
)

// Windows has no signals to wake a dormant manhole with (and a manhole
// there has no ActivateOn): -signal and activate_on are refused, clearly.

func parseSignal(s string) (syscall.Signal, error) {
	return 0, fmt.Errorf("signal %q: %w", s, errNoActivation)
}

func signalName(sig syscall.Signal) string { return "signal " + strconv.Itoa(int(sig)) }

func sendSignal(pid int, sig syscall.Signal) error { return errNoActivation }

// errNoActivation is what -signal and activate_on get where processes
// cannot be signalled.
var errNoActivation = errors.New("activating a manhole by a signal is not supported on Windows: the app must listen on TCP (Options.Addr); connect to HOST:PORT")
