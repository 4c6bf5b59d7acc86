//go:build !linux

package bench

import "net"

// quickAck is Linux's TCP_QUICKACK; elsewhere the listener is unchanged.
func quickAck(l net.Listener) net.Listener { return l }
