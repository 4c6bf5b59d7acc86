// Command manhole-demo is a small service with live state and a manhole,
// to try the manhole on: a key-value store and counters a background
// goroutine updates every second.
//
//	go run ./cmd/manhole-demo
//	manhole connect <pid>
//	>>> store.Set("greeting", "hello")
//	>>> stats.Ticks
package main

import (
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/gomanhole/manhole"
)

// Store is a concurrency-safe string map: the demo's "application state".
type Store struct {
	mu sync.Mutex // protects m
	m  map[string]string
}

// NewStore returns an empty Store.
func NewStore() *Store { return &Store{m: map[string]string{}} }

// Get returns the value of key and whether it is set.
func (s *Store) Get(key string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.m[key]
	return v, ok
}

// Set sets key to value.
func (s *Store) Set(key, value string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.m[key] = value
}

// Len is the number of keys.
func (s *Store) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.m)
}

// Keys returns the keys in order.
func (s *Store) Keys() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	keys := make([]string, 0, len(s.m))
	for k := range s.m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Stats are counters the background worker updates every second.
type Stats struct {
	Ticks    int64 // seconds the worker has run
	Requests int64 // simulated requests served
	Errors   int64 // simulated failures
	Started  time.Time
}

// Config is mutable settings, to show writes through a pointer.
type Config struct {
	Level   string
	Verbose bool
}

func main() {
	socket := flag.String("socket", "", "unix socket path (default: the library's default, $XDG_RUNTIME_DIR/manhole/<pid>.sock or /tmp/manhole-<uid>/<pid>.sock)")
	verbose := flag.Bool("v", false, "log the manhole's audit log to stderr")
	addr := flag.String("addr", "", "also listen on this loopback TCP address (HOST:PORT); needs -authorized-keys or -trusted-user-ca")
	keys := flag.String("authorized-keys", "", "authorized_keys `file` for public-key logins (re-read when it changes)")
	trustedCA := flag.String("trusted-user-ca", "", "`file` of CA public keys whose OpenSSH user certificates may log in (sshd's TrustedUserCAKeys)")
	revoked := flag.String("revoked-keys", "", "revoked keys and certificates: a KRL or a list of keys (sshd's RevokedKeys) `file`")
	hostKey := flag.String("host-key", "", "persistent host key `file` (created if missing), for a stable TCP host key")
	activateOn := flag.String("activate-on", "", "listen only once this `signal` arrives (SIGUSR1 or SIGUSR2)")
	oneShot := flag.Bool("oneshot", false, "stop listening after the first connection (with -activate-on: until the next signal)")
	requireKey := flag.Bool("require-key", false, "unix-socket clients need a key too")
	busy := flag.Bool("busy", false, "write the store and the stats without pause, as a busy service would (for stress tests)")
	flag.Parse()

	activate, err := activationSignal(*activateOn)
	if err != nil {
		fmt.Fprintf(os.Stderr, "manhole-demo: -activate-on %s: %v\n", *activateOn, err)
		os.Exit(2)
	}

	var cas []byte
	if *trustedCA != "" {
		var err error
		if cas, err = os.ReadFile(*trustedCA); err != nil {
			fmt.Fprintln(os.Stderr, "manhole-demo: -trusted-user-ca:", err)
			os.Exit(2)
		}
	}

	store := NewStore()
	store.Set("version", "1.0")
	stats := &Stats{Started: time.Now()}
	cfg := &Config{Level: "info"}

	// Before Start: a signal that arrives once the socket is announced
	// must close it.
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)

	logger := slog.New(slog.DiscardHandler)
	if *verbose {
		logger = slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	mh, err := manhole.Start(manhole.Options{
		SocketPath: *socket,
		Namespace: map[string]any{
			"store": store,
			"stats": stats,
			"cfg":   cfg,
		},
		Logger:             logger,
		Addr:               *addr,
		AuthorizedKeysFile: *keys,
		TrustedUserCAKeys:  string(cas),
		RevokedKeysFile:    *revoked,
		HostKeyFile:        *hostKey,
		ActivateOn:         activate,
		OneShot:            *oneShot,
		RequireKey:         *requireKey,
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "manhole-demo:", err)
		os.Exit(1)
	}
	// The application's own log goes through the manhole, so :logs can
	// follow it; on stderr only with -v (make demo shares the terminal).
	appOut := io.Discard
	if *verbose {
		appOut = os.Stderr
	}
	appLog := slog.New(mh.LogHandler(slog.NewTextHandler(appOut, nil)))

	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				ticks := atomic.AddInt64(&stats.Ticks, 1)
				n := int64(1 + rand.IntN(100))
				atomic.AddInt64(&stats.Requests, n)
				if rand.IntN(10) == 0 {
					atomic.AddInt64(&stats.Errors, 1)
					appLog.Warn("request failed", "tick", ticks)
				} else if cfg.Verbose || ticks%10 == 0 {
					appLog.Info("served requests", "tick", ticks, "requests", n, "keys", store.Len())
				}
			}
		}
	}()

	if *busy {
		// Writers that never rest: what sessions print is being written
		// all the time, under the store's lock, as in a loaded service.
		for w := 0; w < 2; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; ; i++ {
					select {
					case <-stop:
						return
					default:
					}
					store.Set(fmt.Sprintf("key-%d", i%1000), strconv.Itoa(i))
					atomic.AddInt64(&stats.Requests, 1)
					if i%64 == 0 {
						runtime.Gosched()
					}
				}
			}()
		}
	}

	pid := os.Getpid()
	if activate != nil {
		fmt.Printf("manhole-demo: pid %d, manhole waiting for %v (kill -%s %d), then on %s\n",
			pid, *activateOn, strings.TrimPrefix(strings.ToUpper(*activateOn), "SIG"), pid, mh.SocketPath())
	}
	if mh.Addr() != "" {
		fmt.Printf("manhole-demo: pid %d, manhole on tcp %s: ssh -p %s -i KEY demo@127.0.0.1\n", pid, mh.Addr(), portOf(mh.Addr()))
	}
	if activate == nil {
		fmt.Printf("manhole-demo: pid %d, manhole listening on %s\n", pid, mh.SocketPath())
	}
	cli := manholeCommand()
	fmt.Printf(`connect with:
  %[1]s connect %[2]d
  ssh -o ProxyCommand='%[1]s proxy %[2]d' demo
  ssh -o ProxyCommand='nc -U %[3]s' demo
then try: store.Set("k", "v"); store.Keys()   stats.Ticks   cfg.Level = "debug"   :help
`, cli, pid, mh.SocketPath())

	sig := <-sigs
	fmt.Printf("manhole-demo: %v, closing\n", sig)
	close(stop)
	wg.Wait()
	if err := mh.Close(); err != nil {
		fmt.Fprintln(os.Stderr, "manhole-demo:", err)
		os.Exit(1)
	}
}

func portOf(addr string) string {
	_, port, _ := net.SplitHostPort(addr)
	return port
}

// manholeCommand is how to run the manhole CLI: the binary next to this
// one when there is one (make build puts both in bin/), else "manhole".
func manholeCommand() string {
	exe, err := os.Executable()
	if err != nil {
		return "manhole"
	}
	cli := filepath.Join(filepath.Dir(exe), "manhole")
	if st, err := os.Stat(cli); err == nil && st.Mode().IsRegular() {
		if wd, err := os.Getwd(); err == nil {
			if rel, err := filepath.Rel(wd, cli); err == nil && !strings.HasPrefix(rel, "..") {
				return "./" + rel
			}
		}
		return cli
	}
	return "manhole"
}
