// Package auth decides who may enter a manhole, and is usable on its own
// by any server that wants sshd's rules: it reads the credentials of the
// process at the other end of a unix socket (before any SSH byte is
// exchanged) and holds the policies that admit or refuse a peer uid or a
// public key, with the rights its authorized_keys line gives.
//
//	creds, err := auth.PeerCreds(conn)             // who connected, per the kernel
//	ok := auth.NewUIDPolicy(nil).Allow(creds)      // this process's uid or root?
//
//	keys, err := auth.NewKeyPolicy(auth.PolicyConfig{AuthorizedKeysFile: path})
//	rights, err := keys.Lookup(key, remoteAddr, time.Now()) // ErrKeyUnknown, ErrKeyExpired...
//
// # API
//
//   - [PeerCreds] returns a unix-socket peer's [Creds] (uid, gid, pid), as
//     tailscale/peercred's Get does; [ErrUnsupported] where the OS or the
//     connection has none. Per-OS code: peercred_linux.go (SO_PEERCRED),
//     peercred_bsd.go (LOCAL_PEERCRED / LOCAL_PEERPID on macOS and
//     FreeBSD).
//   - [UIDPolicy] admits peers by uid.
//   - [KeyPolicy] admits public keys and OpenSSH user certificates from
//     authorized_keys text, an authorized_keys file (re-read when it
//     changes, refused as sshd's StrictModes refuses it:
//     [CheckFileModes]), trusted CA keys and a revocation file (a KRL or
//     a key list). [KeyPolicy.Lookup] returns the [Rights] of the line
//     that admits a key (command=, no-pty, restrict, from=,
//     expiry-time=, inspect-only), or an error saying why not; the
//     sentinel errors ([ErrKeyUnknown], [ErrKeyRevoked], [ErrCert]...)
//     can be tested with errors.Is.
//   - [ParseAuthorizedKeys] parses authorized_keys text alone.
package auth
