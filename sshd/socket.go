package sshd

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"github.com/gomanhole/manhole/internal/discovery"
)

// ErrSocketInUse means a live process answers on the socket path: it is
// never taken over.
var ErrSocketInUse = errors.New("sshd: socket in use by a live process")

// UnixListener is a listening unix socket whose file we own: Close removes
// the socket file only if it is still the one we created.
type UnixListener struct {
	*net.UnixListener
	path string
	file fs.FileInfo
}

// ListenUnix binds a unix socket at path with mode 0600, in a directory
// checked (or created) by discovery.PrepareDir. A stale socket, one nobody answers
// on, is replaced; a live one is never stolen: ListenUnix then fails with
// an error wrapping ErrSocketInUse.
func ListenUnix(path string) (*UnixListener, error) {
	if err := discovery.PrepareDir(filepath.Dir(path)); err != nil {
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
		return fmt.Errorf("sshd: %s exists and is not a socket; refusing to replace it", path)
	}
	c, err := net.DialTimeout("unix", path, time.Second)
	if err == nil {
		c.Close()
		return fmt.Errorf("%w: %s", ErrSocketInUse, path)
	}
	if !errors.Is(err, syscall.ECONNREFUSED) {
		return fmt.Errorf("sshd: %s: cannot tell whether the socket is live: %w", path, err)
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("sshd: remove stale socket: %w", err)
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
