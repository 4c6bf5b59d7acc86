package diag

import (
	"bytes"
	"math"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
	"time"
)

// The sampler behind :top. One per Set, shared by every session that
// watches: it runs only while at least one does (no goroutine, no timer
// otherwise), takes one sample a second, and keeps the last topHistory of
// them for the sparklines. The goroutine dump, which stops the world, is
// taken at most once a second and less often when it is expensive, so
// that it costs the process at most about 1% of its time.

const (
	topTick    = time.Second
	topHistory = 600 // samples kept: ten minutes
	// topDumpDuty bounds the share of time spent dumping and grouping
	// the goroutines: after a dump that took d, the next waits 1/duty·d.
	topDumpDuty = 0.01
)

// topSample is what one tick measured. Rates are over the time since the
// previous tick; ok is false for the first tick of a run, which has no
// previous one to take rates from.
type topSample struct {
	at                           time.Time
	ok                           bool
	cpuUser                      float64 // share of one core, 0.5 = 50%
	cpuSys                       float64
	heapInUse                    uint64
	heapGoal                     uint64
	memLimit                     int64
	gcCycles                     uint64
	gcPerSec                     float64
	gcPauseP99                   float64 // seconds, pauses during the last interval
	goroutines                   uint64
	schedP50                     float64 // seconds, scheduling latencies of the last interval
	schedP99                     float64
	pauseP50, pauseP99, pauseMax float64 // seconds, every pause since start
}

// topGroups is the last grouping of the goroutines.
type topGroups struct {
	at     time.Time
	groups []*goroutineGroup
	total  int
	took   time.Duration
	// skipped: too many goroutines to dump their stacks (see
	// maxTopGoroutines).
	skipped bool
}

// topSampler is the shared sampler of a Set.
type topSampler struct {
	mu       sync.Mutex // protects the fields below
	watchers map[chan struct{}]struct{}
	stop     chan struct{} // closes to stop the running sampler goroutine
	done     chan struct{} // closed when that goroutine has returned
	hist     []topSample   // oldest first, at most topHistory
	groups   topGroups
}

// watch adds a watcher and starts the sampler if it was stopped. notify
// receives (without blocking the sampler) after every new sample. Call
// leave when done: the last watcher to leave stops the sampler and waits
// for its goroutine to end.
func (t *topSampler) watch() (notify <-chan struct{}, leave func()) {
	ch := make(chan struct{}, 1)
	t.mu.Lock()
	t.watchers[ch] = struct{}{}
	if t.stop == nil {
		t.stop, t.done = make(chan struct{}), make(chan struct{})
		t.hist = nil // a gap would make the sparklines lie
		t.groups = topGroups{}
		go t.run(t.stop, t.done)
	}
	t.mu.Unlock()
	var once sync.Once
	return ch, func() {
		once.Do(func() {
			t.mu.Lock()
			delete(t.watchers, ch)
			var done chan struct{}
			if len(t.watchers) == 0 && t.stop != nil {
				close(t.stop)
				done = t.done
				t.stop, t.done = nil, nil
			}
			t.mu.Unlock()
			if done != nil {
				<-done
			}
		})
	}
}

// snapshot returns a copy of the history and the last goroutine groups.
func (t *topSampler) snapshot() ([]topSample, topGroups) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]topSample(nil), t.hist...), t.groups
}

func (t *topSampler) run(stop, done chan struct{}) {
	defer close(done)
	defer func() {
		t.mu.Lock()
		// Free what only watchers need.
		if t.stop == nil {
			t.hist, t.groups = nil, topGroups{}
		}
		t.mu.Unlock()
	}()
	defer func() {
		// A bug here must not take the application down: the watchers
		// keep showing the last samples.
		recover()
	}()
	m := newTopMeter()
	tick := time.NewTicker(topTick)
	defer tick.Stop()
	var nextDump time.Time
	for {
		s := m.sample()
		var g *topGroups
		if now := time.Now(); !now.Before(nextDump) {
			g = dumpGroups()
			pause := time.Duration(float64(g.took) / topDumpDuty)
			nextDump = now.Add(max(pause, topTick) - topTick/10)
		}
		t.mu.Lock()
		if t.stop != stop {
			// Stopped while sampling, and maybe restarted: the new
			// run keeps the history.
			t.mu.Unlock()
			return
		}
		if len(t.hist) == topHistory {
			copy(t.hist, t.hist[1:])
			t.hist = t.hist[:topHistory-1]
		}
		t.hist = append(t.hist, s)
		if g != nil {
			t.groups = *g
		}
		for ch := range t.watchers {
			select {
			case ch <- struct{}{}:
			default:
			}
		}
		t.mu.Unlock()
		select {
		case <-tick.C:
		case <-stop:
			return
		}
	}
}

// maxTopGoroutines is the most goroutines whose stacks :top dumps: the
// dump stops the world, and with 100 000 goroutines it took seconds and
// gigabytes. Beyond it, the groups are left out and :top says so.
const maxTopGoroutines = 10000

// dumpGroups groups every goroutine as :goroutines does.
func dumpGroups() *topGroups {
	start := time.Now()
	if n := runtime.NumGoroutine(); n > maxTopGoroutines {
		return &topGroups{at: start, total: n, skipped: true}
	}
	groups := groupGoroutines(bytes.NewReader(allStacks()))
	total := 0
	for _, g := range groups {
		total += g.count
	}
	return &topGroups{at: start, groups: groups, total: total, took: time.Since(start)}
}

// topMeter turns cumulative counters into the rates of a sample.
type topMeter struct {
	samples   []metrics.Sample
	prevAt    time.Time
	prevUser  time.Duration
	prevSys   time.Duration
	prevGC    uint64
	prevSched []uint64
	prevPause []uint64
	first     bool
}

const (
	mSchedLatencies = "/sched/latencies:seconds"
	mGCPauses       = "/sched/pauses/total/gc:seconds"
)

var topMetricNames = []string{mHeapObjects, mHeapGoal, mMemLimit, mCycles, mSchedLatencies, mGCPauses}

func newTopMeter() *topMeter {
	m := &topMeter{samples: make([]metrics.Sample, len(topMetricNames)), first: true}
	for i, n := range topMetricNames {
		m.samples[i].Name = n
	}
	return m
}

func (m *topMeter) sample() topSample {
	now := time.Now()
	user, sys := processCPU()
	metrics.Read(m.samples)
	s := topSample{at: now}
	var sched, pause *metrics.Float64Histogram
	for _, v := range m.samples {
		switch v.Name {
		case mHeapObjects:
			s.heapInUse = metricUint(v)
		case mHeapGoal:
			s.heapGoal = metricUint(v)
		case mMemLimit:
			s.memLimit = int64(metricUint(v))
		case mCycles:
			s.gcCycles = metricUint(v)
		case mSchedLatencies:
			if v.Value.Kind() == metrics.KindFloat64Histogram {
				sched = v.Value.Float64Histogram()
			}
		case mGCPauses:
			if v.Value.Kind() == metrics.KindFloat64Histogram {
				pause = v.Value.Float64Histogram()
			}
		}
	}
	// As runtime.Stack and :goroutines count them: without the
	// runtime's own (which /sched/goroutines includes).
	s.goroutines = uint64(runtime.NumGoroutine())
	if s.memLimit == 0 {
		s.memLimit = debug.SetMemoryLimit(-1)
	}
	if pause != nil {
		s.pauseP50 = histQuantile(pause.Counts, pause.Buckets, 0.5)
		s.pauseP99 = histQuantile(pause.Counts, pause.Buckets, 0.99)
		s.pauseMax = histQuantile(pause.Counts, pause.Buckets, 1)
	}
	if !m.first {
		dt := now.Sub(m.prevAt).Seconds()
		if dt > 0 {
			s.ok = true
			s.cpuUser = max(0, (user-m.prevUser).Seconds()/dt)
			s.cpuSys = max(0, (sys-m.prevSys).Seconds()/dt)
			if s.gcCycles >= m.prevGC {
				s.gcPerSec = float64(s.gcCycles-m.prevGC) / dt
			}
		}
		if sched != nil {
			d := histDelta(sched.Counts, m.prevSched)
			s.schedP50 = histQuantile(d, sched.Buckets, 0.5)
			s.schedP99 = histQuantile(d, sched.Buckets, 0.99)
		}
		if pause != nil {
			s.gcPauseP99 = histQuantile(histDelta(pause.Counts, m.prevPause), pause.Buckets, 0.99)
		}
	}
	m.first = false
	m.prevAt, m.prevUser, m.prevSys, m.prevGC = now, user, sys, s.gcCycles
	if sched != nil {
		m.prevSched = append(m.prevSched[:0], sched.Counts...)
	}
	if pause != nil {
		m.prevPause = append(m.prevPause[:0], pause.Counts...)
	}
	return s
}

func metricUint(v metrics.Sample) uint64 {
	switch v.Value.Kind() {
	case metrics.KindUint64:
		return v.Value.Uint64()
	case metrics.KindFloat64:
		return uint64(v.Value.Float64())
	}
	return 0
}

// histDelta is counts minus prev, bucket by bucket (prev may be shorter
// or empty: the first interval).
func histDelta(counts, prev []uint64) []uint64 {
	d := make([]uint64, len(counts))
	for i, c := range counts {
		if i < len(prev) && prev[i] <= c {
			c -= prev[i]
		}
		d[i] = c
	}
	return d
}

// histQuantile is the q-quantile of a runtime/metrics histogram: the
// upper bound of the bucket it falls in (the lower one for the last,
// unbounded bucket). 0 for an empty histogram.
func histQuantile(counts []uint64, buckets []float64, q float64) float64 {
	var total uint64
	for _, c := range counts {
		total += c
	}
	if total == 0 || len(buckets) < len(counts)+1 {
		return 0
	}
	rank := uint64(math.Ceil(q * float64(total)))
	rank = max(rank, 1)
	var seen uint64
	for i, c := range counts {
		seen += c
		if seen >= rank {
			hi := buckets[i+1]
			if math.IsInf(hi, 1) {
				hi = buckets[i]
			}
			return max(hi, 0)
		}
	}
	return 0
}
