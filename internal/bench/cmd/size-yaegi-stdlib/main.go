// Command size-yaegi-stdlib is size-yaegi with yaegi's full standard
// library (package interp/stdlib): what the full table alone costs.
package main

import (
	"log"

	yaegi "github.com/traefik/yaegi/interp"

	"github.com/gomanhole/manhole/internal/bench/sizeapp"
	"github.com/gomanhole/manhole/interp/stdlib"
)

func main() {
	if err := yaegi.New(yaegi.Options{}).Use(stdlib.Symbols); err != nil {
		log.Fatal(err)
	}
	sizeapp.Run()
}
