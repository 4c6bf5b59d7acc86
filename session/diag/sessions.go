package diag

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"text/tabwriter"
	"time"
)

func (d *Set) cmdSessions(_ context.Context, c *Env, args string) int {
	if args != "" {
		fmt.Fprintln(c.Stderr, "usage: :sessions")
		return 2
	}
	w := tabwriter.NewWriter(c.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "  ID\tUID\tPID\tIDENTITY\tSINCE\tMODE\tGOROUTINES\tRUNNING")
	for _, info := range d.host.Sessions() {
		mark := " "
		if info.ID == c.Session {
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
	if n := d.host.Leftovers(); n > 0 {
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

func (d *Set) cmdKick(_ context.Context, c *Env, args string) int {
	id, err := strconv.ParseUint(args, 10, 64)
	if err != nil {
		fmt.Fprintln(c.Stderr, "usage: :kick ID (ID from :sessions)")
		return 2
	}
	if refuseInspectOnly(c) {
		return 1
	}
	if id == c.Session {
		fmt.Fprintf(c.Stdout, "session %d is this session: ending it\n", id)
	}
	if err := d.host.Kick(id, fmt.Sprintf("kicked by session %d", c.Session)); err != nil {
		if errors.Is(err, ErrNoSession) {
			fmt.Fprintf(c.Stderr, "no session %d (see :sessions)\n", id)
		} else {
			fmt.Fprintf(c.Stderr, "kick: %v\n", err)
		}
		return 1
	}
	if id != c.Session {
		fmt.Fprintf(c.Stdout, "session %d ended\n", id)
	}
	return 0
}
