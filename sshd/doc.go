// Package sshd is the manhole's SSH server: it owns the listeners (the
// unix socket file's whole life, in a directory checked by the rules of
// internal/discovery; loopback TCP), an accept loop that reads
// the peer's credentials before a single SSH byte is exchanged, the
// authentication decision's wiring, connection and session limits, and
// graceful shutdown. github.com/gliderlabs/ssh drives the SSH connection;
// the session channel itself is handed to a [Handler] so that this package
// knows nothing of REPLs.
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
