//go:build unix

package hostkeys_test

import (
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/gomanhole/manhole/hostkeys"
)

// ExampleLoadOrCreate keeps a host key across restarts: the first call
// creates the file, the next ones load the same key from it.
func ExampleLoadOrCreate() {
	dir, err := os.MkdirTemp("", "hostkeys-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "ssh_host_ed25519_key")

	first, err := hostkeys.LoadOrCreate(path) // creates it
	if err != nil {
		log.Fatal(err)
	}
	again, err := hostkeys.LoadOrCreate(path) // loads it
	if err != nil {
		log.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(first.PublicKey().Type(), st.Mode().Perm())
	fmt.Println(hostkeys.Fingerprint(first.PublicKey()) == hostkeys.Fingerprint(again.PublicKey()))
	// Output:
	// ssh-ed25519 -rw-------
	// true
}

// ExampleKnownHostsLine prints the line a client's known_hosts needs to
// trust a manhole's host key over TCP.
func ExampleKnownHostsLine() {
	signer, err := hostkeys.Generate()
	if err != nil {
		log.Fatal(err)
	}
	line := hostkeys.KnownHostsLine([]string{"127.0.0.1:2222"}, signer.PublicKey())
	fmt.Println(line[:len("[127.0.0.1]:2222 ssh-ed25519 ")])
	// Output: [127.0.0.1]:2222 ssh-ed25519
}
