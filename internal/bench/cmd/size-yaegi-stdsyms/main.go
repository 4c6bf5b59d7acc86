// Command size-yaegi-stdsyms is size-yaegi with manhole's default symbol
// set (package interp/stdsyms): what the set alone costs.
package main

import (
	"log"

	yaegi "github.com/traefik/yaegi/interp"

	"github.com/gomanhole/manhole/internal/bench/sizeapp"
	"github.com/gomanhole/manhole/interp/stdsyms"
)

func main() {
	if err := yaegi.New(yaegi.Options{}).Use(stdsyms.Symbols()); err != nil {
		log.Fatal(err)
	}
	sizeapp.Run()
}
