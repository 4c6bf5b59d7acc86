// Command idle-none is the baseline of the idle-footprint benchmark: the
// same process as idle-manhole and idle-gops, starting nothing. It prints
// its footprint twice, as they do, as one JSON line.
package main

import "github.com/gomanhole/manhole/internal/bench/procstat"

func main() {
	before := procstat.Sample()
	procstat.Print(map[string]procstat.Stats{"before": before, "after": procstat.Sample()})
}
