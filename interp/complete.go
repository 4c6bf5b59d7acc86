package interp

import (
	"go/token"
	"path"
	"sort"
	"unicode"
	"unicode/utf8"
)

// Names returns the top-level names evaluated code can use now, sorted:
// the namespace, the session's own declarations and imports, the
// standard packages that need no import line and the application's types
// of its package main. It is meant for completion
// at the prompt; while an evaluation runs it returns only the namespace
// and the packages.
func (in *Interp) Names() []string {
	seen := map[string]bool{}
	for name := range in.namespace {
		seen[name] = true
	}
	if in.evalMu.TryLock() {
		for name := range in.declared {
			seen[name] = true
		}
		for name := range in.imported {
			seen[name] = true
		}
		in.evalMu.Unlock()
	}
	for name := range in.pkgs.byName {
		seen[name] = true
	}
	for name := range in.mainTypes() {
		seen[name] = true // the application's types of package main
	}
	delete(seen, mainPkgName)
	return sortedKeys(seen)
}

// PackageMembers returns the exported names of the standard package that
// name means in evaluated code (an imported one, or the one an automatic
// import would bring), sorted; nil if name is not a package.
func (in *Interp) PackageMembers(name string) []string {
	p, ok := "", false
	if in.evalMu.TryLock() {
		p, ok = in.pkgPath(name)
		in.evalMu.Unlock()
	} else if !in.namespace[name] {
		p, ok = in.pkgs.byName[name]
	}
	if !ok {
		return nil
	}
	key := in.pkgs.byPath[p]
	if key == "" {
		key = p + "/" + path.Base(p)
	}
	syms, _ := in.symbols(key)
	seen := map[string]bool{}
	for sym := range syms {
		if r, _ := utf8.DecodeRuneInString(sym); token.IsIdentifier(sym) && unicode.IsUpper(r) {
			seen[sym] = true
		}
	}
	return sortedKeys(seen)
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Package is one package evaluated code can import.
type Package struct {
	Path string // import path
	Name string // the name it is used by
	// Auto is true when the package needs no import line: its name
	// brings it in.
	Auto bool
	// Names is the number of its exported names.
	Names int
}

// Packages returns the packages evaluated code can import, by path.
func (in *Interp) Packages() []Package {
	out := make([]Package, 0, len(in.pkgs.byPath))
	for p, key := range in.pkgs.byPath {
		name := path.Base(key)
		if p == mainPkgPath {
			continue // named bare, not imported
		}
		n := 0
		for sym := range in.pkgs.packages[key] {
			if r, _ := utf8.DecodeRuneInString(sym); token.IsIdentifier(sym) && unicode.IsUpper(r) {
				n++
			}
		}
		out = append(out, Package{Path: p, Name: name, Auto: in.pkgs.byName[name] == p, Names: n})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}
