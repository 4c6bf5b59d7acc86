package gops

import (
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/gops/signal"

	"github.com/gomanhole/manhole/internal/bench/benchkit"
)

// BenchmarkGoroutineDump is the goroutine dump of another process, on one
// process running both a manhole and a gops agent (cmd/mhserve-gops), in pairs
// run alternately (see pairBench): cli is `manhole exec PID :goroutines`
// against `gops stack PID` (a CLI process start, a connection and the
// dump); inproc is the same dumps asked from the benchmark process, what
// the servers and protocols cost without a CLI.
func BenchmarkGoroutineDump(b *testing.B) {
	srv := benchkit.StartMhserve(b, tools.Path(b, "mhserve-gops"))
	pid := strconv.Itoa(srv.PID)
	cli := func(name string, argv ...string) benchkit.Side {
		return benchkit.Side{Name: name, Run: func() time.Duration {
			start := time.Now()
			out, err := exec.Command(argv[0], argv[1:]...).CombinedOutput()
			d := time.Since(start)
			if err != nil || len(out) == 0 {
				b.Fatalf("%q: %v\n%s", argv, err, out)
			}
			return d
		}}
	}
	b.Run("cli", func(b *testing.B) {
		benchkit.PairBench(b, cli("manhole", tools.Path(b, "manhole"), "exec", pid, ":goroutines", "-stacks"), cli("gops", tools.Path(b, "gops"), "stack", pid))
	})

	// The same dumps from this process, without a CLI process: what the
	// servers and the protocols cost.
	mhKey := srv.HostKey(b)
	port, err := os.ReadFile(filepath.Join(os.Getenv("GOPS_CONFIG_DIR"), pid))
	if err != nil {
		b.Fatal(err)
	}
	inproc := func(name string, dump func() int) benchkit.Side {
		return benchkit.Side{Name: name, Run: func() time.Duration {
			start := time.Now()
			dump()
			return time.Since(start)
		}}
	}
	b.Run("inproc", func(b *testing.B) {
		benchkit.PairBench(b,
			inproc("manhole", func() int { return len(benchkit.DialExec(b, srv.Socket, benchkit.ClientConfig(mhKey), ":goroutines")) }),
			inproc("gops", func() int { return gopsStack(b, "127.0.0.1:"+strings.TrimSpace(string(port))) }))
	})
}

// gopsStack asks a gops agent for its stack dump as `gops stack` does:
// one signal byte, then the dump until the agent closes the connection.
func gopsStack(b *testing.B, addr string) int {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Write([]byte{signal.StackTrace}); err != nil {
		b.Fatal(err)
	}
	n, err := io.Copy(io.Discard, c)
	if err != nil || n == 0 {
		b.Fatalf("gops stack: %d bytes, %v", n, err)
	}
	return int(n)
}
