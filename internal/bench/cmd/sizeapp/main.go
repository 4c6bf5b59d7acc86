package main

import (
	"fmt"
	"os"
	"os/signal"
)

var hooks []func()

func main() {
	for _, h := range hooks {
		h()
	}
	c := make(chan os.Signal, 1)
	signal.Notify(c, os.Interrupt)
	fmt.Println("ready")
	<-c
}
