// Package manhole opens an SSH-served manhole inside a running Go program:
// an SSH server on a unix socket where every session is a REPL evaluating
// Go against the values the program chose to expose.
//
//	mh, err := manhole.Start(manhole.Options{
//		Namespace: map[string]any{"cache": cache, "cfg": &cfg},
//	})
//	if err != nil {
//		log.Fatal(err)
//	}
//	defer mh.Close()
//
// Then, from a shell on the same machine:
//
//	$ manhole connect 4242
//	>>> cache.Len()
//	1024
//	$ ssh -o ProxyCommand='manhole proxy 4242' app 'cfg.Level'
//
// # Security
//
// A manhole runs arbitrary code inside your process; it is not a sandbox.
// The socket lives in a directory only your user can enter
// ($XDG_RUNTIME_DIR/manhole or /tmp/manhole-<uid>, mode 0700), the socket
// itself is mode 0600, and the kernel-reported uid of every connecting
// process is checked before the SSH handshake starts: by default only your
// own uid and root get in, and they can already read the process's memory
// with ptrace. Every evaluated statement is written to Options.Logger.
//
// # Finding a manhole
//
// Beside the socket, Start writes <pid>.json ([Manhole.MetadataPath]): the
// process, its socket or TCP address, its activation signal and its SSH
// host key, which the manhole command reads to find the process and to
// verify the key without asking. Close and Shutdown remove it.
//
// # Windows
//
// Windows cannot tell a unix socket's peer uid, so a manhole there listens
// on loopback TCP only: set Options.Addr with AuthorizedKeys or
// TrustedUserCAKeys. Start refuses the options that need a unix system
// (SocketPath, AllowUIDs, ActivateOn, and those that read files whose
// modes it would check), naming each and wrapping errors.ErrUnsupported.
//
// # Cost
//
// An idle manhole is one goroutine blocked in accept: no timers, no
// polling, and no interpreter until the first session opens.
package manhole
