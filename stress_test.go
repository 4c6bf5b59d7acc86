//go:build unix

package manhole_test

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"github.com/gomanhole/manhole/internal/discovery"
	"github.com/gomanhole/manhole/internal/testkit"
)

// stressInputs are what sessions type at a busy host: each once ended or
// wedged the host process, or left goroutines behind in it.
var stressInputs = []string{
	// Panics in goroutines and callbacks, by name and by value.
	`go func() { panic("x") }()`,
	`go func() { var m map[string]int; m["a"] = 1 }()`,
	`go panic("y")`,
	`func b() { panic(1) }; go b()`,
	`time.AfterFunc(0, func() { panic("z") })`,
	`af := time.AfterFunc; af(0, func() { panic("w") })`,
	`for i := 0; i < 5; i++ { go panic(i) }`,
	`ctx, cancel := context.WithCancel(context.Background()); context.AfterFunc(ctx, func() { panic("c") }); cancel()`,
	// Printing what the application writes meanwhile.
	`store`,
	`dump(store)`,
	`:vars`,
	`stats`,
	`store.Len()`,
	`store.Keys()[:3]`,
	// Go's fatal errors.
	`var m sync.Mutex; m.Unlock()`,
	`var m sync.RWMutex; m.RUnlock()`,
	`runtime.SetFinalizer(1, nil)`,
	`debug.SetMaxStack(4096); func r(n int) int { if n == 0 { return 0 }; return r(n-1) + 1 }; r(200)`,
	`debug.SetMaxThreads(1); go func() {}()`,
	`os.NewFile(5, "").Close()`,
	`os.NewFile(2, "").Close()`,
	`make([]byte, 60<<30)`,
	`strings.Repeat("x", 60<<30)`,
	// Goroutines parked, many of them, and the limit.
	`select {}`,
	// Goroutines use function-local variables: a goroutine using a
	// session-level one races with the input's next declarations in
	// yaegi (a documented limit, which the race detector would report).
	`func() { ch := make(chan int); for i := 0; i < 50; i++ { go func() { <-ch }() } }()`,
	`for i := 0; i < 200; i++ { go func() { select {} }() }`,
	`for i := 0; i < 1100; i++ { go func() { select {} }() }`,
	`func park(n int) { if n == 0 { select {} }; park(n - 1) }; for i := 0; i < 100; i++ { go park(20) }`,
	`go func() { time.Sleep(300 * time.Millisecond) }()`,
	// Runaway code.
	`func f(n int) int { return f(n+1) }; f(0)`,
	`for {}`,
	`go func() { for {} }()`,
	`func() { x := 0; var mu sync.Mutex; for i := 0; i < 3; i++ { go func(n int) { mu.Lock(); x += n; mu.Unlock() }(i) } }()`,
	`strings.Repeat("ab", 1<<19)`,
	`for i := range 3 { go fmt.Println(i) }`,
}

// TestStress runs concurrent sessions of real SSH clients against the
// demo, built with the race detector and writing its store without
// pause, typing stressInputs in random order, closing some sessions
// early. The host must survive all of it, report no race and no fatal
// error, and come back to its goroutine count and heap once the sessions
// end. MANHOLE_STRESS sets how long (make stress: minutes); the default
// is a few seconds.
func TestStress(t *testing.T) {
	duration := 4 * time.Second
	if s := os.Getenv("MANHOLE_STRESS"); s != "" {
		d, err := time.ParseDuration(s)
		if err != nil {
			t.Fatalf("MANHOLE_STRESS=%q: %v", s, err)
		}
		duration = d
	}
	if testing.Short() {
		duration = time.Second
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "manhole-demo")
	if out, err := exec.Command("go", "build", "-race", "-o", bin, "./cmd/manhole-demo").CombinedOutput(); err != nil {
		t.Fatalf("go build -race: %v\n%s", err, out)
	}
	sock := filepath.Join(dir, "s.sock")
	var hostOut bytes.Buffer
	var hostMu sync.Mutex
	cmd := exec.Command(bin, "-busy", "-socket", sock)
	cmd.Stdout = lockedWriter{&hostMu, &hostOut}
	cmd.Stderr = lockedWriter{&hostMu, &hostOut}
	cmd.Env = append(os.Environ(), "GORACE=halt_on_error=0")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-exited
	})
	hostLog := func() string {
		hostMu.Lock()
		defer hostMu.Unlock()
		return hostOut.String()
	}
	config := stressClientConfig(t, sock, dir, exited)

	run := func(code string, hangup time.Duration) (string, error) {
		c, err := net.DialTimeout("unix", sock, 5*time.Second)
		if err != nil {
			return "", err
		}
		defer c.Close()
		client, err := testkit.Client(c, config)
		if err != nil {
			return "", err
		}
		defer client.Close()
		c.SetDeadline(time.Now().Add(20 * time.Second)) // the whole session
		sess, err := client.NewSession()
		if err != nil {
			return "", err
		}
		defer sess.Close()
		var out, errOut bytes.Buffer
		sess.Stdout, sess.Stderr = &out, &errOut
		if err := sess.Start(code); err != nil {
			return "", err
		}
		done := make(chan error, 1)
		go func() { done <- sess.Wait() }()
		select {
		case err = <-done:
		case <-time.After(hangup):
			// Hanging up cancels the evaluation: the host must stop it.
			client.Close()
			<-done
			err = nil
		}
		if _, ok := err.(*gossh.ExitError); ok {
			err = nil
		}
		return out.String(), err
	}
	probe := func(code string) int {
		t.Helper()
		out, err := run(code, 15*time.Second)
		if err != nil {
			t.Fatalf("probe %s: %v\nhost output:\n%s", code, err, hostLog())
		}
		n, err := strconv.Atoi(strings.TrimSpace(out))
		if err != nil {
			t.Fatalf("probe %s: %q", code, out)
		}
		return n
	}
	const goroutinesNow = `runtime.NumGoroutine()`
	const heapNow = `func() int { runtime.GC(); var m runtime.MemStats; runtime.ReadMemStats(&m); return int(m.HeapAlloc) }()`
	// Warm up: the first sessions build what later ones reuse.
	for _, in := range []string{`1`, `store`, `dump(store)`, `:vars`, `go func() {}()`} {
		if _, err := run(in, 10*time.Second); err != nil {
			t.Fatal(err)
		}
	}
	baseG, baseHeap := probe(goroutinesNow), probe(heapNow)

	var evals, failures atomic.Int64
	deadline := time.Now().Add(duration)
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(w), uint64(time.Now().UnixNano())))
			for time.Now().Before(deadline) {
				code := stressInputs[rng.IntN(len(stressInputs))]
				hangup := 2 * time.Second
				if rng.IntN(4) == 0 {
					hangup = time.Duration(rng.IntN(50)) * time.Millisecond
				}
				if _, err := run(code, hangup); err != nil {
					failures.Add(1)
					select {
					case errs <- fmt.Errorf("%s: %v", code, err):
					default:
					}
				}
				evals.Add(1)
				select {
				case err := <-exited:
					exited <- err
					return
				default:
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	select {
	case err := <-exited:
		t.Fatalf("the host died after %d evaluations: %v\n%s", evals.Load(), err, lastLines(hostLog(), 40))
	default:
	}
	for err := range errs {
		t.Errorf("a session failed: %v", err)
	}
	t.Logf("%d evaluations by 4 concurrent clients in %v, %d failed", evals.Load(), duration, failures.Load())

	// Back to the baseline once the sessions are gone: the goroutines
	// they parked are stopped, the memory they held is freed.
	var g, heap int
	settle := time.Now().Add(30 * time.Second)
	for {
		g, heap = probe(goroutinesNow), probe(heapNow)
		if g <= baseG+2 && heap <= baseHeap*3/2+8<<20 {
			break
		}
		if time.Now().After(settle) {
			t.Errorf("the host did not come back: goroutines %d (baseline %d), heap %d MB (baseline %d MB)", g, baseG, heap>>20, baseHeap>>20)
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Logf("goroutines %d → %d, heap %.1f → %.1f MB", baseG, g, float64(baseHeap)/(1<<20), float64(heap)/(1<<20))
	if path := os.Getenv("MANHOLE_STRESS_LOG"); path != "" {
		os.WriteFile(path, []byte(hostLog()), 0o600)
	}
	if bad := regexp.MustCompile(`(?m)^(fatal error|panic:|WARNING: DATA RACE)`).FindString(hostLog()); bad != "" {
		// The whole log, for the whole report: the excerpt below is cut.
		keep := filepath.Join(os.TempDir(), fmt.Sprintf("manhole-stress-host-%d.log", os.Getpid()))
		os.WriteFile(keep, []byte(hostLog()), 0o600)
		t.Errorf("the host reported %q (its whole output: %s):\n%s", bad, keep, lastLines(hostLog(), 80))
	}
}

// stressClientConfig waits for the host's socket and returns a client
// configuration trusting its host key, from its metadata file.
func stressClientConfig(t *testing.T, sock, dir string, exited chan error) *gossh.ClientConfig {
	t.Helper()
	meta := ""
	for start := time.Now(); ; time.Sleep(20 * time.Millisecond) {
		if matches, _ := filepath.Glob(filepath.Join(dir, "*.json")); len(matches) > 0 {
			if _, err := os.Stat(sock); err == nil {
				meta = matches[0]
				break
			}
		}
		select {
		case err := <-exited:
			t.Fatalf("the demo exited: %v", err)
		default:
		}
		if time.Since(start) > 30*time.Second {
			t.Fatal("the demo did not start")
		}
	}
	m, err := discovery.ReadMetadata(meta)
	if err != nil {
		t.Fatal(err)
	}
	key, err := m.PublicKey()
	if err != nil {
		t.Fatal(err)
	}
	return &gossh.ClientConfig{User: "stress", HostKeyCallback: gossh.FixedHostKey(key), Timeout: 10 * time.Second}
}

type lockedWriter struct {
	mu *sync.Mutex
	w  *bytes.Buffer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func lastLines(s string, n int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
