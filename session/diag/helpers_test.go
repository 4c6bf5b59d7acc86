package diag

import (
	"bytes"
	"context"
	"log/slog"
	"testing"

	"github.com/gomanhole/manhole/internal/testexp"
)

// testHost is a manhole with no sessions but those a test lists.
type testHost struct {
	sessions []SessionInfo
	ns       map[string]any
}

func (h *testHost) Sessions() []SessionInfo   { return h.sessions }
func (h *testHost) Kick(uint64, string) error { return ErrNoSession }
func (h *testHost) Leftovers() int            { return 0 }
func (h *testHost) Namespace() map[string]any { return h.ns }
func (h *testHost) Logger() *slog.Logger      { return slog.New(slog.DiscardHandler) }

// result is what one run of a command wrote and returned.
type result struct {
	stdout, stderr []byte
	code           int
}

// run runs ":name args" of d as an exec request does, without a
// terminal: 80 columns, output byte for byte.
func run(t *testing.T, ctx context.Context, d *Set, name, args string) result {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := runTo(t, ctx, d, &Env{Stdout: &stdout, Stderr: &stderr, Width: 80, Session: 1}, name, args)
	return result{stdout.Bytes(), stderr.Bytes(), code}
}

// runTo runs ":name args" of d in e.
func runTo(t *testing.T, ctx context.Context, d *Set, e *Env, name, args string) int {
	t.Helper()
	return command(t, d, name).Run(ctx, e, args)
}

// command is d's command name.
func command(t *testing.T, d *Set, name string) Command {
	t.Helper()
	for _, c := range d.Commands() {
		if c.Name == name {
			return c
		}
	}
	t.Fatalf("no command :%s", name)
	return Command{}
}

// syncBuffer is a buffer that a command's goroutine writes while the test
// reads it.
type syncBuffer = testexp.LockedBuffer
