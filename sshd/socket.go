package sshd

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"time"
)

// ErrSocketInUse means a live process answers on the socket path: it is
// never taken over.
var ErrSocketInUse = errors.New("socket in use by a live process")

// DefaultSocketDir is where manholes put their sockets and metadata files:
// $XDG_RUNTIME_DIR/manhole when XDG_RUNTIME_DIR names a directory we own,
// else /tmp/manhole-<uid>.
func DefaultSocketDir() string {
	return SocketDirFor(os.Getuid(), os.Getenv("XDG_RUNTIME_DIR"))
}

// SocketDirFor is DefaultSocketDir for a given uid and XDG_RUNTIME_DIR.
func SocketDirFor(uid int, xdg string) string {
	if xdg != "" && filepath.IsAbs(xdg) {
		if st, err := os.Stat(xdg); err == nil && st.IsDir() && ownedBy(st, uid) {
			return filepath.Join(xdg, "manhole")
		}
	}
	return filepath.Join("/tmp", "manhole-"+strconv.Itoa(uid))
}

// DefaultSocketPath is <DefaultSocketDir>/<pid>.sock.
func DefaultSocketPath(pid int) string {
	return filepath.Join(DefaultSocketDir(), strconv.Itoa(pid)+".sock")
}

func ownedBy(st fs.FileInfo, uid int) bool {
	sys, ok := st.Sys().(*syscall.Stat_t)
	return ok && int(sys.Uid) == uid
}

// PrepareDir makes sure dir exists and only our uid can write to it.
// A missing directory is created with mode 0700. An existing one is
// refused if it is a symlink, not a directory, not owned by us, or
// writable by group or others without the sticky bit (as /tmp has).
func PrepareDir(dir string) error {
	st, err := os.Lstat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return err
		}
		// MkdirAll applies the umask, which can only make the mode
		// stricter; chmod pins it anyway for the leaf we own.
		if err := os.Chmod(dir, 0o700); err != nil {
			return err
		}
		st, err = os.Lstat(dir)
	}
	if err != nil {
		return err
	}
	switch {
	case st.Mode()&fs.ModeSymlink != 0:
		return fmt.Errorf("socket directory %s is a symlink; refusing it (use a real directory)", dir)
	case !st.IsDir():
		return fmt.Errorf("socket directory %s is not a directory", dir)
	case !ownedBy(st, os.Getuid()):
		return fmt.Errorf("socket directory %s is not owned by uid %d; refusing it", dir, os.Getuid())
	case st.Mode().Perm()&0o022 != 0 && st.Mode()&fs.ModeSticky == 0:
		return fmt.Errorf("socket directory %s is writable by group or others (mode %v); chmod 0700 it", dir, st.Mode().Perm())
	}
	return nil
}

// UnixListener is a listening unix socket whose file we own: Close removes
// the socket file only if it is still the one we created.
type UnixListener struct {
	*net.UnixListener
	path string
	file fs.FileInfo
}

// ListenUnix binds a unix socket at path with mode 0600, in a directory
// checked (or created) by PrepareDir. A stale socket, one nobody answers
// on, is replaced; a live one is never stolen: ListenUnix then fails with
// an error wrapping ErrSocketInUse.
func ListenUnix(path string) (*UnixListener, error) {
	if err := PrepareDir(filepath.Dir(path)); err != nil {
		return nil, err
	}
	if err := removeStale(path); err != nil {
		return nil, err
	}
	// bind fails with EADDRINUSE if another process created the path
	// since removeStale looked: nothing live is ever replaced.
	l, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		return nil, err
	}
	l.SetUnlinkOnClose(false)
	// The directory is 0700, so the umask-wide mode this socket had for
	// a moment let no one else in.
	if err := os.Chmod(path, 0o600); err != nil {
		l.Close()
		os.Remove(path)
		return nil, err
	}
	st, err := os.Lstat(path)
	if err != nil {
		l.Close()
		return nil, err
	}
	return &UnixListener{UnixListener: l, path: path, file: st}, nil
}

// removeStale removes path if it is a socket no process listens on.
func removeStale(path string) error {
	st, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if st.Mode()&fs.ModeSocket == 0 {
		return fmt.Errorf("%s exists and is not a socket; refusing to replace it", path)
	}
	c, err := net.DialTimeout("unix", path, time.Second)
	if err == nil {
		c.Close()
		return fmt.Errorf("%s: %w", path, ErrSocketInUse)
	}
	if !errors.Is(err, syscall.ECONNREFUSED) {
		return fmt.Errorf("%s: cannot tell whether the socket is live: %w", path, err)
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remove stale socket: %w", err)
	}
	return nil
}

// Path is the socket's file name.
func (l *UnixListener) Path() string { return l.path }

// Close stops listening and removes the socket file, unless another
// process has since put its own socket at the same path.
func (l *UnixListener) Close() error {
	err := l.UnixListener.Close()
	if st, serr := os.Lstat(l.path); serr == nil && os.SameFile(st, l.file) {
		if rerr := os.Remove(l.path); rerr != nil && err == nil {
			err = rerr
		}
	}
	return err
}
