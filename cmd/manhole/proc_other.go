//go:build !linux && !darwin

package main

// osProcess learns nothing more on systems without /proc or a known sysctl.
func osProcess(p *process) {}

// listeningSockets finds nothing beyond the default directories.
func listeningSockets(pid int) []string { return nil }
