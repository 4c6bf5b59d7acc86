//go:build unix

package manhole_test

import (
	"encoding/json"
	"fmt"
	"log"
	"net"
	"os"
	"path/filepath"

	gossh "golang.org/x/crypto/ssh"

	"github.com/gomanhole/manhole"
)

// Example embeds a manhole and evaluates an expression in it the way
// `manhole exec` does: over the unix socket, verifying the host key from
// the metadata file (Manhole.MetadataPath).
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

	// The metadata file says which host key the manhole presents.
	var meta struct {
		HostKey string `json:"host_key"`
	}
	b, _ := os.ReadFile(mh.MetadataPath())
	json.Unmarshal(b, &meta)
	hostKey, _, _, _, _ := gossh.ParseAuthorizedKey([]byte(meta.HostKey))
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
