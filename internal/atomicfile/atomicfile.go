// Package atomicfile writes a file so that a reader sees either its old
// contents or its new ones, never a part: the host key file (hostkeys)
// and the metadata file (internal/discovery) are written this way.
package atomicfile

import (
	"os"
	"path/filepath"
)

// WriteFile writes data to a new temporary file in path's directory with
// the given mode, syncs it and renames it over path. On error the
// temporary file is removed and path is untouched.
func WriteFile(path string, data []byte, mode os.FileMode) (err error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if err = f.Chmod(mode); err != nil {
		return err
	}
	if _, err = f.Write(data); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}
