package main

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/gomanhole/manhole/internal/discovery"
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
// in the order the library would have chosen them, leaving out (and
// saying so) those that may not hold uid's manholes.
func socketDirs(uid int) []string {
	if d := os.Getenv(envDir); d != "" {
		return trustedDirs([]string{d}, uid)
	}
	return trustedDirs(discovery.Dirs(uid), uid)
}

// listDirs is every directory "manhole list" scans: ours, and as root
// every user's.
func listDirs() []string {
	if d := os.Getenv(envDir); d != "" {
		return []string{d}
	}
	dirs := socketDirs(os.Getuid())
	if os.Getuid() == 0 {
		for _, d := range discovery.UserDirs() {
			// Each user's directory must be that user's (or root's).
			dirs = append(dirs, trustedDirs([]string{d.Path}, d.UID)...)
		}
	}
	return discovery.Dedup(dirs)
}

// metadataFor finds the metadata file of the manhole listening on socket:
// a trusted <pid>.json beside it whose "socket" names it, that of a live
// process rather than one a crash left behind.
func metadataFor(socket string) *discovery.Metadata {
	dir := filepath.Dir(socket)
	if !trustedDir(dir, discovery.FileOwner(socket)) {
		return nil
	}
	var stale *discovery.Metadata
	consider := func(path string) *discovery.Metadata {
		m, err := readTrusted(path)
		if err != nil || m.Socket != socket {
			return nil
		}
		if !discovery.LookupProcess(m.PID).Exists {
			if stale == nil {
				stale = m
			}
			return nil
		}
		return m
	}
	if pid, ok := discovery.PIDOf(filepath.Base(socket), discovery.SocketExt); ok {
		if m := consider(discovery.MetadataIn(dir, pid)); m != nil {
			return m
		}
	}
	metadata, _, _ := discovery.ReadDir(dir)
	for _, e := range metadata {
		if m := consider(filepath.Join(dir, e.Name)); m != nil {
			return m
		}
	}
	return stale
}

func isSocket(path string) bool {
	st, err := os.Lstat(path)
	return err == nil && st.Mode()&fs.ModeSocket != 0
}

func isPermission(err error) bool {
	return errors.Is(err, fs.ErrPermission)
}
