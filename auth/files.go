package auth

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// maxPolicyFile bounds what is read of an authorized_keys or revocation
// file.
const maxPolicyFile = 64 << 20

// CheckFileModes refuses a file that someone else could change, as sshd's
// StrictModes does, and more strictly: along the path as given, every
// directory and every symlink, and along the path with its symlinks
// resolved, every directory and the file itself, must be owned by this
// process's user or root, no directory writable by group or others, and
// the file must be a regular file not writable by group or others. A
// root-owned directory with the sticky bit (/tmp) is accepted: no one else
// can rename or remove what is ours in it. It returns the resolved path,
// which is what should then be opened (see openChecked).
func CheckFileModes(file string) (string, error) {
	abs, err := filepath.Abs(file)
	if err != nil {
		return "", err
	}
	// The path as given: a symlink another user owns, or one in a
	// directory another user can write, lets that user point it
	// elsewhere.
	if err := checkChain(file, abs, false); err != nil {
		return "", err
	}
	real, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return "", err
	}
	if err := checkChain(file, real, true); err != nil {
		return "", err
	}
	return real, nil
}

// checkChain checks p and every directory above it. With real, p is a
// resolved path and must be a regular file.
func checkChain(file, p string, real bool) error {
	uid := os.Getuid()
	for q := p; ; q = filepath.Dir(q) {
		st, err := os.Lstat(q)
		if err != nil {
			return err
		}
		if real && q == p && !st.Mode().IsRegular() {
			return fmt.Errorf("auth: %s: %s is not a regular file", file, q)
		}
		if err := checkOwner(file, q, st, uid); err != nil {
			return err
		}
		if q == filepath.Dir(q) {
			return nil
		}
	}
}

// checkOwner checks one file, directory or symlink.
func checkOwner(file, q string, st fs.FileInfo, uid int) error {
	owner, ok := fileUID(st)
	if ok && owner != uid && owner != 0 {
		return fmt.Errorf("auth: %s: %s belongs to uid %d, not to uid %d or root (StrictModes)", file, q, owner, uid)
	}
	if st.Mode()&fs.ModeSymlink != 0 {
		return nil // a symlink's own mode means nothing
	}
	sticky := st.IsDir() && st.Mode()&fs.ModeSticky != 0 && owner == 0
	if st.Mode().Perm()&0o022 != 0 && !sticky {
		return fmt.Errorf("auth: %s: %s is writable by others (mode %04o): another user could change it (StrictModes)", file, q, st.Mode().Perm())
	}
	return nil
}

// fileStamp tells whether a file changed since it was read.
type fileStamp struct {
	size  int64
	mtime time.Time
	ctime int64 // also changes when mtime is set back (touch -r, cp -p)
	ino   uint64
}

func stampOf(st fs.FileInfo) fileStamp {
	return fileStamp{size: st.Size(), mtime: st.ModTime(), ctime: ctime(st), ino: inode(st)}
}

// readStable reads file unless it is unchanged since old (a zero old
// always reads). Every call checks the modes (CheckFileModes): a chmod of
// the file or of a directory above it changes none of the stamp. It opens
// the resolved path that was checked and checks the open file again, so
// what is read is what was checked. It returns nil data when the file is
// unchanged. A file that changes while it is read is read again, and an
// empty file is refused: a reader must not take a file half rewritten, in
// which a revoked key is missing (write a new file and rename it).
func readStable(file string, old fileStamp) ([]byte, fileStamp, error) {
	for range 3 {
		real, err := CheckFileModes(file)
		if err != nil {
			return nil, fileStamp{}, err
		}
		f, err := os.Open(real)
		if err != nil {
			return nil, fileStamp{}, err
		}
		data, stamp, err := readOpen(file, real, f, old)
		f.Close()
		if err != nil || stamp != (fileStamp{}) {
			return data, stamp, err
		}
		time.Sleep(10 * time.Millisecond)
	}
	return nil, fileStamp{}, fmt.Errorf("auth: %s: changes while it is read; replace it atomically (write a new file, then rename it)", file)
}

// readOpen reads an opened policy file; a zero stamp and no error mean it
// changed while it was read.
func readOpen(file, real string, f *os.File, old fileStamp) ([]byte, fileStamp, error) {
	st, err := f.Stat()
	if err != nil {
		return nil, fileStamp{}, err
	}
	if lst, err := os.Lstat(real); err != nil || !os.SameFile(st, lst) {
		return nil, fileStamp{}, fmt.Errorf("auth: %s: %s was replaced while it was checked", file, real)
	}
	if !st.Mode().IsRegular() {
		return nil, fileStamp{}, fmt.Errorf("auth: %s: %s is not a regular file", file, real)
	}
	if err := checkOwner(file, real, st, os.Getuid()); err != nil {
		return nil, fileStamp{}, err
	}
	stamp := stampOf(st)
	if old != (fileStamp{}) && stamp == old {
		return nil, stamp, nil
	}
	if st.Size() > maxPolicyFile {
		return nil, fileStamp{}, fmt.Errorf("auth: %s: larger than %d MiB", file, maxPolicyFile>>20)
	}
	if st.Size() == 0 {
		return nil, fileStamp{}, fmt.Errorf("auth: %s: empty (a file being rewritten in place?); to revoke or allow nothing, give it a comment line", file)
	}
	data, err := io.ReadAll(io.LimitReader(f, maxPolicyFile+1))
	if err != nil {
		return nil, fileStamp{}, err
	}
	after, err := f.Stat()
	if err != nil || stampOf(after) != stamp || int64(len(data)) != stamp.size {
		return nil, fileStamp{}, nil
	}
	return data, stamp, nil
}

// absPath makes a configured path absolute once, at start: a relative one
// would be resolved again from whatever directory the application is in
// at each login.
func absPath(p string) (string, error) {
	if p == "" || filepath.IsAbs(p) {
		return p, nil
	}
	a, err := filepath.Abs(p)
	if err != nil {
		return "", err
	}
	return filepath.Clean(a), nil
}
