package bench

import (
	"bytes"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"github.com/gomanhole/manhole"
	"github.com/gomanhole/manhole/internal/bench/benchkit"
	"github.com/gomanhole/manhole/internal/discovery"
	"github.com/gomanhole/manhole/internal/testkit"
)

// sshFixture is a manhole and a bare server, each on a unix socket and on
// loopback TCP, in this process, with a known_hosts file and a client key
// for the real ssh client.
type sshFixture struct {
	dir        string
	knownHosts string
	keyFile    string
	key        gossh.Signer
	mh         *manhole.Manhole
	bare       *bareServer
	// bareNoDelay is the bare server with the TCP fix applied, see
	// quickAckListener.
	bareFixed *bareServer
}

func newSSHFixture(b *testing.B) *sshFixture {
	b.Helper()
	testkit.Need(b, "ssh", testkit.InstallSSH)
	testkit.Need(b, "nc", testkit.InstallNC)
	f := &sshFixture{dir: benchkit.TempDir(b)}
	f.key, f.keyFile = newClientKey(b, f.dir)
	ak := string(gossh.MarshalAuthorizedKey(f.key.PublicKey()))
	var err error
	f.mh, err = manhole.Start(manhole.Options{
		SocketPath:     filepath.Join(f.dir, "mh.sock"),
		Addr:           "127.0.0.1:0",
		AuthorizedKeys: ak,
	})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { f.mh.Close() })
	meta, err := discovery.ReadMetadata(f.mh.MetadataPath())
	if err != nil {
		b.Fatal(err)
	}
	f.bare = startBare(b, f.key.PublicKey(), nil)
	f.bareFixed = startBare(b, f.key.PublicKey(), quickAck)
	kh := "mh " + meta.HostKey + "\n" +
		"bare " + string(gossh.MarshalAuthorizedKey(f.bare.signer.PublicKey())) +
		"barefixed " + string(gossh.MarshalAuthorizedKey(f.bareFixed.signer.PublicKey()))
	f.knownHosts = filepath.Join(f.dir, "known_hosts")
	if err := os.WriteFile(f.knownHosts, []byte(kh), 0o600); err != nil {
		b.Fatal(err)
	}
	return f
}

// args are the ssh arguments for an exec of code on the server known as
// alias, over a unix socket through nc (socket != "") or over TCP.
func (f *sshFixture) args(alias, socket, addr, code string) []string {
	args := []string{"-F", "none",
		"-o", "UserKnownHostsFile=" + f.knownHosts,
		"-o", "GlobalKnownHostsFile=/dev/null",
		"-o", "StrictHostKeyChecking=yes",
		"-o", "HostKeyAlias=" + alias,
		"-o", "IdentityAgent=none",
		"-o", "IdentitiesOnly=yes",
		"-o", "BatchMode=yes",
		"-o", "LogLevel=ERROR",
		"-i", f.keyFile,
	}
	if socket != "" {
		return append(args, "-o", "ProxyCommand=nc -U "+socket, "host", code)
	}
	host, port := splitHostPort(addr)
	return append(args, "-p", port, host, code)
}

// runSSH runs ssh and checks that it printed want.
func runSSH(b testing.TB, args []string, want string) time.Duration {
	start := time.Now()
	out, err := exec.Command("ssh", args...).CombinedOutput()
	d := time.Since(start)
	if err != nil || !bytes.Equal(out, []byte(want)) {
		b.Fatalf("ssh %q: %v\n%s", args, err, out)
	}
	return d
}

// BenchmarkOpenSSHExec is `ssh HOST 1+1` with the real OpenSSH client, in
// pairs run alternately (see pairBench): manhole against the bare server
// through the same ProxyCommand (nc -U) on a unix socket; manhole over
// loopback TCP with a key against itself on the unix socket; the bare
// server over TCP against itself on the unix socket, as is and with the
// fix for the delayed-ACK stall (see quickAck).
func BenchmarkOpenSSHExec(b *testing.B) {
	f := newSSHFixture(b)
	ssh := func(name string, args []string) benchkit.Side {
		return benchkit.Side{Name: name, Run: func() time.Duration { return runSSH(b, args, "2\n") }}
	}
	mhUnix := ssh("manhole", f.args("mh", f.mh.SocketPath(), "", "1+1"))
	bareUnix := ssh("bare", f.args("bare", f.bare.socket, "", "1+1"))
	for _, tc := range []struct {
		name string
		x, y benchkit.Side
	}{
		{"unix", mhUnix, bareUnix},
		{"tcp-vs-unix/manhole", ssh("tcp", f.args("mh", "", f.mh.Addr(), "1+1")), ssh("unix", f.args("mh", f.mh.SocketPath(), "", "1+1"))},
		{"tcp-vs-unix/bare", ssh("tcp", f.args("bare", "", f.bare.addr, "1+1")), ssh("unix", f.args("bare", f.bare.socket, "", "1+1"))},
		{"tcp-vs-unix/bare-quickack", ssh("tcp", f.args("barefixed", "", f.bareFixed.addr, "1+1")), ssh("unix", f.args("bare", f.bare.socket, "", "1+1"))},
	} {
		b.Run(tc.name, func(b *testing.B) { benchkit.PairBench(b, tc.x, tc.y) })
	}
}

func splitHostPort(addr string) (host, port string) {
	host, port, _ = net.SplitHostPort(addr)
	return host, port
}
