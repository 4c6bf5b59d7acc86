// Command size-min is the smallest application of the binary-size test:
// fmt and a signal, no HTTP.
package main

import (
	"fmt"
	"os"
	"os/signal"
)

func main() {
	c := make(chan os.Signal, 1)
	signal.Notify(c, os.Interrupt)
	fmt.Println("ready")
	<-c
}
