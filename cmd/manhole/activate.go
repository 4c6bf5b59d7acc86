package main

import (
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"syscall"
	"time"

	"github.com/gomanhole/manhole/internal/discovery"
)

// A manhole may wait for a signal before it listens (Options.ActivateOn):
// it then writes a metadata file with "activate_on" and no socket, or no
// metadata at all. connect, exec and proxy send the signal and wait for
// the socket.

const (
	defaultActivateTimeout = 5 * time.Second
	// pollInterval is short because a manhole comes up in milliseconds.
	pollInterval = 20 * time.Millisecond
)

// activation is what the -signal and -timeout flags asked for.
type activation struct {
	signal  string // "" means as the metadata file says, or none
	timeout time.Duration
	enabled bool
}

func activationFlags(fs *flag.FlagSet) {
	fs.String("signal", "", "if the pid has no socket yet, send it signal `NAME` (USR1,\nSIGUSR2, 10, ...) and wait for its manhole; default: the\nsignal its metadata file names (activate_on), else none")
	fs.Duration("timeout", defaultActivateTimeout, "wait at most `D` for the manhole to open after the signal")
}

func activationFrom(fs *flag.FlagSet) activation {
	return activation{
		signal:  fs.Lookup("signal").Value.String(),
		timeout: fs.Lookup("timeout").Value.(flag.Getter).Get().(time.Duration),
		enabled: true,
	}
}

// signalFor picks the activation signal for a pid without a socket: the
// flag's, else the one its metadata names, else none (0).
func (a activation) signalFor(meta *discovery.Metadata) (syscall.Signal, error) {
	if !a.enabled {
		return 0, nil
	}
	if a.signal != "" {
		return parseSignal(a.signal)
	}
	if meta != nil && meta.ActivateOn != "" {
		name := meta.ActivateOn
		sig, err := parseSignal(name)
		if err != nil {
			return 0, fmt.Errorf("the metadata file says activate_on %q: %v; pass -signal NAME", name, err)
		}
		return sig, nil
	}
	return 0, nil
}

// activate sends sig to a process without a socket and polls until its
// manhole is up, it exits, or timeout passes.
func activate(proc discovery.Process, sig syscall.Signal, timeout time.Duration) (*target, error) {
	pid, name := proc.PID, signalName(sig)
	if err := sendSignal(pid, sig); err != nil {
		if errors.Is(err, syscall.EPERM) {
			return nil, fmt.Errorf("cannot send %s to pid %d: it belongs to %s: %s", name, pid, discovery.DescribeUser(proc.UID), otherUserHint(proc.UID))
		}
		return nil, fmt.Errorf("cannot send %s to pid %d: %w", name, pid, err)
	}
	owner := proc.UID
	if owner < 0 {
		owner = os.Getuid()
	}
	deadline := time.Now().Add(timeout)
	for {
		f := find(pid, owner)
		// The library binds the socket, then writes the metadata: wait
		// for both, since the host key is in the metadata.
		if f.ready() && f.meta != nil && f.meta.HostKey != "" && accepts(f.socket) {
			return f.target(pid), nil
		}
		if !discovery.LookupProcess(pid).Exists {
			return nil, fmt.Errorf("pid %d%s exited after %s without opening its manhole (a program that does not handle %s may die of it)",
				pid, nameOf(proc), name, name)
		}
		if time.Now().After(deadline) {
			if f.ready() {
				return f.target(pid), nil
			}
			return nil, fmt.Errorf("timed out after %v waiting for pid %d%s to open its manhole after %s: does it activate on %s (Options.ActivateOn)? If it is just slow, raise -timeout",
				timeout, pid, nameOf(proc), name, name)
		}
		time.Sleep(pollInterval)
	}
}

// accepts reports whether a unix socket takes connections; between its
// bind and its listen, or while a one-shot manhole closes it, one that
// exists refuses them. A probe that connects and leaves does not count as
// a one-shot manhole's connection. An empty socket (TCP) is not probed.
func accepts(socket string) bool {
	if socket == "" {
		return true
	}
	c, err := net.DialTimeout("unix", socket, dialTimeout)
	if err != nil {
		return !errors.Is(err, syscall.ECONNREFUSED)
	}
	c.Close()
	return true
}
