package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"

	"github.com/gomanhole/manhole/hostkeys"
	"github.com/gomanhole/manhole/sshd"
)

// envDir names the one directory to search instead of the defaults: for
// tests, and for sockets kept in a shared volume.
const envDir = "MANHOLE_DIR"

// isEnvDir reports whether dir is the one MANHOLE_DIR names: that one may
// be a symlink, as the user chose it.
func isEnvDir(dir string) bool {
	env := os.Getenv(envDir)
	return env != "" && filepath.Clean(env) == filepath.Clean(dir)
}

// socketDirs lists where a process owned by uid may have put its manhole,
// in the order the library would have chosen them.
func socketDirs(uid int) []string {
	if d := os.Getenv(envDir); d != "" {
		return trustedDirs([]string{d}, uid)
	}
	var dirs []string
	if uid == os.Getuid() {
		dirs = append(dirs, sshd.SocketDirFor(uid, os.Getenv("XDG_RUNTIME_DIR")))
	}
	// Where the process's own XDG_RUNTIME_DIR most likely pointed.
	dirs = append(dirs, sshd.SocketDirFor(uid, fmt.Sprintf("/run/user/%d", uid)))
	dirs = append(dirs, sshd.SocketDirFor(uid, ""))
	return trustedDirs(dedup(dirs), uid)
}

// listDirs is every directory "manhole list" scans: ours, and as root
// every user's.
func listDirs() []string {
	if d := os.Getenv(envDir); d != "" {
		return []string{d}
	}
	dirs := socketDirs(os.Getuid())
	if os.Getuid() == 0 {
		for _, pat := range []string{"/tmp/manhole-*", "/run/user/*/manhole"} {
			m, _ := filepath.Glob(pat)
			sort.Strings(m)
			for _, d := range m {
				// Each user's directory must be that user's (or root's).
				if uid, ok := dirUID(d); ok {
					dirs = append(dirs, trustedDirs([]string{d}, uid)...)
				}
			}
		}
	}
	return dedup(dirs)
}

// dirUID is the uid a default socket directory is for:
// /tmp/manhole-<uid> or /run/user/<uid>/manhole.
func dirUID(dir string) (int, bool) {
	s, ok := strings.CutPrefix(dir, "/tmp/manhole-")
	if !ok {
		s, ok = strings.CutPrefix(dir, "/run/user/")
		s, _, _ = strings.Cut(s, "/")
	}
	uid, err := strconv.Atoi(s)
	return uid, ok && err == nil && uid >= 0
}

func dedup(list []string) []string {
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

// pidFile parses "<pid>.json" or "<pid>.sock".
func pidFile(name, ext string) (int, bool) {
	base, ok := strings.CutSuffix(name, ext)
	if !ok {
		return 0, false
	}
	pid, err := strconv.Atoi(base)
	return pid, err == nil && pid > 0 && strconv.Itoa(pid) == base
}

// metadataFor finds the metadata file of the manhole listening on socket:
// a trusted <pid>.json beside it whose "socket" names it, that of a live
// process rather than one a crash left behind.
func metadataFor(socket string) *hostkeys.Metadata {
	dir := filepath.Dir(socket)
	if why := distrustDir(dir, fileOwner(socket)); why != "" {
		ignore(dir, why)
		return nil
	}
	var stale *hostkeys.Metadata
	consider := func(name string) *hostkeys.Metadata {
		m, err := readTrusted(filepath.Join(dir, name))
		if err != nil || m.Socket != socket {
			return nil
		}
		if !lookupProcess(m.PID).exists {
			if stale == nil {
				stale = m
			}
			return nil
		}
		return m
	}
	if pid, ok := pidFile(filepath.Base(socket), ".sock"); ok {
		if m := consider(strconv.Itoa(pid) + ".json"); m != nil {
			return m
		}
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if _, ok := pidFile(e.Name(), ".json"); !ok {
			continue
		}
		if m := consider(e.Name()); m != nil {
			return m
		}
	}
	return stale
}

// fileOwner is the uid owning path (not following a symlink), or -1.
func fileOwner(path string) int {
	st, err := os.Lstat(path)
	if err != nil {
		return -1
	}
	return statUID(st)
}

func statUID(st fs.FileInfo) int {
	if sys, ok := st.Sys().(*syscall.Stat_t); ok {
		return int(sys.Uid)
	}
	return -1
}

// userName is uid's login name, or the number.
func userName(uid int) string {
	if uid < 0 {
		return "?"
	}
	if u, err := user.LookupId(strconv.Itoa(uid)); err == nil {
		return u.Username
	}
	return strconv.Itoa(uid)
}

func isSocket(path string) bool {
	st, err := os.Lstat(path)
	return err == nil && st.Mode()&fs.ModeSocket != 0
}

func isPermission(err error) bool {
	return errors.Is(err, fs.ErrPermission)
}
