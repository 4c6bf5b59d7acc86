package hostkeys

import (
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"strings"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

// Generate returns a new ed25519 host key that lives only in memory: a
// manhole on a unix socket needs no key on disk, since clients learn it
// from the metadata file.
func Generate() (ssh.Signer, error) {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("hostkeys: generate: %w", err)
	}
	return ssh.NewSignerFromKey(priv)
}

// Fingerprint is the OpenSSH SHA256 fingerprint of key ("SHA256:...").
func Fingerprint(key ssh.PublicKey) string { return ssh.FingerprintSHA256(key) }

// AuthorizedKey formats key as one line of authorized_keys / known_hosts
// key syntax, without the trailing newline ("ssh-ed25519 AAAA...").
func AuthorizedKey(key ssh.PublicKey) string {
	return strings.TrimSuffix(string(ssh.MarshalAuthorizedKey(key)), "\n")
}

// KnownHostsLine is the known_hosts line that makes an OpenSSH client
// trust key for the given hosts ("127.0.0.1:2222", "app.internal"),
// their ports written as OpenSSH writes them ("[127.0.0.1]:2222"), with
// no trailing newline.
func KnownHostsLine(hosts []string, key ssh.PublicKey) string {
	return knownhosts.Line(hosts, key)
}
