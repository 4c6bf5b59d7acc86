package bench

import (
	"bufio"
	"crypto/ed25519"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gliderlabs/ssh"
	gossh "golang.org/x/crypto/ssh"

	"github.com/gomanhole/manhole/hostkeys"
	"github.com/gomanhole/manhole/internal/bench/procstat"
)

// tools are the binaries the benchmarks run, built once per test binary.
var tools struct {
	once sync.Once
	dir  string
	err  error
}

func TestMain(m *testing.M) {
	// gops agents and the gops CLI meet in this directory, not in the
	// user's ~/.config/gops.
	dir, err := os.MkdirTemp("", "mhbench")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Setenv("GOPS_CONFIG_DIR", filepath.Join(dir, "gops"))
	code := m.Run()
	if tools.dir != "" {
		os.RemoveAll(tools.dir)
	}
	os.RemoveAll(dir)
	os.Exit(code)
}

// tool returns the path of a helper binary: the programs under cmd/, the
// manhole CLI, and the gops CLI (a tool of this module, see go.mod).
func tool(tb testing.TB, name string) string {
	tb.Helper()
	tools.once.Do(func() {
		tools.dir, tools.err = os.MkdirTemp("", "mhbenchbin")
		if tools.err != nil {
			return
		}
		for _, pkgs := range [][]string{{"./cmd/...", "../../cmd/manhole"}, {"github.com/google/gops"}} {
			cmd := exec.Command("go", append([]string{"build", "-o", tools.dir}, pkgs...)...)
			if out, err := cmd.CombinedOutput(); err != nil {
				tools.err = fmt.Errorf("go build %s: %v\n%s", strings.Join(pkgs, " "), err, out)
				return
			}
		}
	})
	if tools.err != nil {
		tb.Fatal(tools.err)
	}
	return filepath.Join(tools.dir, name)
}

// child is a running helper process that speaks JSON lines.
type child struct {
	cmd      *exec.Cmd
	stdin    io.WriteCloser
	out      *bufio.Scanner
	stopOnce sync.Once
}

// startChild runs a helper and returns it once it printed its first line,
// decoded into first.
func startChild(tb testing.TB, first any, name string, args ...string) *child {
	tb.Helper()
	c := &child{cmd: exec.Command(tool(tb, name), args...)}
	c.cmd.Stderr = os.Stderr
	var err error
	if c.stdin, err = c.cmd.StdinPipe(); err != nil {
		tb.Fatal(err)
	}
	stdout, err := c.cmd.StdoutPipe()
	if err != nil {
		tb.Fatal(err)
	}
	c.out = bufio.NewScanner(stdout)
	if err := c.cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(c.stop)
	c.read(tb, first)
	return c
}

func (c *child) read(tb testing.TB, v any) {
	tb.Helper()
	if !c.out.Scan() {
		tb.Fatalf("%s: no output (%v)", c.cmd.Path, c.out.Err())
	}
	if err := json.Unmarshal(c.out.Bytes(), v); err != nil {
		tb.Fatalf("%s: %q: %v", c.cmd.Path, c.out.Text(), err)
	}
}

// stats asks the child for its footprint after a GC.
func (c *child) stats(tb testing.TB) procstat.Stats {
	tb.Helper()
	if _, err := io.WriteString(c.stdin, "stats\n"); err != nil {
		tb.Fatal(err)
	}
	var s procstat.Stats
	c.read(tb, &s)
	return s
}

// stop closes the child's stdin, which ends it, and waits for it.
func (c *child) stop() { c.stopOnce.Do(c.wait) }

func (c *child) wait() {
	c.stdin.Close()
	done := make(chan struct{})
	go func() {
		c.cmd.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		c.cmd.Process.Kill()
		<-done
	}
}

// mhserve is a running cmd/mhserve.
type mhserve struct {
	*child
	PID    int    `json:"pid"`
	Socket string `json:"socket"`
}

// hostKey reads the manhole's host key from its metadata file.
func (s *mhserve) hostKey(tb testing.TB) gossh.PublicKey {
	tb.Helper()
	meta, err := hostkeys.ReadMetadata(filepath.Join(filepath.Dir(s.Socket), strconv.Itoa(s.PID)+".json"))
	if err != nil {
		tb.Fatal(err)
	}
	key, err := meta.PublicKey()
	if err != nil {
		tb.Fatal(err)
	}
	return key
}

func startMhserve(tb testing.TB, args ...string) *mhserve {
	tb.Helper()
	s := &mhserve{}
	s.child = startChild(tb, s, "mhserve", args...)
	return s
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
	b := &bareServer{signer: signer, socket: filepath.Join(shortTempDir(tb), "bare.sock")}
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

// shortTempDir is a temporary directory with a path short enough for a
// unix socket (t.TempDir's can exceed 108 bytes).
func shortTempDir(tb testing.TB) string {
	tb.Helper()
	dir, err := os.MkdirTemp("/tmp", "mhb")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { os.RemoveAll(dir) })
	return dir
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

// median of the durations.
func median(d []time.Duration) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}

// reportMedian adds the median of per-op durations as a metric.
func reportMedian(b *testing.B, d []time.Duration) {
	b.ReportMetric(float64(median(d).Nanoseconds()), "p50-ns")
}

// side is one of the two things a paired benchmark compares.
type side struct {
	name string
	run  func() time.Duration
}

// pairBench runs a and b alternately, in alternating order, so that a
// noisy machine slows both alike, and reports each one's median as
// NAME-p50-ns and the ratio of the medians a/b as "ratio". The time per op
// is the pair's.
func pairBench(b *testing.B, x, y side) {
	x.run() // warm up: page cache, first connection
	y.run()
	var dx, dy []time.Duration
	i := 0
	for b.Loop() {
		if i++; i%2 == 0 {
			dx = append(dx, x.run())
			dy = append(dy, y.run())
		} else {
			dy = append(dy, y.run())
			dx = append(dx, x.run())
		}
	}
	mx, my := median(dx), median(dy)
	b.ReportMetric(float64(mx.Nanoseconds()), x.name+"-p50-ns")
	b.ReportMetric(float64(my.Nanoseconds()), y.name+"-p50-ns")
	if my > 0 {
		b.ReportMetric(float64(mx)/float64(my), "ratio")
	}
}
