package diag

import (
	"bytes"
	"context"
	"fmt"
	"runtime/pprof"
	"runtime/trace"
	"strings"
	"time"
)

// Over exec, profiles go to the client byte for byte: a terminal's \n to
// \r\n rewriting would corrupt them, so in a terminal session the
// commands print a summary and say how to fetch the file instead.

func cmdPprof(ctx context.Context, c *Env, args string) int {
	name := strings.TrimSpace(args)
	p := pprof.Lookup(name)
	if p == nil {
		names := profileNames()
		if name != "" {
			fmt.Fprintf(c.Stderr, "no profile %q; ", name)
		}
		fmt.Fprintf(c.Stderr, "usage: :pprof NAME, NAME one of %s (and :cpu, :trace)\n", strings.Join(names, ", "))
		return 2
	}
	if name == "goroutine" && c.PTY {
		code := cmdGoroutines(ctx, c, "")
		fmt.Fprint(c.Stdout, fetchHint(":pprof goroutine", "goroutine.pb.gz", "go tool pprof -top"))
		return code
	}
	// Buffered so that a failure leaves stdout empty rather than holding
	// half a file.
	var buf bytes.Buffer
	if err := p.WriteTo(&buf, 0); err != nil {
		fmt.Fprintf(c.Stderr, "%s profile: %v\n", name, err)
		return 1
	}
	if p.Count() == 0 && (name == "block" || name == "mutex") {
		fmt.Fprintf(c.Stderr, "the %s profile is empty unless the application calls %s\n", name,
			map[string]string{"block": "runtime.SetBlockProfileRate", "mutex": "runtime.SetMutexProfileFraction"}[name])
	}
	if !c.PTY {
		return writeAll(c, buf.Bytes())
	}
	title := name + " profile"
	if name == "heap" || name == "allocs" {
		title += " (as of the last GC, sampled)"
	}
	code := printProfileTop(c, title, buf.Bytes())
	fmt.Fprint(c.Stdout, fetchHint(":pprof "+name, name+".pb.gz", "go tool pprof -top"))
	return code
}

func cmdCPU(ctx context.Context, c *Env, args string) int {
	d, err := profileSeconds(args, 30)
	if err != nil {
		fmt.Fprintf(c.Stderr, "usage: :cpu [SECONDS]: %v\n", err)
		return 2
	}
	var buf bytes.Buffer
	if err := pprof.StartCPUProfile(&buf); err != nil {
		fmt.Fprintln(c.Stderr, "a CPU profile is already running (in another session or the application); try again when it ends")
		return 1
	}
	took, stoppedBy := waitProfile(ctx, c, "profiling the CPU", d)
	pprof.StopCPUProfile()
	if stoppedBy != nil {
		fmt.Fprintf(c.Stderr, "stopped after %s (%v); the profile covers that time\n", fmtDuration(took), stoppedBy)
	}
	if !c.PTY {
		return writeAll(c, buf.Bytes())
	}
	code := printProfileTop(c, fmt.Sprintf("CPU profile over %s", fmtDuration(took)), buf.Bytes())
	fmt.Fprint(c.Stdout, fetchHint(":cpu "+fmtSeconds(d), "cpu.pb.gz", "go tool pprof -top"))
	return code
}

func cmdTrace(ctx context.Context, c *Env, args string) int {
	d, err := profileSeconds(args, 5)
	if err != nil {
		fmt.Fprintf(c.Stderr, "usage: :trace [SECONDS]: %v\n", err)
		return 2
	}
	if c.PTY {
		// A trace means nothing as text, and recording one costs the
		// application: do not record what nobody can read.
		fmt.Fprint(c.Stderr, "an execution trace is binary only; run it without a terminal:\n  ",
			strings.TrimPrefix(fetchHint(":trace "+fmtSeconds(d), "trace.out", "go tool trace"), "the binary profile: "))
		return 1
	}
	// Streamed rather than buffered: a busy process writes megabytes a
	// second, and the runtime's own buffers absorb a slow client.
	if err := trace.Start(c.Stdout); err != nil {
		fmt.Fprintln(c.Stderr, "a trace is already running (in another session or the application); try again when it ends")
		return 1
	}
	took, stoppedBy := waitProfile(ctx, c, "tracing", d)
	trace.Stop()
	if stoppedBy != nil {
		fmt.Fprintf(c.Stderr, "stopped after %s (%v); the trace covers that time\n", fmtDuration(took), stoppedBy)
	}
	return 0
}

// waitProfile waits for d or until ctx ends, telling the user how to stop
// early. stoppedBy is why it ended early, or nil.
func waitProfile(ctx context.Context, c *Env, what string, d time.Duration) (took time.Duration, stoppedBy error) {
	fmt.Fprintf(c.Stderr, "%s for %s (Ctrl-C stops early)...\n", what, fmtDuration(d))
	start := time.Now()
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
		stoppedBy = context.Cause(ctx)
	}
	return time.Since(start), stoppedBy
}

func writeAll(c *Env, b []byte) int {
	if _, err := c.Stdout.Write(b); err != nil {
		fmt.Fprintf(c.Stderr, "write: %v\n", err)
		return 1
	}
	return 0
}
