package interp

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/gomanhole/manhole/internal/testkit"
)

// liveStore is a host type the application writes while sessions look.
type liveStore struct {
	mu sync.Mutex // guards m
	m  map[string]int
	n  int
}

func (s *liveStore) Set(k string, v int) {
	s.mu.Lock()
	s.m[k] = v
	s.n++
	s.mu.Unlock()
}

// String takes the lock: the printer must not call it while it holds it.
func (s *liveStore) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return fmt.Sprintf("store of %d", len(s.m))
}

type liveIndex struct {
	mu   sync.RWMutex
	byID map[int]string
}

// liveConfig has a map guarded by a lock the printer cannot see.
type liveConfig struct {
	Tags map[string]string
}

type liveApp struct {
	Index *liveIndex
	Cfg   *liveConfig
}

var liveTagsMu sync.Mutex // guards liveConfig.Tags

func (c *liveConfig) Snapshot() map[string]string {
	liveTagsMu.Lock()
	defer liveTagsMu.Unlock()
	out := make(map[string]string, len(c.Tags))
	for k, v := range c.Tags {
		out[k] = v
	}
	return out
}

// Printing values the application is writing, from several sessions at
// once: before, `store` and dump(store) ended the process with Go's fatal
// "concurrent map iteration and map write".
func TestPrintingLiveStateNeverKills(t *testing.T) {
	store := &liveStore{m: map[string]int{}}
	index := &liveIndex{byID: map[int]string{}}
	cfg := &liveConfig{Tags: map[string]string{}}
	app := &liveApp{Index: index, Cfg: cfg}
	var stop atomic.Bool
	var writers sync.WaitGroup
	for w := 0; w < 2; w++ {
		writers.Add(1)
		go func() {
			defer writers.Done()
			for i := 0; !stop.Load(); i++ {
				store.Set(fmt.Sprint(i%500), i)
				index.mu.Lock()
				index.byID[i%300] = "x"
				index.mu.Unlock()
				liveTagsMu.Lock()
				cfg.Tags[fmt.Sprint(i%200)] = "v"
				liveTagsMu.Unlock()
			}
		}()
	}
	defer func() {
		stop.Store(true)
		writers.Wait()
	}()
	// cfg.Snapshot() must have something to show from the first input.
	testkit.Eventually(t, "the writers to fill cfg.Tags", func() bool {
		liveTagsMu.Lock()
		defer liveTagsMu.Unlock()
		return len(cfg.Tags) > 0
	})
	ns := map[string]any{"store": store, "index": index, "cfg": cfg, "app": app, "tags": cfg.Tags}
	inputs := []struct{ src, want string }{
		{`store`, "store of"}, // its String, called with no lock held
		{`dump(store)`, ""},
		{`index`, "map[int]string{"},
		{`app`, "Index:"},
		{`dump(app)`, ""},
		{`cfg`, "not read: no lock of the app guards it here"},
		{`cfg.Tags`, "not read: no lock"},
		{`tags`, "not read: no lock"},
		{`t := cfg.Tags; t`, "not read: no lock"},
		{`app.Cfg.Tags`, "not read: no lock"},
		{`dump(cfg.Tags)`, ""},
		{`s := cfg.Snapshot(); len(s) > 0`, "true"},
		{`cfg.Snapshot()`, `map[string]string{`},
	}
	rounds := 40
	if testing.Short() {
		rounds = 5
	}
	var sessions sync.WaitGroup
	errs := make(chan error, 100)
	for s := 0; s < 3; s++ {
		sessions.Add(1)
		go func() {
			defer sessions.Done()
			out := &safeBuffer{}
			in, err := New(Options{Namespace: ns, Stdout: out, Stderr: out})
			if err != nil {
				errs <- err
				return
			}
			defer in.Close()
			for r := 0; r < rounds; r++ {
				for _, tc := range inputs {
					res, err := in.Eval(context.Background(), tc.src)
					if err != nil {
						errs <- fmt.Errorf("%s: %v", tc.src, err)
						return
					}
					if !strings.Contains(res.Value, tc.want) {
						errs <- fmt.Errorf("%s = %s, want it to contain %q", tc.src, res.Value, tc.want)
						return
					}
				}
			}
			if s := out.String(); !strings.Contains(s, "not read: no lock") {
				errs <- fmt.Errorf("dump(cfg.Tags) read the map:\n%.300s", s)
			}
		}()
	}
	sessions.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// A lock the application holds for long is not waited for: the struct
// prints without its maps, and says so.
func TestPrintingWithTheAppHoldingTheLock(t *testing.T) {
	index := &liveIndex{byID: map[int]string{1: "a"}}
	f := newFixture(t, map[string]any{"index": index})
	index.mu.Lock()
	got := f.value(t, `index`)
	index.mu.Unlock()
	if !strings.Contains(got, "mu was held for over") || !strings.Contains(got, "not read: no lock") {
		t.Errorf("index with its lock held = %s", got)
	}
	if got := f.value(t, `index`); !strings.Contains(got, `byID:map[int]string{1:"a"}`) {
		t.Errorf("index = %s", got)
	}
	// A copy's lock guards nothing: its maps are the host's.
	if got := f.value(t, `*index`); !strings.Contains(got, "not read: no lock") {
		t.Errorf("*index = %s", got)
	}
}

// The session's own maps print in full.
func TestSessionMapsPrint(t *testing.T) {
	f := newFixture(t, nil)
	if got := f.value(t, `m := map[string]int{"a": 1}; m`); got != `map[string]int{"a":1}` {
		t.Errorf("m = %s", got)
	}
	if got := f.value(t, "type box struct{ m map[int]bool }\nb := &box{m: map[int]bool{1: true}}; b"); got != `&main.box{m:map[int]bool{1:true}}` {
		t.Errorf("b = %s", got)
	}
}

func TestInspect(t *testing.T) {
	store := &liveStore{m: map[string]int{"k": 2}}
	if got := Inspect(store, 200); got != `&interp.liveStore{mu:sync.Mutex{…}, m:map[string]int{"k":2}, n:0}` {
		t.Errorf("Inspect(store) = %s", got)
	}
	if got := Inspect(&liveConfig{Tags: map[string]string{"a": "b"}}, 200); !strings.Contains(got, "not read: no lock") {
		t.Errorf("Inspect(cfg) = %s", got)
	}
	// Counters are read atomically, signs and widths kept.
	if got := Inspect(&struct {
		A int32
		B int64
		C uint32
		D uint64
	}{-5, -7, 1 << 31, 1 << 63}, 200); got != "&struct { A int32; B int64; C uint32; D uint64 }{A:-5, B:-7, C:2147483648, D:9223372036854775808}" {
		t.Errorf("Inspect(counters) = %s", got)
	}
}
