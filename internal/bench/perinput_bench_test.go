package bench

import (
	"context"
	"fmt"
	"testing"

	yaegi "github.com/traefik/yaegi/interp"
	"github.com/traefik/yaegi/stdlib"

	"github.com/gomanhole/manhole/interp"
)

// fibSrc is the interpreted recursive function of BenchmarkPerInput/fib24.
const fibSrc = `func fib(n int) int { if n < 2 { return n }; return fib(n-1) + fib(n-2) }`

// BenchmarkPerInput is issue 16's pair: the cost of one input in an
// interpreter already created, manhole's interp against plain yaegi with
// its stdlib symbols (yaegi.New, Use(stdlib.Symbols), Eval), in the same
// run. onePlusOne is the per-input overhead (parsing, checks, rewrites,
// the run's goroutine and cancellation) of a plain expression, call that
// of an input that compiles in an init function; fib24 is dominated by interpreted
// calls (46367 of them), the cost of the depth guard. Neither session is
// ever replaced by hand: manhole's recycles happen as they would in a
// session, amortized over the inputs.
//
//	go test -run '^$' -bench PerInput -benchmem -count 5 ./internal/bench/
func BenchmarkPerInput(b *testing.B) {
	cases := []struct {
		name, setup, src, want string
		wantYaegi              string // fmt.Sprint of yaegi's value, if not want
	}{
		{"onePlusOne", "", "1+1", "2", ""},
		// A call: the path of every input that is not a plain expression
		// (see interp's runPlain), which 1+1 is.
		{"call", `import "strconv"`, "strconv.Itoa(42)", `"42"`, "42"},
		{"fib24", fibSrc, "fib(24)", "46368", ""},
	}
	for _, c := range cases {
		b.Run(c.name+"/manhole", func(b *testing.B) {
			in, err := interp.New(interp.Options{})
			if err != nil {
				b.Fatal(err)
			}
			defer in.Close()
			ctx := context.Background()
			if c.setup != "" {
				if _, err := in.Eval(ctx, c.setup); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportAllocs()
			for b.Loop() {
				if res, err := in.Eval(ctx, c.src); err != nil || res.Value != c.want {
					b.Fatal(res, err)
				}
			}
		})
		b.Run(c.name+"/yaegi", func(b *testing.B) {
			yi := yaegi.New(yaegi.Options{})
			if err := yi.Use(stdlib.Symbols); err != nil {
				b.Fatal(err)
			}
			if c.setup != "" {
				if _, err := yi.Eval(c.setup); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportAllocs()
			for b.Loop() {
				want := c.want
				if c.wantYaegi != "" {
					want = c.wantYaegi
				}
				if v, err := yi.Eval(c.src); err != nil || fmt.Sprint(v) != want {
					b.Fatal(v, err)
				}
			}
		})
	}
}
