// Command mhserve-gops is cmd/mhserve with a gops agent beside the
// manhole, in the same process (its port file under $GOPS_CONFIG_DIR):
// what BenchmarkGoroutineDump asks for a dump both ways.
package main

import (
	"github.com/google/gops/agent"

	"github.com/gomanhole/manhole/internal/bench/mhserve"
)

func main() {
	mhserve.Main(func() error { return agent.Listen(agent.Options{}) })
}
