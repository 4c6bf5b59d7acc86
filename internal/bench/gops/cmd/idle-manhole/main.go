// Command idle-manhole starts a manhole and prints the process's footprint
// before and after, as one JSON line; the idle-footprint benchmark
// compares it with idle-gops and idle-none.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/gomanhole/manhole"
	"github.com/gomanhole/manhole/internal/bench/procstat"
)

func main() {
	dir := flag.String("dir", os.TempDir(), "directory for the socket")
	flag.Parse()
	before := procstat.Sample()
	mh, err := manhole.Start(manhole.Options{SocketPath: filepath.Join(*dir, "idle.sock")})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	after := procstat.Sample()
	procstat.Print(map[string]procstat.Stats{"before": before, "after": after})
	mh.Close()
}
