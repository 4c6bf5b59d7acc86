//go:build unix

package auth_test

import (
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"log"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/gomanhole/manhole/auth"
)

// ExampleKeyPolicy_Lookup checks public keys against an authorized_keys
// file, as sshd would: the file is refused if another user could change
// it, re-read when it changes, and its options become the key's Rights.
func ExampleKeyPolicy_Lookup() {
	dir, err := os.MkdirTemp("", "auth-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	alice, other := newKey(), newKey()
	line := `restrict,command="uptime" ` + strings.TrimSpace(string(ssh.MarshalAuthorizedKey(alice))) + " alice@laptop\n"
	file := filepath.Join(dir, "authorized_keys")
	if err := os.WriteFile(file, []byte(line), 0o600); err != nil {
		log.Fatal(err)
	}
	keys, err := auth.NewKeyPolicy(auth.PolicyConfig{AuthorizedKeysFile: file})
	if err != nil {
		log.Fatal(err)
	}

	local := &net.UnixAddr{Name: "@", Net: "unix"}
	r, err := keys.Lookup(alice, local, time.Now())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s: command %q, no pty %v\n", r.Comment, r.Command, r.NoPTY)

	_, err = keys.Lookup(other, local, time.Now())
	fmt.Println(errors.Is(err, auth.ErrKeyUnknown), err)
	// Output:
	// alice@laptop: command "uptime", no pty true
	// true auth: key not authorized
}

// ExamplePeerCreds reads who is at the other end of a unix socket, as
// the kernel recorded it when the peer connected.
func ExamplePeerCreds() {
	dir, err := os.MkdirTemp("", "auth-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	l, err := net.Listen("unix", filepath.Join(dir, "s.sock"))
	if err != nil {
		log.Fatal(err)
	}
	defer l.Close()

	client, err := net.Dial("unix", l.Addr().String())
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()
	c, err := l.Accept()
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()

	creds, err := auth.PeerCreds(c)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(creds.UID == os.Getuid(), auth.NewUIDPolicy(nil).Allow(creds))
	// Output: true true
}

func newKey() ssh.PublicKey {
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		log.Fatal(err)
	}
	k, err := ssh.NewPublicKey(pub)
	if err != nil {
		log.Fatal(err)
	}
	return k
}
