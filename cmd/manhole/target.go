package main

import (
	"errors"
	"fmt"
	"io/fs"
	"math"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"

	"github.com/gomanhole/manhole/internal/discovery"
)

// target is a resolved manhole: a unix socket or a TCP address, and, when
// found, the metadata that vouches for its host key.
type target struct {
	pid    int    // 0 when not known
	socket string // unix socket path, or ""
	addr   string // host:port when over TCP
	user   string // SSH user name for TCP, "" for the local user
	meta   *discovery.Metadata
	// onConn, if set, is given the connection as soon as it is made (exec
	// over several targets closes it when a target's time is up).
	onConn func(net.Conn)
}

func (t *target) String() string {
	switch {
	case t.socket != "":
		return t.socket
	case t.addr != "":
		return t.addr
	}
	return fmt.Sprintf("pid %d", t.pid)
}

// targetKind is what an argument names, before anything is looked up.
type targetKind int

const (
	kindPID targetKind = iota
	kindPath
	kindTCP
)

type parsedTarget struct {
	kind targetKind
	pid  int
	path string
	addr string
	user string
}

// parseTarget classifies arg: PID or manhole-PID (what ssh's %n gives
// for "ssh manhole-4242"), a path (has a "/"), or [USER@]HOST:PORT.
func parseTarget(arg string) (parsedTarget, error) {
	if pid, ok := parsePID(strings.TrimPrefix(arg, "manhole-")); ok {
		return parsedTarget{kind: kindPID, pid: pid}, nil
	}
	if strings.ContainsRune(arg, '/') {
		path, err := filepath.Abs(arg)
		if err != nil {
			return parsedTarget{}, err
		}
		return parsedTarget{kind: kindPath, path: path}, nil
	}
	user, hostport := "", arg
	if i := strings.LastIndexByte(arg, '@'); i >= 0 {
		user, hostport = arg[:i], arg[i+1:]
	}
	if host, port, err := net.SplitHostPort(hostport); err == nil && host != "" {
		if n, err := strconv.Atoi(port); err == nil && n > 0 && n < 65536 {
			return parsedTarget{kind: kindTCP, addr: net.JoinHostPort(host, port), user: user}, nil
		}
	}
	return parsedTarget{}, fmt.Errorf("%q is not a pid, a socket path (with a /) or HOST:PORT", arg)
}

func parsePID(s string) (int, bool) {
	pid, err := strconv.Atoi(s)
	return pid, err == nil && pid > 0 && pid <= math.MaxInt32 && strconv.Itoa(pid) == s
}

// resolve turns a TARGET argument into something to dial. For a pid it
// may wake a dormant manhole up (see activation), and its errors say what
// happened and what to do.
func resolve(arg string, act activation) (*target, error) {
	p, err := parseTarget(arg)
	if err != nil {
		return nil, err
	}
	switch p.kind {
	case kindPath:
		return resolvePath(p.path)
	case kindTCP:
		return &target{addr: p.addr, user: p.user, meta: metadataForAddr(p.addr)}, nil
	}
	return resolvePID(p.pid, act)
}

func resolvePath(path string) (*target, error) {
	st, err := os.Lstat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("no manhole socket at %s (nothing there)", path)
	case isPermission(err):
		return nil, fmt.Errorf("%s: permission denied: %s", path, otherUserHint(discovery.FileOwner(filepath.Dir(path))))
	case err != nil:
		return nil, err
	case st.Mode()&fs.ModeSocket == 0:
		return nil, fmt.Errorf("%s is not a socket", path)
	}
	t := &target{socket: path, meta: metadataFor(path)}
	if t.meta != nil {
		t.pid = t.meta.PID
	}
	return t, nil
}

// metadataForAddr finds a local TCP manhole's metadata by its address, so
// that its host key needs no known_hosts entry.
func metadataForAddr(addr string) *discovery.Metadata {
	for _, dir := range socketDirs(os.Getuid()) {
		metadata, _, _ := discovery.ReadDir(dir)
		for _, e := range metadata {
			m, err := readTrusted(filepath.Join(dir, e.Name))
			if err == nil && m.Addr == addr && discovery.LookupProcess(m.PID).Exists {
				return m
			}
		}
	}
	return nil
}

// found is what the directories and /proc say about a pid's manhole.
type found struct {
	meta     *discovery.Metadata
	metaPath string
	socket   string // exists and is a socket
	denied   bool   // a directory or file we may not read
}

// find looks for pid's manhole: <pid>.json and <pid>.sock in the socket
// directories, then beside the unix sockets the process listens on.
func find(pid int, owner int) found {
	var f found
	for _, dir := range socketDirs(owner) {
		metaPath := discovery.MetadataIn(dir, pid)
		m, err := readTrusted(metaPath)
		if isPermission(err) {
			f.denied = true
		}
		if err == nil && m.PID == pid {
			f.meta, f.metaPath = m, metaPath
			if m.Socket != "" && isSocket(m.Socket) {
				f.socket = m.Socket
			}
			return f
		}
		sock := discovery.SocketIn(dir, pid)
		if _, err := os.Lstat(sock); isPermission(err) {
			f.denied = true
		}
		if isSocket(sock) {
			f.socket = sock
			return f
		}
	}
	for _, sock := range discovery.ListeningSockets(pid) {
		if m := metadataFor(sock); m != nil {
			return found{meta: m, metaPath: discovery.MetadataBeside(sock, m.PID), socket: sock}
		}
	}
	return f
}

func (f found) ready() bool {
	return f.socket != "" || f.meta != nil && f.meta.Socket == "" && f.meta.Addr != ""
}

func (f found) target(pid int) *target {
	t := &target{pid: pid, socket: f.socket, meta: f.meta}
	if f.socket == "" && f.meta != nil {
		t.addr = f.meta.Addr
	}
	return t
}

func resolvePID(pid int, act activation) (*target, error) {
	proc := discovery.LookupProcess(pid)
	owner := proc.UID
	if owner < 0 {
		owner = os.Getuid()
	}
	f := find(pid, owner)
	if f.ready() {
		return f.target(pid), nil
	}
	if !proc.Exists {
		if f.meta != nil {
			return nil, fmt.Errorf("no process with pid %d; its manhole's files are stale (%s): \"manhole list -clean\" removes them", pid, f.metaPath)
		}
		return nil, fmt.Errorf("no process with pid %d; \"manhole list\" shows the manholes on this host", pid)
	}
	if f.denied || !proc.Reachable() {
		return nil, fmt.Errorf("pid %d%s belongs to %s: %s", pid, nameOf(proc), discovery.DescribeUser(proc.UID), otherUserHint(proc.UID))
	}
	sig, err := act.signalFor(f.meta)
	if err != nil {
		return nil, err
	}
	if sig != 0 {
		return activate(proc, sig, act.timeout)
	}
	if f.meta != nil {
		return nil, fmt.Errorf("pid %d%s has a metadata file (%s) but no socket at %q: its manhole was closed; \"manhole list -clean\" removes the file",
			pid, nameOf(proc), f.metaPath, f.meta.Socket)
	}
	hint := "Does it call manhole.Start?"
	if act.enabled {
		hint += " If it opens its manhole on a signal, pass -signal NAME"
	}
	return nil, fmt.Errorf("pid %d%s has no manhole: nothing in %s%s. %s",
		pid, nameOf(proc), strings.Join(socketDirs(owner), ", "), procHint(), hint)
}

func nameOf(p discovery.Process) string {
	if p.Name == "" {
		return ""
	}
	return " (" + p.Name + ")"
}

// otherUserHint says how to reach another user's manhole: only that user
// and root may (the library's default AllowUIDs).
func otherUserHint(uid int) string {
	if uid < 0 || uid == os.Getuid() {
		return "the manhole belongs to another user; run manhole as that user or as root"
	}
	return fmt.Sprintf("its manhole is open only to that user and root; run as them, e.g. sudo -u %s manhole ...", discovery.UserName(uid))
}

func procHint() string {
	if runtime.GOOS != "linux" {
		return ""
	}
	return " or beside its listening sockets"
}
