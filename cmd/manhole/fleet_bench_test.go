//go:build unix

package main

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// BenchmarkFleetExec is the wall time of one question (os.Getpid()) to
// 1, 10 and 30 local processes: one "manhole exec PID... -- CODE" against
// the single-target command in a shell loop, as one would script it
// without the fleet form. make bench puts the pair in BENCHMARKS.md.
func BenchmarkFleetExec(b *testing.B) {
	dir, ds := startDemos(b, 30)
	env := append(os.Environ(), "MANHOLE_DIR="+dir)
	bin := manholeBin(b)
	for _, n := range []int{1, 10, 30} {
		var pids []string
		for _, d := range ds[:n] {
			pids = append(pids, d.pidArg())
		}
		runOne := func(b *testing.B, cmd *exec.Cmd) {
			cmd.Env = env
			out, err := cmd.Output()
			if err != nil || strings.Count(string(out), "\n") != n {
				b.Fatalf("%s: %v\n%s", strings.Join(cmd.Args, " "), err, out)
			}
		}
		b.Run(fmt.Sprintf("%d/fanout", n), func(b *testing.B) {
			for b.Loop() {
				runOne(b, exec.Command(bin, append(append([]string{"exec"}, pids...), "--", "os.Getpid()")...))
			}
		})
		b.Run(fmt.Sprintf("%d/loop", n), func(b *testing.B) {
			for b.Loop() {
				loop := `for p in "$@"; do "$0" exec "$p" 'os.Getpid()' || exit 1; done`
				runOne(b, exec.Command("sh", append([]string{"-c", loop, bin}, pids...)...))
			}
		})
	}
}
