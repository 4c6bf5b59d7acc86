package main

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"net"
	"os"
	"os/user"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"
	"golang.org/x/crypto/ssh/knownhosts"

	"github.com/gomanhole/manhole/hostkeys"
	"github.com/gomanhole/manhole/internal/discovery"
)

const dialTimeout = 10 * time.Second

// dial opens an SSH connection to t. The host key must be the one in t's
// metadata file; a TCP target without one must be in known_hosts.
func dial(t *target) (*ssh.Client, error) {
	cfg := &ssh.ClientConfig{User: t.user, Timeout: dialTimeout}
	if cfg.User == "" {
		cfg.User = "manhole"
		if u, err := user.Current(); err == nil {
			cfg.User = u.Username
		}
	}
	if t.meta != nil && t.meta.HostKey != "" {
		want, err := t.meta.PublicKey()
		if err != nil {
			return nil, err
		}
		cfg.HostKeyCallback = metadataKey(t, want)
		cfg.HostKeyAlgorithms = algorithmsFor(want.Type())
	} else if t.meta != nil {
		return nil, fmt.Errorf("the metadata file of pid %d has no host key: cannot verify the manhole at %s", t.meta.PID, t)
	} else if t.socket != "" {
		return nil, fmt.Errorf("no metadata file beside %s: cannot verify the manhole's host key (is it a manhole? its <pid>.json should be in the same directory)", t.socket)
	}

	if t.socket == "" {
		if cfg.HostKeyCallback == nil {
			cb, algos, err := knownHostsCallback(t.addr)
			if err != nil {
				return nil, err
			}
			cfg.HostKeyCallback, cfg.HostKeyAlgorithms = cb, algos
		}
		auth, tried, closeAgent := authMethods()
		defer closeAgent()
		cfg.Auth = auth
		c, err := handshake(t, cfg)
		if err != nil && strings.Contains(err.Error(), "unable to authenticate") {
			return nil, fmt.Errorf("%s refused our keys (%s): add one of their public keys to the manhole's authorized_keys", t.addr, tried)
		}
		return c, err
	}
	return handshake(t, cfg)
}

// dialRaw connects to t's socket or address, with errors that say what
// to do.
func dialRaw(t *target) (net.Conn, error) {
	network, address := "unix", t.socket
	if t.socket == "" {
		network, address = "tcp", t.addr
	}
	c, err := net.DialTimeout(network, address, dialTimeout)
	switch {
	case err == nil:
		return c, nil
	case errors.Is(err, os.ErrPermission):
		return nil, fmt.Errorf("%s: permission denied: %s", address, otherUserHint(discovery.FileOwner(address)))
	case errors.Is(err, syscall.ECONNREFUSED) && network == "unix" && t.pid > 0 && !discovery.LookupProcess(t.pid).Exists:
		return nil, fmt.Errorf("%s refuses connections: pid %d has exited (stale socket; \"manhole list -clean\" removes its files)", address, t.pid)
	case errors.Is(err, syscall.ECONNREFUSED) && network == "unix":
		return nil, fmt.Errorf("%s refuses connections: the manhole is gone (stale socket; \"manhole list -clean\" removes it)", address)
	case errors.Is(err, os.ErrNotExist) && network == "unix":
		return nil, fmt.Errorf("%s: the socket is gone: the manhole was closed", address)
	}
	return nil, err
}

func handshake(t *target, cfg *ssh.ClientConfig) (*ssh.Client, error) {
	c, err := dialRaw(t)
	if err != nil {
		return nil, err
	}
	if t.onConn != nil {
		t.onConn(c)
	}
	network, address := c.RemoteAddr().Network(), t.String()
	// The handshake deadline: a manhole that accepts and then says
	// nothing must not hang us.
	c.SetDeadline(time.Now().Add(cfg.Timeout))
	sc, chans, reqs, err := ssh.NewClientConn(c, address, cfg)
	if err != nil {
		c.Close()
		var kerr *hostKeyError
		switch {
		case errors.As(err, &kerr):
			return nil, kerr
		case network == "unix" && (isEOF(err) || errors.Is(err, syscall.EPIPE) || errors.Is(err, syscall.ECONNRESET)):
			// A refused peer uid is closed before the SSH banner.
			return nil, fmt.Errorf("%s closed the connection before the SSH handshake: it does not let uid %d in (Options.AllowUIDs; by default only its own user and root)", address, os.Getuid())
		}
		return nil, err
	}
	c.SetDeadline(time.Time{})
	return ssh.NewClient(sc, chans, reqs), nil
}

// hostKeyError is a host key that failed verification; its message is
// complete, so dial returns it unwrapped.
type hostKeyError struct{ msg string }

func (e *hostKeyError) Error() string { return e.msg }

func metadataKey(t *target, want ssh.PublicKey) ssh.HostKeyCallback {
	return func(_ string, _ net.Addr, key ssh.PublicKey) error {
		if bytes.Equal(key.Marshal(), want.Marshal()) {
			return nil
		}
		return &hostKeyError{fmt.Sprintf("HOST KEY MISMATCH: %s answered with %s, but the metadata file of pid %d says %s: another process may be impersonating the manhole; not connecting",
			t, hostkeys.Fingerprint(key), t.meta.PID, hostkeys.Fingerprint(want))}
	}
}

// algorithmsFor lists the host key algorithms that a key of type keyType
// can sign with, so the server is asked for the key we can verify.
func algorithmsFor(keyType string) []string {
	if keyType == ssh.KeyAlgoRSA {
		return []string{ssh.KeyAlgoRSASHA512, ssh.KeyAlgoRSASHA256, ssh.KeyAlgoRSA}
	}
	return []string{keyType}
}

// knownHostsFiles are the files ssh consults by default.
func knownHostsFiles() []string {
	var files []string
	if home, err := os.UserHomeDir(); err == nil {
		files = append(files, filepath.Join(home, ".ssh", "known_hosts"))
	}
	return append(files, "/etc/ssh/ssh_known_hosts")
}

// knownHostsCallback verifies addr's key against known_hosts, and returns
// the algorithms of the keys known for it: without them the server may
// present, say, its ed25519 key when only its ecdsa key is known.
func knownHostsCallback(addr string) (ssh.HostKeyCallback, []string, error) {
	var files []string
	for _, f := range knownHostsFiles() {
		if _, err := os.Stat(f); err == nil {
			files = append(files, f)
		}
	}
	name := knownhosts.Normalize(addr)
	unknown := fmt.Errorf("the host key of %s is unknown: no line for %s in %s. On the manhole's host, \"manhole known-hosts %s\" prints its line; or check ssh-keyscan's output against the server's fingerprint, then append it",
		addr, name, strings.Join(knownHostsFiles(), " or "), addr)
	if len(files) == 0 {
		return nil, nil, unknown
	}
	cb, err := knownhosts.New(files...)
	if err != nil {
		return nil, nil, err
	}
	// Ask with a key nobody has: the KeyError lists the known ones.
	_, probe, _ := ed25519.GenerateKey(rand.Reader)
	probeKey, _ := ssh.NewSignerFromKey(probe)
	var algos []string
	var kerr *knownhosts.KeyError
	if err := cb(addr, fakeAddr(addr), probeKey.PublicKey()); errors.As(err, &kerr) {
		for _, k := range kerr.Want {
			for _, a := range algorithmsFor(k.Key.Type()) {
				if !contains(algos, a) {
					algos = append(algos, a)
				}
			}
		}
	}
	if len(algos) == 0 {
		return nil, nil, unknown
	}
	return func(hostname string, remote net.Addr, key ssh.PublicKey) error {
		err := cb(hostname, remote, key)
		var kerr *knownhosts.KeyError
		var rerr *knownhosts.RevokedError
		switch {
		case errors.As(err, &kerr) && len(kerr.Want) > 0:
			w := kerr.Want[0]
			return &hostKeyError{fmt.Sprintf("HOST KEY MISMATCH for %s: it answered with %s, but %s:%d says %s. Someone may be intercepting the connection, or the manhole got a new key: check it, then fix that line",
				addr, hostkeys.Fingerprint(key), w.Filename, w.Line, hostkeys.Fingerprint(w.Key))}
		case errors.As(err, &kerr):
			return &hostKeyError{unknown.Error()}
		case errors.As(err, &rerr):
			return &hostKeyError{fmt.Sprintf("the host key of %s (%s) is revoked in %s:%d", addr, hostkeys.Fingerprint(key), rerr.Revoked.Filename, rerr.Revoked.Line)}
		}
		return err
	}, algos, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// fakeAddr is the net.Addr knownhosts wants for its IP check; it is only
// consulted for the probe, before any connection exists.
func fakeAddr(addr string) net.Addr {
	host, port, _ := net.SplitHostPort(addr)
	a := &net.TCPAddr{IP: net.ParseIP(host)}
	fmt.Sscan(port, &a.Port)
	return a
}

// authMethods offers the keys ssh would: ssh-agent's, then the default
// identity files that need no passphrase. tried describes them for the
// error message.
func authMethods() (methods []ssh.AuthMethod, tried string, closeAgent func()) {
	closeAgent = func() {}
	var signers []ssh.Signer
	var names []string
	if sock := os.Getenv("SSH_AUTH_SOCK"); sock != "" {
		if c, err := net.Dial("unix", sock); err == nil {
			closeAgent = func() { c.Close() }
			if s, err := agent.NewClient(c).Signers(); err == nil && len(s) > 0 {
				signers = append(signers, s...)
				names = append(names, fmt.Sprintf("%d from ssh-agent", len(s)))
			}
		}
	}
	home, _ := os.UserHomeDir()
	for _, name := range []string{"id_ed25519", "id_ecdsa", "id_rsa"} {
		path := filepath.Join(home, ".ssh", name)
		b, err := os.ReadFile(path)
		if err != nil {
			continue
		}
		s, err := ssh.ParsePrivateKey(b)
		var pp *ssh.PassphraseMissingError
		if errors.As(err, &pp) {
			names = append(names, path+" skipped: it has a passphrase, add it to ssh-agent")
			continue
		}
		if err != nil {
			names = append(names, path+" unreadable: "+err.Error())
			continue
		}
		signers = append(signers, s)
		names = append(names, path)
	}
	if len(names) == 0 {
		names = append(names, "no ssh-agent and no ~/.ssh/id_ed25519, id_ecdsa or id_rsa")
	}
	if len(signers) > 0 {
		methods = append(methods, ssh.PublicKeys(signers...))
	}
	return methods, "tried: " + strings.Join(names, ", "), closeAgent
}
