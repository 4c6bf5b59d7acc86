package bench

import (
	"context"
	"testing"

	yaegi "github.com/traefik/yaegi/interp"
	"github.com/traefik/yaegi/stdlib"

	"github.com/gomanhole/manhole/interp"
)

// containedOps are the operations the containment guards (see interp's
// doc, Containment), 1000 of each per benchmark iteration inside one
// interpreted function: a goroutine started and waited for, which manhole
// starts in compiled code that recovers; a Lock and Unlock pair, whose
// Unlock manhole checks first; a make, whose size it checks.
var containedOps = map[string]string{
	// In batches of 100: a session runs at most 1000 goroutines at once.
	"go":     `func op(n int) { var wg sync.WaitGroup; for i := 0; i < n; i++ { wg.Add(1); go func(k int) { wg.Done() }(i); if i%100 == 99 { wg.Wait() } }; wg.Wait() }`,
	"unlock": `func op(n int) { var mu sync.Mutex; for i := 0; i < n; i++ { mu.Lock(); mu.Unlock() } }`,
	"make":   `func op(n int) { for i := 0; i < n; i++ { _ = make([]byte, 64) } }`,
}

// BenchmarkContained is the cost of each guarded operation, per
// operation, in manhole's interp and in plain yaegi with the standard
// library, in the same run.
func BenchmarkContained(b *testing.B) {
	for _, op := range []string{"go", "unlock", "make"} {
		src := containedOps[op]
		b.Run(op+"/manhole", func(b *testing.B) {
			in, err := interp.New(interp.Options{})
			if err != nil {
				b.Fatal(err)
			}
			defer in.Close()
			ctx := context.Background()
			if _, err := in.Eval(ctx, src); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := in.Eval(ctx, `op(1000)`); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/1000, "ns/item")
		})
		b.Run(op+"/yaegi", func(b *testing.B) {
			yi := yaegi.New(yaegi.Options{})
			if err := yi.Use(stdlib.Symbols); err != nil {
				b.Fatal(err)
			}
			if _, err := yi.Eval(`import "sync"`); err != nil {
				b.Fatal(err)
			}
			if _, err := yi.Eval(src); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := yi.Eval(`op(1000)`); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/1000, "ns/item")
		})
	}
}
