package diag

import (
	"context"
	"math"
	"runtime"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// samplerGoroutines counts the goroutines running a :top sampler, by
// their stacks: the process's total moves with whatever other tests are
// still ending.
func samplerGoroutines() int {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			return strings.Count(string(buf[:n]), "(*topSampler).run(")
		}
		buf = make([]byte, 2*len(buf))
	}
}

// TestTopSamplingStopsWhenWatchersLeave: the sampler's goroutine starts
// with its first watcher, not before, and ends with its last.
func TestTopSamplingStopsWhenWatchersLeave(t *testing.T) {
	d := New(&testHost{})
	d.Commands()
	if n := samplerGoroutines(); n != 0 {
		t.Fatalf("%d sampler goroutines before anyone watches, want none", n)
	}
	ts := d.top
	var leaves []func()
	for range 5 {
		notify, leave := ts.watch()
		leaves = append(leaves, leave)
		<-notify
	}
	if n := samplerGoroutines(); n != 1 {
		t.Errorf("%d sampler goroutines with 5 watchers, want one", n)
	}
	hist, groups := ts.snapshot()
	if len(hist) == 0 || groups.total == 0 {
		t.Errorf("no sample: %d samples, %d goroutines grouped", len(hist), groups.total)
	}
	for _, leave := range leaves {
		leave()
		leave() // twice is harmless
	}
	// leave waits for the sampler's goroutine to return.
	if n := samplerGoroutines(); n != 0 {
		t.Errorf("%d sampler goroutines after the watchers left, want none", n)
	}
	if hist, _ := ts.snapshot(); hist != nil {
		t.Errorf("%d samples kept after the watchers left", len(hist))
	}

	// :top itself: when it returns, its sampler is gone.
	if r := run(t, context.Background(), d, "top", "-n 2"); r.code != 0 || strings.Count(string(r.stdout), "\nGOROUTINES ") != 2 {
		t.Errorf(":top -n 2: exit %d, stderr %q\n%s", r.code, r.stderr, r.stdout)
	}
	if n := samplerGoroutines(); n != 0 {
		t.Errorf("%d sampler goroutines after :top -n 2 returned, want none", n)
	}
}

func TestTopRenderFitsAnyWindow(t *testing.T) {
	ts := New(&testHost{}).top
	notify, leave := ts.watch()
	<-notify
	defer leave()
	hist, groups := ts.snapshot()
	for _, hist := range [][]topSample{nil, hist} {
		for _, cols := range []int{1, 2, 3, 10, 40, 80, 200, topMaxCols} {
			for _, rows := range []int{1, 2, 3, 5, 10, 24, 100, topMaxRows} {
				v := &topView{interval: time.Second}
				lines := v.render(nil, 0, hist, groups, cols, rows, true)
				if len(lines) > rows {
					t.Errorf("%dx%d: %d lines", cols, rows, len(lines))
				}
				size := 0
				for _, l := range lines {
					size += len(l)
				}
				if size > 1<<20 {
					t.Errorf("%dx%d: a frame of %d bytes", cols, rows, size)
				}
				for _, l := range lines {
					if n := utf8.RuneCountInString(l); n > cols {
						t.Errorf("%dx%d: a line of %d runes: %q", cols, rows, n, l)
					}
					if strings.ContainsRune(l, '\x1b') {
						t.Errorf("%dx%d: an escape in %q", cols, rows, l)
					}
				}
				if rows >= 24 && cols >= 80 && hist != nil {
					all := strings.Join(lines, "\n")
					for _, want := range []string{"CPU ", "heap ", "GC ", "goroutines ", "sched ", "GOROUTINES ", "SESSIONS ", "q quit"} {
						if !strings.Contains(all, want) {
							t.Errorf("%dx%d: no %q panel:\n%s", cols, rows, want, all)
						}
					}
				}
			}
		}
	}
}

func TestHistQuantile(t *testing.T) {
	buckets := []float64{0, 1, 2, 3, 4}
	for _, c := range []struct {
		counts []uint64
		q      float64
		want   float64
	}{
		{[]uint64{0, 0, 0, 0}, 0.5, 0},
		{[]uint64{1, 1, 1, 1}, 0.5, 2},
		{[]uint64{1, 1, 1, 1}, 0.99, 4},
		{[]uint64{10, 0, 0, 0}, 1, 1},
		{[]uint64{0, 0, 0, 5}, 0.01, 4},
	} {
		if got := histQuantile(c.counts, buckets, c.q); got != c.want {
			t.Errorf("histQuantile(%v, %v) = %v, want %v", c.counts, c.q, got, c.want)
		}
	}
	inf := []float64{0, 1, math.Inf(1)}
	if got := histQuantile([]uint64{0, 3}, inf, 0.5); got != 1 {
		t.Errorf("the unbounded bucket: %v, want its lower bound 1", got)
	}
	if got := histDelta([]uint64{5, 7}, []uint64{2}); got[0] != 3 || got[1] != 7 {
		t.Errorf("histDelta: %v", got)
	}
}

func TestSparkline(t *testing.T) {
	samples := func(vs ...float64) []topSample {
		var s []topSample
		for _, v := range vs {
			s = append(s, topSample{cpuUser: v})
		}
		return s
	}
	get := func(s topSample) float64 { return s.cpuUser }
	for _, c := range []struct {
		vs       []float64
		fromZero bool
		want     string
	}{
		{[]float64{0, 0.5, 1}, true, "▁▅█"},
		{[]float64{0, 0, 0}, true, "▁▁▁"},
		{[]float64{5, 5}, false, "▄▄"},
		{[]float64{10, 11, 12}, false, "▁▅█"},
	} {
		if got := sparkline(samples(c.vs...), c.fromZero, get); got != c.want {
			t.Errorf("sparkline(%v, %v) = %q, want %q", c.vs, c.fromZero, got, c.want)
		}
	}
}
