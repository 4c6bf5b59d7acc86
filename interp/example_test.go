package interp_test

import (
	"context"
	"fmt"
	"os"

	"github.com/gomanhole/manhole/interp"
)

type Config struct {
	Level int
}

func Example() {
	cfg := Config{Level: 1}
	in, err := interp.New(interp.Options{
		Namespace: map[string]any{"cfg": &cfg},
		Stdout:    os.Stdout,
	})
	if err != nil {
		panic(err)
	}
	defer in.Close()

	ctx := context.Background()
	for _, src := range []string{
		`cfg.Level = 5`,
		`cfg`,
		`strings.Repeat("ab", 2)`,
		`fmt.Println("printed by the evaluated code")`,
		`panic("oops")`,
	} {
		res, err := in.Eval(ctx, src)
		switch {
		case err != nil:
			fmt.Println("error:", err)
		case res.HasValue:
			fmt.Println(res.Value)
		}
	}
	fmt.Println("host sees level", cfg.Level)
	// Output:
	// &interp_test.Config{Level:5}
	// "abab"
	// printed by the evaluated code
	// error: panic: oops
	// host sees level 5
}
