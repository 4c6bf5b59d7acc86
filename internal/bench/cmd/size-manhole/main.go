// Command size-manhole is the binary-size test's application with a
// manhole and its default symbol set.
package main

import (
	"log"

	"github.com/gomanhole/manhole"
	"github.com/gomanhole/manhole/internal/bench/sizeapp"
)

func main() {
	mh, err := manhole.Start(manhole.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer mh.Close()
	sizeapp.Run()
}
