package bench

import (
	"path/filepath"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"github.com/gomanhole/manhole"
	"github.com/gomanhole/manhole/internal/bench/benchkit"
	"github.com/gomanhole/manhole/internal/discovery"
)

// startManhole starts a manhole in this process on a unix socket and
// returns it with its host key.
func startManhole(tb testing.TB, opts manhole.Options) (*manhole.Manhole, gossh.PublicKey) {
	tb.Helper()
	dir := benchkit.TempDir(tb)
	opts.SocketPath = filepath.Join(dir, "mh.sock")
	mh, err := manhole.Start(opts)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { mh.Close() })
	meta, err := discovery.ReadMetadata(mh.MetadataPath())
	if err != nil {
		tb.Fatal(err)
	}
	key, _, _, _, err := gossh.ParseAuthorizedKey([]byte(meta.HostKey))
	if err != nil {
		tb.Fatal(err)
	}
	return mh, key
}

// BenchmarkConnectExec is connect, handshake, exec `1+1`, read "2", exit
// status, close, with an in-process x/crypto client over a unix socket:
// manhole against the bare gliderlabs server, run alternately (see
// pairBench).
func BenchmarkConnectExec(b *testing.B) {
	mh, mhKey := startManhole(b, manhole.Options{})
	bare := startBare(b, nil, nil)
	run := func(name, socket string, key gossh.PublicKey) benchkit.Side {
		cfg := benchkit.ClientConfig(key)
		return benchkit.Side{Name: name, Run: func() time.Duration {
			start := time.Now()
			if out := benchkit.DialExec(b, socket, cfg, "1+1"); out != "2\n" {
				b.Fatalf("1+1 printed %q", out)
			}
			return time.Since(start)
		}}
	}
	b.ReportAllocs()
	benchkit.PairBench(b, run("manhole", mh.SocketPath(), mhKey), run("bare", bare.socket, bare.signer.PublicKey()))
}
