package interp

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
)

// cases file: cases separated by lines "----", steps by lines "==".
func TestZZAttack(t *testing.T) {
	path := os.Getenv("ZZ")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range strings.Split(string(data), "\n----\n") {
		c = strings.TrimSpace(c)
		if c == "" {
			continue
		}
		f := newFixture(t, map[string]any{"inv": &Inv{}, "hostfn": func(f func()) { f() }, "hostErr": func() error { return fmt.Errorf("host: %w", os.ErrNotExist) }})
		fmt.Printf("=== CASE %d\n", i)
		for _, s := range strings.Split(c, "\n==\n") {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			res, err := f.in.Eval(ctx, s)
			cancel()
			fmt.Printf(">>> %s\n", s)
			if err != nil {
				fmt.Printf("ERR: %v\n", err)
			} else if res.HasValue {
				fmt.Printf("VAL: %s\n", res.Value)
			}
		}
		time.Sleep(20 * time.Millisecond)
		if o := f.stdout.String(); o != "" {
			fmt.Printf("STDOUT: %s\n", o)
		}
		if o := f.stderr.String(); o != "" {
			fmt.Printf("STDERR: %s\n", o)
		}
	}
}

type Inv struct{ m map[string]int }

func (i *Inv) Boom()              { i.m["x"] = 1 }
func (i *Inv) Call(f func()) { f() }
func (i *Inv) CallErr(f func() error) error { return f() }
func (i *Inv) PanicWith(v any) { panic(v) }
