package session

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math"
	"slices"
	"sync"
	"sync/atomic"
)

// followerLines bounds what a follower may fall behind by before its
// lines are dropped: the application's logging never waits for a client.
const followerLines = 256

// LogHub lets sessions follow the application's logs (:logs). The
// application routes its logging through [LogHub.Handler] or
// [LogHub.Writer]; while nobody follows, that costs one atomic load per
// record and nothing is formatted or buffered.
type LogHub struct {
	// followers is nil while nobody follows, which is what the logging
	// path checks. Replaced, never modified, under mu.
	followers atomic.Pointer[[]*follower]
	mu        sync.Mutex // serializes changes to followers
}

// follower is one session following the logs.
type follower struct {
	lines   chan []byte
	dropped atomic.Int64
}

// NewLogHub returns a hub nobody follows yet.
func NewLogHub() *LogHub { return &LogHub{} }

// following reports whether anyone follows: the one check the logging
// path makes.
func (h *LogHub) following() bool { return h.followers.Load() != nil }

// publish hands a copy of line to every follower, dropping it for those
// that are full.
func (h *LogHub) publish(line []byte) {
	fs := h.followers.Load()
	if fs == nil || len(line) == 0 {
		return
	}
	// Shared by all followers: nobody writes to it after this.
	line = slices.Clone(line)
	for _, f := range *fs {
		select {
		case f.lines <- line:
		default:
			f.dropped.Add(1)
		}
	}
}

// Follow writes every line logged through the hub to w until ctx is done
// (it then returns nil) or a write fails. Lines w cannot take fast enough
// are dropped and counted: "[N lines dropped]".
func (h *LogHub) Follow(ctx context.Context, w io.Writer) error {
	f := &follower{lines: make(chan []byte, followerLines)}
	h.mu.Lock()
	var list []*follower
	if fs := h.followers.Load(); fs != nil {
		list = slices.Clone(*fs)
	}
	list = append(list, f)
	h.followers.Store(&list)
	h.mu.Unlock()
	defer func() {
		h.mu.Lock()
		list := slices.DeleteFunc(slices.Clone(*h.followers.Load()), func(x *follower) bool { return x == f })
		if len(list) == 0 {
			h.followers.Store(nil)
		} else {
			h.followers.Store(&list)
		}
		h.mu.Unlock()
	}()

	reportDrops := func() error {
		if n := f.dropped.Swap(0); n > 0 {
			_, err := fmt.Fprintf(w, "[%d lines dropped]\n", n)
			return err
		}
		return nil
	}
	for {
		select {
		case <-ctx.Done():
			reportDrops()
			return nil
		case line := <-f.lines:
			if _, err := w.Write(line); err != nil {
				return err
			}
			// Drops happen while the queue is full, so they belong after
			// what is queued now.
			if len(f.lines) == 0 {
				if err := reportDrops(); err != nil {
					return err
				}
			}
		}
	}
}

// Writer returns an io.Writer that writes to next and, while someone
// follows, copies each write to the followers: for log.SetOutput, or
// wherever the application writes log lines. A nil next discards.
func (h *LogHub) Writer(next io.Writer) io.Writer {
	if next == nil {
		next = io.Discard
	}
	return &hubWriter{hub: h, next: next}
}

type hubWriter struct {
	hub  *LogHub
	next io.Writer
}

func (w *hubWriter) Write(p []byte) (int, error) {
	if w.hub.following() {
		w.hub.publish(p)
	}
	return w.next.Write(p)
}

// Handler returns a slog.Handler that passes every record to next and,
// while someone follows, also formats it as text (slog.TextHandler) for
// the followers. Levels are next's: followers see what the application
// logs. A nil next discards.
func (h *LogHub) Handler(next slog.Handler) slog.Handler {
	if next == nil {
		next = slog.DiscardHandler
	}
	return &hubHandler{hub: h, next: next, text: &lazyText{hub: h}}
}

type hubHandler struct {
	hub  *LogHub
	next slog.Handler
	text *lazyText
}

func (x *hubHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return x.next.Enabled(ctx, l)
}

func (x *hubHandler) Handle(ctx context.Context, r slog.Record) error {
	if x.hub.following() {
		x.text.get().Handle(ctx, r)
	}
	return x.next.Handle(ctx, r)
}

func (x *hubHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &hubHandler{hub: x.hub, next: x.next.WithAttrs(attrs), text: x.text.with(func(t slog.Handler) slog.Handler { return t.WithAttrs(attrs) })}
}

func (x *hubHandler) WithGroup(name string) slog.Handler {
	return &hubHandler{hub: x.hub, next: x.next.WithGroup(name), text: x.text.with(func(t slog.Handler) slog.Handler { return t.WithGroup(name) })}
}

// lazyText builds the followers' TextHandler on first use: an
// application that calls logger.With per request would otherwise pay
// for formatting the attributes even when nobody follows.
type lazyText struct {
	hub    *LogHub
	parent *lazyText
	derive func(slog.Handler) slog.Handler // applied to parent's handler

	once sync.Once
	h    slog.Handler
}

func (l *lazyText) with(derive func(slog.Handler) slog.Handler) *lazyText {
	return &lazyText{hub: l.hub, parent: l, derive: derive}
}

func (l *lazyText) get() slog.Handler {
	l.once.Do(func() {
		if l.parent == nil {
			l.h = slog.NewTextHandler(hubPublisher{l.hub}, &slog.HandlerOptions{Level: slog.Level(math.MinInt)})
			return
		}
		l.h = l.derive(l.parent.get())
	})
	return l.h
}

// hubPublisher receives whole records from slog.TextHandler, one Write
// each.
type hubPublisher struct{ hub *LogHub }

func (p hubPublisher) Write(b []byte) (int, error) {
	p.hub.publish(b)
	return len(b), nil
}

func cmdLogs(ctx context.Context, s *session, c *cmdIO, args string) int {
	if args != "" {
		fmt.Fprintln(c.Stderr, "usage: :logs")
		return 2
	}
	hub := s.cfg.Logs
	if hub == nil {
		fmt.Fprintln(c.Stderr, `the application's logs are not routed through the manhole. To follow them here,
wrap its handler or writer when it sets up logging:
    slog.SetDefault(slog.New(mh.LogHandler(slog.NewTextHandler(os.Stderr, nil))))
    log.SetOutput(mh.LogWriter(os.Stderr))`)
		return 1
	}
	fmt.Fprintln(c.Stderr, "following the application's logs (Ctrl-C stops)...")
	if err := hub.Follow(ctx, c.Stdout); err != nil {
		return 1
	}
	return 0
}
