// Command mhserve is the process the benchmarks connect to: a manhole on
// the default socket (or -socket), optionally a gops agent beside it. It
// prints {"pid":..., "socket":...} once both listen, then answers
// procstat commands on stdin ("stats") until stdin closes.
package main

import (
	"flag"
	"fmt"
	"os"
	"runtime/pprof"

	"github.com/google/gops/agent"

	"github.com/gomanhole/manhole"
	"github.com/gomanhole/manhole/internal/bench/procstat"
)

func main() {
	socket := flag.String("socket", "", "unix socket (default: the manhole default for this pid)")
	withGops := flag.Bool("gops", false, "also start a gops agent (port file under $GOPS_CONFIG_DIR)")
	maxSessions := flag.Int("max-sessions", 0, "Options.MaxSessionsTotal (0: the default)")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the whole run to `file`")
	flag.Parse()
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			fmt.Fprintln(os.Stderr, "mhserve:", err)
			os.Exit(1)
		}
		pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}

	mh, err := manhole.Start(manhole.Options{
		SocketPath:       *socket,
		MaxSessionsTotal: *maxSessions,
		// A few namespace values, as an application would expose.
		Namespace: map[string]any{"cfg": &struct{ Level string }{"info"}, "hits": new(int64)},
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "mhserve:", err)
		os.Exit(1)
	}
	defer mh.Close()
	if *withGops {
		if err := agent.Listen(agent.Options{}); err != nil {
			fmt.Fprintln(os.Stderr, "mhserve: gops:", err)
			os.Exit(1)
		}
		defer agent.Close()
	}
	procstat.Print(map[string]any{"pid": os.Getpid(), "socket": mh.SocketPath()})
	procstat.Serve()
}
