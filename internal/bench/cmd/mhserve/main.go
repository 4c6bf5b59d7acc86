// Command mhserve is the process the benchmarks connect to: a manhole on
// the default socket (or -socket); see internal/bench/mhserve.
package main

import "github.com/gomanhole/manhole/internal/bench/mhserve"

func main() { mhserve.Main(nil) }
