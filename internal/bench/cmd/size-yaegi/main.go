// Command size-yaegi is the binary-size test's application with a bare
// yaegi interpreter and no symbols: the interpreter's own cost.
package main

import (
	yaegi "github.com/traefik/yaegi/interp"

	"github.com/gomanhole/manhole/internal/bench/sizeapp"
)

func main() {
	yaegi.New(yaegi.Options{}).Eval("1+1")
	sizeapp.Run()
}
