// Package sshd is the manhole's SSH server, usable on its own: it owns the
// listeners (the unix socket file's whole life, in a directory checked by
// the rules of internal/discovery; loopback TCP), an accept loop that
// reads the peer's credentials before a single SSH byte is exchanged,
// authentication by peer uid or public key (package auth decides), the
// limits sshd has (LoginGraceTime, MaxStartups, MaxSessions, MaxAuthTries)
// and graceful shutdown. It hands each "session" channel to a [Handler]
// and knows nothing of what runs in it (package session serves REPLs).
//
//	srv, err := sshd.New(sshd.Config{
//		HostSigner: signer,                 // hostkeys.LoadOrCreate or Generate
//		UIDs:       auth.NewUIDPolicy(nil), // this process's uid and root
//		Keys:       keys,                   // auth.NewKeyPolicy; nil: peer uid only
//		Handler:    serve,                  // one call per session channel
//	})
//	l, err := sshd.ListenUnix("/run/user/1000/app/app.sock")
//	go srv.Serve(l) // one goroutine per listener; none per idle connection
//	...
//	srv.Shutdown(ctx) // sessions are told why they end, then closed
//
// # API
//
//   - [New] makes a [Server] from a [Config]; zero limits take the
//     Default* constants.
//   - [ListenUnix] binds a socket file with mode 0600 that it replaces
//     only when stale and removes on Close ([ErrSocketInUse] for a live
//     one); any net.Listener (loopback TCP) serves as well, where a key is
//     always required.
//   - [Server.Serve] runs one listener's accept loop and returns
//     [ErrServerClosed] after [Server.Close] or [Server.Shutdown]
//     ([ErrOneShot] with Config.OneShot).
//   - A [Handler] gets a context cancelled with [ErrShutdown] or
//     [ErrConnClosed] as its cause, a [SessionInfo] saying who
//     authenticated and how (the peer's [auth.Creds], the key's
//     [auth.Rights], re-checked as the channel opened), and the channel
//     with its requests as x/crypto/ssh has them.
//
// The files follow the connection: server.go (Config, Server, New),
// accept.go (the accept loop, checks before the handshake), authn.go (the
// authentication callbacks), channels.go (session channels and their
// limits), shutdown.go (Close, Shutdown), socket.go (ListenUnix).
//
// # Workarounds for gliderlabs/ssh v0.3.8
//
//   - A zero-config server accepts everyone: a PublicKeyHandler is always
//     set, so gliderlabs never turns NoClientAuth on by itself; the "none"
//     method succeeds only through NoClientAuthCallback, and only for a
//     unix-socket connection whose peer uid was admitted by the accept loop.
//   - It has no handshake deadline: each connection gets a LoginGraceTime
//     timer that closes it unless authentication succeeds in time.
//   - Its session handler can hang on a window-change sent before the
//     shell request, rewrites \n to \r\n in PTY mode and runs handlers
//     without recover: the "session" channel is served by our own code.
//   - Shutdown waits forever for sessions: ours tells sessions why they
//     end, waits until the caller's context expires, then closes.
package sshd
