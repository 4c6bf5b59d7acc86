package main

import (
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
