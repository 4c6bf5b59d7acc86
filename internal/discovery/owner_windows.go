package discovery

import (
	"errors"
	"io/fs"
	"os"
)

// Owner is -1: Windows files have owners (SIDs), not uids.
func Owner(st fs.FileInfo) int { return -1 }

var errSymlink = errors.New("symlink")

// openNoFollow refuses a symlink, then opens path. (Windows has no
// O_NOFOLLOW; nothing on Windows writes metadata files today.)
func openNoFollow(path string) (*os.File, error) {
	if st, err := os.Lstat(path); err == nil && st.Mode()&fs.ModeSymlink != 0 {
		return nil, errSymlink
	}
	return os.Open(path)
}

func isSymlinkErr(err error) bool { return errors.Is(err, errSymlink) }
