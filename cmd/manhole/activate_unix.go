//go:build unix

package main

import (
	"fmt"
	"strconv"
	"strings"
	"syscall"
)

// The signals a Go program can reasonably activate on. A Go program that
// does not handle USR1, USR2, WINCH, CONT, URG or IO ignores it; HUP, INT,
// TERM, QUIT and ALRM end it.
var signalNames = []struct {
	name string
	sig  syscall.Signal
}{
	{"USR1", syscall.SIGUSR1}, {"USR2", syscall.SIGUSR2}, {"HUP", syscall.SIGHUP},
	{"INT", syscall.SIGINT}, {"QUIT", syscall.SIGQUIT}, {"TERM", syscall.SIGTERM},
	{"ALRM", syscall.SIGALRM}, {"WINCH", syscall.SIGWINCH}, {"CONT", syscall.SIGCONT},
	{"URG", syscall.SIGURG}, {"IO", syscall.SIGIO},
}

// parseSignal accepts USR1, SIGUSR1, sigusr1 or a number.
func parseSignal(s string) (syscall.Signal, error) {
	name := strings.TrimPrefix(strings.ToUpper(s), "SIG")
	if n, err := strconv.Atoi(s); err == nil {
		sig := syscall.Signal(n)
		switch {
		case sig == syscall.SIGKILL || sig == syscall.SIGSTOP:
			return 0, fmt.Errorf("signal %d (%s) cannot activate anything", n, signalName(sig))
		case n < 1 || n > 64:
			return 0, fmt.Errorf("no signal %d", n)
		}
		return sig, nil
	}
	for _, s := range signalNames {
		if s.name == name {
			return s.sig, nil
		}
	}
	return 0, fmt.Errorf("unknown signal %q (use USR1, USR2, HUP, ... or a number)", s)
}

func signalName(sig syscall.Signal) string {
	for _, s := range signalNames {
		if s.sig == sig {
			return "SIG" + s.name
		}
	}
	switch sig {
	case syscall.SIGKILL:
		return "SIGKILL"
	case syscall.SIGSTOP:
		return "SIGSTOP"
	}
	return "signal " + strconv.Itoa(int(sig))
}

func sendSignal(pid int, sig syscall.Signal) error { return syscall.Kill(pid, sig) }
