package session_test

import (
	"context"
	"fmt"
	"io"
	"log"
	"net"

	gossh "golang.org/x/crypto/ssh"

	"github.com/gomanhole/manhole/hostkeys"
	"github.com/gomanhole/manhole/interp"
	"github.com/gomanhole/manhole/session"
)

// Example serves Go REPL sessions from an SSH server of one's own (plain
// x/crypto/ssh here, on loopback TCP): every "session" channel it
// accepts is handed to Server.Serve, which answers shell, exec and
// pty requests. The client runs one expression, as `ssh host CODE` does.
func Example() {
	srv := &session.Server{
		NewInterp: func(stdout, stderr io.Writer, width func() int) (*interp.Interp, error) {
			return interp.New(interp.Options{
				Namespace: map[string]any{"answer": 41},
				Stdout:    stdout, Stderr: stderr, Width: width,
			})
		},
	}
	defer srv.Close()

	signer, err := hostkeys.Generate()
	if err != nil {
		log.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	defer l.Close()
	go func() {
		for {
			nc, err := l.Accept()
			if err != nil {
				return
			}
			go serveSSH(nc, signer, srv)
		}
	}()

	client, err := gossh.Dial("tcp", l.Addr().String(), &gossh.ClientConfig{
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
	out, err := sess.Output("answer + 1")
	fmt.Printf("%s", out)
	fmt.Println("exit error:", err)
	// Output:
	// 42
	// exit error: <nil>
}

// serveSSH is an SSH server that lets everyone in (never do this over a
// network: see package sshd for one that checks who connects) and serves
// each session channel with srv.
func serveSSH(nc net.Conn, signer gossh.Signer, srv *session.Server) {
	cfg := &gossh.ServerConfig{NoClientAuth: true}
	cfg.AddHostKey(signer)
	conn, chans, reqs, err := gossh.NewServerConn(nc, cfg)
	if err != nil {
		return
	}
	defer conn.Close()
	go gossh.DiscardRequests(reqs)
	var id uint64
	for newCh := range chans {
		if newCh.ChannelType() != "session" {
			newCh.Reject(gossh.UnknownChannelType, "sessions only")
			continue
		}
		ch, chReqs, err := newCh.Accept()
		if err != nil {
			continue
		}
		id++
		meta := session.Meta{ID: id, Identity: "example", UID: -1, PID: -1, Remote: nc.RemoteAddr().String()}
		go srv.Serve(context.Background(), meta, ch, chReqs)
	}
}
