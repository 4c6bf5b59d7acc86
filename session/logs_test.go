package session

import (
	"context"
	"fmt"
	"io"
	"log"
	"log/slog"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"
)

// countingHandler is an application's handler: enabled at every level,
// it counts what it is handed.
type countingHandler struct{ handled *atomic.Int64 }

func (h countingHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h countingHandler) Handle(context.Context, slog.Record) error {
	h.handled.Add(1)
	return nil
}
func (h countingHandler) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h countingHandler) WithGroup(string) slog.Handler      { return h }

// countingValuer counts how often a handler formats it.
type countingValuer struct{ formatted *atomic.Int64 }

func (v countingValuer) LogValue() slog.Value {
	v.formatted.Add(1)
	return slog.StringValue("formatted")
}

// waitFollowing polls until the hub has a follower (or has none).
func waitFollowing(t *testing.T, h *LogHub, want bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for h.following() != want {
		if time.Now().After(deadline) {
			t.Fatalf("following() stayed %v", !want)
		}
		time.Sleep(time.Millisecond)
	}
}

func TestLogsFollowInTerminal(t *testing.T) {
	hub := NewLogHub()
	m := startTestManhole(t, withConfig(func(c *Server) { c.Logs = hub }))
	logger := slog.New(hub.Handler(slog.NewTextHandler(io.Discard, nil)))
	std := log.New(hub.Writer(io.Discard), "std: ", 0)

	p := m.pty(t)
	p.send(t, ":logs\r")
	p.expect(t, "following the application's logs (Ctrl-C stops)")
	waitFollowing(t, hub, true)
	logger.With("req", 7).WithGroup("g").Info("hello from slog", "k", "v")
	std.Print("hello from log")
	p.expect(t, `level=INFO msg="hello from slog" req=7 g.k=v`+"\r\n")
	p.expect(t, "std: hello from log\r\n")
	p.send(t, "\x03")
	p.expect(t, prompt)
	waitFollowing(t, hub, false)
}

func TestLogsFollowOverExecUntilINT(t *testing.T) {
	hub := NewLogHub()
	m := startTestManhole(t, withConfig(func(c *Server) { c.Logs = hub }))
	logger := slog.New(hub.Handler(slog.NewTextHandler(io.Discard, nil)))

	sess, stdout, _ := startExec(t, m, ":logs", "following the application's logs")
	waitFollowing(t, hub, true)
	logger.Warn("disk almost full", "free", "1%")
	stdout.waitFor(t, 0, "level=WARN msg=\"disk almost full\" free=1%\n")
	if err := sess.Signal(gossh.SIGINT); err != nil {
		t.Fatal(err)
	}
	if code := exitCode(t, sess.Wait()); code != 0 {
		t.Errorf("exit status %d", code)
	}
	if strings.Contains(stdout.String(), "\r") {
		t.Errorf("\\r without a terminal: %q", stdout)
	}
	waitFollowing(t, hub, false)
}

func TestLogHubFormatsOnlyWhileFollowed(t *testing.T) {
	hub := NewLogHub()
	var handled, formatted atomic.Int64
	logger := slog.New(hub.Handler(countingHandler{&handled})).With("conn", countingValuer{&formatted})
	logger.Info("nobody follows", "v", countingValuer{&formatted})
	if handled.Load() != 1 || formatted.Load() != 0 {
		t.Fatalf("idle: handled %d, formatted %d; want 1, 0", handled.Load(), formatted.Load())
	}

	ctx, cancel := context.WithCancel(context.Background())
	out := newSyncBuffer()
	done := make(chan error, 1)
	go func() { done <- hub.Follow(ctx, out) }()
	waitFollowing(t, hub, true)
	logger.Info("followed", "v", countingValuer{&formatted})
	out.waitFor(t, 0, `msg=followed conn=formatted v=formatted`)
	if handled.Load() != 2 || formatted.Load() != 2 {
		t.Errorf("followed: handled %d, formatted %d; want 2, 2", handled.Load(), formatted.Load())
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Follow: %v", err)
	}
	waitFollowing(t, hub, false)
	logger.Info("nobody follows again", "v", countingValuer{&formatted})
	if formatted.Load() != 2 {
		t.Errorf("formatted after the follower left")
	}
}

// stallingWriter is a client that stops reading until released.
type stallingWriter struct {
	release chan struct{}
	out     *syncBuffer
}

func (w *stallingWriter) Write(p []byte) (int, error) {
	<-w.release
	return w.out.Write(p)
}

func TestLogHubSlowFollowerNeverBlocksTheApplication(t *testing.T) {
	hub := NewLogHub()
	w := &stallingWriter{release: make(chan struct{}), out: newSyncBuffer()}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go hub.Follow(ctx, w)
	waitFollowing(t, hub, true)

	const lines = 1000
	logged := make(chan struct{})
	go func() {
		defer close(logged)
		app := hub.Writer(io.Discard)
		for i := range lines {
			fmt.Fprintf(app, "line %d\n", i)
		}
	}()
	select {
	case <-logged:
	case <-time.After(30 * time.Second):
		t.Fatal("the application's logging waited for a stalled follower")
	}

	close(w.release)
	w.out.waitFor(t, 0, " lines dropped]\n")
	out := w.out.String()
	m := regexp.MustCompile(`\[(\d+) lines dropped\]\n$`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no drop count at the end:\n%s", out)
	}
	dropped, _ := strconv.Atoi(m[1])
	shown := strings.Count(out, "line ")
	if shown+dropped != lines || shown < followerLines {
		t.Errorf("%d lines shown + %d dropped, want %d in all and at least %d shown", shown, dropped, lines, followerLines)
	}
	if !strings.HasPrefix(out, "line 0\nline 1\n") {
		t.Errorf("the first lines are not kept in order:\n%.100s", out)
	}
}

// TestLogHubIdleAllocatesNothing: while nobody follows the logs, the
// hub's handler and writer pass every record on to the application's and
// allocate nothing for it (a hub that dropped records would allocate
// nothing too, hence the counts).
func TestLogHubIdleAllocatesNothing(t *testing.T) {
	hub := NewLogHub()
	var handled atomic.Int64
	direct := slog.New(countingHandler{&handled})
	wrapped := slog.New(hub.Handler(countingHandler{&handled}))
	var written countingWriter
	w := hub.Writer(&written)
	line := []byte("a log line\n")
	ctx := context.Background()
	const runs = 1000
	for _, tc := range []struct {
		name  string
		f     func()
		count func() int64
	}{
		{"direct", func() { direct.LogAttrs(ctx, slog.LevelInfo, "msg", slog.Int("n", 1)) }, handled.Load},
		{"handler", func() { wrapped.LogAttrs(ctx, slog.LevelInfo, "msg", slog.Int("n", 1)) }, handled.Load},
		{"writer", func() { w.Write(line) }, written.n.Load},
	} {
		before := tc.count()
		if a := testing.AllocsPerRun(runs, tc.f); a != 0 {
			t.Errorf("%s: %v allocations per record while nobody follows", tc.name, a)
		}
		// AllocsPerRun runs f once more, to warm up.
		if got := tc.count() - before; got != runs+1 {
			t.Errorf("%s: %d records reached the application's handler or writer, want %d", tc.name, got, runs+1)
		}
	}
}

// countingWriter counts the writes it is handed.
type countingWriter struct{ n atomic.Int64 }

func (w *countingWriter) Write(p []byte) (int, error) {
	w.n.Add(1)
	return len(p), nil
}

func BenchmarkLogHubIdle(b *testing.B) {
	hub := NewLogHub()
	var handled atomic.Int64
	ctx := context.Background()
	b.Run("direct", func(b *testing.B) {
		logger := slog.New(countingHandler{&handled})
		b.ReportAllocs()
		for b.Loop() {
			logger.LogAttrs(ctx, slog.LevelInfo, "msg", slog.Int("n", 1))
		}
	})
	b.Run("handler", func(b *testing.B) {
		logger := slog.New(hub.Handler(countingHandler{&handled}))
		b.ReportAllocs()
		for b.Loop() {
			logger.LogAttrs(ctx, slog.LevelInfo, "msg", slog.Int("n", 1))
		}
	})
	b.Run("writer", func(b *testing.B) {
		w := hub.Writer(io.Discard)
		line := []byte("2026/01/02 15:04:05 a log line\n")
		b.ReportAllocs()
		for b.Loop() {
			w.Write(line)
		}
	})
}
