package diag

import (
	"context"
	"math"
	"runtime/debug"
	"strings"
	"testing"
)

func TestSetGCAndMemLimitChangeTheRuntime(t *testing.T) {
	d := New(&testHost{})
	oldGC := debug.SetGCPercent(100)
	oldLimit := debug.SetMemoryLimit(math.MaxInt64)
	t.Cleanup(func() {
		debug.SetGCPercent(oldGC)
		debug.SetMemoryLimit(oldLimit)
	})
	steps := []struct{ cmd, args, want string }{
		{"setgc", "150", "GOGC 100 -> 150\n"},
		{"setgc", "off", "GOGC 150 -> off\n"},
		{"setgc", "100", "GOGC off -> 100\n"},
		{"memlimit", "1GiB", "GOMEMLIMIT off -> 1.00 GiB\n"},
		{"memlimit", "536870912", "GOMEMLIMIT 1.00 GiB -> 512 MiB\n"},
		{"memlimit", "3 MiB", "GOMEMLIMIT 512 MiB -> 3.00 MiB\n"},
		{"memlimit", "off", "GOMEMLIMIT 3.00 MiB -> off\n"},
	}
	for _, s := range steps {
		r := run(t, context.Background(), d, s.cmd, s.args)
		if r.code != 0 || string(r.stdout) != s.want {
			t.Errorf(":%s %s: status %d, stdout %q, stderr %q; want 0, %q", s.cmd, s.args, r.code, r.stdout, r.stderr, s.want)
		}
	}
	if got := debug.SetGCPercent(100); got != 100 {
		t.Errorf("GOGC is %d after :setgc 100", got)
	}
}

// TestInspectOnlyIsRefusedChanges: an inspect-only session may read the
// settings but not change them, nor end sessions.
func TestInspectOnlyIsRefusedChanges(t *testing.T) {
	d := New(&testHost{})
	oldGC := debug.SetGCPercent(100)
	t.Cleanup(func() { debug.SetGCPercent(oldGC) })
	for _, c := range [][2]string{{"setgc", "50"}, {"memlimit", "1GiB"}, {"kick", "1"}} {
		var stdout, stderr strings.Builder
		code := runTo(t, context.Background(), d, &Env{Stdout: &stdout, Stderr: &stderr, Width: 80, InspectOnly: true}, c[0], c[1])
		if code != 1 || !strings.Contains(stderr.String(), "inspect-only") || stdout.Len() > 0 {
			t.Errorf(":%s %s: status %d, stdout %q, stderr %q; want 1, refused as inspect-only", c[0], c[1], code, stdout.String(), stderr.String())
		}
	}
	if got := debug.SetGCPercent(100); got != 100 {
		t.Errorf("GOGC changed to %d by an inspect-only session", got)
	}
	for _, name := range []string{"setgc", "memlimit", "mem"} {
		var stdout, stderr strings.Builder
		if code := runTo(t, context.Background(), d, &Env{Stdout: &stdout, Stderr: &stderr, Width: 80, InspectOnly: true}, name, ""); code != 0 {
			t.Errorf(":%s: status %d, stderr %q; an inspect-only key may look", name, code, stderr.String())
		}
	}
}
