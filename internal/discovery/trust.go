package discovery

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
)

// An UntrustedError says why a directory or metadata file that exists is
// not to be believed. Callers skip what it names and tell the user why.
type UntrustedError struct {
	Path   string
	Reason string // "it is a symlink", "it belongs to user nobody (uid 65534), not to ..."
}

func (e *UntrustedError) Error() string { return e.Path + ": " + e.Reason }

func untrusted(path, format string, args ...any) error {
	return &UntrustedError{Path: path, Reason: fmt.Sprintf(format, args...)}
}

// FileOwner is the uid owning path (not following a symlink), or -1.
func FileOwner(path string) int {
	st, err := os.Lstat(path)
	if err != nil {
		return -1
	}
	return Owner(st)
}

// writableByOthers reports a mode that lets group or others add, remove
// or rename entries (a directory) or rewrite the file; a directory with
// the sticky bit, as /tmp, lets nobody remove or rename what is not
// theirs.
func writableByOthers(st fs.FileInfo) bool {
	return st.Mode().Perm()&0o022 != 0 && (!st.IsDir() || st.Mode()&fs.ModeSticky == 0)
}

// PrepareDir makes sure dir exists and only our uid can write to it: the
// rule a manhole applies to its own socket directory. A missing directory
// is created with mode 0700. An existing one is refused if it is a
// symlink, not a directory, not owned by us, or writable by group or
// others without the sticky bit (as /tmp has).
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
	case Owner(st) != os.Getuid():
		return fmt.Errorf("socket directory %s is not owned by uid %d; refusing it", dir, os.Getuid())
	case writableByOthers(st):
		return fmt.Errorf("socket directory %s is writable by group or others (mode %v); chmod 0700 it", dir, st.Mode().Perm())
	}
	return nil
}

// CheckDir returns an *UntrustedError if dir must not be trusted to hold
// the manholes of uid: it is a symlink (unless followSymlink: a directory
// the user named), not a directory, owned by neither uid nor root, or
// writable by group or others without the sticky bit. A directory that
// does not exist, or cannot be looked at, is no reason: nothing will be
// read from it.
func CheckDir(dir string, uid int, followSymlink bool) error {
	st, err := os.Lstat(dir)
	if err == nil && st.Mode()&fs.ModeSymlink != 0 {
		if !followSymlink {
			return untrusted(dir, "it is a symlink")
		}
		st, err = os.Stat(dir)
	}
	if err != nil {
		return nil
	}
	if !st.IsDir() {
		return untrusted(dir, "it is not a directory")
	}
	if owner := Owner(st); owner != uid && owner != 0 {
		return untrusted(dir, "it belongs to %s, not to %s", DescribeUser(owner), DescribeUser(uid))
	}
	if writableByOthers(st) {
		return untrusted(dir, "others may write to it (mode %04o)", st.Mode().Perm())
	}
	return nil
}

// maxMetadata bounds what ReadTrusted reads: the library writes a few
// hundred bytes.
const maxMetadata = 1 << 20

// ReadTrusted reads the metadata file at path if it may be trusted. The
// file is opened without following a symlink and without blocking on a
// FIFO, and what is checked is the opened file: a regular file, not
// writable by group or others, owned by the uid its pid runs as (or by
// root), naming a socket owned by that uid. When the pid is gone the file
// is stale, which is no reason to distrust it; it must then belong to its
// directory's owner (or root), and so must its socket. A file that fails
// a check gives an *UntrustedError; one that cannot be read or parsed,
// the error that says so.
func ReadTrusted(path string) (*Metadata, error) {
	f, err := openNoFollow(path)
	if isSymlinkErr(err) {
		return nil, untrusted(path, "it is not a regular file")
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, untrusted(path, "it is not a regular file")
	}
	if writableByOthers(st) {
		return nil, untrusted(path, "others may write to it (mode %04o)", st.Mode().Perm())
	}
	b, err := io.ReadAll(io.LimitReader(f, maxMetadata+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxMetadata {
		return nil, fmt.Errorf("%s: larger than %d bytes: not a manhole's metadata", path, maxMetadata)
	}
	m, err := parseMetadata(path, b)
	if err != nil {
		return nil, err
	}
	if err := checkOwners(path, Owner(st), m); err != nil {
		return nil, err
	}
	return m, nil
}

// checkOwners checks that the metadata file at path, owned by owner and
// saying m, and the socket it names belong to the user m.PID runs as.
func checkOwners(path string, owner int, m *Metadata) error {
	proc := LookupProcess(m.PID)
	if !proc.Exists {
		// Stale: nobody runs as anyone now; the file must at least be
		// its directory's owner's, and so must its socket.
		dirOwner := FileOwner(filepath.Dir(path))
		if owner != dirOwner && owner != 0 {
			return untrusted(path, "it belongs to %s, its directory to %s", DescribeUser(owner), DescribeUser(dirOwner))
		}
		if m.Socket != "" {
			if s := FileOwner(m.Socket); s >= 0 && s != owner && s != 0 {
				return untrusted(path, "the socket it names (%s) belongs to %s, the file to %s", m.Socket, DescribeUser(s), DescribeUser(owner))
			}
		}
		return nil
	}
	uid := proc.UID
	if uid < 0 {
		uid = os.Getuid()
	}
	if owner != uid && owner != 0 {
		return untrusted(path, "it belongs to %s, but pid %d runs as %s", DescribeUser(owner), m.PID, DescribeUser(uid))
	}
	if m.Socket != "" {
		if s := FileOwner(m.Socket); s >= 0 && s != uid {
			return untrusted(path, "the socket it names (%s) belongs to %s, but pid %d runs as %s", m.Socket, DescribeUser(s), m.PID, DescribeUser(uid))
		}
	}
	return nil
}

// UserName is uid's login name, or the number ("?" for -1, unknown).
func UserName(uid int) string {
	if uid < 0 {
		return "?"
	}
	if u, err := user.LookupId(strconv.Itoa(uid)); err == nil {
		return u.Username
	}
	return strconv.Itoa(uid)
}

// DescribeUser names uid for a message: "user alice (uid 1000)", or
// "another user" when it is unknown (-1).
func DescribeUser(uid int) string {
	if uid < 0 {
		return "another user"
	}
	return fmt.Sprintf("user %s (uid %d)", UserName(uid), uid)
}
