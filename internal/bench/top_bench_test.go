package bench

import (
	"io"
	"strconv"
	"testing"
	"time"

	"github.com/gomanhole/manhole/internal/bench/benchkit"
)

// topWindow is how long each configuration is measured: getrusage counts
// in microseconds, but the scheduler's accounting is coarser; ten
// seconds make a 0.1% difference visible.
const topWindow = 10 * time.Second

// BenchmarkTopCPU is what watching :top costs the watched process: a
// manhole in another process (cmd/mhserve) with 1 and 10 terminal
// sessions open, first idle at the prompt, then all running :top, each
// client reading every frame. It reports the process's CPU time per
// second of wall time (getrusage, user + system) as cpu-%, in percent of
// one core: idle-1 and idle-10 are the same sessions not watching.
func BenchmarkTopCPU(b *testing.B) {
	srv := startMhserve(b, "-socket", benchkit.TempDir(b)+"/mh.sock")
	cfg := benchkit.ClientConfig(srv.HostKey(b))
	openREPL(b, srv.Socket, cfg).close() // the first session's one-time costs
	for _, n := range []int{1, 10} {
		rs := make([]*repl, n)
		for i := range rs {
			rs[i] = openREPL(b, srv.Socket, cfg)
		}
		b.Run("idle-"+strconv.Itoa(n), func(b *testing.B) {
			var pct float64
			for b.Loop() {
				pct += cpuPercent(b, srv, topWindow)
			}
			b.ReportMetric(pct/float64(b.N), "cpu-%")
		})
		for _, r := range rs {
			io.WriteString(r.stdin, ":top\r")
			r.expect(b, "q quit")
			go io.Copy(io.Discard, r.stdout) // a client that keeps up
		}
		time.Sleep(2 * time.Second) // past the first frames
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			var pct float64
			for b.Loop() {
				pct += cpuPercent(b, srv, topWindow)
			}
			b.ReportMetric(pct/float64(b.N), "cpu-%")
		})
		for _, r := range rs {
			io.WriteString(r.stdin, "q")
			r.close()
		}
	}
}

// cpuPercent is the CPU time the server used over d of wall time, in
// percent of one core.
func cpuPercent(b *testing.B, m *benchkit.Mhserve, d time.Duration) float64 {
	b.Helper()
	read := func() (time.Duration, time.Time) {
		if _, err := io.WriteString(m.Stdin, "cpu\n"); err != nil {
			b.Fatal(err)
		}
		var v struct {
			CPU int64 `json:"cpu_ns"`
		}
		m.Read(b, &v)
		return time.Duration(v.CPU), time.Now()
	}
	cpu0, t0 := read()
	time.Sleep(d)
	cpu1, t1 := read()
	return 100 * (cpu1 - cpu0).Seconds() / t1.Sub(t0).Seconds()
}
