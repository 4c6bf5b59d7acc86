// Package testkit is what manhole's tests share across packages: one rule
// for external tools a test needs (Need), one polling helper (Eventually)
// and one x/crypto SSH client harness (ClientConfig, Client, Dial,
// Connect).
package testkit

import (
	"bytes"
	"errors"
	"net"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"
)

// Need makes sure the external program tool (a name looked up in PATH,
// or an absolute path) is there. If it is not, the test is skipped with
// install, the command that installs it, in the message; but when the
// environment variable CI is set the test fails instead, so that CI
// never passes by skipping.
func Need(t testing.TB, tool, install string) {
	t.Helper()
	var err error
	if strings.ContainsRune(tool, '/') {
		_, err = os.Stat(tool)
	} else {
		_, err = exec.LookPath(tool)
	}
	if err == nil {
		return
	}
	if os.Getenv("CI") != "" {
		t.Fatalf("%s is needed (CI is set, so this is a failure, not a skip): %s", tool, install)
	}
	t.Skipf("%s is not installed: %s", tool, install)
}

// The install commands of the tools the tests use (Debian package names,
// as .ci/run installs them).
const (
	InstallSSH    = "apt-get install -y openssh-client"
	InstallSSHD   = "apt-get install -y openssh-server"
	InstallNC     = "apt-get install -y netcat-openbsd"
	InstallTmux   = "apt-get install -y tmux"
	InstallPodman = "apt-get install -y podman runc"
)

// EventuallyTimeout is how long Eventually waits: generous, for -race on
// a busy two-core machine.
const EventuallyTimeout = 20 * time.Second

// Eventually polls cond until it holds, and fails the test with what (the
// condition awaited, in words) and every goroutine's stack if it does not
// within EventuallyTimeout.
func Eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(EventuallyTimeout)
	for !cond() {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			t.Fatalf("timed out after %v waiting for %s\n%s", EventuallyTimeout, what, buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// HandshakeTimeout bounds a test client's dial and SSH handshake.
const HandshakeTimeout = 20 * time.Second

// ClientConfig is the tests' client: user "test", trusting exactly
// hostKey, offering auth (none: the unix peer's uid lets it in).
func ClientConfig(hostKey gossh.PublicKey, auth ...gossh.AuthMethod) *gossh.ClientConfig {
	return &gossh.ClientConfig{
		User:            "test",
		Auth:            auth,
		HostKeyCallback: gossh.FixedHostKey(hostKey),
		Timeout:         HandshakeTimeout,
	}
}

// Client runs the SSH handshake over c with cfg, under a deadline of
// HandshakeTimeout (x/crypto's Timeout bounds only the dial), and closes
// c if it fails.
func Client(c net.Conn, cfg *gossh.ClientConfig) (*gossh.Client, error) {
	addr := "test"
	if ra := c.RemoteAddr(); ra != nil && ra.String() != "" {
		addr = ra.String()
	}
	c.SetDeadline(time.Now().Add(HandshakeTimeout))
	sc, chans, reqs, err := gossh.NewClientConn(c, addr, cfg)
	if err != nil {
		c.Close()
		return nil, err
	}
	c.SetDeadline(time.Time{})
	return gossh.NewClient(sc, chans, reqs), nil
}

// Dial connects to addr on network ("unix" or "tcp") and runs Client.
func Dial(network, addr string, cfg *gossh.ClientConfig) (*gossh.Client, error) {
	c, err := net.DialTimeout(network, addr, HandshakeTimeout)
	if err != nil {
		return nil, err
	}
	return Client(c, cfg)
}

// Connect is Dial for a client the test needs: it fails the test if the
// connection or the handshake fails, and closes the client when the test
// ends.
func Connect(t testing.TB, network, addr string, cfg *gossh.ClientConfig) *gossh.Client {
	t.Helper()
	client, err := Dial(network, addr, cfg)
	if err != nil {
		t.Fatalf("ssh %s %s: %v", network, addr, err)
	}
	t.Cleanup(func() { client.Close() })
	return client
}

// Exec runs code as one exec request on a new session of client and
// returns what it wrote to stdout and stderr and its exit status; err is
// set only when the request did not run to an exit status (the session
// could not open, or the connection broke).
func Exec(client *gossh.Client, code string) (stdout, stderr string, status int, err error) {
	sess, err := client.NewSession()
	if err != nil {
		return "", "", -1, err
	}
	defer sess.Close()
	var o, e bytes.Buffer
	sess.Stdout, sess.Stderr = &o, &e
	err = sess.Run(code)
	var ee *gossh.ExitError
	if errors.As(err, &ee) {
		return o.String(), e.String(), ee.ExitStatus(), nil
	}
	if err != nil {
		status = -1
	}
	return o.String(), e.String(), status, err
}

// ShortDir returns a new directory under /tmp, removed when the test ends.
// A unix socket's path is limited to about 100 bytes (sun_path), which
// t.TempDir()'s paths under a long test name exceed.
func ShortDir(t testing.TB) string {
	t.Helper()
	dir, err := os.MkdirTemp("/tmp", "mh")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}
