package sshd

import (
	"context"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"time"
)

// What may be logged per interval about connections that have not
// authenticated, and, on a budget of its own (so that a flood of bare
// connections cannot hide them), about failed authentications and refused
// sessions: anyone who can connect (or any key, opening channels in a
// loop) can make the server write these lines, so past the burst they are
// counted, not written, and one summary line per interval says how many
// of each were left out, as sshd's MaxStartups throttling does. Logins,
// sessions and what they evaluate are never left out.
const (
	preAuthBurst    = 100
	preAuthInterval = 10 * time.Second
)

// limitedLog rate-limits the pre-authentication log. Its timer exists only
// while lines are being left out: an idle server has none.
type limitedLog struct {
	log  *slog.Logger
	kind string // what it logs, for the summary

	mu      sync.Mutex // protects the fields below
	start   time.Time  // of the current interval
	n       int        // lines written in it
	dropped map[string]int
	timer   *time.Timer // flushes the summary at the end of the interval
	closed  bool
}

func (l *limitedLog) Info(msg string, args ...any) { l.write(slog.LevelInfo, msg, args) }
func (l *limitedLog) Warn(msg string, args ...any) { l.write(slog.LevelWarn, msg, args) }

func (l *limitedLog) write(level slog.Level, msg string, args []any) {
	now := time.Now()
	l.mu.Lock()
	if l.timer == nil && now.Sub(l.start) >= preAuthInterval {
		l.start, l.n = now, 0
	}
	if l.n < preAuthBurst {
		l.n++
		l.mu.Unlock()
		l.log.Log(context.Background(), level, msg, args...)
		return
	}
	if l.dropped == nil {
		l.dropped = map[string]int{}
	}
	l.dropped[msg]++
	if l.timer == nil && !l.closed {
		l.timer = time.AfterFunc(l.start.Add(preAuthInterval).Sub(now), l.flush)
	}
	l.mu.Unlock()
}

// flush writes the summary of what the interval left out and starts a
// new interval.
func (l *limitedLog) flush() {
	l.mu.Lock()
	dropped := l.dropped
	l.dropped, l.timer = nil, nil
	l.start, l.n = time.Now(), 0
	l.mu.Unlock()
	if len(dropped) == 0 {
		return
	}
	msgs := make([]string, 0, len(dropped))
	total := 0
	for m, n := range dropped {
		msgs = append(msgs, m)
		total += n
	}
	sort.Strings(msgs)
	args := []any{"suppressed", total, "interval", preAuthInterval, "burst", preAuthBurst}
	for _, m := range msgs {
		args = append(args, strings.ReplaceAll(strings.TrimPrefix(m, "manhole: "), " ", "_"), dropped[m])
	}
	l.log.Warn("manhole: log lines suppressed (a flood?)", append([]any{"about", l.kind}, args...)...)
}

// close writes the last summary and stops the timer.
func (l *limitedLog) close() {
	l.mu.Lock()
	l.closed = true
	t := l.timer
	l.mu.Unlock()
	if t != nil && t.Stop() {
		l.flush()
	}
}
