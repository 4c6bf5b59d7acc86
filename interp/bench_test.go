package interp

import (
	"context"
	"testing"
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
