// Command idle-gops starts a gops agent and prints the process's footprint
// before and after, as one JSON line: the anchor of the idle-footprint
// benchmark. The agent writes its port file under $GOPS_CONFIG_DIR.
package main

import (
	"fmt"
	"os"

	"github.com/google/gops/agent"

	"github.com/gomanhole/manhole/internal/bench/procstat"
)

func main() {
	before := procstat.Sample()
	if err := agent.Listen(agent.Options{}); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	after := procstat.Sample()
	procstat.Print(map[string]procstat.Stats{"before": before, "after": after})
	agent.Close()
}
