package interp

// The conformance corpus: yaegi's own test programs (the files of its
// _test directory whose last comment is an "// Output:" block) run in
// plain yaegi and through manhole's Interp in several ways, their standard
// output compared with the block. interp/testdata/conformance.txt lists
// the programs that may fail in each mode, with the cause; see
// CONFORMANCE.md at the root of the repository.
//
//	go test -run Conformance ./interp/                        # check
//	go test -run Conformance ./interp/ -conformance.update    # rewrite the list
//	go test -run Conformance ./interp/ -conformance.v -conformance.files='^closure'
//
// Modes:
//
//   - yaegi: plain yaegi, set up as yaegi's own harness (interp_file_test.go)
//     sets it up: stdlib, unsafe and yaegi's interp symbols, os.Stdout and
//     friends wired to the buffers, a GOPATH holding yaegi's module for the
//     programs that import its _test packages, the whole file given to one
//     EvalWithContext. The baseline, and what "plain yaegi passes" means.
//   - whole: Interp with the whole standard library (NewSymbols(stdlib
//     Symbols)): the file with its package clause blanked and func main
//     renamed main_, as one Eval, then `main_()` as a second Eval. The
//     call is an input of its own, as a person who pasted the file would
//     type it: the error of a declaration is then told apart from the
//     program's, and the last step is the same in whole, split and moved,
//     so that what tells them apart is only how the declarations came in.
//     (Appending the call to the file, one Eval in all, gives the same
//     result for every program of the corpus.)
//   - split: the same, one top-level declaration per Eval in the order of
//     the file (an import declaration is an input of its own), as a
//     person types them, then the call.
//   - moved: split, then a forced move to a new interpreter (recycle)
//     between the declarations and the call. A session that cannot move
//     (errNotRecyclable: a closure in a variable) runs the call where it
//     is and passes if the output is right; any other error of the move
//     fails the program.
//   - wholemoved: whole, then the forced move, then the call: what a
//     session that pasted a program and then moved does. It must give
//     what whole gives, program for program (TestConformance checks it).
//   - default: whole with the default symbol set (NewSymbols()).
//
// Each program runs with a timeout (-conformance.timeout); its Interp is
// closed afterwards, which stops what it left running. The programs run
// on a pool of workers, several per CPU, as some of them only sleep;
// those that change the state of the process run each in a process of
// their own (see isolated), and those that declare a recursive type run
// alone (see recursiveTypes).
//
// make test runs every mode without the race detector, and whole and
// moved again under it (go test -race ./...).
//
// Under the race detector (raceEnabled, conformance_race_test.go) the
// corpus costs three to five times as much CPU: all five modes take 40 s
// to a minute on two cores, plain yaegi alone a third to a half of it
// (yaegi's Use of the whole standard library, for each program). The race
// detector is there to find races in manhole's code, of which plain yaegi
// runs none: under -race only whole and moved run, on the whole corpus
// (6 to 15 s). Together they go through every path the other modes take
// (moved feeds the declarations as split does, then moves; default is
// whole with fewer packages). -conformance.all runs every mode anyway;
// the expectations of the modes not run are not checked.

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"runtime"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	yaegi "github.com/traefik/yaegi/interp"
	ystdlib "github.com/traefik/yaegi/stdlib"
	yunsafe "github.com/traefik/yaegi/stdlib/unsafe"

	"github.com/gomanhole/manhole/interp/stdlib"
)

var (
	conformanceUpdate  = flag.Bool("conformance.update", false, "rewrite testdata/conformance.txt from this run: reasons of programs still failing are kept, new failures get \"TODO: diagnose\"")
	conformanceVerbose = flag.Bool("conformance.v", false, "print the error or output difference of every failing program, listed or not")
	conformanceFiles   = flag.String("conformance.files", "", "run only the corpus programs whose file name matches this regexp (expectations of the others are not checked)")
	conformanceModes   = flag.String("conformance.modes", "", "comma-separated modes to run (default: all; under -race: "+strings.Join(raceModes, ",")+")")
	conformanceTimeout = flag.Duration("conformance.timeout", 5*time.Second, "time each program may run in each mode")
	conformanceAll     = flag.Bool("conformance.all", false, "under -race, run every mode anyway")
)

// The modes, in the order of the expectations file.
var conformanceModeNames = []string{"yaegi", "whole", "wholemoved", "split", "moved", "default"}

// raceModes are the modes run under the race detector; see the comment at
// the top.
var raceModes = []string{"whole", "moved"}

const expectationsFile = "testdata/conformance.txt"

// mainName is what func main is renamed to: Interp refuses to declare
// main, which yaegi would run after every input. No corpus program uses
// the name (prepare checks).
const mainName = "main_"

type corpusProgram struct {
	name   string // file name in yaegi's _test
	src    string
	want   string // the Output block, trimmed as yaegi's harness trims it
	gopath string // the GOPATH the program needs (a "GOPATH:" comment), or ""

	parseErr  error
	hasMain   bool
	recursive bool     // it declares a recursive type; see recursiveTypes
	whole     string   // the file for whole mode
	inputs    []string // its declarations, one per input, for split and moved
}

// outcome is what one program did in one mode.
type outcome struct {
	pass     bool
	detail   string // why it failed: an error, or the output against the wanted one
	notMoved bool   // moved mode: the session could not move (errNotRecyclable)
}

func TestConformance(t *testing.T) {
	if child := os.Getenv(childEnv); child != "" {
		conformanceChild(t, child)
		return
	}
	dir := yaegiModuleDir(t)
	progs := loadCorpus(t, filepath.Join(dir, "_test"), "*.go")
	if len(progs) < 800 {
		t.Fatalf("only %d programs in the corpus at %s", len(progs), dir)
	}
	exp, err := readExpectations(expectationsFile)
	if err != nil {
		t.Fatal(err)
	}

	modes := conformanceModeNames
	if raceEnabled && !*conformanceAll {
		modes = raceModes
	}
	if *conformanceModes != "" {
		modes = strings.Split(*conformanceModes, ",")
		for _, m := range modes {
			if !contains(conformanceModeNames, m) {
				t.Fatalf("unknown mode %q (modes: %s)", m, strings.Join(conformanceModeNames, ", "))
			}
		}
	}
	var filter *regexp.Regexp
	if *conformanceFiles != "" {
		filter = regexp.MustCompile(*conformanceFiles)
	}
	var run []*corpusProgram
	for _, p := range progs {
		if filter == nil || filter.MatchString(p.name) {
			run = append(run, p)
		}
	}

	gopath := yaegiGopath(t, dir)
	syms := NewSymbols(stdlib.Symbols)

	type job struct {
		p    *corpusProgram
		mode string
	}
	type result struct {
		job
		outcome
		took time.Duration
	}
	jobs := make(chan job)
	results := make(chan result)
	workers := 4 * runtime.GOMAXPROCS(0)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				lock, unlock := recursiveTypes.RLock, recursiveTypes.RUnlock
				if j.p.recursive {
					lock, unlock = recursiveTypes.Lock, recursiveTypes.Unlock
				}
				lock()
				start := time.Now()
				o := runProgram(j.p, j.mode, syms, gopath)
				took := time.Since(start)
				unlock()
				results <- result{j, o, took}
			}
		}()
	}
	// The programs that change the process's state run each in a
	// process of its own, beside the pool: a program's modes one after
	// the other (issue-1330.go listens on a fixed port), the programs
	// side by side.
	for _, p := range run {
		if isolated[p.name] == "" {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, m := range modes {
				start := time.Now()
				o := runIsolated(p, m, dir, gopath)
				results <- result{job{p, m}, o, time.Since(start)}
			}
		}()
	}
	go func() {
		// Modes interleaved, so that the slow programs of one mode do
		// not all come at the end.
		for _, p := range run {
			if isolated[p.name] != "" {
				continue
			}
			for _, m := range modes {
				jobs <- job{p, m}
			}
		}
		close(jobs)
		wg.Wait()
		close(results)
	}()

	start := time.Now()
	got := map[string]map[string]outcome{} // mode -> file -> outcome
	took := map[string]time.Duration{}
	for _, m := range modes {
		got[m] = map[string]outcome{}
	}
	var slow []result
	for r := range results {
		got[r.mode][r.p.name] = r.outcome
		took[r.mode] += r.took
		slow = append(slow, r)
	}
	sort.Slice(slow, func(i, j int) bool { return slow[i].took > slow[j].took })
	if *conformanceVerbose {
		for _, r := range slow[:min(len(slow), 15)] {
			t.Logf("slow: %s %s %v", r.mode, r.p.name, r.took.Round(time.Millisecond))
		}
	}
	nrec := 0
	for _, p := range run {
		if p.recursive {
			nrec++
		}
	}
	t.Logf("%d programs (%d in the corpus; %d with a recursive type, run alone), modes %s, %d workers: %v",
		len(run), len(progs), nrec, strings.Join(modes, ","), workers, time.Since(start).Round(time.Millisecond))

	// Compare with the expectations. With -conformance.update the
	// differences are what the file is rewritten for, not errors.
	report := t.Errorf
	if *conformanceUpdate {
		report = t.Logf
	}
	for _, m := range modes {
		pass := 0
		var notMoved []string
		for _, p := range run {
			o := got[m][p.name]
			if o.pass {
				pass++
			}
			if o.notMoved {
				notMoved = append(notMoved, p.name)
			}
			reason, listed := exp.reason(m, p.name)
			switch {
			case !o.pass && !listed:
				report("%s %s: fails and is not listed in %s:\n%s", m, p.name, expectationsFile, indent(o.detail))
			case o.pass && listed && !strings.HasPrefix(reason, flakyPrefix):
				report("%s %s: passes but is listed in %s (%q): remove the line", m, p.name, expectationsFile, reason)
			case !o.pass && *conformanceVerbose:
				t.Logf("%s %s (listed: %s):\n%s", m, p.name, reason, indent(o.detail))
			}
		}
		msg := fmt.Sprintf("%-10s %d/%d pass (%.1f%%), %v of program time", m, pass, len(run), 100*float64(pass)/float64(len(run)), took[m].Round(time.Millisecond))
		if m == "moved" || m == "wholemoved" {
			msg += fmt.Sprintf(", %d could not move (errNotRecyclable, output still checked): %s", len(notMoved), strings.Join(notMoved, " "))
		}
		t.Log(msg)
	}
	// The move must change nothing a program can observe.
	if w, wm := got["whole"], got["wholemoved"]; w != nil && wm != nil {
		for _, p := range run {
			if y := got["yaegi"]; y != nil && !y[p.name].pass {
				continue // fails in plain yaegi too, and may by chance pass
			}
			if w[p.name].pass != wm[p.name].pass {
				t.Errorf("%s: whole passes %v, wholemoved passes %v: the move changed what the program does\n%s", p.name, w[p.name].pass, wm[p.name].pass, indent(wm[p.name].detail))
			}
		}
	}
	inCorpus := map[string]bool{}
	for _, p := range progs {
		inCorpus[p.name] = true
	}
	for _, e := range exp.entries {
		if !inCorpus[e.file] {
			t.Errorf("%s:%d: %s is not in the corpus", expectationsFile, e.line, e.file)
		}
		if !contains(conformanceModeNames, e.mode) {
			t.Errorf("%s:%d: unknown mode %q", expectationsFile, e.line, e.mode)
		}
		if strings.HasPrefix(e.reason, "TODO") && !*conformanceUpdate {
			t.Errorf("%s:%d: %s %s is not diagnosed yet: %s", expectationsFile, e.line, e.mode, e.file, e.reason)
		}
	}

	if *conformanceUpdate {
		ran := map[string]bool{}
		for _, p := range run {
			ran[p.name] = true
		}
		var entries []expectation
		for _, e := range exp.entries {
			if !contains(modes, e.mode) || !ran[e.file] {
				entries = append(entries, e) // not run: kept as it is
			}
		}
		for _, m := range modes {
			for _, p := range run {
				o := got[m][p.name]
				reason, listed := exp.reason(m, p.name)
				switch {
				case o.pass && !(listed && strings.HasPrefix(reason, flakyPrefix)):
					continue
				case !listed:
					reason = "TODO: diagnose"
				}
				entries = append(entries, expectation{mode: m, file: p.name, reason: reason})
			}
		}
		exp.entries = entries
		if err := exp.write(expectationsFile); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s", expectationsFile)
	}
}

// isolated are the programs that change the state of the whole process
// (or, given it changed, would crash it): each of their runs is a process
// of its own, so that they neither see each other's changes nor those of
// the other tests of the package.
var isolated = map[string]string{
	"cli1.go":       "registers /hello on http.DefaultServeMux: a second registration panics in a goroutine, which ends the process in plain yaegi",
	"cli2.go":       "registers /hello on http.DefaultServeMux, as cli1.go does",
	"issue-1330.go": "listens on the fixed port 127.0.0.1:49153 and never closes the listener",
	"flag0.go":      "flag.Parse parses the process's own command line (flag.CommandLine) in the Interp modes",
	"issue-1276.go": "flag.Var and flag.Parse on the process's flag.CommandLine in the Interp modes",
	"assign0.go":    "assigns http.DefaultClient, which the programs calling http.Get read",
}

// recursiveTypes is held for writing while a program that declares a
// recursive type runs, for reading while any other runs. yaegi builds a
// recursive struct type with reflect.StructOf and then patches the type
// of its recursive field in place (unsafe2.SetFieldType); StructOf's cache
// is the process's, so another interpreter building or comparing a struct
// of the same shape at the same time races with the patch (the race
// detector reports it, and the other program may see the patched type).
var recursiveTypes sync.RWMutex

// childEnv carries "MODE FILE YAEGIDIR GOPATH" to a process running one
// isolated program.
const childEnv = "MANHOLE_CONFORMANCE_CHILD"

// childMark starts the line on which a child reports its outcome.
const childMark = "conformance-outcome: "

// runIsolated runs the program in a new process of the test binary.
func runIsolated(p *corpusProgram, mode, dir, gopath string) outcome {
	cmd := exec.Command(os.Args[0], "-test.run=^TestConformance$", "-test.count=1", "-test.v",
		"-conformance.timeout="+conformanceTimeout.String())
	cmd.Env = append(os.Environ(), childEnv+"="+strings.Join([]string{mode, p.name, dir, gopath}, "|"))
	out, err := cmd.CombinedOutput()
	if err == nil {
		for _, line := range strings.Split(string(out), "\n") {
			if rest, ok := strings.CutPrefix(line, childMark); ok {
				var o outcome
				if _, err := fmt.Sscanf(rest, "%t %q", &o.pass, &o.detail); err == nil {
					return o
				}
			}
		}
	}
	// A crash, a race the race detector saw, or no outcome at all.
	return outcome{detail: fmt.Sprintf("the process running the program failed (%v):\n%s", err, out)}
}

// conformanceChild runs one isolated program and reports its outcome.
func conformanceChild(t *testing.T, spec string) {
	f := strings.Split(spec, "|")
	if len(f) != 4 {
		t.Fatalf("bad %s %q", childEnv, spec)
	}
	mode, name, dir, gopath := f[0], f[1], f[2], f[3]
	for _, p := range loadCorpus(t, filepath.Join(dir, "_test"), name) {
		if p.name == name {
			o := runProgram(p, mode, NewSymbols(stdlib.Symbols), gopath)
			fmt.Printf("\n%s%t %q\n", childMark, o.pass, o.detail)
			return
		}
	}
	t.Fatalf("%s is not in the corpus", name)
}

// flakyPrefix starts the reason of a program whose result depends on
// scheduling or timing: it may fail, and passing is no error.
const flakyPrefix = "flaky: "

func indent(s string) string {
	if len(s) > 4000 {
		s = s[:4000] + "\n[...]"
	}
	return "\t" + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n\t")
}

// runProgram runs one program in one mode.
func runProgram(p *corpusProgram, mode string, syms *Symbols, gopath string) outcome {
	ctx, cancel := context.WithTimeout(context.Background(), *conformanceTimeout)
	defer cancel()
	if mode == "yaegi" {
		return runPlain(ctx, p, gopath)
	}
	if p.parseErr != nil {
		return outcome{detail: "parse: " + p.parseErr.Error()}
	}
	if mode == "default" {
		syms = nil
	}
	stdout, stderr := &safeBuffer{}, &safeBuffer{}
	in, err := New(Options{Stdout: stdout, Stderr: stderr, Symbols: syms})
	if err != nil {
		return outcome{detail: "New: " + err.Error()}
	}
	defer in.Close()
	inputs := []string{p.whole}
	if mode == "split" || mode == "moved" {
		inputs = p.inputs
	}
	fail := func(format string, a ...any) outcome {
		msg := fmt.Sprintf(format, a...)
		if out := stdout.String(); out != "" {
			msg += "\nstdout so far:\n" + out
		}
		if e := stderr.String(); e != "" {
			msg += "\nstderr:\n" + e
		}
		return outcome{detail: msg}
	}
	for i, src := range inputs {
		if _, err := in.Eval(ctx, src); err != nil {
			return fail("input %d of %d (%s): %v", i+1, len(inputs), firstLine(src), err)
		}
	}
	var o outcome
	if mode == "moved" || mode == "wholemoved" {
		in.evalMu.Lock()
		before := in.recycles
		err := in.recycle()
		moved := in.recycles > before
		in.evalMu.Unlock()
		switch {
		case errors.Is(err, errNotRecyclable):
			o.notMoved = true
		case err != nil:
			return fail("move: %v", err)
		case !moved:
			return fail("move: recycle returned no error but the session did not move")
		}
	}
	if p.hasMain {
		if _, err := in.Eval(ctx, mainName+"()"); err != nil {
			return fail("%s(): %v", mainName, err)
		}
	}
	o.pass, o.detail = compareOutput(p.want, stdout.String(), stderr.String())
	return o
}

// runPlain runs the program in plain yaegi, the way yaegi's harness does.
func runPlain(ctx context.Context, p *corpusProgram, gopath string) outcome {
	stdout, stderr := &safeBuffer{}, &safeBuffer{}
	opts := yaegi.Options{Stdout: stdout, Stderr: stderr, Stdin: strings.NewReader(""), GoPath: gopath}
	if p.gopath != "" {
		opts.GoPath = p.gopath
	}
	i := yaegi.New(opts)
	for _, syms := range []yaegi.Exports{yaegi.Symbols, ystdlib.Symbols, yunsafe.Symbols, plainStdio(stdout, stderr)} {
		if err := i.Use(syms); err != nil {
			return outcome{detail: "Use: " + err.Error()}
		}
	}
	var err error
	func() {
		defer func() {
			if r := recover(); r != nil {
				err = fmt.Errorf("panic: %v", r)
			}
		}()
		_, err = i.EvalWithContext(ctx, p.src)
	}()
	if err != nil {
		msg := err.Error()
		if out := stdout.String(); out != "" {
			msg += "\nstdout so far:\n" + out
		}
		if e := stderr.String(); e != "" {
			msg += "\nstderr:\n" + e
		}
		return outcome{detail: msg}
	}
	var o outcome
	o.pass, o.detail = compareOutput(p.want, stdout.String(), stderr.String())
	return o
}

// plainStdio is what YAEGI_SPECIAL_STDIO=1 gives yaegi's own harness:
// os.Stdin, os.Stdout and os.Stderr are the interpreter's streams (an
// environment variable cannot be set for parallel tests).
func plainStdio(stdout, stderr *safeBuffer) yaegi.Exports {
	var (
		r  io.Reader = strings.NewReader("")
		w1 io.Writer = stdout
		w2 io.Writer = stderr
	)
	return yaegi.Exports{"os/os": {
		"Stdin":  reflect.ValueOf(&r).Elem(),
		"Stdout": reflect.ValueOf(&w1).Elem(),
		"Stderr": reflect.ValueOf(&w2).Elem(),
	}}
}

func compareOutput(want, stdout, stderr string) (bool, string) {
	got := strings.TrimSpace(stdout)
	if got == want {
		return true, ""
	}
	msg := "output differs:\n" + lineDiff(want, got)
	if stderr != "" {
		msg += "\nstderr:\n" + stderr
	}
	return false, msg
}

// lineDiff shows the wanted and the actual output side by side from the
// first line that differs.
func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	i := 0
	for i < len(w) && i < len(g) && w[i] == g[i] {
		i++
	}
	var b strings.Builder
	fmt.Fprintf(&b, "first difference at line %d (want %d lines, got %d)\n", i+1, len(w), len(g))
	for k := i; k < i+8 && (k < len(w) || k < len(g)); k++ {
		var wl, gl string
		if k < len(w) {
			wl = w[k]
		}
		if k < len(g) {
			gl = g[k]
		}
		fmt.Fprintf(&b, "  want %q\n  got  %q\n", wl, gl)
	}
	return b.String()
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i] + " ..."
	}
	if len(s) > 60 {
		s = s[:60] + "..."
	}
	return s
}

// yaegiModuleDir is where the go command keeps the source of the yaegi
// module this package builds with.
func yaegiModuleDir(t *testing.T) string {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/traefik/yaegi").Output()
	if err != nil {
		t.Fatalf("finding yaegi's module source (go list -m): %v", err)
	}
	dir := strings.TrimSpace(string(out))
	if dir == "" {
		t.Fatal("go list -m gives no directory for github.com/traefik/yaegi (is the module downloaded?)")
	}
	return dir
}

// yaegiGopath makes a GOPATH in which yaegi's module source is at its
// import path, as yaegi's harness has it in a checkout under GOPATH: some
// programs import packages of its _test directory.
func yaegiGopath(t *testing.T, moduleDir string) string {
	gopath := t.TempDir()
	d := filepath.Join(gopath, "src", "github.com", "traefik")
	if err := os.MkdirAll(d, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(moduleDir, filepath.Join(d, "yaegi")); err != nil {
		t.Fatal(err)
	}
	return gopath
}

// loadCorpus reads the programs of yaegi's _test directory that have an
// Output block, read as yaegi's harness reads it: the text of the file's
// last comment, after an optional "GOPATH:dir" line. pattern selects the
// files, as filepath.Match has it.
func loadCorpus(t *testing.T, dir, pattern string) []*corpusProgram {
	names, err := filepath.Glob(filepath.Join(dir, pattern))
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(names)
	var progs []*corpusProgram
	for _, path := range names {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		p := &corpusProgram{name: filepath.Base(path), src: string(b)}
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, p.name, b, parser.ParseComments)
		if f == nil || len(f.Comments) == 0 {
			continue
		}
		text := f.Comments[len(f.Comments)-1].Text()
		if strings.HasPrefix(text, "GOPATH:") {
			first, rest, _ := strings.Cut(text, "\n")
			p.gopath = filepath.Join(dir, strings.TrimPrefix(first, "GOPATH:"))
			text = rest
		}
		if !strings.HasPrefix(text, "Output:\n") {
			continue
		}
		p.want = strings.TrimSpace(strings.TrimPrefix(text, "Output:\n"))
		if err != nil {
			p.parseErr = err
		} else if err := p.prepare(fset, f); err != nil {
			p.parseErr = err
		}
		progs = append(progs, p)
	}
	return progs
}

// prepare builds the inputs of the Interp modes.
func (p *corpusProgram) prepare(fset *token.FileSet, f *ast.File) error {
	off := func(pos token.Pos) int { return fset.Position(pos).Offset }
	if strings.Contains(p.src, mainName) {
		return fmt.Errorf("the program uses the name %s, which the harness gives func main", mainName)
	}
	isMain := func(d ast.Decl) bool {
		fd, ok := d.(*ast.FuncDecl)
		return ok && fd.Recv == nil && fd.Name.Name == "main"
	}
	// rename renames main, whose name ends at offset end of src.
	rename := func(src string, end int) string {
		return src[:end-len("main")] + mainName + src[end:]
	}
	mainEnd := -1
	for _, d := range f.Decls {
		if isMain(d) {
			p.hasMain = true
			mainEnd = off(d.(*ast.FuncDecl).Name.End())
		}
	}
	// whole: the package clause blanked (newlines kept, so that positions
	// stay those of the file), main renamed.
	b := []byte(p.src)
	for i := off(f.Package); i < off(f.Name.End()); i++ {
		if b[i] != '\n' {
			b[i] = ' '
		}
	}
	p.whole = string(b)
	if mainEnd >= 0 {
		p.whole = rename(p.whole, mainEnd)
	}
	p.recursive = hasRecursiveType(f)
	for _, d := range f.Decls {
		start, end := off(d.Pos()), off(d.End())
		src := p.src[start:end]
		if isMain(d) {
			src = rename(src, off(d.(*ast.FuncDecl).Name.End())-start)
		}
		p.inputs = append(p.inputs, src)
	}
	return nil
}

// hasRecursiveType reports whether a type declared anywhere in f refers to
// itself, directly or through other declared types (by name: a local type
// and a global one of the same name count as one, which errs on the side
// of a recursion).
func hasRecursiveType(f *ast.File) bool {
	refs := map[string]map[string]bool{}
	ast.Inspect(f, func(n ast.Node) bool {
		ts, ok := n.(*ast.TypeSpec)
		if !ok {
			return true
		}
		if refs[ts.Name.Name] == nil {
			refs[ts.Name.Name] = map[string]bool{}
		}
		ast.Inspect(ts.Type, func(n ast.Node) bool {
			if id, ok := n.(*ast.Ident); ok {
				refs[ts.Name.Name][id.Name] = true
			}
			return true
		})
		return true
	})
	// A cycle: some type reaches itself.
	for start := range refs {
		seen := map[string]bool{}
		stack := []string{start}
		for len(stack) > 0 {
			t := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			for r := range refs[t] {
				if r == start {
					return true
				}
				if _, declared := refs[r]; declared && !seen[r] {
					seen[r] = true
					stack = append(stack, r)
				}
			}
		}
	}
	return false
}

// The expectations file: "MODE FILE REASON" lines, # comments.
type expectation struct {
	mode, file, reason string
	line               int
}

type expectations struct {
	header  []string // the comment lines at the top, kept by write
	entries []expectation
}

func (e *expectations) reason(mode, file string) (string, bool) {
	for _, x := range e.entries {
		if x.mode == mode && x.file == file {
			return x.reason, true
		}
	}
	return "", false
}

func readExpectations(path string) (*expectations, error) {
	e := &expectations{}
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return e, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	seen := map[[2]string]bool{}
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			if len(e.entries) == 0 {
				e.header = append(e.header, sc.Text())
			}
			continue
		}
		fields := strings.SplitN(line, " ", 3)
		if len(fields) < 3 || strings.TrimSpace(fields[2]) == "" {
			return nil, fmt.Errorf("%s:%d: want MODE FILE REASON, got %q", path, n, line)
		}
		key := [2]string{fields[0], fields[1]}
		if seen[key] {
			return nil, fmt.Errorf("%s:%d: %s %s listed twice", path, n, fields[0], fields[1])
		}
		seen[key] = true
		e.entries = append(e.entries, expectation{mode: fields[0], file: fields[1], reason: strings.TrimSpace(fields[2]), line: n})
	}
	return e, sc.Err()
}

func (e *expectations) write(path string) error {
	order := map[string]int{}
	for i, m := range conformanceModeNames {
		order[m] = i
	}
	sort.SliceStable(e.entries, func(i, j int) bool {
		a, b := e.entries[i], e.entries[j]
		if a.mode != b.mode {
			return order[a.mode] < order[b.mode]
		}
		return a.file < b.file
	})
	var b bytes.Buffer
	for _, h := range e.header {
		b.WriteString(h + "\n")
	}
	prev := ""
	for _, x := range e.entries {
		if x.mode != prev && prev != "" {
			b.WriteString("\n")
		}
		prev = x.mode
		fmt.Fprintf(&b, "%s %s %s\n", x.mode, x.file, x.reason)
	}
	return os.WriteFile(path, b.Bytes(), 0o644)
}
