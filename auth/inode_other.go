//go:build !unix

package auth

import "io/fs"

func inode(fs.FileInfo) uint64 { return 0 }

// fileUID is unknown here: StrictModes checks only the mode bits.
func fileUID(fs.FileInfo) (int, bool) { return 0, false }
