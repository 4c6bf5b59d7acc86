// Command size-manhole-stdlib is the binary-size test's application with a
// manhole and the full standard library (the opt-in, package
// interp/stdlib).
package main

import (
	"log"

	"github.com/gomanhole/manhole"
	"github.com/gomanhole/manhole/internal/bench/sizeapp"
	"github.com/gomanhole/manhole/interp/stdlib"
)

func main() {
	// Linking the table is what costs; with Options.Symbols it would be
	// passed as manhole.Options{Symbols: stdlib.Symbols}.
	if len(stdlib.Symbols) == 0 {
		log.Fatal("no symbols")
	}
	mh, err := manhole.Start(manhole.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer mh.Close()
	sizeapp.Run()
}
