//go:build unix

package manhole_test

import "syscall"

var sigusr2 = syscall.SIGUSR2
