package bench

import (
	"context"
	"crypto/ed25519"
	"net"
	"path/filepath"
	"sync/atomic"
	"testing"

	gossh "golang.org/x/crypto/ssh"

	"github.com/gomanhole/manhole"
	"github.com/gomanhole/manhole/internal/bench/benchkit"
	"github.com/gomanhole/manhole/sshd"
)

// countConn counts the bytes that cross a connection, both ways.
type countConn struct {
	net.Conn
	n *atomic.Int64
}

func (c countConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.n.Add(int64(n))
	return n, err
}

func (c countConn) Write(p []byte) (int, error) {
	n, err := c.Conn.Write(p)
	c.n.Add(int64(n))
	return n, err
}

// startXCrypto serves bare x/crypto handshakes on a unix socket: the
// anchor (curve25519, ed25519 host key, "none" auth).
func startXCrypto(tb testing.TB) (socket string, hostKey gossh.PublicKey) {
	tb.Helper()
	_, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		tb.Fatal(err)
	}
	signer, err := gossh.NewSignerFromKey(priv)
	if err != nil {
		tb.Fatal(err)
	}
	cfg := &gossh.ServerConfig{NoClientAuth: true}
	cfg.AddHostKey(signer)
	socket = filepath.Join(benchkit.TempDir(tb), "x.sock")
	l, err := net.Listen("unix", socket)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				sc, chans, reqs, err := gossh.NewServerConn(c, cfg)
				if err != nil {
					return
				}
				go gossh.DiscardRequests(reqs)
				for nc := range chans {
					nc.Reject(gossh.Prohibited, "no channels")
				}
				sc.Close()
			}()
		}
	}()
	return socket, signer.PublicKey()
}

// startSSHD serves manhole's sshd package alone: its accept loop, peer
// credentials check and configuration, without preparing an interpreter.
func startSSHD(tb testing.TB) (socket string, hostKey gossh.PublicKey) {
	tb.Helper()
	_, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		tb.Fatal(err)
	}
	signer, err := gossh.NewSignerFromKey(priv)
	if err != nil {
		tb.Fatal(err)
	}
	srv, err := sshd.New(sshd.Config{
		HostSigner: signer,
		Handler: func(_ context.Context, _ *sshd.SessionInfo, ch gossh.Channel, _ <-chan *gossh.Request) {
			ch.Close()
		},
	})
	if err != nil {
		tb.Fatal(err)
	}
	socket = filepath.Join(benchkit.TempDir(tb), "s.sock")
	l, err := net.Listen("unix", socket)
	if err != nil {
		tb.Fatal(err)
	}
	go srv.Serve(l)
	tb.Cleanup(func() { srv.Close() })
	return socket, signer.PublicKey()
}

// BenchmarkHandshake is one connection up to authenticated and closed,
// with an in-process x/crypto client over a unix socket (curve25519,
// ed25519 host key): time, bytes and allocations of both ends, and the
// bytes on the wire. xcrypto is the anchor; manhole includes preparing
// the interpreter that the connection's first session would use.
func BenchmarkHandshake(b *testing.B) {
	xs, xk := startXCrypto(b)
	bare := startBare(b, nil, nil)
	ss, sk := startSSHD(b)
	mh, mk := startManhole(b, manhole.Options{})
	for _, tc := range []struct {
		name   string
		socket string
		key    gossh.PublicKey
	}{
		{"xcrypto", xs, xk},
		{"bare", bare.socket, bare.signer.PublicKey()},
		{"sshd", ss, sk},
		{"manhole", mh.SocketPath(), mk},
	} {
		b.Run(tc.name, func(b *testing.B) {
			cfg := benchkit.ClientConfig(tc.key)
			var wire atomic.Int64
			b.ReportAllocs()
			for b.Loop() {
				c, err := net.Dial("unix", tc.socket)
				if err != nil {
					b.Fatal(err)
				}
				cc, _, _, err := gossh.NewClientConn(countConn{c, &wire}, "bench", cfg)
				if err != nil {
					b.Fatal(err)
				}
				cc.Close()
			}
			b.ReportMetric(float64(wire.Load())/float64(b.N), "wire-B/op")
		})
	}
}
