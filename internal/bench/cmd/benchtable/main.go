// Command benchtable turns the output of `go test -bench` (on stdin) into
// the table of figures, anchors and ratios that `make bench` prints and
// BENCHMARKS.md keeps.
//
//	go test -run='^$' -bench=. -benchmem ./... | benchtable -o BENCHMARKS.md
//
// It fails if the output reports a failure or lacks one of the
// comparisons.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// result is one benchmark line: its metrics by unit.
type result map[string]float64

// benchLine is "BenchmarkName/sub-2   N   v unit   v unit ...".
var benchLine = regexp.MustCompile(`^(Benchmark\S+?)(?:-\d+)?\s+(\d+)\s+(.*)$`)

func parse(r io.Reader, echo io.Writer) (map[string]result, []string, bool, error) {
	results := map[string]result{}
	var order []string
	failed := false
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if echo != nil {
			fmt.Fprintln(echo, line)
		}
		if strings.HasPrefix(line, "FAIL") || strings.HasPrefix(line, "--- FAIL") || strings.HasPrefix(line, "panic:") {
			failed = true
		}
		m := benchLine.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		res := result{}
		f := strings.Fields(m[3])
		for i := 0; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				continue
			}
			res[f[i+1]] = v
		}
		if _, dup := results[m[1]]; !dup {
			order = append(order, m[1])
		}
		results[m[1]] = res
	}
	return results, order, failed, sc.Err()
}

// table accumulates markdown rows and remembers missing figures.
type table struct {
	res     map[string]result
	used    map[string]bool
	b       strings.Builder
	missing []string
}

func (t *table) get(name, unit string) (float64, bool) {
	t.used[name] = true
	r, ok := t.res[name]
	if !ok {
		t.missing = append(t.missing, name)
		return 0, false
	}
	v, ok := r[unit]
	if !ok {
		t.missing = append(t.missing, name+" "+unit)
	}
	return v, ok
}

func (t *table) section(title string) {
	fmt.Fprintf(&t.b, "\n| %s | manhole | anchor | ratio | target |\n|---|---:|---:|---:|---|\n", title)
}

// row prints a figure of name against the anchor's, with their ratio.
func (t *table) row(what, name, anchor, unit string, format func(float64) string, target string) {
	v, ok := t.get(name, unit)
	vs := "—"
	if ok {
		vs = format(v)
	}
	as, ratio := "", ""
	if anchor != "" {
		if a, ok := t.get(anchor, unit); ok {
			as = format(a) + " (" + shortName(anchor) + ")"
			if a != 0 && v != 0 {
				ratio = fmt.Sprintf("%.2f", v/a)
			}
		}
	}
	fmt.Fprintf(&t.b, "| %s | %s | %s | %s | %s |\n", what, vs, as, ratio, target)
}

// pair prints the two medians of a paired benchmark (see pairBench) and
// their ratio.
func (t *table) pair(what, name, x, y, label, target string) {
	xv, xok := t.get(name, x+"-p50-ns")
	yv, yok := t.get(name, y+"-p50-ns")
	r, rok := t.get(name, "ratio")
	xs, ys, rs := "—", "—", ""
	if xok {
		xs = ms(xv)
	}
	if yok {
		ys = ms(yv) + " (" + label + ")"
	}
	if rok {
		rs = fmt.Sprintf("%.2f", r)
	}
	fmt.Fprintf(&t.b, "| %s | %s | %s | %s | %s |\n", what, xs, ys, rs, target)
}

// fixed prints a figure against a fixed anchor value.
func (t *table) fixed(what, name, unit string, format func(float64) string, anchor float64, anchorText, target string) {
	v, ok := t.get(name, unit)
	vs, ratio := "—", ""
	if ok {
		vs = format(v)
		if anchor != 0 {
			ratio = fmt.Sprintf("%.2f", v/anchor)
		}
	}
	fmt.Fprintf(&t.b, "| %s | %s | %s | %s | %s |\n", what, vs, anchorText, ratio, target)
}

func shortName(name string) string {
	name = strings.TrimPrefix(name, "Benchmark")
	if i := strings.LastIndexByte(name, '/'); i >= 0 {
		return name[i+1:]
	}
	return name
}

func ms(v float64) string    { return fmt.Sprintf("%.2f ms", v/1e6) }
func us(v float64) string    { return fmt.Sprintf("%.1f µs", v/1e3) }
func usRaw(v float64) string { return fmt.Sprintf("%.1f µs", v) }
func kib(v float64) string   { return fmt.Sprintf("%.1f KiB", v/1024) }
func mib(v float64) string   { return fmt.Sprintf("%.2f MiB", v/(1<<20)) }
func mibRaw(v float64) string {
	return fmt.Sprintf("%.2f MiB", v)
}
func count(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
func num(v float64) string   { return fmt.Sprintf("%.0f", v) }
func pct(v float64) string   { return fmt.Sprintf("%.2f%%", v) }

func render(res map[string]result, order []string) (string, []string) {
	t := &table{res: res, used: map[string]bool{}}

	t.section("Idle footprint (fresh process, after GC)")
	t.row("goroutines started", "BenchmarkIdle/manhole", "BenchmarkIdle/gops", "goroutines", count, "1 per listener")
	t.row("heap added by Start", "BenchmarkIdle/manhole", "BenchmarkIdle/gops", "heap-B", kib, "≤ 16 KiB")
	t.row("RSS added by Start", "BenchmarkIdle/manhole", "BenchmarkIdle/gops", "rss-B", kib, "")
	t.row("heap held by linking the package", "BenchmarkIdle/manhole", "BenchmarkIdle/gops", "linked-heap-B", kib, "≤ 32 KiB")
	t.row("RSS held by linking the package", "BenchmarkIdle/manhole", "BenchmarkIdle/gops", "linked-rss-B", mib, "")

	t.section("Connect + exec `1+1`, in-process x/crypto client, unix socket (medians, run alternately)")
	t.pair("connect, handshake, exec, exit status", "BenchmarkConnectExec", "manhole", "bare", "bare gliderlabs", "≤ 2 ms")

	t.section("OpenSSH `ssh host 1+1` (medians, run alternately)")
	t.pair("unix socket, ProxyCommand nc -U", "BenchmarkOpenSSHExec/unix", "manhole", "bare", "bare gliderlabs", "ratio ≤ 1.10")
	t.pair("manhole: loopback TCP with a key / unix socket", "BenchmarkOpenSSHExec/tcp-vs-unix/manhole", "tcp", "unix", "unix", "ratio ≤ 1.2")
	t.pair("bare gliderlabs: TCP / unix", "BenchmarkOpenSSHExec/tcp-vs-unix/bare", "tcp", "unix", "unix", "")
	t.pair("bare gliderlabs + TCP_QUICKACK: TCP / unix", "BenchmarkOpenSSHExec/tcp-vs-unix/bare-quickack", "tcp", "unix", "unix", "")

	t.section("Goroutine dump of another process (medians, run alternately)")
	t.pair("`manhole exec PID :goroutines` vs `gops stack PID`", "BenchmarkGoroutineDump/cli", "manhole", "gops", "gops", "ratio ≤ 1.3")
	t.pair("the same dumps from the benchmark process (no CLI)", "BenchmarkGoroutineDump/inproc", "manhole", "gops", "gops", "")

	t.section("One question to many local processes, `manhole exec PID... -- 'os.Getpid()'` against the single-target command in a shell loop (wall time)")
	for _, n := range []struct{ n, what string }{{"1", "1 target"}, {"10", "10 targets"}, {"30", "30 targets"}} {
		t.row(n.what, "BenchmarkFleetExec/"+n.n+"/fanout", "BenchmarkFleetExec/"+n.n+"/loop", "ns/op", ms, "")
	}

	t.section("Sessions (another process, terminal sessions, after GC)")
	t.row("heap per session, 1 open", "BenchmarkSessions/1", "", "heap-B/session", kib, "≤ 1 MiB")
	t.row("heap per session, 100 open", "BenchmarkSessions/100", "", "heap-B/session", kib, "≤ 1 MiB")
	t.row("goroutines per session, 100 open", "BenchmarkSessions/100", "", "goroutines/session", count, "")
	t.row("RSS per session, 100 open", "BenchmarkSessions/100", "", "rss-B/session", kib, "")

	t.section("Watching `:top` (another process; its CPU time per second of wall time, getrusage, in % of one core; anchor: the same sessions idle at the prompt)")
	t.row("1 terminal session running `:top`", "BenchmarkTopCPU/1", "BenchmarkTopCPU/idle-1", "cpu-%", pct, "< 1%")
	t.row("10 terminal sessions running `:top`", "BenchmarkTopCPU/10", "BenchmarkTopCPU/idle-10", "cpu-%", pct, "< 1%")

	t.section("Line editor: a 76-character input typed a key per read, then Enter (anchor: x/term's ReadLine, which it replaced)")
	t.row("time per input", "BenchmarkLineEditor/manhole", "BenchmarkLineEditor/xterm", "ns/op", us, "")
	t.row("allocations per input", "BenchmarkLineEditor/manhole", "BenchmarkLineEditor/xterm", "allocs/op", num, "")

	t.section("Evaluation of `1+1`")
	t.row("latency (fresh session)", "BenchmarkEval/manhole", "BenchmarkEval/yaegi", "ns/op", us, "yaegi: 11.5 µs measured before")
	t.row("allocated", "BenchmarkEval/manhole", "BenchmarkEval/yaegi", "B/op", kib, "")
	t.row("evaluations run in one session (of 100 000, 40 s budget)", "BenchmarkEvalRetained/manhole", "BenchmarkEvalRetained/yaegi", "evals", num, "100000")
	t.row("heap retained per evaluation", "BenchmarkEvalRetained/manhole", "BenchmarkEvalRetained/yaegi", "retained-B/eval", num, "flat (≈ 0)")
	t.row("live heap after the last", "BenchmarkEvalRetained/manhole", "BenchmarkEvalRetained/yaegi", "heap-MiB", mibRaw, "")
	t.row("latency, first 1000", "BenchmarkEvalRetained/manhole", "BenchmarkEvalRetained/yaegi", "first-us/eval", usRaw, "")
	t.row("latency, last 1000", "BenchmarkEvalRetained/manhole", "BenchmarkEvalRetained/yaegi", "last-us/eval", usRaw, "= first")

	t.section("Guarded operations, per operation, 1000 per evaluation (plain yaegi with its stdlib as the anchor)")
	t.row("`go func(k int) {...}(i)`, started and waited for", "BenchmarkContained/go/manhole", "BenchmarkContained/go/yaegi", "ns/item", us, "")
	t.row("`mu.Lock(); mu.Unlock()`", "BenchmarkContained/unlock/manhole", "BenchmarkContained/unlock/yaegi", "ns/item", us, "")
	t.row("`make([]byte, 64)`", "BenchmarkContained/make/manhole", "BenchmarkContained/make/yaegi", "ns/item", us, "")

	t.section("Handshake (curve25519, ed25519 host key, in-process, unix socket)")
	for _, s := range []string{"manhole", "sshd", "bare"} {
		what := map[string]string{"manhole": "manhole (with interpreter prepared)", "sshd": "manhole's sshd alone", "bare": "bare gliderlabs"}[s]
		t.row(what+": time", "BenchmarkHandshake/"+s, "BenchmarkHandshake/xcrypto", "ns/op", ms, "")
		t.row(what+": allocated", "BenchmarkHandshake/"+s, "BenchmarkHandshake/xcrypto", "B/op", kib, "")
		t.row(what+": allocations", "BenchmarkHandshake/"+s, "BenchmarkHandshake/xcrypto", "allocs/op", num, "")
	}
	t.fixed("x/crypto: time", "BenchmarkHandshake/xcrypto", "ns/op", ms, 0.59e6, "0.59 ms (measured before)", "")
	t.fixed("x/crypto: allocated", "BenchmarkHandshake/xcrypto", "B/op", kib, 66e3, "64.5 KiB (measured before)", "")
	t.fixed("x/crypto: allocations", "BenchmarkHandshake/xcrypto", "allocs/op", num, 605, "605 (measured before)", "")
	t.row("bytes on the wire", "BenchmarkHandshake/manhole", "BenchmarkHandshake/xcrypto", "wire-B/op", num, "")

	t.section("Binary growth (go build -ldflags=-s -w, HTTP service app)")
	t.row("manhole, default symbols", "BenchmarkBinarySize", "", "manhole-MiB", mibRaw, "≤ 7.5 MiB")
	t.row("manhole, full stdlib (opt-in)", "BenchmarkBinarySize", "", "manhole-stdlib-MiB", mibRaw, "")
	t.row("yaegi alone, no symbols", "BenchmarkBinarySize", "", "yaegi-MiB", mibRaw, "")
	t.row("the default symbol set alone", "BenchmarkBinarySize", "", "stdsyms-MiB", mibRaw, "")
	t.row("the full stdlib table alone", "BenchmarkBinarySize", "", "stdlib-MiB", mibRaw, "")
	t.row("manhole in a fmt-only app", "BenchmarkBinarySize", "", "min-manhole-MiB", mibRaw, "")

	var other []string
	for _, name := range order {
		if !t.used[name] {
			other = append(other, name)
		}
	}
	if len(other) > 0 {
		t.b.WriteString("\n| other benchmarks | ns/op | B/op | allocs/op |\n|---|---:|---:|---:|\n")
		for _, name := range other {
			r := res[name]
			fmt.Fprintf(&t.b, "| %s | %s | %s | %s |\n", strings.TrimPrefix(name, "Benchmark"), num(r["ns/op"]), num(r["B/op"]), num(r["allocs/op"]))
		}
	}
	return t.b.String(), t.missing
}

// machine describes where the figures come from.
func machine() string {
	cpu := "unknown CPU"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for line := range strings.Lines(string(b)) {
			if v, ok := strings.CutPrefix(line, "model name"); ok {
				cpu = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(v), ":"))
				break
			}
		}
	}
	goVersion := runtime.Version()
	if out, err := exec.Command("go", "env", "GOVERSION").Output(); err == nil {
		goVersion = strings.TrimSpace(string(out))
	}
	ssh := ""
	if out, err := exec.Command("ssh", "-V").CombinedOutput(); err == nil {
		ssh = ", " + strings.TrimSpace(string(out))
	}
	return fmt.Sprintf("%d CPUs (nproc), %s, %s, %s/%s%s", runtime.NumCPU(), cpu, goVersion, runtime.GOOS, runtime.GOARCH, ssh)
}

const header = `# Benchmarks

Every figure is measured in the same run as its anchor, on the same
machine, so the ratio holds when the machine is shared and noisy. Targets
come from issue 7 and shared/DESIGN.md. Benchmarks live in
internal/bench (see its doc.go); this file is written by ` + "`make bench`" + `.

`

func main() {
	out := flag.String("o", "", "also write BENCHMARKS.md-style markdown to `file`")
	quiet := flag.Bool("q", false, "do not echo the benchmark output")
	flag.Parse()
	var echo io.Writer = os.Stdout
	if *quiet {
		echo = nil
	}
	res, order, failed, err := parse(os.Stdin, echo)
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchtable:", err)
		os.Exit(1)
	}
	tbl, missing := render(res, order)
	fmt.Println(tbl)
	if failed {
		fmt.Fprintln(os.Stderr, "benchtable: the benchmark run reported a failure; BENCHMARKS.md left as it was")
		os.Exit(1)
	}
	if len(missing) > 0 {
		fmt.Fprintf(os.Stderr, "benchtable: missing figures: %s; BENCHMARKS.md left as it was\n", strings.Join(missing, ", "))
		os.Exit(1)
	}
	if *out != "" {
		md := header +
			"Command: `make bench`, that is `go test -run='^$' -bench=. -benchmem -timeout=10m ./...` at the root and in internal/bench/gops (a module of its own, to keep gops out of manhole's go.mod), piped into `go run ./internal/bench/cmd/benchtable -o BENCHMARKS.md`.\n\n" +
			"Machine: " + machine() + ". Run: " + time.Now().UTC().Format("2006-01-02 15:04 MST") + ".\n" +
			tbl
		if err := os.WriteFile(*out, []byte(md), 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "benchtable:", err)
			os.Exit(1)
		}
	}
}
