// Command size-min-manhole is size-min with a manhole.
package main

import (
	"fmt"
	"log"
	"os"
	"os/signal"

	"github.com/gomanhole/manhole"
)

func main() {
	mh, err := manhole.Start(manhole.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer mh.Close()
	c := make(chan os.Signal, 1)
	signal.Notify(c, os.Interrupt)
	fmt.Println("ready")
	<-c
}
