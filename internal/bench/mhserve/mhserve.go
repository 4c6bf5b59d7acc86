// Package mhserve is the process the benchmarks connect to (cmd/mhserve,
// and gops/cmd/mhserve-gops with a gops agent beside the manhole): a
// manhole on the default socket (or -socket). It prints
// {"pid":..., "socket":...} once it listens, then answers procstat
// commands on stdin ("stats") until stdin closes.
package mhserve

import (
	"flag"
	"fmt"
	"os"
	"runtime/pprof"

	"github.com/gomanhole/manhole"
	"github.com/gomanhole/manhole/internal/bench/procstat"
)

// Main is the program; also, if not nil, starts what else listens in the
// process before the first line is printed.
func Main(also func() error) {
	socket := flag.String("socket", "", "unix socket (default: the manhole default for this pid)")
	maxSessions := flag.Int("max-sessions", 0, "Options.MaxSessionsTotal and MaxSessionsPerIdentity: the benchmark's clients are one identity (0: the defaults)")
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
		SocketPath:             *socket,
		MaxSessionsTotal:       *maxSessions,
		MaxSessionsPerIdentity: *maxSessions,
		// A few namespace values, as an application would expose.
		Namespace: map[string]any{"cfg": &struct{ Level string }{"info"}, "hits": new(int64)},
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "mhserve:", err)
		os.Exit(1)
	}
	defer mh.Close()
	if also != nil {
		if err := also(); err != nil {
			fmt.Fprintln(os.Stderr, "mhserve:", err)
			os.Exit(1)
		}
	}
	procstat.Print(map[string]any{"pid": os.Getpid(), "socket": mh.SocketPath()})
	procstat.Serve()
}
