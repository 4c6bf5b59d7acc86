package main

import (
	"fmt"
	"io"
)

const proxyHelp = `Copies stdin to the manhole and the manhole to stdout, for OpenSSH's
ProxyCommand; the host key is ssh's to verify (see ssh-config and
known-hosts). TARGET may be manhole-PID, as ssh's %n gives it for
"ssh manhole-PID".

  ssh -o ProxyCommand='manhole proxy 4242' app 'store.Len()'
  ssh -o ProxyCommand='ssh HOST manhole proxy 4242' app
  ssh -o ProxyCommand='kubectl exec -i POD -- manhole proxy 1' app
  ssh -o ProxyCommand='docker exec -i CONTAINER manhole proxy 1' app

A pid whose manhole waits for a signal is woken up as by connect.
`

// proxy copies stdin to the socket and the socket to stdout until the
// manhole's side ends: OpenSSH's ProxyCommand contract.
func (c *cli) proxy(args []string) int {
	fs, rest, code, ok := c.parse("proxy", args, true)
	if !ok {
		return code
	}
	if len(rest) != 1 {
		return c.usageError("proxy", "want exactly one TARGET")
	}
	t, err := resolve(rest[0], activationFrom(fs))
	if err != nil {
		fmt.Fprintf(c.stderr, "manhole proxy: %v\n", err)
		return exitConnect
	}
	conn, err := dialRaw(t)
	if err != nil {
		fmt.Fprintf(c.stderr, "manhole proxy: %v\n", err)
		return exitConnect
	}
	defer conn.Close()
	go func() {
		io.Copy(conn, c.stdin)
		// ssh is done sending; the manhole may still be talking.
		if cw, ok := conn.(interface{ CloseWrite() error }); ok {
			cw.CloseWrite()
		}
	}()
	if _, err := io.Copy(c.stdout, conn); err != nil {
		fmt.Fprintf(c.stderr, "manhole proxy: %v\n", err)
		return exitConnect
	}
	return 0
}
