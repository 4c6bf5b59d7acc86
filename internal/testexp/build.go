package testexp

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"sync"
	"testing"
)

// Binaries builds Go commands once per test run into a directory any uid
// can read and execute (tests run clients as another user).
type Binaries struct {
	once sync.Once
	dir  string
	err  error
	own  bool // dir was made here and is removed by Remove
}

// Dir builds pkgs (go build patterns, relative to the test's package) on
// first use and returns the directory holding the binaries. If the
// environment variable MANHOLE_TEST_BIN names a directory, prebuilt
// binaries there are used instead (to bisect with old binaries).
func (b *Binaries) Dir(t testing.TB, pkgs ...string) string {
	t.Helper()
	b.once.Do(func() {
		if dir := os.Getenv("MANHOLE_TEST_BIN"); dir != "" {
			b.dir = dir
			return
		}
		b.dir, b.err = os.MkdirTemp("/tmp", "mhbin")
		if b.err != nil {
			return
		}
		b.own = true
		os.Chmod(b.dir, 0o755)
		out, err := exec.Command("go", append([]string{"build", "-o", b.dir}, pkgs...)...).CombinedOutput()
		if err != nil {
			b.err = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if b.err != nil {
		t.Fatal(b.err)
	}
	return b.dir
}

// Remove deletes binaries built by Dir; call it from TestMain.
func (b *Binaries) Remove() {
	if b.own {
		os.RemoveAll(b.dir)
	}
}

// LockedBuffer is a bytes.Buffer safe for concurrent use: a log sink
// that a test reads while the server writes.
type LockedBuffer struct {
	mu sync.Mutex // protects b
	b  bytes.Buffer
}

func (l *LockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *LockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
