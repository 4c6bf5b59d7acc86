package bench

import (
	"bytes"
	"io"
	"strconv"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"github.com/gomanhole/manhole/internal/bench/benchkit"
	"github.com/gomanhole/manhole/internal/bench/procstat"
	"github.com/gomanhole/manhole/internal/testkit"
)

// repl is an open terminal session at its prompt.
type repl struct {
	client *gossh.Client
	sess   *gossh.Session
	stdin  io.Writer
	stdout io.Reader
	seen   []byte // read and not consumed by expect yet
}

// openREPL connects, opens a terminal session, waits for the prompt and
// declares a variable, as a user would.
func openREPL(b testing.TB, socket string, cfg *gossh.ClientConfig) *repl {
	client, err := testkit.Dial("unix", socket, cfg)
	if err != nil {
		b.Fatal(err)
	}
	r := &repl{client: client}
	if r.sess, err = r.client.NewSession(); err != nil {
		b.Fatal(err)
	}
	if err := r.sess.RequestPty("xterm", 24, 80, gossh.TerminalModes{}); err != nil {
		b.Fatal(err)
	}
	if r.stdin, err = r.sess.StdinPipe(); err != nil {
		b.Fatal(err)
	}
	if r.stdout, err = r.sess.StdoutPipe(); err != nil {
		b.Fatal(err)
	}
	if err := r.sess.Shell(); err != nil {
		b.Fatal(err)
	}
	r.expect(b, ">>> ")
	io.WriteString(r.stdin, "greeting := strings.Repeat(\"hi\", 2)\r")
	r.expect(b, ">>> ")
	io.WriteString(r.stdin, "greeting\r")
	r.expect(b, "\"hihi\"")
	r.expect(b, ">>> ")
	return r
}

// expect reads until the output contains s, and consumes it up to there.
func (r *repl) expect(b testing.TB, s string) {
	buf := make([]byte, 4096)
	for {
		if i := bytes.Index(r.seen, []byte(s)); i >= 0 {
			r.seen = r.seen[i+len(s):]
			return
		}
		n, err := r.stdout.Read(buf)
		r.seen = append(r.seen, buf[:n]...)
		if err != nil {
			b.Fatalf("waiting for %q: %v; got %q", s, err, r.seen)
		}
	}
}

func (r *repl) close() {
	r.sess.Close()
	r.client.Close()
}

// BenchmarkSessions opens 1 and 100 terminal sessions at once (one
// connection each) on a manhole in another process (cmd/mhserve), each
// having evaluated a statement with the default symbol set, and reports
// what each session holds there after a GC: heap-B/session,
// goroutines/session, rss-B/session. The time per op is opening them all.
func BenchmarkSessions(b *testing.B) {
	srv := startMhserve(b, "-socket", benchkit.TempDir(b)+"/mh.sock", "-max-sessions", "200")
	cfg := benchkit.ClientConfig(srv.HostKey(b))
	openREPL(b, srv.Socket, cfg).close() // the first session's one-time costs
	idle := settle(b, srv, 1<<30)
	for _, n := range []int{1, 100} {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			var heap, goroutines, rss float64
			for b.Loop() {
				b.StopTimer()
				before := settle(b, srv, idle.Goroutines)
				b.StartTimer()
				rs := make([]*repl, n)
				for i := range rs {
					rs[i] = openREPL(b, srv.Socket, cfg)
				}
				b.StopTimer()
				after := srv.Stats(b)
				heap += float64(int64(after.HeapAlloc)-int64(before.HeapAlloc)) / float64(n)
				goroutines += float64(after.Goroutines-before.Goroutines) / float64(n)
				rss += float64(int64(after.RSS)-int64(before.RSS)) / float64(n)
				for _, r := range rs {
					r.close()
				}
				b.StartTimer()
			}
			bn := float64(b.N)
			b.ReportMetric(heap/bn, "heap-B/session")
			b.ReportMetric(goroutines/bn, "goroutines/session")
			b.ReportMetric(rss/bn, "rss-B/session")
		})
	}
}

// settle waits until the server runs at most goroutines goroutines (the
// sessions of the previous round have ended) and returns its stats.
func settle(b *testing.B, s *benchkit.Mhserve, goroutines int) procstat.Stats {
	deadline := time.Now().Add(10 * time.Second)
	for {
		st := s.Stats(b)
		if st.Goroutines <= goroutines || time.Now().After(deadline) {
			return st
		}
		time.Sleep(10 * time.Millisecond)
	}
}
