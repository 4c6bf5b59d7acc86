package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"strings"
	"sync"
	"unicode"

	"github.com/gomanhole/manhole/internal/discovery"
)

// The CLI reads directories and files that another local user may have
// created first (/tmp/manhole-<uid> can be made by anyone): it believes
// only what internal/discovery trusts (CheckDir, ReadTrusted), and says
// on stderr, one line per file, what it ignores.

var (
	warnMu sync.Mutex
	warned = map[string]bool{}
	// warnTo receives the lines; the CLI's stderr.
	warnTo = func(s string) { fmt.Fprint(os.Stderr, s) }
)

// ignore tells, once per path, that path is not trusted and why (which
// may quote a path: it is escaped too).
func ignore(path, why string) {
	warnMu.Lock()
	defer warnMu.Unlock()
	if warned[path] {
		return
	}
	warned[path] = true
	warnTo(fmt.Sprintf("manhole: ignoring %s: %s\n", printable(path), printable(why)))
}

// trustedDir reports whether dir may hold the manholes of uid, saying
// why not once. Only MANHOLE_DIR may be a symlink: the user chose it.
func trustedDir(dir string, uid int) bool {
	var u *discovery.UntrustedError
	if err := discovery.CheckDir(dir, uid, isEnvDir(dir)); errors.As(err, &u) {
		ignore(u.Path, u.Reason)
		return false
	}
	return true
}

// trustedDirs keeps the directories of dirs that may hold uid's manholes.
func trustedDirs(dirs []string, uid int) []string {
	out := dirs[:0:0]
	for _, d := range dirs {
		if trustedDir(d, uid) {
			out = append(out, d)
		}
	}
	return out
}

// readTrusted reads the metadata file at path and returns it if it may be
// trusted; one that may not is ignored, as if it were not there, and
// said so.
func readTrusted(path string) (*discovery.Metadata, error) {
	m, err := discovery.ReadTrusted(path)
	var u *discovery.UntrustedError
	if errors.As(err, &u) {
		ignore(u.Path, u.Reason)
		return nil, fs.ErrNotExist
	}
	return m, err
}

// printable escapes what a terminal would obey in s: control characters
// (ESC starts a sequence that can retitle the window or clear the
// screen) and invalid UTF-8, Go-style (\x1b).
func printable(s string) string {
	ok := true
	for _, r := range s {
		if r == unicode.ReplacementChar || unicode.IsControl(r) || r == 0x7f {
			ok = false
			break
		}
	}
	if ok {
		return s
	}
	q := strconv.Quote(s)
	return strings.ReplaceAll(q[1:len(q)-1], `\"`, `"`)
}
