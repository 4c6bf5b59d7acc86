package interp

import (
	"context"
	"fmt"
	"runtime"
	"testing"
	"time"
)

// BenchmarkNew measures building a session's interpreter, which happens per
// SSH session.
func BenchmarkNew(b *testing.B) {
	ns := map[string]any{"store": &Store{m: map[string]string{}}, "stats": &Stats{}, "cfg": &Config{}}
	b.ReportAllocs()
	for b.Loop() {
		in, err := New(Options{Namespace: ns})
		if err != nil {
			b.Fatal(err)
		}
		in.Close()
	}
}

func BenchmarkEvalOnePlusOne(b *testing.B) {
	in, err := New(Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer in.Close()
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if res, err := in.Eval(ctx, "1+1"); err != nil || res.Value != "2" {
			b.Fatal(res, err)
		}
	}
}

// BenchmarkEvalFirstFmt includes loading the fmt package on first use.
func BenchmarkNewAndFirstFmt(b *testing.B) {
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		in, err := New(Options{})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := in.Eval(ctx, `fmt.Sprint(1)`); err != nil {
			b.Fatal(err)
		}
		in.Close()
	}
}

// BenchmarkCallOverhead shows the cost of the depth guard on every
// interpreted call.
func BenchmarkRecursiveFib(b *testing.B) {
	in, err := New(Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer in.Close()
	ctx := context.Background()
	if _, err := in.Eval(ctx, `func fib(n int) int { if n < 2 { return n }; return fib(n-1) + fib(n-2) }`); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := in.Eval(ctx, "fib(15)"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEvalOnePlusOneLongSession runs b.N evaluations in one session,
// reporting the latency of the last thousand and the heap in use (after a
// GC) at 1k, 10k and 100k evaluations: both stay flat because the session
// moves to a new interpreter every recycleAfter evaluations (yaegi keeps
// every input it compiled).
//
//	go test -run '^$' -bench LongSession -benchtime 100000x -benchmem ./interp/
func BenchmarkEvalOnePlusOneLongSession(b *testing.B) {
	in, err := New(Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer in.Close()
	ctx := context.Background()
	// A session with some state, carried over at each recycle.
	for _, src := range []string{`type point struct{ X, Y int }`, `p := &point{1, 2}`, `n := 0`, `func inc() int { n++; return n }`} {
		if _, err := in.Eval(ctx, src); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	i := 0
	start := time.Now()
	var first, last time.Duration // of the first and last thousand
	for b.Loop() {
		i++
		if res, err := in.Eval(ctx, "1+1"); err != nil || res.Value != "2" {
			b.Fatal(res, err)
		}
		if i%1000 == 0 {
			last = time.Since(start)
			if i == 1000 {
				first = last
			}
			switch i {
			case 1000, 10000, 100000:
				b.StopTimer()
				b.ReportMetric(float64(heapInUse())/(1<<20), fmt.Sprintf("MiB-heap@%dk", i/1000))
				b.StartTimer()
			}
			start = time.Now()
		}
	}
	if i >= 1000 {
		b.ReportMetric(float64(first.Nanoseconds())/1000, "ns/op-first1k")
		b.ReportMetric(float64(last.Nanoseconds())/1000, "ns/op-last1k")
	}
	if i > 2*recycleAfter && in.recycleCount() == 0 {
		b.Error("no recycle")
	}
}

func heapInUse() uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapInuse
}
