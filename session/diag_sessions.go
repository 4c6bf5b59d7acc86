package session

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"text/tabwriter"
	"time"
)

func cmdSessions(_ context.Context, s *session, c *cmdIO, args string) int {
	if args != "" {
		fmt.Fprintln(c.Stderr, "usage: :sessions")
		return 2
	}
	w := tabwriter.NewWriter(c.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "  ID\tUID\tPID\tIDENTITY\tSINCE\tMODE\tGOROUTINES\tRUNNING")
	for _, info := range s.cfg.Sessions() {
		mark := " "
		if info.ID == s.meta.ID {
			mark = "*"
		}
		running := info.Activity
		if running == "" {
			running = "-"
		}
		fmt.Fprintf(w, "%s %d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", mark, info.ID, orDash(info.UID), orDash(info.PID),
			cut(info.Identity, 0), fmtDuration(time.Since(info.Since)), orDashString(info.Mode), orDash(info.Goroutines), cut(running, max(c.Width-72, 20)))
	}
	w.Flush()
	if n := s.cfg.orphanGoroutines(); n > 0 {
		fmt.Fprintf(c.Stdout, "%d goroutines of ended sessions still run, blocked in compiled code (a lock, a sleep, a call into the application)\n", n)
	}
	return 0
}

func orDash(n int) string {
	if n < 0 {
		return "-"
	}
	return strconv.Itoa(n)
}

func orDashString(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func cmdKick(_ context.Context, s *session, c *cmdIO, args string) int {
	id, err := strconv.ParseUint(args, 10, 64)
	if err != nil {
		fmt.Fprintln(c.Stderr, "usage: :kick ID (ID from :sessions)")
		return 2
	}
	if refuseInspectOnly(s, c) {
		return 1
	}
	if id == s.meta.ID {
		fmt.Fprintf(c.Stdout, "session %d is this session: ending it\n", id)
	}
	if err := s.cfg.Kick(id, fmt.Sprintf("kicked by session %d", s.meta.ID)); err != nil {
		if errors.Is(err, ErrNoSession) {
			fmt.Fprintf(c.Stderr, "no session %d (see :sessions)\n", id)
		} else {
			fmt.Fprintf(c.Stderr, "kick: %v\n", err)
		}
		return 1
	}
	if id != s.meta.ID {
		fmt.Fprintf(c.Stdout, "session %d ended\n", id)
	}
	return 0
}
