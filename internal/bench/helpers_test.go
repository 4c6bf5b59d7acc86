package bench

import (
	"crypto/ed25519"
	"encoding/pem"
	"io"
	"net"
	"os"
	"path/filepath"
	"testing"

	"github.com/gliderlabs/ssh"
	gossh "golang.org/x/crypto/ssh"

	"github.com/gomanhole/manhole/internal/bench/benchkit"
)

// tools are the binaries the benchmarks run: the programs under cmd/ and
// the manhole CLI.
var tools = benchkit.Tools{Pkgs: []string{"./cmd/...", "../../cmd/manhole"}}

func TestMain(m *testing.M) {
	code := m.Run()
	tools.Remove()
	os.Exit(code)
}

func startMhserve(tb testing.TB, args ...string) *benchkit.Mhserve {
	tb.Helper()
	return benchkit.StartMhserve(tb, tools.Path(tb, "mhserve"), args...)
}

// bareServer is the anchor SSH server: gliderlabs/ssh with an ed25519
// host key whose handler answers any exec with "2\n" and status 0. It
// lets in any client on the unix socket, and clientKey over TCP.
type bareServer struct {
	signer gossh.Signer
	socket string
	addr   string
}

func startBare(tb testing.TB, clientKey gossh.PublicKey, wrap func(net.Listener) net.Listener) *bareServer {
	tb.Helper()
	_, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		tb.Fatal(err)
	}
	signer, err := gossh.NewSignerFromKey(priv)
	if err != nil {
		tb.Fatal(err)
	}
	b := &bareServer{signer: signer, socket: filepath.Join(benchkit.TempDir(tb), "bare.sock")}
	newServer := func() *ssh.Server {
		return &ssh.Server{
			HostSigners: []ssh.Signer{signer},
			Handler: func(s ssh.Session) {
				io.WriteString(s, "2\n")
				s.Exit(0)
			},
		}
	}
	ul, err := net.Listen("unix", b.socket)
	if err != nil {
		tb.Fatal(err)
	}
	// gliderlabs turns NoClientAuth on when no auth handler is set: unix
	// clients get in as on the manhole's socket, by the "none" method.
	unixSrv := newServer()
	go unixSrv.Serve(ul)
	tcp := newServer()
	tcp.PublicKeyHandler = func(_ ssh.Context, k ssh.PublicKey) bool {
		return clientKey != nil && ssh.KeysEqual(k, clientKey)
	}
	tl, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	b.addr = tl.Addr().String()
	if wrap != nil {
		tl = wrap(tl)
	}
	go tcp.Serve(tl)
	tb.Cleanup(func() {
		unixSrv.Close()
		tcp.Close()
	})
	return b
}

// newClientKey makes an ed25519 key for the client, in memory and as a
// private key file for ssh -i.
func newClientKey(tb testing.TB, dir string) (gossh.Signer, string) {
	tb.Helper()
	_, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		tb.Fatal(err)
	}
	signer, err := gossh.NewSignerFromKey(priv)
	if err != nil {
		tb.Fatal(err)
	}
	block, err := gossh.MarshalPrivateKey(priv, "")
	if err != nil {
		tb.Fatal(err)
	}
	path := filepath.Join(dir, "id_ed25519")
	if err := os.WriteFile(path, pem.EncodeToMemory(block), 0o600); err != nil {
		tb.Fatal(err)
	}
	return signer, path
}
