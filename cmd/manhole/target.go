package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"github.com/gomanhole/manhole/hostkeys"
	"github.com/gomanhole/manhole/sshd"
)

// target is a resolved manhole: its socket and, when found, its metadata.
type target struct {
	socket string
	meta   *hostkeys.Metadata
}

// resolve turns a pid or a socket path into a target, with an error that
// says what to do.
func resolve(arg string) (*target, error) {
	if pid, err := strconv.Atoi(arg); err == nil && pid > 0 {
		return resolvePID(pid)
	}
	if !strings.ContainsRune(arg, '/') && !strings.HasSuffix(arg, ".sock") {
		return nil, fmt.Errorf("%q is neither a pid nor a socket path", arg)
	}
	path, err := filepath.Abs(arg)
	if err != nil {
		return nil, err
	}
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("no manhole socket at %s: %w", path, err)
	}
	if st.Mode()&fs.ModeSocket == 0 {
		return nil, fmt.Errorf("%s is not a socket", path)
	}
	return &target{socket: path, meta: metadataFor(path)}, nil
}

// socketDirs lists where a process owned by uid may have put its manhole.
func socketDirs(uid int) []string {
	dirs := []string{sshd.SocketDirFor(uid, os.Getenv("XDG_RUNTIME_DIR"))}
	if uid != os.Getuid() || os.Getenv("XDG_RUNTIME_DIR") == "" {
		dirs = append(dirs, sshd.SocketDirFor(uid, fmt.Sprintf("/run/user/%d", uid)))
	}
	dirs = append(dirs, sshd.SocketDirFor(uid, ""))
	out := dirs[:0]
	for _, d := range dirs {
		if !containsStr(out, d) {
			out = append(out, d)
		}
	}
	return out
}

func containsStr(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func resolvePID(pid int) (*target, error) {
	owner := os.Getuid()
	st, err := os.Stat(fmt.Sprintf("/proc/%d", pid))
	switch {
	case err == nil:
		if sys, ok := st.Sys().(*syscall.Stat_t); ok {
			owner = int(sys.Uid)
		}
	case errors.Is(err, fs.ErrNotExist):
		if _, serr := os.Stat("/proc/self"); serr == nil {
			return nil, fmt.Errorf("no process with pid %d", pid)
		}
		// No /proc (macOS): signal 0 tells whether the process exists.
		if kerr := syscall.Kill(pid, 0); errors.Is(kerr, syscall.ESRCH) {
			return nil, fmt.Errorf("no process with pid %d", pid)
		}
	}
	for _, dir := range socketDirs(owner) {
		metaPath := filepath.Join(dir, strconv.Itoa(pid)+".json")
		if m, err := hostkeys.ReadMetadata(metaPath); err == nil && m.PID == pid {
			return &target{socket: m.Socket, meta: m}, nil
		} else if errors.Is(err, fs.ErrPermission) {
			return nil, fmt.Errorf("the manhole of pid %d belongs to uid %d: run as that user (or root)", pid, owner)
		}
		sock := filepath.Join(dir, strconv.Itoa(pid)+".sock")
		if _, err := os.Stat(sock); err == nil {
			return &target{socket: sock}, nil
		} else if errors.Is(err, fs.ErrPermission) {
			return nil, fmt.Errorf("the manhole of pid %d belongs to uid %d: run as that user (or root)", pid, owner)
		}
	}
	if owner != os.Getuid() && os.Getuid() != 0 {
		return nil, fmt.Errorf("pid %d belongs to uid %d, and no manhole of it is visible to you: run as that user (or root)", pid, owner)
	}
	return nil, fmt.Errorf("pid %d has no manhole (looked in %s); is manhole.Start called, or does it wait for a signal?",
		pid, strings.Join(socketDirs(owner), ", "))
}

// metadataFor finds the metadata file of the manhole listening on socket.
func metadataFor(socket string) *hostkeys.Metadata {
	dir := filepath.Dir(socket)
	base := strings.TrimSuffix(filepath.Base(socket), ".sock")
	if _, err := strconv.Atoi(base); err == nil {
		if m, err := hostkeys.ReadMetadata(filepath.Join(dir, base+".json")); err == nil && m.Socket == socket {
			return m
		}
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".json") {
			continue
		}
		if m, err := hostkeys.ReadMetadata(filepath.Join(dir, e.Name())); err == nil && m.Socket == socket {
			return m
		}
	}
	return nil
}
