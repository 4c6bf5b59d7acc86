package discovery

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// osProcess fills in the owner and name from /proc.
func osProcess(p *Process) {
	dir := fmt.Sprintf("/proc/%d", p.PID)
	if st, err := os.Stat(dir); err == nil {
		p.UID = Owner(st)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "comm")); err == nil {
		p.Name = strings.TrimSpace(string(b))
	}
	// A zombie still answers kill(pid, 0), but it will never listen.
	if b, err := os.ReadFile(filepath.Join(dir, "stat")); err == nil {
		if i := strings.LastIndexByte(string(b), ')'); i >= 0 && i+2 < len(b) && (b[i+2] == 'Z' || b[i+2] == 'X') {
			p.Exists = false
		}
	}
}

// ListeningSockets returns the paths of the unix sockets pid listens on,
// or, for pid 0, of every listening unix socket in our network namespace.
// It finds a manhole whose socket is not in a default directory (an
// explicit Options.SocketPath).
func ListeningSockets(pid int) []string {
	table := "/proc/net/unix"
	var inodes map[string]bool
	if pid > 0 {
		table = fmt.Sprintf("/proc/%d/net/unix", pid)
		fdDir := fmt.Sprintf("/proc/%d/fd", pid)
		fds, err := os.ReadDir(fdDir)
		if err != nil {
			return nil
		}
		inodes = map[string]bool{}
		for _, fd := range fds {
			link, err := os.Readlink(filepath.Join(fdDir, fd.Name()))
			if ino, ok := strings.CutPrefix(link, "socket:["); err == nil && ok {
				inodes[strings.TrimSuffix(ino, "]")] = true
			}
		}
	}
	f, err := os.Open(table)
	if err != nil {
		return nil
	}
	defer f.Close()
	return parseNetUnix(bufio.NewScanner(f), inodes)
}

// parseNetUnix reads /proc/net/unix: "Num RefCount Protocol Flags Type St
// Inode Path", keeping listening (__SO_ACCEPTCON) stream sockets bound to a
// path, and only the given inodes unless inodes is nil.
func parseNetUnix(sc *bufio.Scanner, inodes map[string]bool) []string {
	const acceptCon = 0x10000
	var paths []string
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 8 || !strings.HasSuffix(fields[0], ":") {
			continue
		}
		flags, err := strconv.ParseUint(fields[3], 16, 32)
		if err != nil || flags&acceptCon == 0 || fields[4] != "0001" {
			continue
		}
		if inodes != nil && !inodes[fields[6]] {
			continue
		}
		// The path is the rest of the line, spaces included; an abstract
		// socket's starts with "@" and has no file.
		path := afterFields(sc.Text(), 7)
		if strings.HasPrefix(path, "/") {
			paths = append(paths, path)
		}
	}
	return paths
}

// afterFields is line without its first n space-separated fields.
func afterFields(line string, n int) string {
	for range n {
		line = strings.TrimLeft(line, " ")
		i := strings.IndexByte(line, ' ')
		if i < 0 {
			return ""
		}
		line = line[i:]
	}
	return strings.TrimLeft(line, " ")
}
