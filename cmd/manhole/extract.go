package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"go/ast"
	"go/build"
	"go/format"
	"go/parser"
	"go/token"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/traefik/yaegi/extract"
)

const extractHelp = `Writes a Go file declaring a symbol table of the exported functions, types,
variables and constants of the application's own PACKAGEs (import paths or
directories, as go build takes them; ./... works), for Options.Symbols:
sessions can then import them by path, or use them by package name as they
do fmt. Package-level variables are in the table by address, so a session
reads and sets the application's own variable (pkg.V = x).

  //go:generate go run github.com/gomanhole/manhole/cmd/manhole extract -o symbols.go ./store
  manhole.Start(manhole.Options{Symbols: Symbols})

The file declares
  var Symbols = map[string]map[string]reflect.Value{"IMPORTPATH/NAME": ...}
(-var renames it) in the package of the output's directory (-pkg sets it),
which must not be one of PACKAGE (it imports them). Several PACKAGEs go into
the one table; merge it with other tables into Options.Symbols if needed.

Left out: unexported names (a session cannot use them: methods and fields of
the types included are reachable, unexported fields are not settable);
generic functions and types, and constraint interfaces, because yaegi can only
call compiled code that is instantiated: they are listed in the file's doc
comment and on stderr. Methods need nothing: they come with their types.

-tags loads the packages with those build tags, as go build -tags does, and
puts the same tags in a //go:build line of the file, so it builds only where
the symbols it names exist.

Exit status: 0 when the file was written; 1 when a package cannot be
extracted (no such package, package main, it does not compile), and then no
file is written; 2 for a usage error.
`

func extractFlags(fs *flag.FlagSet) {
	fs.String("o", "", "write the file here, only if all went well; default stdout")
	fs.String("pkg", "", "package name of the file; default the package in the output's directory")
	fs.String("var", "Symbols", "name of the variable holding the table")
	fs.String("tags", "", "comma-separated build tags to load the packages with")
}

// extractJob is one run of manhole extract, after flag checks.
type extractJob struct {
	patterns []string
	out      string // "" for stdout
	pkg      string
	varName  string
	tags     []string
}

func (c *cli) extract(args []string) int {
	fs, rest, code, ok := c.parse("extract", args, true)
	if !ok {
		return code
	}
	get := func(name string) string { return fs.Lookup(name).Value.String() }
	j := extractJob{patterns: rest, out: get("o"), pkg: get("pkg"), varName: get("var")}
	if len(rest) == 0 {
		return c.usageError("extract", "no PACKAGE given")
	}
	if !token.IsIdentifier(j.varName) || j.varName == "_" {
		return c.usageError("extract", fmt.Sprintf("-var %q is not a Go identifier", j.varName))
	}
	if j.pkg != "" && (!token.IsIdentifier(j.pkg) || j.pkg == "_") {
		return c.usageError("extract", fmt.Sprintf("-pkg %q is not a Go package name", j.pkg))
	}
	for _, t := range strings.Split(get("tags"), ",") {
		if t = strings.TrimSpace(t); t == "" {
			continue
		}
		if !buildTag.MatchString(t) {
			return c.usageError("extract", fmt.Sprintf("-tags: %q is not a build tag", t))
		}
		j.tags = append(j.tags, t)
	}
	src, notes, err := j.run()
	if err != nil {
		fmt.Fprintf(c.stderr, "manhole extract: %v\n", err)
		return exitError
	}
	for _, n := range notes {
		fmt.Fprintf(c.stderr, "manhole extract: %s\n", n)
	}
	if j.out == "" {
		_, err = c.stdout.Write(src)
	} else {
		err = writeFileAtomic(j.out, src)
	}
	if err != nil {
		fmt.Fprintf(c.stderr, "manhole extract: %v\n", err)
		return exitError
	}
	return 0
}

var buildTag = regexp.MustCompile(`^[A-Za-z0-9_.]+$`)

// listedPackage is what go list -json says of a package.
type listedPackage struct {
	ImportPath string
	Name       string
	Dir        string
	Standard   bool
	GoFiles    []string
	CgoFiles   []string
	Error      *struct{ Err string }
}

// goList resolves patterns as the go command does, in the current
// directory, with the job's build tags.
func (j *extractJob) goList() ([]listedPackage, error) {
	// -export compiles the packages: yaegi's extractor type-checks
	// declarations only, and a package that does not build would give a
	// file that does not either.
	args := []string{"list", "-e", "-export", "-json=ImportPath,Name,Dir,Standard,GoFiles,CgoFiles,Error"}
	if len(j.tags) > 0 {
		args = append(args, "-tags="+strings.Join(j.tags, ","))
	}
	args = append(args, "--")
	args = append(args, j.patterns...)
	cmd := exec.Command("go", args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		msg := strings.TrimSpace(stderr.String())
		if msg == "" {
			msg = err.Error()
		}
		return nil, fmt.Errorf("go list: %s", msg)
	}
	var pkgs []listedPackage
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p listedPackage
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			return nil, fmt.Errorf("go list: %v", err)
		}
		pkgs = append(pkgs, p)
	}
	if len(pkgs) == 0 {
		// go list warns "matched no packages" for ./... in an empty tree.
		msg := strings.TrimSpace(stderr.String())
		if msg == "" {
			msg = "no packages"
		}
		return nil, fmt.Errorf("%s: %s", strings.Join(j.patterns, " "), msg)
	}
	return pkgs, nil
}

// srcImporterMu serializes extractions: yaegi's extractor type-checks with
// go/build's Default context, which carries the build tags.
var srcImporterMu sync.Mutex

// extracted is one package's part of the output.
type extracted struct {
	pkg     listedPackage
	imports map[string]string // import path -> name in the file ("" for the package's own)
	table   string            // the map literal of its symbols
	rest    string            // interface wrapper types and their methods
	names   map[string]bool   // keys of the table
}

// run extracts every package and returns the formatted file and the notes
// on what was left out.
func (j *extractJob) run() ([]byte, []string, error) {
	pkgs, err := j.goList()
	if err != nil {
		return nil, nil, err
	}
	outDir, err := filepath.Abs(filepath.Dir(j.outPath()))
	if err != nil {
		return nil, nil, err
	}
	for _, p := range pkgs {
		switch {
		case p.Error != nil:
			msg := strings.TrimSpace(strings.TrimPrefix(p.Error.Err, "# "+p.ImportPath+"\n"))
			if !strings.HasPrefix(msg, "package "+p.ImportPath) {
				msg = "package " + p.ImportPath + ": " + msg
			}
			return nil, nil, errors.New(msg)
		case p.Name == "main":
			return nil, nil, fmt.Errorf("package %s is a command (package main), which cannot be imported: move what sessions need into a package of its own", p.ImportPath)
		case samePath(p.Dir, outDir):
			return nil, nil, fmt.Errorf("package %s is the output's own package (%s); the file imports the packages it lists, so write it into another one, such as the main package's directory", p.ImportPath, outDir)
		}
	}
	if j.pkg == "" {
		if j.pkg, err = packageIn(outDir, j.outPath()); err != nil {
			return nil, nil, err
		}
	}

	var parts []extracted
	byName := map[string]string{} // package name in the file -> import path
	var notes, skipped []string
	for _, p := range pkgs {
		e, err := j.extractOne(p)
		if err != nil {
			return nil, nil, err
		}
		for path, name := range e.imports {
			if prev, ok := byName[name]; ok && prev != path {
				return nil, nil, fmt.Errorf("packages %s and %s are both named %s: extract them into separate files (each with its own -var)", prev, path, name)
			}
			byName[name] = path
		}
		left := leftOut(p, e.names)
		if len(left) > 0 {
			var names []string
			for _, l := range left {
				skipped = append(skipped, fmt.Sprintf("%s.%s (%s)", p.Name, l.name, l.why))
				names = append(names, l.name)
			}
			notes = append(notes, fmt.Sprintf("%s: left out %s: yaegi cannot use generic code of compiled packages", p.ImportPath, strings.Join(names, ", ")))
		}
		parts = append(parts, e)
	}
	if path, ok := byName[j.varName]; ok {
		return nil, nil, fmt.Errorf("-var %s is the name of the imported package %s: choose another", j.varName, path)
	}
	src, err := j.assemble(parts, skipped)
	return src, notes, err
}

// outPath is the output file, or a file in the current directory for
// stdout.
func (j *extractJob) outPath() string {
	if j.out == "" {
		return "symbols.go"
	}
	return j.out
}

func samePath(a, b string) bool {
	if a == b {
		return true
	}
	ai, err1 := os.Stat(a)
	bi, err2 := os.Stat(b)
	return err1 == nil && err2 == nil && os.SameFile(ai, bi)
}

// packageIn returns the package name of the Go files in dir, leaving out
// tests and the output file itself (it may be stale or absent).
func packageIn(dir, out string) (string, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return "", fmt.Errorf("-pkg not given and the output's directory is unreadable: %v", err)
	}
	names := map[string]bool{}
	for _, e := range ents {
		n := e.Name()
		if e.IsDir() || !strings.HasSuffix(n, ".go") || strings.HasSuffix(n, "_test.go") || n == filepath.Base(out) {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), filepath.Join(dir, n), nil, parser.PackageClauseOnly)
		if err != nil {
			continue
		}
		names[f.Name.Name] = true
	}
	switch len(names) {
	case 1:
		for n := range names {
			return n, nil
		}
	case 0:
		return "", fmt.Errorf("no Go files in %s to take the package name from: give -pkg", dir)
	}
	return "", fmt.Errorf("the Go files in %s are of several packages: give -pkg", dir)
}

// restricted are the names yaegi's extractor replaces with its own
// wrappers (osExit for os.Exit), which only its own stdlib package
// declares: for any other package, the real symbol is used again.
var restricted = []string{"osExit", "osFindProcess", "logFatal", "logFatalf", "logFatalln", "logLogger", "logNew"}

// extractOne runs yaegi's extractor on one package and takes its output
// apart: the map literal of the symbols, the imports, and the interface
// wrappers.
func (j *extractJob) extractOne(p listedPackage) (extracted, error) {
	srcImporterMu.Lock()
	saved := build.Default.BuildTags
	build.Default.BuildTags = j.tags
	var buf bytes.Buffer
	ext := extract.Extractor{Dest: j.pkg}
	_, err := ext.Extract(p.ImportPath, p.ImportPath, &buf)
	build.Default.BuildTags = saved
	srcImporterMu.Unlock()
	if err != nil {
		return extracted{}, fmt.Errorf("package %s: %v", p.ImportPath, err)
	}
	src := buf.Bytes()
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "", src, parser.ParseComments)
	if err != nil {
		return extracted{}, fmt.Errorf("package %s: yaegi's extractor wrote unparsable code: %v", p.ImportPath, err)
	}
	off := func(pos token.Pos) int { return fset.Position(pos).Offset }
	e := extracted{pkg: p, imports: map[string]string{}, names: map[string]bool{}}
	var initEnd token.Pos
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *ast.GenDecl:
			if d.Tok != token.IMPORT {
				continue
			}
			for _, s := range d.Specs {
				is := s.(*ast.ImportSpec)
				path, _ := strconv.Unquote(is.Path.Value)
				if path == "reflect" {
					continue
				}
				name := p.Name
				if path != p.ImportPath {
					name = importedName(path)
				}
				e.imports[path] = name
			}
		case *ast.FuncDecl:
			if d.Name.Name != "init" || d.Recv != nil || len(d.Body.List) != 1 {
				continue
			}
			as, ok := d.Body.List[0].(*ast.AssignStmt)
			if !ok || len(as.Rhs) != 1 {
				continue
			}
			lit, ok := as.Rhs[0].(*ast.CompositeLit)
			if !ok {
				continue
			}
			for _, el := range lit.Elts {
				if kv, ok := el.(*ast.KeyValueExpr); ok {
					if k, ok := kv.Key.(*ast.BasicLit); ok {
						name, _ := strconv.Unquote(k.Value)
						e.names[name] = true
					}
				}
			}
			e.table = string(src[off(lit.Pos()):off(lit.End())])
			initEnd = d.End()
		}
	}
	if initEnd == token.NoPos {
		return extracted{}, fmt.Errorf("package %s: yaegi's extractor wrote no symbol table", p.ImportPath)
	}
	e.rest = string(src[off(initEnd):])
	for _, r := range restricted {
		name := strings.TrimPrefix(r, p.Name)
		if name == r {
			continue
		}
		e.table = strings.ReplaceAll(e.table, "reflect.ValueOf("+r+")", "reflect.ValueOf("+p.Name+"."+name+")")
	}
	return e, nil
}

// importedName is the name a file refers to an imported package by: yaegi
// writes qualified names with the package's name, which for the packages
// its wrappers import is the last element of the path, but for a major
// version suffix (".../v2").
func importedName(path string) string {
	base := filepath.Base(path)
	if len(base) > 1 && base[0] == 'v' && strings.Trim(base[1:], "0123456789") == "" {
		if dir := filepath.Dir(path); dir != "." {
			base = filepath.Base(dir)
		}
	}
	if i := strings.LastIndexAny(base, ".-"); i >= 0 {
		base = base[i+1:]
	}
	return base
}

// leftOutDecl is an exported declaration the table lacks.
type leftOutDecl struct{ name, why string }

// leftOut lists the exported package-level names of p that are not in its
// table, with the reason read from their declarations. yaegi's extractor
// leaves out generic functions and types and constraint interfaces.
func leftOut(p listedPackage, have map[string]bool) []leftOutDecl {
	var out []leftOutDecl
	fset := token.NewFileSet()
	for _, name := range append(append([]string{}, p.GoFiles...), p.CgoFiles...) {
		f, err := parser.ParseFile(fset, filepath.Join(p.Dir, name), nil, parser.SkipObjectResolution)
		if err != nil {
			continue
		}
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				if d.Recv == nil && d.Name.IsExported() && !have[d.Name.Name] {
					why := "not extracted"
					if d.Type.TypeParams != nil {
						why = "generic function"
					}
					out = append(out, leftOutDecl{d.Name.Name, why})
				}
			case *ast.GenDecl:
				if d.Tok != token.TYPE {
					continue
				}
				for _, s := range d.Specs {
					ts := s.(*ast.TypeSpec)
					if !ts.Name.IsExported() || have[ts.Name.Name] {
						continue
					}
					why := "not extracted"
					if ts.TypeParams != nil {
						why = "generic type"
					} else if _, ok := ts.Type.(*ast.InterfaceType); ok {
						why = "constraint interface"
					}
					out = append(out, leftOutDecl{ts.Name.Name, why})
				}
			}
		}
	}
	sort.Slice(out, func(i, k int) bool { return out[i].name < out[k].name })
	return out
}

// assemble writes the file: one table for every package, and their
// interface wrappers.
func (j *extractJob) assemble(parts []extracted, skipped []string) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString("// Code generated by \"manhole extract\"; DO NOT EDIT.\n\n")
	if len(j.tags) > 0 {
		fmt.Fprintf(&b, "//go:build %s\n\n", strings.Join(j.tags, " && "))
	}
	fmt.Fprintf(&b, "package %s\n\nimport (\n", j.pkg)
	seen := map[string]bool{"reflect": true}
	paths := []string{"reflect"}
	for _, e := range parts {
		for p := range e.imports {
			if !seen[p] {
				seen[p] = true
				paths = append(paths, p)
			}
		}
	}
	// Unnamed, as yaegi writes them: its code uses each package's own
	// name. The standard library first, as goimports groups them.
	sort.Slice(paths, func(i, k int) bool {
		if a, b := isStdPath(paths[i]), isStdPath(paths[k]); a != b {
			return a
		}
		return paths[i] < paths[k]
	})
	for i, p := range paths {
		if i > 0 && isStdPath(paths[i-1]) && !isStdPath(p) {
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "\t%q\n", p)
	}
	b.WriteString(")\n\n")
	fmt.Fprintf(&b, "// %s is the symbol table of these packages, for manhole's Options.Symbols:\n//\n", j.varName)
	for _, e := range parts {
		fmt.Fprintf(&b, "//   - %s\n", e.pkg.ImportPath)
	}
	if len(skipped) > 0 {
		b.WriteString("//\n// Left out, as yaegi cannot use generic code of compiled packages:\n//\n")
		for _, s := range skipped {
			fmt.Fprintf(&b, "//   - %s\n", s)
		}
	}
	fmt.Fprintf(&b, "var %s = map[string]map[string]reflect.Value{\n", j.varName)
	for _, e := range parts {
		fmt.Fprintf(&b, "\t%q: %s,\n", e.pkg.ImportPath+"/"+e.pkg.Name, e.table)
	}
	b.WriteString("}\n")
	for _, e := range parts {
		b.WriteString(e.rest)
	}
	src, err := format.Source(b.Bytes())
	if err != nil {
		return nil, fmt.Errorf("formatting the file: %v", err)
	}
	return src, nil
}

// isStdPath reports whether p is a standard library path: no dot in its
// first element.
func isStdPath(p string) bool {
	first, _, _ := strings.Cut(p, "/")
	return !strings.Contains(first, ".")
}

// writeFileAtomic replaces name with data, so that a failed run leaves the
// old file whole.
func writeFileAtomic(name string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(name), "."+filepath.Base(name)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Chmod(0o644); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(f.Name(), name); err != nil {
		return errors.Join(fmt.Errorf("writing %s", name), err)
	}
	return nil
}
