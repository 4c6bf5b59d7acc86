// Package benchkit is what the benchmark packages share: internal/bench
// and the nested module internal/bench/gops (which keeps gops out of the
// library's module graph). It starts the child processes under cmd/ and
// runs the paired comparisons.
package benchkit

import (
	"bufio"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"sync"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"github.com/gomanhole/manhole/internal/bench/procstat"
	"github.com/gomanhole/manhole/internal/discovery"
	"github.com/gomanhole/manhole/internal/testexp"
	"github.com/gomanhole/manhole/internal/testkit"
)

// Tools are the binaries a benchmark package runs: Pkgs (go build
// patterns, relative to the package) built once per test binary.
type Tools struct {
	Pkgs []string
	bins testexp.Binaries
}

// Path returns the path of the binary name, building them all on first
// use.
func (t *Tools) Path(tb testing.TB, name string) string {
	tb.Helper()
	return filepath.Join(t.bins.Dir(tb, t.Pkgs...), name)
}

// Remove deletes the binaries; call it from TestMain.
func (t *Tools) Remove() { t.bins.Remove() }

// Child is a running helper process that speaks JSON lines.
type Child struct {
	cmd      *exec.Cmd
	Stdin    io.WriteCloser
	out      *bufio.Scanner
	stopOnce sync.Once
}

// StartChild runs the binary bin and returns it once it printed its
// first line, decoded into first. The test's cleanup stops it.
func StartChild(tb testing.TB, first any, bin string, args ...string) *Child {
	tb.Helper()
	c := &Child{cmd: exec.Command(bin, args...)}
	c.cmd.Stderr = os.Stderr
	var err error
	if c.Stdin, err = c.cmd.StdinPipe(); err != nil {
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
	tb.Cleanup(c.Stop)
	c.Read(tb, first)
	return c
}

// Read decodes the child's next line into v.
func (c *Child) Read(tb testing.TB, v any) {
	tb.Helper()
	if !c.out.Scan() {
		tb.Fatalf("%s: no output (%v)", c.cmd.Path, c.out.Err())
	}
	if err := json.Unmarshal(c.out.Bytes(), v); err != nil {
		tb.Fatalf("%s: %q: %v", c.cmd.Path, c.out.Text(), err)
	}
}

// Stats asks the child for its footprint after a GC.
func (c *Child) Stats(tb testing.TB) procstat.Stats {
	tb.Helper()
	if _, err := io.WriteString(c.Stdin, "stats\n"); err != nil {
		tb.Fatal(err)
	}
	var s procstat.Stats
	c.Read(tb, &s)
	return s
}

// Stop closes the child's stdin, which ends it, and waits for it.
func (c *Child) Stop() { c.stopOnce.Do(c.wait) }

func (c *Child) wait() {
	c.Stdin.Close()
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

// Mhserve is a running mhserve (internal/bench/mhserve).
type Mhserve struct {
	*Child
	PID    int    `json:"pid"`
	Socket string `json:"socket"`
}

// StartMhserve runs the mhserve binary bin with args.
func StartMhserve(tb testing.TB, bin string, args ...string) *Mhserve {
	tb.Helper()
	s := &Mhserve{}
	s.Child = StartChild(tb, s, bin, args...)
	return s
}

// HostKey reads the manhole's host key from its metadata file.
func (s *Mhserve) HostKey(tb testing.TB) gossh.PublicKey {
	tb.Helper()
	meta, err := discovery.ReadMetadata(discovery.MetadataBeside(s.Socket, s.PID))
	if err != nil {
		tb.Fatal(err)
	}
	key, err := meta.PublicKey()
	if err != nil {
		tb.Fatal(err)
	}
	return key
}

// TempDir is a temporary directory with a path short enough for a unix
// socket (t.TempDir's can exceed 108 bytes).
func TempDir(tb testing.TB) string {
	tb.Helper()
	dir, err := os.MkdirTemp("/tmp", "mhb")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

// Median of the durations.
func Median(d []time.Duration) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}

// Side is one of the two things a paired benchmark compares.
type Side struct {
	Name string
	Run  func() time.Duration
}

// PairBench runs x and y alternately, in alternating order, so that a
// noisy machine slows both alike, and reports each one's median as
// NAME-p50-ns and the ratio of the medians x/y as "ratio". The time per
// op is the pair's.
func PairBench(b *testing.B, x, y Side) {
	x.Run() // warm up: page cache, first connection
	y.Run()
	var dx, dy []time.Duration
	i := 0
	for b.Loop() {
		if i++; i%2 == 0 {
			dx = append(dx, x.Run())
			dy = append(dy, y.Run())
		} else {
			dy = append(dy, y.Run())
			dx = append(dx, x.Run())
		}
	}
	mx, my := Median(dx), Median(dy)
	b.ReportMetric(float64(mx.Nanoseconds()), x.Name+"-p50-ns")
	b.ReportMetric(float64(my.Nanoseconds()), y.Name+"-p50-ns")
	if my > 0 {
		b.ReportMetric(float64(mx)/float64(my), "ratio")
	}
}

// ClientConfig is the in-process client: no auth method but "none" (the
// unix peer's uid lets it in), curve25519 as OpenSSH 9.2 negotiates.
func ClientConfig(hostKey gossh.PublicKey) *gossh.ClientConfig {
	return &gossh.ClientConfig{
		User:            "bench",
		HostKeyCallback: gossh.FixedHostKey(hostKey),
		Config:          gossh.Config{KeyExchanges: []string{gossh.KeyExchangeCurve25519}},
	}
}

// DialExec connects over the unix socket, runs code as an exec request
// and returns its output.
func DialExec(tb testing.TB, socket string, cfg *gossh.ClientConfig, code string) string {
	client, err := testkit.Dial("unix", socket, cfg)
	if err != nil {
		tb.Fatal(err)
	}
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
