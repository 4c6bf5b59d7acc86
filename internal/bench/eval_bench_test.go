package bench

import (
	"context"
	"fmt"
	"runtime"
	"testing"
	"time"

	yaegi "github.com/traefik/yaegi/interp"

	"github.com/gomanhole/manhole/interp"
)

// evaluator is one session's evaluator: manhole's interp or plain yaegi.
type evaluator struct {
	name string
	new  func(testing.TB) func(src string) string
}

var evaluators = []evaluator{
	{"manhole", func(tb testing.TB) func(string) string {
		in, err := interp.New(interp.Options{})
		if err != nil {
			tb.Fatal(err)
		}
		tb.Cleanup(func() { in.Close() })
		ctx := context.Background()
		return func(src string) string {
			res, err := in.Eval(ctx, src)
			if err != nil {
				tb.Fatalf("%s: %v", src, err)
			}
			return res.Value
		}
	}},
	{"yaegi", func(tb testing.TB) func(string) string {
		yi := yaegi.New(yaegi.Options{})
		return func(src string) string {
			v, err := yi.Eval(src)
			if err != nil {
				tb.Fatalf("%s: %v", src, err)
			}
			return fmt.Sprint(v)
		}
	}},
}

// BenchmarkEval is the latency of `1+1` in a session's evaluator,
// manhole's interp against plain yaegi (yaegi.New, Eval), each with a
// fresh interpreter every 1000 evaluations: the cost early in a session
// (BenchmarkEvalRetained follows a long one).
func BenchmarkEval(b *testing.B) {
	for _, e := range evaluators {
		b.Run(e.name, func(b *testing.B) {
			eval := e.new(b)
			b.ReportAllocs()
			n := 0
			for b.Loop() {
				if n++; n%1000 == 0 {
					// Bound the session's length: a fresh evaluator
					// every 1000 evaluations.
					b.StopTimer()
					eval = e.new(b)
					b.StartTimer()
				}
				if v := eval("1+1"); v != "2" {
					b.Fatalf("1+1 = %q", v)
				}
			}
		})
	}
}

// evalBudget bounds the time BenchmarkEvalRetained spends per evaluator:
// if interp's evaluations get slower as a session goes on, 100 000 of
// them would not fit in `make bench`.
const evalBudget = 40 * time.Second

// BenchmarkEvalRetained runs up to 100 000 evaluations of `1+1` in one
// session and reports the live heap after a GC: retained-B/eval is the
// growth per evaluation from the 1000th on; heap-MiB the live heap after
// the last; evals how many ran within evalBudget; last-us/eval and
// first-us/eval the time of an evaluation over the last and the first
// thousand (equal when the session does not get slower).
func BenchmarkEvalRetained(b *testing.B) {
	for _, e := range evaluators {
		b.Run(e.name, func(b *testing.B) {
			for b.Loop() {
				eval := e.new(b)
				start := time.Now()
				var warm uint64
				var first, last time.Duration
				n := 0
				lap := time.Now()
				for n < 100_000 {
					eval("1+1")
					n++
					if n%1000 != 0 {
						continue
					}
					d := time.Since(lap)
					if n == 1000 {
						first = d
						warm = liveHeap()
					}
					last = d
					if time.Since(start) > evalBudget {
						break
					}
					lap = time.Now()
				}
				heap := liveHeap()
				b.ReportMetric(float64(int64(heap)-int64(warm))/float64(n-1000), "retained-B/eval")
				b.ReportMetric(float64(heap)/(1<<20), "heap-MiB")
				b.ReportMetric(float64(n), "evals")
				b.ReportMetric(float64(first.Microseconds())/1000, "first-us/eval")
				b.ReportMetric(float64(last.Microseconds())/1000, "last-us/eval")
			}
		})
	}
}

func liveHeap() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}
