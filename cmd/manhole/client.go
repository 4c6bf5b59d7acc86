package main

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"os/user"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/gomanhole/manhole/hostkeys"
)

// dial opens an SSH connection to t, verifying the host key against t's
// metadata file.
func dial(t *target) (*ssh.Client, error) {
	if t.meta == nil {
		return nil, fmt.Errorf("no metadata file beside %s: cannot verify the host key", t.socket)
	}
	want, err := t.meta.PublicKey()
	if err != nil {
		return nil, err
	}
	c, err := net.DialTimeout("unix", t.socket, 10*time.Second)
	if err != nil {
		if errors.Is(err, os.ErrPermission) {
			return nil, fmt.Errorf("%s: permission denied: the manhole belongs to another user", t.socket)
		}
		return nil, err
	}
	name := "manhole"
	if u, err := user.Current(); err == nil {
		name = u.Username
	}
	cfg := &ssh.ClientConfig{
		User: name,
		HostKeyCallback: func(hostname string, remote net.Addr, key ssh.PublicKey) error {
			if !bytes.Equal(key.Marshal(), want.Marshal()) {
				return fmt.Errorf("host key mismatch: the socket answered with %s but the metadata file of pid %d says %s; another process may be impersonating the manhole",
					hostkeys.Fingerprint(key), t.meta.PID, hostkeys.Fingerprint(want))
			}
			return nil
		},
		HostKeyAlgorithms: []string{want.Type()},
		Timeout:           10 * time.Second,
	}
	// The handshake deadline: a manhole that accepts and then says nothing
	// (a refused peer is closed at once) must not hang us.
	c.SetDeadline(time.Now().Add(cfg.Timeout))
	sc, chans, reqs, err := ssh.NewClientConn(c, t.socket, cfg)
	if err != nil {
		c.Close()
		if isEOF(err) {
			return nil, fmt.Errorf("%s: the manhole closed the connection before the handshake: your uid is probably not allowed", t.socket)
		}
		return nil, err
	}
	c.SetDeadline(time.Time{})
	return ssh.NewClient(sc, chans, reqs), nil
}
