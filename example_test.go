package manhole_test

import (
	"fmt"
	"log"
	"net"
	"os"
	"path/filepath"
	"strconv"

	gossh "golang.org/x/crypto/ssh"

	"github.com/gomanhole/manhole"
	"github.com/gomanhole/manhole/hostkeys"
)

// Example embeds a manhole and evaluates an expression in it the way
// `manhole exec` does: over the unix socket, verifying the host key from
// the metadata file.
func Example() {
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)

	hits := 41
	mh, err := manhole.Start(manhole.Options{
		SocketPath: filepath.Join(dir, "app.sock"),
		Namespace:  map[string]any{"hits": &hits},
	})
	if err != nil {
		log.Fatal(err)
	}
	defer mh.Close()

	meta, _ := hostkeys.ReadMetadata(filepath.Join(dir, strconv.Itoa(os.Getpid())+".json"))
	hostKey, _ := meta.PublicKey()
	conn, _ := net.Dial("unix", mh.SocketPath())
	c, chans, reqs, err := gossh.NewClientConn(conn, "app", &gossh.ClientConfig{
		User:            "me",
		HostKeyCallback: gossh.FixedHostKey(hostKey),
	})
	if err != nil {
		log.Fatal(err)
	}
	client := gossh.NewClient(c, chans, reqs)
	defer client.Close()

	sess, _ := client.NewSession()
	out, _ := sess.Output("*hits += 1; *hits")
	fmt.Print(string(out))
	fmt.Println(hits)
	// Output:
	// 42
	// 42
}
