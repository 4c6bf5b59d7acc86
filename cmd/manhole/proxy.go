package main

import (
	"fmt"
	"io"
	"net"
)

// cmdProxy copies stdin to the socket and the socket to stdout until both
// directions end: OpenSSH's ProxyCommand contract.
func cmdProxy(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := newFlags("proxy", "proxy TARGET", stderr)
	if err := fs.Parse(args); err != nil {
		return parseErr(err)
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return exitUsage
	}
	t, err := resolve(fs.Arg(0))
	if err != nil {
		fmt.Fprintf(stderr, "manhole proxy: %v\n", err)
		return exitConnect
	}
	c, err := net.Dial("unix", t.socket)
	if err != nil {
		fmt.Fprintf(stderr, "manhole proxy: %v\n", err)
		return exitConnect
	}
	uc := c.(*net.UnixConn)
	done := make(chan struct{})
	go func() {
		io.Copy(uc, stdin)
		uc.CloseWrite()
		close(done)
	}()
	_, err = io.Copy(stdout, uc)
	uc.Close()
	if err != nil {
		fmt.Fprintf(stderr, "manhole proxy: %v\n", err)
		return exitConnect
	}
	return 0
}
