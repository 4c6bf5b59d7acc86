package main

import (
	"flag"
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

With -host-key, the first line written is "manhole-host-key KEY", the
manhole's host key from its metadata file, before the SSH stream: how
"manhole exec --via" learns each target's key through the same channel
(kubectl, podman, ssh) instead of trusting what answers.
`

func proxyFlags(fs *flag.FlagSet) {
	activationFlags(fs)
	fs.Bool("host-key", false, "first write the line \"manhole-host-key KEY\" (the host key\nthe metadata file vouches for), then the SSH stream")
}

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
	if fs.Lookup("host-key").Value.String() == "true" {
		if t.meta == nil || t.meta.HostKey == "" {
			fmt.Fprintf(c.stderr, "manhole proxy: no metadata file vouches for the host key of %s\n", t)
			return exitConnect
		}
		if _, err := fmt.Fprintf(c.stdout, "%s%s\n", hostKeyPreamble, t.meta.HostKey); err != nil {
			return exitConnect
		}
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
