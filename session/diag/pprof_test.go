package diag

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/gomanhole/manhole/internal/testkit"
)

// TestPprofWritesProfiles: without a terminal, :pprof writes each
// profile whole, and it reads as a profile.
func TestPprofWritesProfiles(t *testing.T) {
	d := New(&testHost{})
	for _, name := range []string{"heap", "allocs", "goroutine", "block", "mutex", "threadcreate"} {
		t.Run(name, func(t *testing.T) {
			r := run(t, context.Background(), d, "pprof", name)
			if r.code != 0 {
				t.Fatalf("exit status %d: %s", r.code, r.stderr)
			}
			checkGzip(t, r.stdout)
			if _, err := readProfileTop(r.stdout); err != nil {
				t.Fatalf("not a profile: %v", err)
			}
		})
	}
}

// checkGzip fails unless b is whole gzip.
func checkGzip(t *testing.T, b []byte) {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("not gzip: %v (%d bytes: %q...)", err, len(b), b[:min(len(b), 16)])
	}
	if _, err := io.Copy(io.Discard, zr); err != nil {
		t.Fatalf("corrupt gzip: %v", err)
	}
}

// startProfile runs ":name args" in its own goroutine until ctx ends and
// returns once it has said it started; wait returns its exit status.
func startProfile(t *testing.T, ctx context.Context, d *Set, name, args string) (stdout, stderr *syncBuffer, wait func() int) {
	t.Helper()
	stdout, stderr = &syncBuffer{}, &syncBuffer{}
	c := command(t, d, name)
	done := make(chan int, 1)
	go func() { done <- c.Run(ctx, &Env{Stdout: stdout, Stderr: stderr, Width: 80}, args) }()
	testkit.Eventually(t, ":"+name+" to start", func() bool {
		return strings.Contains(stderr.String(), "(Ctrl-C stops early)")
	})
	return stdout, stderr, func() int { return <-done }
}

// TestCPUProfileStoppedEarlyIsKept: a :cpu cut short (Ctrl-C, the INT
// signal) says why and still writes the profile of the time it ran.
func TestCPUProfileStoppedEarlyIsKept(t *testing.T) {
	d := New(&testHost{})
	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	stdout, stderr, wait := startProfile(t, ctx, d, "cpu", "30")
	cancel(errors.New("interrupted"))
	if code := wait(); code != 0 {
		t.Fatalf("exit status %d: %s", code, stderr)
	}
	if !strings.Contains(stderr.String(), "stopped after") || !strings.Contains(stderr.String(), "interrupted") {
		t.Errorf("stderr does not say it stopped early: %q", stderr)
	}
	if _, err := readProfileTop([]byte(stdout.String())); err != nil {
		t.Errorf("the early profile is not a profile: %v", err)
	}
}

func TestSecondProfileIsRefused(t *testing.T) {
	d := New(&testHost{})
	for _, tt := range []struct{ cmd, want string }{
		{"cpu", "a CPU profile is already running"},
		{"trace", "a trace is already running"},
	} {
		t.Run(tt.cmd, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			_, _, wait := startProfile(t, ctx, d, tt.cmd, "30")
			r := run(t, context.Background(), d, tt.cmd, "1")
			if r.code != 1 || !strings.Contains(string(r.stderr), tt.want) || len(r.stdout) > 0 {
				t.Errorf("second :%s: status %d, stdout %d bytes, stderr %q; want 1 and %q", tt.cmd, r.code, len(r.stdout), r.stderr, tt.want)
			}
			cancel()
			if code := wait(); code != 0 {
				t.Errorf("first :%s: exit status %d", tt.cmd, code)
			}
		})
	}
}
