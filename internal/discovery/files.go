package discovery

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// The two kinds of files a socket directory holds, by extension.
const (
	SocketExt   = ".sock"
	MetadataExt = ".json"
)

// DefaultDir is where a manhole of this process puts its socket and
// metadata file unless told otherwise: DirFor the process's uid and
// XDG_RUNTIME_DIR.
func DefaultDir() string {
	return DirFor(os.Getuid(), os.Getenv("XDG_RUNTIME_DIR"))
}

// DirFor is the default directory of a process running as uid whose
// XDG_RUNTIME_DIR is xdg: xdg/manhole when xdg is an absolute path to a
// directory owned by uid, else /tmp/manhole-<uid>.
func DirFor(uid int, xdg string) string {
	if xdg != "" && filepath.IsAbs(xdg) {
		if st, err := os.Stat(xdg); err == nil && st.IsDir() && Owner(st) == uid {
			return filepath.Join(xdg, "manhole")
		}
	}
	return filepath.Join("/tmp", "manhole-"+strconv.Itoa(uid))
}

// DefaultSocketPath is where a manhole of process pid listens unless told
// otherwise: <DefaultDir>/<pid>.sock.
func DefaultSocketPath(pid int) string { return SocketIn(DefaultDir(), pid) }

// SocketIn is the default socket of process pid in dir: dir/<pid>.sock.
func SocketIn(dir string, pid int) string {
	return filepath.Join(dir, strconv.Itoa(pid)+SocketExt)
}

// MetadataIn is the metadata file of process pid in dir: dir/<pid>.json.
func MetadataIn(dir string, pid int) string {
	return filepath.Join(dir, strconv.Itoa(pid)+MetadataExt)
}

// MetadataBeside is the metadata file of process pid whose manhole
// listens on socket, whatever the socket's name: <pid>.json in the
// socket's directory.
func MetadataBeside(socket string, pid int) string {
	return MetadataIn(filepath.Dir(socket), pid)
}

// An Entry is a file of a socket directory named for a process:
// <pid>.json or <pid>.sock.
type Entry struct {
	Name string // base name in the directory
	PID  int
}

// ReadDir lists the metadata files and the sockets in dir by their names
// (what they are is not checked), each list sorted by name.
func ReadDir(dir string) (metadata, sockets []Entry, err error) {
	names, err := os.ReadDir(dir)
	for _, d := range names {
		if pid, ok := PIDOf(d.Name(), MetadataExt); ok {
			metadata = append(metadata, Entry{Name: d.Name(), PID: pid})
		} else if pid, ok := PIDOf(d.Name(), SocketExt); ok {
			sockets = append(sockets, Entry{Name: d.Name(), PID: pid})
		}
	}
	return metadata, sockets, err
}

// PIDOf parses a file name "<pid><ext>" (ext is SocketExt or
// MetadataExt): the pid is positive and written without sign or leading
// zeros.
func PIDOf(name, ext string) (int, bool) {
	base, ok := strings.CutSuffix(name, ext)
	if !ok {
		return 0, false
	}
	pid, err := strconv.Atoi(base)
	return pid, err == nil && pid > 0 && strconv.Itoa(pid) == base
}

// Dirs lists where a process running as uid may have put its manhole, in
// the order DirFor would have chosen them: under this process's
// XDG_RUNTIME_DIR (for our own uid only), under /run/user/<uid> (where
// the process's own XDG_RUNTIME_DIR most likely pointed), and
// /tmp/manhole-<uid>. The list has no duplicates; nothing in it is
// checked (see CheckDir).
func Dirs(uid int) []string {
	var dirs []string
	if uid == os.Getuid() {
		dirs = append(dirs, DirFor(uid, os.Getenv("XDG_RUNTIME_DIR")))
	}
	dirs = append(dirs, DirFor(uid, fmt.Sprintf("/run/user/%d", uid)))
	dirs = append(dirs, DirFor(uid, ""))
	return Dedup(dirs)
}

// A UserDir is a default directory of some user's, with the uid it is
// named for.
type UserDir struct {
	Path string
	UID  int
}

// UserDirs finds the default directories of every user
// (/tmp/manhole-<uid> and /run/user/<uid>/manhole that exist), for root
// to look into. Nothing in the list is checked (see CheckDir): anyone can
// create /tmp/manhole-<uid> for any uid.
func UserDirs() []UserDir {
	var out []UserDir
	for _, pat := range []string{"/tmp/manhole-*", "/run/user/*/manhole"} {
		m, _ := filepath.Glob(pat)
		sort.Strings(m)
		for _, d := range m {
			if uid, ok := dirUID(d); ok {
				out = append(out, UserDir{Path: d, UID: uid})
			}
		}
	}
	return out
}

// dirUID is the uid a default directory is for: /tmp/manhole-<uid> or
// /run/user/<uid>/manhole.
func dirUID(dir string) (int, bool) {
	s, ok := strings.CutPrefix(dir, "/tmp/manhole-")
	if !ok {
		s, ok = strings.CutPrefix(dir, "/run/user/")
		s, _, _ = strings.Cut(s, "/")
	}
	uid, err := strconv.Atoi(s)
	return uid, ok && err == nil && uid >= 0
}

// Dedup cleans the paths in list and drops repeats, keeping the first of
// each; it reuses list's storage.
func Dedup(list []string) []string {
	seen := map[string]bool{}
	out := list[:0]
	for _, s := range list {
		s = filepath.Clean(s)
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}
