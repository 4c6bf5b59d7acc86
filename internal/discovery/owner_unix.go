//go:build unix

package discovery

import (
	"errors"
	"io/fs"
	"os"
	"syscall"
)

// Owner is the uid owning the file st describes, or -1.
func Owner(st fs.FileInfo) int {
	if sys, ok := st.Sys().(*syscall.Stat_t); ok {
		return int(sys.Uid)
	}
	return -1
}

// openNoFollow opens path for reading without following a final symlink
// (ELOOP instead) and without waiting for a writer if it is a FIFO.
func openNoFollow(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0)
}

func isSymlinkErr(err error) bool { return errors.Is(err, syscall.ELOOP) }
