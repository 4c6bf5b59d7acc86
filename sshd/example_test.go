//go:build unix

package sshd_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"

	gossh "golang.org/x/crypto/ssh"

	"github.com/gomanhole/manhole/auth"
	"github.com/gomanhole/manhole/hostkeys"
	"github.com/gomanhole/manhole/sshd"
)

// Example serves SSH on a unix socket that only this process's user and
// root may use: the accept loop reads the peer's uid before the
// handshake, and a peer it admits logs in without a key. The handler
// answers an exec request with the command and who sent it.
func Example() {
	dir, err := os.MkdirTemp("", "sshd-example") // mode 0700, as ListenUnix wants
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	signer, err := hostkeys.Generate()
	if err != nil {
		log.Fatal(err)
	}
	srv, err := sshd.New(sshd.Config{
		HostSigner: signer,
		UIDs:       auth.NewUIDPolicy(nil), // this process's uid and root
		Handler:    whoami,
	})
	if err != nil {
		log.Fatal(err)
	}
	l, err := sshd.ListenUnix(filepath.Join(dir, "app.sock")) // mode 0600
	if err != nil {
		log.Fatal(err)
	}
	go srv.Serve(l) // returns ErrServerClosed after Close
	defer srv.Close()

	client, err := gossh.Dial("unix", l.Path(), &gossh.ClientConfig{
		User:            "me",
		HostKeyCallback: gossh.FixedHostKey(signer.PublicKey()),
	})
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()
	sess, err := client.NewSession()
	if err != nil {
		log.Fatal(err)
	}
	out, err := sess.Output("whoami")
	fmt.Printf("%s, err %v\n", out, err)
	// Output: whoami: peer-uid, the same uid as this process: true, err <nil>
}

// whoami is an sshd.Handler: it serves one "session" channel, here by
// answering its exec request.
func whoami(ctx context.Context, info *sshd.SessionInfo, ch gossh.Channel, reqs <-chan *gossh.Request) {
	defer ch.Close()
	for req := range reqs {
		if req.Type != "exec" {
			req.Reply(false, nil)
			continue
		}
		var exec struct{ Command string }
		gossh.Unmarshal(req.Payload, &exec)
		req.Reply(true, nil)
		fmt.Fprintf(ch, "%s: %s, the same uid as this process: %v", exec.Command, info.Method, info.Peer.UID == os.Getuid())
		ch.SendRequest("exit-status", false, gossh.Marshal(struct{ Status uint32 }{0}))
		return
	}
}
