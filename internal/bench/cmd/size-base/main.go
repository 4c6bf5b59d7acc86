// Command size-base is the binary-size test's application without a
// manhole.
package main

import "github.com/gomanhole/manhole/internal/bench/sizeapp"

func main() { sizeapp.Run() }
