package main

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"unicode"

	"github.com/gomanhole/manhole/hostkeys"
)

// The CLI reads directories and files that another local user may have
// created first: /tmp/manhole-<uid> can be made by anyone, and a
// <pid>.json planted there would send the victim's statements to the
// planter's socket, give ssh-config the planter's host key, or make root
// signal a process of the planter's choice. So:
//
//   - a directory is trusted only if it is owned by the uid whose
//     manholes it holds, or by root, is not a symlink (MANHOLE_DIR may
//     be one: the user chose it), and is not writable by group or others
//     unless it has the sticky bit;
//   - a metadata file is trusted only if it is a regular file owned by
//     the uid its process runs as (or by root), not writable by group or
//     others, and the socket it names is owned by that uid;
//   - a metadata file of a process that is gone does not count where a
//     live one names the same socket (a crashed app restarted there).
//
// What is ignored is said on stderr, one line per file, not silently.

var (
	warnMu sync.Mutex
	warned = map[string]bool{}
	// warnTo receives the lines; the CLI's stderr.
	warnTo = func(s string) { fmt.Fprint(os.Stderr, s) }
)

// ignore tells, once per path, that path is not trusted and why.
func ignore(path, why string) {
	warnMu.Lock()
	defer warnMu.Unlock()
	if warned[path] {
		return
	}
	warned[path] = true
	warnTo(fmt.Sprintf("manhole: ignoring %s: %s\n", printable(path), why))
}

// distrustDir returns why dir must not be trusted to hold the manholes of
// uid, or "" (also when it does not exist: there is nothing in it).
func distrustDir(dir string, uid int) string {
	st, err := os.Lstat(dir)
	if err == nil && st.Mode()&fs.ModeSymlink != 0 {
		if !isEnvDir(dir) {
			return "it is a symlink"
		}
		st, err = os.Stat(dir)
	}
	if err != nil {
		return ""
	}
	if !st.IsDir() {
		return "it is not a directory"
	}
	owner := statUID(st)
	if owner != uid && owner != 0 {
		return fmt.Sprintf("it belongs to %s, not to %s", describeUser(owner), describeUser(uid))
	}
	if st.Mode().Perm()&0o022 != 0 && st.Mode()&fs.ModeSticky == 0 {
		return fmt.Sprintf("others may write to it (mode %04o)", st.Mode().Perm())
	}
	return ""
}

// trustedDirs keeps the directories of dirs that may hold uid's manholes,
// saying which it ignores.
func trustedDirs(dirs []string, uid int) []string {
	out := dirs[:0:0]
	for _, d := range dirs {
		if why := distrustDir(d, uid); why != "" {
			ignore(d, why)
			continue
		}
		out = append(out, d)
	}
	return out
}

// distrustMeta returns why the metadata file at path, which says m, must
// not be trusted, or "". A pid that is gone is not a reason: the file is
// then stale, which callers say.
func distrustMeta(path string, m *hostkeys.Metadata) string {
	st, err := os.Lstat(path)
	if err != nil {
		return err.Error()
	}
	if !st.Mode().IsRegular() {
		return "it is not a regular file"
	}
	if st.Mode().Perm()&0o022 != 0 {
		return fmt.Sprintf("others may write to it (mode %04o)", st.Mode().Perm())
	}
	owner := statUID(st)
	proc := lookupProcess(m.PID)
	if !proc.exists {
		// Stale: nobody runs as anyone now; the file must at least be
		// its directory's owner's, and so must its socket.
		dirOwner := fileOwner(filepath.Dir(path))
		if owner != dirOwner && owner != 0 {
			return fmt.Sprintf("it belongs to %s, its directory to %s", describeUser(owner), describeUser(dirOwner))
		}
		if m.Socket != "" {
			if s := fileOwner(m.Socket); s >= 0 && s != owner && s != 0 {
				return fmt.Sprintf("the socket it names (%s) belongs to %s, the file to %s", printable(m.Socket), describeUser(s), describeUser(owner))
			}
		}
		return ""
	}
	uid := proc.uid
	if uid < 0 {
		uid = os.Getuid()
	}
	if owner != uid && owner != 0 {
		return fmt.Sprintf("it belongs to %s, but pid %d runs as %s", describeUser(owner), m.PID, describeUser(uid))
	}
	if m.Socket != "" {
		if s := fileOwner(m.Socket); s >= 0 && s != uid {
			return fmt.Sprintf("the socket it names (%s) belongs to %s, but pid %d runs as %s", printable(m.Socket), describeUser(s), m.PID, describeUser(uid))
		}
	}
	return ""
}

// readTrusted reads the metadata file at path and returns it if it may be
// trusted, saying why not otherwise.
func readTrusted(path string) (*hostkeys.Metadata, error) {
	m, err := hostkeys.ReadMetadata(path)
	if err != nil {
		return nil, err
	}
	if why := distrustMeta(path, m); why != "" {
		ignore(path, why)
		return nil, fs.ErrNotExist
	}
	return m, nil
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
