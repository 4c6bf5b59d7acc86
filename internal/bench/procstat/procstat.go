// Package procstat is what the benchmark child processes report about
// themselves: goroutines, live heap and resident memory, as JSON lines.
package procstat

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
)

// Stats is a process's footprint at one moment.
type Stats struct {
	Goroutines int    `json:"goroutines"`
	HeapAlloc  uint64 `json:"heap_alloc"` // live heap after a GC, bytes
	HeapInuse  uint64 `json:"heap_inuse"` // heap spans in use after a GC, bytes
	RSS        uint64 `json:"rss"`        // VmRSS, bytes
}

// Sample collects garbage twice (finalizers may free more) and reads the
// figures.
func Sample() Stats {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return Stats{
		Goroutines: runtime.NumGoroutine(),
		HeapAlloc:  ms.HeapAlloc,
		HeapInuse:  ms.HeapInuse,
		RSS:        rss(),
	}
}

// rss reads VmRSS from /proc/self/status; 0 where there is none.
func rss() uint64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for line := range strings.Lines(string(b)) {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, err := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			if err != nil {
				return 0
			}
			return kb << 10
		}
	}
	return 0
}

// Print writes v as one JSON line on stdout.
func Print(v any) {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	fmt.Printf("%s\n", b)
}

// Serve answers commands read from stdin, one a line, until stdin ends:
// "stats" prints Sample() as a JSON line, "cpu" the CPU time the process
// used so far ({"cpu_ns": N}, user and system, from getrusage).
func Serve() {
	sc := bufio.NewScanner(os.Stdin)
	for sc.Scan() {
		switch sc.Text() {
		case "stats":
			Print(Sample())
		case "cpu":
			Print(map[string]int64{"cpu_ns": cpuTime().Nanoseconds()})
		default:
			fmt.Printf("{\"error\":%q}\n", "unknown command "+sc.Text())
		}
	}
}
