package main

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"os/user"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"
	"unicode/utf8"

	"golang.org/x/crypto/ssh"

	"github.com/gomanhole/manhole/hostkeys"
)

// exec over many targets ("manhole exec T1 T2 -- CODE", --targets,
// --via): one question to a fleet, each target in its own goroutine (and,
// with --via, its own process group), none waiting for another.

const (
	defaultParallel = 16
	maxParallel     = 256
	// maxStarting via commands are started at once. Go serializes fork
	// and exec anyway; hundreds queued there starve the timers, and a
	// target's --timeout then fires seconds late.
	maxStarting         = 2
	defaultFleetTimeout = 30 * time.Second
)

func fleetFlags(fs *flag.FlagSet) {
	fs.String("signal", "", "if the pid has no socket yet, send it signal `NAME` (USR1,\nSIGUSR2, 10, ...) and wait for its manhole; default: the\nsignal its metadata file names (activate_on), else none")
	fs.Duration("timeout", defaultActivateTimeout, "wait at most `D` for the manhole to open after the signal;\nwith many targets, the time each target has for everything\n(default 30s there)")
	fs.String("targets", "", "read more targets from `FILE`, one a line (- for stdin);\nblank lines and lines starting with # are skipped")
	fs.String("via", "", "reach each target through `COMMAND`, with {} for its name, e.g.\n'kubectl exec -i {} -- manhole proxy 1'; split into words\nand run without a shell")
	fs.Bool("fleet", false, "ask every TARGET named before -- (implied by the other flags\nfor many targets); without it, words after TARGET are CODE")
	fs.Bool("json", false, "print one JSON object per target instead of prefixed lines")
	fs.Int("parallel", defaultParallel, "ask at most `N` targets at once (at most 256)")
	fs.String("out", "", "write each target's stdout to a file of its own in `DIR`\n(for binary output such as :pprof heap)")
}

// isFleetFlag is true for the flags that only make sense over many
// targets: any of them turns one target into a fleet of one.
func isFleetFlag(name string) bool {
	switch name {
	case "fleet", "targets", "via", "json", "parallel", "out":
		return true
	}
	return false
}

// fleet is one question to many targets.
type fleet struct {
	c        *cli
	targets  []string
	via      *viaTemplate
	json     bool
	parallel int
	timeout  time.Duration
	out      *os.Root
	outDir   string
	code     string
	script   []byte // the script read from stdin, when code is "-"
	act      activation
	width    int // of the widest prefix

	mu       sync.Mutex // protects jobs, outs, vias and ints
	jobs     map[*job]bool
	starting chan struct{}     // a slot for each via command being started
	outs     map[*outFile]bool // --out files not yet finished
	vias     map[*viaConn]bool // via commands not yet ended
	ended    sync.WaitGroup    // via commands ending after their target answered
	ints     int               // SIGINTs received
	quitting bool              // a signal ends every target, and exec
	// printing protects c.stdout, c.stderr and done; apart from mu so
	// that a signal's abort never waits for a blocked write.
	printing sync.Mutex
	done     []outcome // what the summary needs: no output is kept
}

// outcome is what the summary keeps of a printed result.
type outcome struct {
	target, why string
}

// fleetResult is what one target did; the exported fields are its JSON.
// Its output is held once, as bytes, only until it is printed.
type fleetResult struct {
	Target          string  `json:"target"`
	Stdout          string  `json:"stdout"`
	StdoutBase64    []byte  `json:"stdout_base64,omitempty"` // stdout that is not UTF-8 (then stdout is "")
	StdoutTruncated int64   `json:"stdout_truncated_bytes,omitempty"`
	Stderr          string  `json:"stderr"`
	StderrBase64    []byte  `json:"stderr_base64,omitempty"`
	StderrTruncated int64   `json:"stderr_truncated_bytes,omitempty"`
	ExitStatus      int     `json:"exit_status"`
	Duration        float64 `json:"duration_seconds"`
	Error           string  `json:"error,omitempty"` // why it was not reached, or timed out
	Out             string  `json:"out,omitempty"`   // the file its stdout went to

	stdout, stderr []byte
	outBytes       int64
	why            string // the summary's reason, when the error alone does not tell
}

// failure is how the summary names a failed target, or "".
func (r *fleetResult) failure() string {
	switch {
	case r.why != "":
		return r.why
	case strings.HasPrefix(r.Error, "timed out"):
		return "timed out"
	case r.ExitStatus == exitConnect:
		return "not reached"
	case r.ExitStatus != 0:
		return fmt.Sprintf("exit %d", r.ExitStatus)
	case r.Error != "":
		return "failed"
	}
	return ""
}

// execFleet parses the fleet form of exec: flags and targets before "--",
// CODE after it.
func (c *cli) execFleet(fs *flag.FlagSet, targets, code []string) int {
	f := &fleet{c: c, jobs: map[*job]bool{}, outs: map[*outFile]bool{}, vias: map[*viaConn]bool{}, starting: make(chan struct{}, maxStarting)}
	f.code = strings.Join(code, " ")
	if f.code == "" {
		return c.usageError("exec", "want CODE after --")
	}
	get := func(name string) flag.Getter { return fs.Lookup(name).Value.(flag.Getter) }
	f.json = get("json").Get().(bool)
	f.parallel = get("parallel").Get().(int)
	if f.parallel < 1 || f.parallel > maxParallel {
		return c.usageError("exec", fmt.Sprintf("--parallel wants a number from 1 to %d (each target at once is a connection, and with --via a process)", maxParallel))
	}
	f.timeout = defaultFleetTimeout
	fs.Visit(func(fl *flag.Flag) {
		if fl.Name == "timeout" {
			f.timeout = get("timeout").Get().(time.Duration)
		}
	})
	if f.timeout <= 0 {
		return c.usageError("exec", "--timeout wants a duration above 0")
	}
	f.act = activationFrom(fs)
	f.act.timeout = f.timeout

	if file := get("targets").String(); file != "" {
		more, err := c.readTargets(file)
		if err != nil {
			fmt.Fprintf(c.stderr, "manhole exec: --targets: %v\n", err)
			return exitUsage
		}
		targets = append(targets, more...)
	}
	if len(targets) == 0 {
		return c.usageError("exec", "no targets: name them before --, or give --targets FILE")
	}
	if f.code == "-" {
		if get("targets").String() == "-" {
			return c.usageError("exec", "stdin cannot hold both the targets (--targets -) and the script (-)")
		}
		b, err := io.ReadAll(c.stdin)
		if err != nil {
			fmt.Fprintf(c.stderr, "manhole exec: reading the script: %v\n", err)
			return exitUsage
		}
		f.script = b
	}
	if v := get("via").String(); v != "" {
		via, err := parseVia(v)
		if err != nil {
			return c.usageError("exec", err.Error())
		}
		if _, err := exec.LookPath(via.words[0]); err != nil {
			return c.usageError("exec", "--via: "+err.Error())
		}
		f.via = via
	}
	seen := map[string]bool{}
	for _, t := range targets {
		if seen[t] {
			return c.usageError("exec", fmt.Sprintf("target %q is named twice", printable(t)))
		}
		seen[t] = true
		var err error
		if f.via != nil {
			err = checkViaName(t)
		} else {
			_, err = parseTarget(t)
		}
		if err != nil {
			return c.usageError("exec", err.Error())
		}
		if w := len(printable(t)) + 1; w > f.width {
			f.width = w
		}
	}
	f.targets = targets
	if dir := get("out").String(); dir != "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			fmt.Fprintf(c.stderr, "manhole exec: --out: %v\n", err)
			return exitUsage
		}
		root, err := os.OpenRoot(dir)
		if err != nil {
			fmt.Fprintf(c.stderr, "manhole exec: --out: %v\n", err)
			return exitUsage
		}
		defer root.Close()
		f.out, f.outDir = root, dir
	}
	return f.run()
}

// readTargets reads target names, one a line.
func (c *cli) readTargets(file string) ([]string, error) {
	var r io.Reader = c.stdin
	if file != "-" {
		fh, err := os.Open(file)
		if err != nil {
			return nil, err
		}
		defer fh.Close()
		r = fh
	}
	var out []string
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		out = append(out, line)
	}
	return out, sc.Err()
}

func (f *fleet) run() int {
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP)
	defer signal.Stop(sigs)
	go func() {
		for sig := range sigs {
			f.signaled(sig.(syscall.Signal))
		}
	}()

	// A target's slot is given back only once its result is printed and
	// dropped: at most --parallel results are held at once.
	slots := make(chan struct{}, f.parallel)
	var wg sync.WaitGroup
	for _, t := range f.targets {
		slots <- struct{}{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			f.print(f.one(t))
			<-slots
		}()
	}
	wg.Wait()
	f.mu.Lock()
	quitting := f.quitting
	f.mu.Unlock()
	if quitting {
		select {} // signaled exits, once the via commands are gone
	}
	// Via commands whose target answered are given a moment to leave.
	f.ended.Wait()
	return f.summary()
}

// signaled passes a first Ctrl-C to every session; a second one, or
// SIGTERM or SIGHUP, ends every target at once and exits.
func (f *fleet) signaled(sig syscall.Signal) {
	f.mu.Lock()
	if sig == syscall.SIGINT {
		f.ints++
	}
	first := sig == syscall.SIGINT && f.ints == 1
	f.quitting = f.quitting || !first
	jobs := make([]*job, 0, len(f.jobs))
	for j := range f.jobs {
		jobs = append(jobs, j)
	}
	f.mu.Unlock()
	if first {
		for _, j := range jobs {
			j.interrupt()
		}
		return
	}
	f.abortAll()
	if sig == syscall.SIGINT {
		fmt.Fprintln(f.c.stderr, "manhole exec: interrupted")
	} else {
		fmt.Fprintf(f.c.stderr, "manhole exec: %v: every target ended\n", sig)
	}
	os.Exit(128 + int(sig))
}

// abortAll ends every target's connection and via command's process
// group, removes the --out files not yet in place, and waits a moment
// for the via commands to be gone.
func (f *fleet) abortAll() {
	f.mu.Lock()
	var jobs []*job
	for j := range f.jobs {
		jobs = append(jobs, j)
	}
	var outs []*outFile
	for o := range f.outs {
		outs = append(outs, o)
	}
	var vias []*viaConn
	for vc := range f.vias {
		vias = append(vias, vc)
	}
	f.mu.Unlock()
	for _, j := range jobs {
		j.abort()
	}
	for _, vc := range vias {
		vc.kill()
	}
	for _, o := range outs {
		o.finish(false)
	}
	deadline := time.After(time.Second)
	for _, vc := range vias {
		select {
		case <-vc.waited():
		case <-deadline:
			return
		}
	}
}

// job is one target's connection, for a timeout or Ctrl-C to end.
type job struct {
	mu      sync.Mutex // protects closers, sess and aborted
	closers []func()
	sess    *ssh.Session
	aborted bool
	ended   chan struct{} // closed by abort
}

// onAbort registers what ends the job; at once if it already ended.
func (j *job) onAbort(fn func()) {
	j.mu.Lock()
	if j.aborted {
		j.mu.Unlock()
		fn()
		return
	}
	j.closers = append(j.closers, fn)
	j.mu.Unlock()
}

func (j *job) abort() {
	j.mu.Lock()
	if !j.aborted {
		close(j.ended)
	}
	j.aborted = true
	fns := j.closers
	j.closers = nil
	j.mu.Unlock()
	for _, fn := range fns {
		fn()
	}
}

func (j *job) interrupt() {
	j.mu.Lock()
	s := j.sess
	j.mu.Unlock()
	if s != nil {
		s.Signal(ssh.SIGINT)
	}
}

// maxKept is how much of a target's stdout, and of its stderr, is kept
// in memory to print; --out keeps all of stdout.
const maxKept = 16 << 20

// syncBuffer is a buffer a session writes while a timeout may take it.
// Past maxKept it keeps counting, not storing; once taken, it drops what
// comes.
type syncBuffer struct {
	mu      sync.Mutex // protects b, dropped and taken
	b       bytes.Buffer
	dropped int64
	taken   bool
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.taken {
		return len(p), nil
	}
	if room := maxKept - s.b.Len(); len(p) > room {
		s.b.Write(p[:room])
		s.dropped += int64(len(p) - room)
		return len(p), nil
	}
	return s.b.Write(p)
}

// take hands over what was kept, not a copy, and how much was not.
func (s *syncBuffer) take() ([]byte, int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.taken = true
	b := s.b.Bytes()
	s.b = bytes.Buffer{}
	return b, s.dropped
}

// one asks one target, within the timeout.
func (f *fleet) one(name string) *fleetResult {
	start := time.Now()
	j := &job{ended: make(chan struct{})}
	f.mu.Lock()
	f.jobs[j] = true
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		delete(f.jobs, j)
		f.mu.Unlock()
	}()

	var stdout, stderr syncBuffer
	var outFile *outFile
	var sink io.Writer = &stdout
	if f.out != nil {
		of, err := f.createOut(name)
		if err != nil {
			return &fleetResult{Target: name, ExitStatus: exitError, Error: "--out: " + err.Error()}
		}
		outFile, sink = of, of
		f.mu.Lock()
		f.outs[of] = true
		f.mu.Unlock()
	}
	type answer struct {
		status int
		err    error
	}
	answered := make(chan answer, 1)
	go func() {
		st, err := f.ask(j, name, sink, &stderr)
		answered <- answer{st, err}
	}()
	r := &fleetResult{Target: name}
	timer := time.NewTimer(f.timeout)
	defer timer.Stop()
	select {
	case a := <-answered:
		r.ExitStatus = a.status
		if a.err != nil {
			r.Error = a.err.Error()
			var kerr *hostKeyError
			if errors.As(a.err, &kerr) || strings.Contains(r.Error, "HOST KEY MISMATCH") {
				r.why = "host key rejected"
				if strings.Contains(r.Error, "HOST KEY MISMATCH") {
					r.why = "host key mismatch"
				}
			}
		}
	case <-timer.C:
		// Its connection and via command end now; what it was still
		// doing writes nowhere (the buffers are taken, the file closed),
		// so nothing here waits for it.
		j.abort()
		r.ExitStatus = exitConnect
		r.Error = fmt.Sprintf("timed out after %v", f.timeout)
		r.why = "timed out"
	}
	r.Duration = time.Since(start).Seconds()
	r.stdout, r.StdoutTruncated = stdout.take()
	r.stderr, r.StderrTruncated = stderr.take()
	if outFile != nil {
		n, path, err := outFile.finish(r.ExitStatus == 0 && r.Error == "")
		f.mu.Lock()
		delete(f.outs, outFile)
		f.mu.Unlock()
		r.outBytes, r.Out = n, path
		if err != nil && r.Error == "" {
			r.ExitStatus, r.Error = exitError, "--out: "+err.Error()
		}
	}
	return r
}

// ask connects to one target and evaluates the code there. A non-nil
// error means the target was not reached (status 255).
func (f *fleet) ask(j *job, name string, stdout, stderr io.Writer) (int, error) {
	var client *ssh.Client
	var err error
	if f.via != nil {
		var vc *viaConn
		client, vc, err = f.dialVia(j, name)
		if err == nil {
			// Leave no via command behind: it ends when its stdin does,
			// or is killed; the answer does not wait for that.
			defer func() {
				f.ended.Add(1)
				go func() {
					defer f.ended.Done()
					vc.finish()
				}()
			}()
		}
	} else {
		var t *target
		t, err = resolve(name, f.act)
		if err == nil {
			t.onConn = func(c net.Conn) { j.onAbort(func() { c.Close() }) }
			client, err = dial(t)
		}
	}
	if err != nil {
		return exitConnect, err
	}
	defer client.Close()
	j.onAbort(func() { client.Close() })
	sess, err := client.NewSession()
	if err != nil {
		return exitConnect, err
	}
	defer sess.Close()
	sess.Stdout, sess.Stderr = stdout, stderr
	j.mu.Lock()
	j.sess = sess
	j.mu.Unlock()
	if f.script != nil {
		sess.Stdin = bytes.NewReader(f.script)
		err = sess.Shell()
	} else {
		err = sess.Start(f.code)
	}
	if err != nil {
		return exitConnect, err
	}
	var msg bytes.Buffer
	st := exitCode(sess.Wait(), &msg)
	if msg.Len() > 0 {
		return st, errors.New(strings.TrimPrefix(strings.TrimSpace(msg.String()), "manhole: "))
	}
	return st, nil
}

// dialVia runs the via command for name and makes an SSH connection over
// it, checking the host key the manhole proxy on the other side read from
// the manhole's metadata file: the key comes through the channel the user
// trusts (kubectl's, podman's, ssh's), never from what answers.
func (f *fleet) dialVia(j *job, name string) (*ssh.Client, *viaConn, error) {
	select {
	case f.starting <- struct{}{}:
	case <-j.ended:
		return nil, nil, errors.New("ended before the via command started")
	}
	vc, err := startVia(f.via.argv(name))
	<-f.starting
	if err != nil {
		return nil, nil, err
	}
	f.mu.Lock()
	f.vias[vc] = true
	f.mu.Unlock()
	go func() {
		<-vc.waited()
		f.mu.Lock()
		delete(f.vias, vc)
		f.mu.Unlock()
	}()
	j.onAbort(vc.kill)
	want, err := vc.hostKey()
	if err != nil {
		vc.kill()
		return nil, nil, err
	}
	cfg := &ssh.ClientConfig{User: "manhole", Timeout: dialTimeout, HostKeyAlgorithms: algorithmsFor(want.Type())}
	if u, err := user.Current(); err == nil {
		cfg.User = u.Username
	}
	cfg.HostKeyCallback = func(_ string, _ net.Addr, key ssh.PublicKey) error {
		if bytes.Equal(key.Marshal(), want.Marshal()) {
			return nil
		}
		return &hostKeyError{fmt.Sprintf("HOST KEY MISMATCH: %s answered with %s, but its manhole's metadata file, read through --via, says %s: another process may be impersonating the manhole; not connecting",
			printable(name), hostkeys.Fingerprint(key), hostkeys.Fingerprint(want))}
	}
	// A manhole on TCP behind the proxy asks for a key.
	auth, _, closeAgent := authMethods()
	defer closeAgent()
	cfg.Auth = auth
	sc, chans, reqs, err := ssh.NewClientConn(vc, name, cfg)
	if err != nil {
		var kerr *hostKeyError
		if errors.As(err, &kerr) {
			vc.kill()
			return nil, nil, kerr
		}
		e, ok := vc.exitError("during the SSH handshake")
		vc.kill()
		if ok {
			// manhole proxy reached the manhole and ended cleanly when it
			// hung up: a refused peer uid is closed before the banner.
			return nil, nil, fmt.Errorf("the manhole closed the connection before the SSH handshake: it does not let in the uid its manhole proxy runs as (Options.AllowUIDs; by default only its own user and root) (%v)", e)
		}
		return nil, nil, fmt.Errorf("SSH handshake through the via command failed: %v (%v)", err, e)
	}
	return ssh.NewClient(sc, chans, reqs), vc, nil
}

// print writes one target's result as soon as it is done, and keeps of
// it only what the summary needs.
func (f *fleet) print(r *fleetResult) {
	f.mu.Lock()
	quitting := f.quitting
	f.mu.Unlock()
	if quitting {
		return // ended by the signal, not by itself
	}
	f.printing.Lock()
	defer f.printing.Unlock()
	f.done = append(f.done, outcome{r.Target, r.failure()})
	if f.json {
		if utf8.Valid(r.stdout) {
			r.Stdout = string(r.stdout)
		} else {
			r.StdoutBase64 = r.stdout
		}
		if utf8.Valid(r.stderr) {
			r.Stderr = string(r.stderr)
		} else {
			r.StderrBase64 = r.stderr
		}
		b, _ := json.Marshal(r)
		f.c.stdout.Write(append(b, '\n'))
		return
	}
	out := bufio.NewWriterSize(f.c.stdout, 64<<10)
	switch {
	case r.Out != "":
		f.line(out, r.Target, []byte(fmt.Sprintf("%d bytes to %s", r.outBytes, r.Out)))
	case len(r.stdout) > 0 && (!utf8.Valid(r.stdout) || bytes.IndexByte(r.stdout, 0) >= 0):
		f.line(out, r.Target, []byte(fmt.Sprintf("(%d bytes of binary output: --out DIR writes each target's to a file)", len(r.stdout))))
	default:
		f.lines(out, r.Target, r.stdout)
	}
	if r.StdoutTruncated > 0 {
		f.line(out, r.Target, []byte(fmt.Sprintf("[%d more bytes not kept: --out DIR writes all of stdout to a file]", r.StdoutTruncated)))
	}
	out.Flush()
	errs := bufio.NewWriterSize(f.c.stderr, 16<<10)
	f.lines(errs, r.Target, r.stderr)
	if r.StderrTruncated > 0 {
		f.line(errs, r.Target, []byte(fmt.Sprintf("[%d more bytes of stderr not kept]", r.StderrTruncated)))
	}
	if r.Error != "" {
		f.line(errs, r.Target, []byte("manhole exec: "+r.Error))
	}
	errs.Flush()
}

func (f *fleet) lines(w *bufio.Writer, name string, b []byte) {
	b = bytes.TrimSuffix(b, []byte("\n"))
	if len(b) == 0 {
		return
	}
	for {
		l, rest, more := bytes.Cut(b, []byte("\n"))
		f.line(w, name, l)
		if !more {
			return
		}
		b = rest
	}
}

// line writes text after its target's prefix. Control characters inside
// it (a carriage return, an escape sequence) are shown, not obeyed, so
// that every line on a terminal starts with its true prefix.
func (f *fleet) line(w *bufio.Writer, name string, text []byte) {
	text = bytes.TrimSuffix(text, []byte("\r"))
	if len(text) == 0 {
		fmt.Fprintf(w, "%s:\n", printable(name))
		return
	}
	fmt.Fprintf(w, "%-*s ", f.width, printable(name)+":")
	writeVisible(w, text)
	w.WriteByte('\n')
}

// writeVisible writes b with its control characters made visible: ^M,
// ^[ and so on for C0 (a tab stays), ^? for DEL, \u0080 for C1 and \xff
// for a byte that is not UTF-8.
func writeVisible(w *bufio.Writer, b []byte) {
	for len(b) > 0 {
		i := 0
		for i < len(b) && (b[i] >= 0x20 && b[i] < 0x7f || b[i] == '\t') {
			i++
		}
		w.Write(b[:i])
		b = b[i:]
		if len(b) == 0 {
			return
		}
		switch r, size := utf8.DecodeRune(b); {
		case b[0] < 0x20:
			w.WriteByte('^')
			w.WriteByte(b[0] + 0x40)
		case b[0] == 0x7f:
			w.WriteString("^?")
		case r == utf8.RuneError && size <= 1:
			fmt.Fprintf(w, "\\x%02x", b[0])
		case r >= 0x80 && r < 0xa0:
			fmt.Fprintf(w, "\\u%04x", r)
		default:
			w.Write(b[:size])
		}
		_, size := utf8.DecodeRune(b)
		b = b[size:]
	}
}

// maxNamed is how many failed targets the summary names.
const maxNamed = 20

// summary names the failed targets on stderr and picks the exit status:
// 0 all answered without error, 1 all were reached but some code failed,
// 255 some could not be reached or ran out of time.
func (f *fleet) summary() int {
	f.printing.Lock()
	defer f.printing.Unlock()
	var failed []string
	count := map[string]int{}
	status := 0
	for _, o := range f.done {
		if o.why == "" {
			continue
		}
		failed = append(failed, printable(o.target)+" ("+o.why+")")
		count[o.why]++
		switch o.why {
		case "timed out", "not reached", "host key mismatch", "host key rejected":
			status = exitConnect
		default:
			status = max(status, exitError)
		}
	}
	if len(failed) == 0 {
		return status
	}
	sort.Strings(failed)
	names := strings.Join(failed[:min(len(failed), maxNamed)], ", ")
	if len(failed) > maxNamed {
		names += fmt.Sprintf(" and %d more", len(failed)-maxNamed)
	}
	msg := fmt.Sprintf("manhole exec: %d of %d targets failed: %s", len(failed), len(f.done), names)
	if len(failed) > 1 {
		reasons := make([]string, 0, len(count))
		for why := range count {
			reasons = append(reasons, why)
		}
		sort.Slice(reasons, func(i, j int) bool {
			if count[reasons[i]] != count[reasons[j]] {
				return count[reasons[i]] > count[reasons[j]]
			}
			return reasons[i] < reasons[j]
		})
		for i, why := range reasons {
			reasons[i] = fmt.Sprintf("%d %s", count[why], why)
		}
		msg += "; by reason: " + strings.Join(reasons, ", ")
	}
	fmt.Fprintln(f.c.stderr, msg)
	return status
}

// outFile is one target's stdout on its way into --out DIR: written to a
// fresh temporary file (created exclusively, mode 0600, so nothing
// planted there is followed or overwritten), renamed into place only when
// the target answered without error.
type outFile struct {
	root      *os.Root
	tmp, name string
	dir       string
	f         *os.File
	n         int64
	mu        sync.Mutex // protects f, n and closed: a timeout may finish while the session writes
	closed    bool
}

// outName is a file name for target: characters other than letters,
// digits, "-", "_" and "." (and a leading ".") are %XX, so that no name
// climbs out of DIR ("../x", "pod/x") and no two targets share a file.
func outName(target string) string {
	var b strings.Builder
	for i := 0; i < len(target); i++ {
		ch := target[i]
		if ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || ch >= '0' && ch <= '9' || ch == '-' || ch == '_' || ch == '.' && i > 0 {
			b.WriteByte(ch)
		} else {
			fmt.Fprintf(&b, "%%%02X", ch)
		}
	}
	return b.String()
}

func (f *fleet) createOut(target string) (*outFile, error) {
	var rnd [8]byte
	rand.Read(rnd[:])
	name := outName(target)
	// Not derived from the name, which may be as long as a file name can.
	tmp := ".tmp-" + hex.EncodeToString(rnd[:])
	fh, err := f.out.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, err
	}
	return &outFile{root: f.out, tmp: tmp, name: name, dir: f.outDir, f: fh}, nil
}

func (o *outFile) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.closed {
		return 0, os.ErrClosed
	}
	n, err := o.f.Write(p)
	o.n += int64(n)
	return n, err
}

// finish closes the file and, if keep, renames it into place (rename
// replaces a symlink planted there rather than following it).
func (o *outFile) finish(keep bool) (int64, string, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.closed = true
	err := o.f.Close()
	if !keep || err != nil {
		o.root.Remove(o.tmp)
		return o.n, "", err
	}
	if err := o.root.Rename(o.tmp, o.name); err != nil {
		o.root.Remove(o.tmp)
		return o.n, "", err
	}
	return o.n, filepath.Join(o.dir, o.name), nil
}
