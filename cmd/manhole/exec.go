package main

import (
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"golang.org/x/crypto/ssh"
)

const execHelp = `Evaluates CODE once in the program and prints the result: a Go expression,
statements, or a :command such as :help. Several CODE arguments are joined
with spaces. With "-", a script is read from stdin and evaluated input by
input; it stops at the first error.

No terminal is involved: stdout and stderr stay apart and are passed on byte
for byte. Exit status: 0 ok, 1 evaluation error (the message is on stderr),
255 the manhole could not be reached. Put "--" before CODE that starts with
"-". Ctrl-C interrupts the evaluation; a second one gives up at once.

A pid whose manhole waits for a signal is woken up as by connect.

Many targets: "manhole exec --fleet [flags] TARGET... -- CODE" asks them
all at once (--parallel at a time, at most 256), or the targets of
--targets FILE, one a line (- for stdin). Any of --fleet, --targets, --via,
--json, --parallel and --out, given before CODE, asks for this form; without
one, every word after the one TARGET is CODE, "--" included, as it always
was ("manhole exec SOCK i --" evaluates "i --"), and no pid among those
words is asked or signaled. -signal, in this form, goes to the pids named
as targets:

  manhole exec --fleet 4242 4243 -- 'store.Len()'
  kubectl get pods -l app=api -o name | manhole exec --targets - \
    --via 'kubectl exec -i {} -- manhole proxy 1' -- ':mem'
  manhole exec --via 'podman exec -i {} /manhole proxy 1' \
    web-1 web-2 -- 'os.Getpid()'
  manhole exec --via 'ssh {} manhole proxy /run/app/manhole.sock' \
    host1 host2 -- 'cache.Len()'

Each target's output is printed as soon as it is done, each line
prefixed with its target's name, aligned; control characters inside a
line are shown (^M, ^[, ^?, \u009b) rather than obeyed, so no target can
overwrite another's line on a terminal. Up to 16 MiB of each target's
stdout and of its stderr is kept until then; the rest is counted. With
--json, each target is one JSON object on a line of its own, byte-exact:
target, stdout, stderr, exit_status, duration_seconds; error when it was
not reached or failed; stdout_base64 (and stdout "") when stdout is not
UTF-8, the same for stderr; stdout_truncated_bytes and
stderr_truncated_bytes past 16 MiB. With --out DIR each target's stdout
goes to DIR/NAME instead, in full (for ":pprof heap"): NAME is the target
with any character but letters, digits, - _ . written %XX, the file is
mode 0600, written beside (as .tmp-HEX) and renamed into place, so a
symlink planted in DIR is never followed. A target that failed leaves no
file: its stdout is not written. The failed targets are listed on stderr
at the end, counted by reason (exit N, not reached, host key mismatch,
timed out), at most 20 by name. Each target gets --timeout (default 30s
there) for everything; one that hangs or has stopped is ended then (with
--via, its whole process group) and holds nobody else up.

A second Ctrl-C, SIGTERM or SIGHUP ends every target at once: the via
commands' process groups are killed, the unfinished --out files removed.
On Linux a via command is also killed if exec dies without doing so.

--via runs COMMAND for each target as OpenSSH runs a ProxyCommand, with {}
replaced by the target's name. COMMAND is split into words as a shell
would for simple quoting, but no shell runs it, and a target's name must
be letters, digits and . _ - : / @ + = , % without a leading -: a name
cannot add commands or options. COMMAND must run "manhole proxy TARGET";
exec adds -host-key to it, so that the manhole binary on the other side
first sends the host key from the manhole's metadata file there. That key,
fetched through the channel you trust (kubectl, podman, ssh), must be the
one the manhole answers with: it is never trusted on first use, and a
mismatch fails that target only. The manhole binary on the other side must
be as new as this one.

Exit status with many targets: 0 every target answered without error; 1
every target was reached but CODE failed on some; 255 some target could
not be reached (or its host key did not match) or ran out of time; 2 a
usage error, nothing was run.
`

// exec evaluates CODE once, on one target or many. The form it always
// had, "exec [flags] TARGET CODE...", joins every word after TARGET into
// CODE, "--" included ("exec SOCK i --", "exec SOCK 2 -- 3"): so the
// fleet form is taken only when one of the flags for many targets
// (--fleet, --targets, --via, --json, --parallel, --out) is where that
// form reads flags, before CODE, which it would have refused. No pid that
// used to be CODE is ever asked, or signaled.
func (c *cli) exec(args []string) int {
	if fs, _, code, ok := c.parse("exec", args, true); !ok {
		return code
	} else if !fleetFlagSet(fs) {
		return c.execOne(args)
	}
	fs, rest, code, ok := c.parse("exec", args, false)
	if !ok {
		return code
	}
	// Flags before the first target, then targets (and flags) up to "--".
	if dashdash := len(rest) < len(args) && args[len(args)-len(rest)-1] == "--"; dashdash {
		return c.execFleet(fs, nil, rest)
	}
	k := -1
	for i, a := range rest {
		if a == "--" {
			k = i
			break
		}
	}
	if k < 0 {
		return c.usageError("exec", "with --fleet, --targets, --via, --json, --parallel or --out, put -- before CODE")
	}
	var targets []string
	for seg := rest[:k]; len(seg) > 0; {
		if err := fs.Parse(seg); err != nil {
			return c.usageError("exec", err.Error())
		}
		seg = fs.Args()
		if len(seg) > 0 {
			targets = append(targets, seg[0])
			seg = seg[1:]
		}
	}
	return c.execFleet(fs, targets, rest[k+1:])
}

func fleetFlagSet(fs *flag.FlagSet) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || isFleetFlag(f.Name) })
	return set
}

// execOne is exec of one target, as it always was.
func (c *cli) execOne(args []string) int {
	fs, rest, code, ok := c.parse("exec", args, true)
	if !ok {
		return code
	}
	if fleetFlagSet(fs) {
		return c.usageError("exec", "with --fleet, --targets, --via, --json, --parallel or --out, put -- before CODE")
	}
	if len(rest) < 2 {
		return c.usageError("exec", "want TARGET and CODE (or - to read a script from stdin)")
	}
	src := strings.Join(rest[1:], " ")
	t, err := resolve(rest[0], activationFrom(fs))
	if err != nil {
		fmt.Fprintf(c.stderr, "manhole exec: %v\n", err)
		return exitConnect
	}
	client, err := dial(t)
	if err != nil {
		fmt.Fprintf(c.stderr, "manhole exec: %v\n", err)
		return exitConnect
	}
	defer client.Close()
	sess, err := client.NewSession()
	if err != nil {
		fmt.Fprintf(c.stderr, "manhole exec: %v\n", err)
		return exitConnect
	}
	defer sess.Close()
	sess.Stdout, sess.Stderr = c.stdout, c.stderr

	// The evaluation runs in the program: Ctrl-C must stop it there, not
	// just end us and leave it running until its timeout.
	ints := make(chan os.Signal, 2)
	signal.Notify(ints, syscall.SIGINT)
	defer signal.Stop(ints)
	done := make(chan struct{})
	defer close(done)
	go func() {
		select {
		case <-ints:
			sess.Signal(ssh.SIGINT)
		case <-done:
			return
		}
		select {
		case <-ints:
			fmt.Fprintln(c.stderr, "manhole exec: interrupted")
			os.Exit(130)
		case <-done:
		}
	}()

	if src == "-" {
		sess.Stdin = c.stdin
		err = sess.Shell()
	} else {
		err = sess.Start(src)
	}
	if err != nil {
		fmt.Fprintf(c.stderr, "manhole exec: %v\n", err)
		return exitConnect
	}
	return exitCode(sess.Wait(), c.stderr)
}
