package auth

import (
	"errors"
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
// StrictModes does (its secure_filename): the file, with every symlink on
// its path resolved, and each directory above it must be owned by this
// process's user or root and not writable by group or others, and the
// file must be a regular file. A root-owned directory with the sticky bit
// (/tmp) is accepted: no one else can rename or remove what is ours in
// it.
func CheckFileModes(file string) error {
	abs, err := filepath.Abs(file)
	if err != nil {
		return err
	}
	// The real path: a symlink into a directory another user can write
	// would let that user swap the target.
	real, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return err
	}
	uid := os.Getuid()
	for p := real; ; p = filepath.Dir(p) {
		st, err := os.Lstat(p)
		if err != nil {
			return err
		}
		if p == real && !st.Mode().IsRegular() {
			return fmt.Errorf("%s: %s is not a regular file", file, p)
		}
		owner, ok := fileUID(st)
		if ok && owner != uid && owner != 0 {
			return fmt.Errorf("%s: %s belongs to uid %d, not to uid %d or root (StrictModes)", file, p, owner, uid)
		}
		sticky := st.IsDir() && st.Mode()&fs.ModeSticky != 0 && owner == 0
		if st.Mode().Perm()&0o022 != 0 && !sticky {
			return fmt.Errorf("%s: %s is writable by others (mode %04o): another user could change it (StrictModes)", file, p, st.Mode().Perm())
		}
		if p == filepath.Dir(p) {
			return nil
		}
	}
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

// readStable reads file if it changed since old (or always, unless
// oldOK), after CheckFileModes, which runs at every call: a chmod of the
// file or of a directory above it changes none of the stamp. It returns
// nil data when the file is unchanged. A file that changes while it is
// read is read again: a reader must not take a file half rewritten, in
// which a revoked key is missing.
func readStable(file string, old fileStamp, oldOK bool) ([]byte, fileStamp, error) {
	for range 3 {
		if err := CheckFileModes(file); err != nil {
			return nil, fileStamp{}, err
		}
		st, err := os.Stat(file)
		if err != nil {
			return nil, fileStamp{}, err
		}
		stamp := stampOf(st)
		if oldOK && stamp == old {
			return nil, stamp, nil
		}
		if st.Size() > maxPolicyFile {
			return nil, fileStamp{}, fmt.Errorf("%s: larger than %d MiB", file, maxPolicyFile>>20)
		}
		f, err := os.Open(file)
		if err != nil {
			return nil, fileStamp{}, err
		}
		data, err := io.ReadAll(io.LimitReader(f, maxPolicyFile+1))
		f.Close()
		if err != nil {
			return nil, fileStamp{}, err
		}
		if after, err := os.Stat(file); err == nil && stampOf(after) == stamp && int64(len(data)) == stamp.size {
			if data == nil {
				data = []byte{}
			}
			return data, stamp, nil
		}
		time.Sleep(10 * time.Millisecond)
	}
	return nil, fileStamp{}, errors.New(file + ": changes while it is read; replace it atomically (write a new file, then rename it)")
}
