//go:build !linux && !darwin

package discovery

// osProcess learns nothing more on systems without /proc or a known sysctl.
func osProcess(p *Process) {}

// ListeningSockets finds nothing beyond the default directories.
func ListeningSockets(pid int) []string { return nil }
