package bench

import (
	"net"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"github.com/gomanhole/manhole"
	"github.com/gomanhole/manhole/hostkeys"
)

// startManhole starts a manhole in this process on a unix socket and
// returns it with its host key.
func startManhole(tb testing.TB, opts manhole.Options) (*manhole.Manhole, gossh.PublicKey) {
	tb.Helper()
	dir := shortTempDir(tb)
	opts.SocketPath = filepath.Join(dir, "mh.sock")
	mh, err := manhole.Start(opts)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { mh.Close() })
	meta, err := hostkeys.ReadMetadata(filepath.Join(dir, strconv.Itoa(os.Getpid())+".json"))
	if err != nil {
		tb.Fatal(err)
	}
	key, _, _, _, err := gossh.ParseAuthorizedKey([]byte(meta.HostKey))
	if err != nil {
		tb.Fatal(err)
	}
	return mh, key
}

// clientConfig is the in-process client: no auth method but "none" (the
// unix peer's uid lets it in), curve25519 as OpenSSH 9.2 negotiates.
func clientConfig(hostKey gossh.PublicKey) *gossh.ClientConfig {
	return &gossh.ClientConfig{
		User:            "bench",
		HostKeyCallback: gossh.FixedHostKey(hostKey),
		Config:          gossh.Config{KeyExchanges: []string{gossh.KeyExchangeCurve25519}},
	}
}

// dialExec connects over the unix socket, runs code as an exec request
// and returns its output.
func dialExec(tb testing.TB, socket string, cfg *gossh.ClientConfig, code string) string {
	c, err := net.Dial("unix", socket)
	if err != nil {
		tb.Fatal(err)
	}
	defer c.Close()
	cc, chans, reqs, err := gossh.NewClientConn(c, "bench", cfg)
	if err != nil {
		tb.Fatal(err)
	}
	client := gossh.NewClient(cc, chans, reqs)
	defer client.Close()
	s, err := client.NewSession()
	if err != nil {
		tb.Fatal(err)
	}
	defer s.Close()
	out, err := s.Output(code)
	if err != nil {
		tb.Fatalf("exec %q: %v (%q)", code, err, out)
	}
	return string(out)
}

// BenchmarkConnectExec is connect, handshake, exec `1+1`, read "2", exit
// status, close, with an in-process x/crypto client over a unix socket:
// manhole against the bare gliderlabs server, run alternately (see
// pairBench).
func BenchmarkConnectExec(b *testing.B) {
	mh, mhKey := startManhole(b, manhole.Options{})
	bare := startBare(b, nil, nil)
	run := func(name, socket string, key gossh.PublicKey) side {
		cfg := clientConfig(key)
		return side{name, func() time.Duration {
			start := time.Now()
			if out := dialExec(b, socket, cfg, "1+1"); out != "2\n" {
				b.Fatalf("1+1 printed %q", out)
			}
			return time.Since(start)
		}}
	}
	b.ReportAllocs()
	pairBench(b, run("manhole", mh.SocketPath(), mhKey), run("bare", bare.socket, bare.signer.PublicKey()))
}
