// Package hostkeys makes the SSH host key a server presents, and is
// usable by any x/crypto/ssh server: a fresh ed25519 key in memory
// ([Generate]), or one kept in a file across restarts ([LoadOrCreate]:
// created with mode 0600 under a temporary name and renamed into place,
// refused when others may read it). It formats a key for people
// ([Fingerprint], "SHA256:..."), for authorized_keys-style text
// ([AuthorizedKey]) and for a client's known_hosts ([KnownHostsLine]).
//
//	signer, err := hostkeys.LoadOrCreate("/var/lib/app/ssh_host_ed25519_key")
//	cfg.AddHostKey(signer) // an x/crypto/ssh ServerConfig, or sshd.Config.HostSigner
//	fmt.Println(hostkeys.KnownHostsLine([]string{"127.0.0.1:2222"}, signer.PublicKey()))
//
// A manhole on a unix socket needs no key on disk: its clients learn the
// key from the metadata file beside the socket (internal/discovery).
package hostkeys
