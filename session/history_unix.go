//go:build unix

package session

import (
	"errors"
	"fmt"
	"os"
	"syscall"
)

// openHistory opens the file without following a symlink and refuses
// one that is not a regular file of ours, private to us.
func openHistory(path string, flag int) (*os.File, error) {
	f, err := os.OpenFile(path, flag|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0o600)
	if err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	if err == nil {
		st, _ := fi.Sys().(*syscall.Stat_t)
		switch {
		case !fi.Mode().IsRegular():
			err = errors.New("session: not a regular file")
		case st != nil && int(st.Uid) != os.Geteuid():
			err = fmt.Errorf("session: owned by uid %d, not by this process (uid %d)", st.Uid, os.Geteuid())
		case fi.Mode().Perm()&0o077 != 0:
			err = fmt.Errorf("session: mode %v: others may read or write it (want 0600)", fi.Mode().Perm())
		case st != nil && st.Nlink != 1:
			err = fmt.Errorf("session: it has %d hard links: another name may be a file that is not a history", st.Nlink)
		}
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}
