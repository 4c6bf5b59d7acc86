package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/gomanhole/manhole/internal/discovery"
)

const listHelp = `Lists the manholes of this user (as root: of every user) from the socket
directories and the metadata files in them, and on Linux also those beside
any listening unix socket. The STATE column says:

  live     the socket accepts connections
  dormant  no socket yet: the process opens it on the signal in NOTE
  stale    the process is gone, or its socket refuses connections;
           -clean removes the socket and metadata files
  unknown  the socket could not be checked (see NOTE)
`

func listFlags(fs *flag.FlagSet) {
	fs.Bool("clean", false, "remove the files of stale entries (the socket and <pid>.json)")
}

// entry is one manhole found on disk.
type entry struct {
	pid        int
	uid        int // owner of its files
	program    string
	started    time.Time
	socket     string
	addr       string
	activateOn string
	dir        string
	files      []string // base names in dir that belong to it
	state      string
	note       string
}

func (c *cli) list(args []string) int {
	fs, rest, code, ok := c.parse("list", args, false)
	if !ok {
		return code
	}
	if len(rest) != 0 {
		return c.usageError("list", "takes no arguments")
	}
	clean := fs.Lookup("clean").Value.(flag.Getter).Get().(bool)

	entries := scan()
	status := 0
	shown := entries[:0]
	for _, e := range entries {
		if clean && e.state == "stale" {
			if err := e.remove(); err != nil {
				fmt.Fprintf(c.stderr, "manhole list: pid %d: %v\n", e.pid, err)
				status = exitError
				shown = append(shown, e)
				continue
			}
			fmt.Fprintf(c.stderr, "removed stale manhole of pid %d: %s\n", e.pid, strings.Join(e.paths(), ", "))
			continue
		}
		shown = append(shown, e)
	}
	if len(shown) == 0 {
		fmt.Fprintf(c.stderr, "no manholes found (looked in %s)\n", strings.Join(listDirs(), ", "))
		return status
	}
	var table bytes.Buffer
	tw := tabwriter.NewWriter(&table, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "PID\tUSER\tPROGRAM\tUPTIME\tSTATE\tSOCKET\tNOTE")
	stale := 0
	for _, e := range shown {
		where := e.socket
		if where == "" {
			where = e.addr
		}
		if where == "" {
			where = "-"
		}
		uptime := "-"
		// A gone process has no uptime.
		if !e.started.IsZero() && e.note != "process exited" {
			uptime = formatUptime(time.Since(e.started))
		}
		if e.state == "stale" {
			stale++
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\n", e.pid, printable(discovery.UserName(e.uid)), printable(orDash(e.program)), uptime, e.state, printable(where), printable(e.note))
	}
	tw.Flush()
	// An empty NOTE leaves the padding of the column before it.
	for _, line := range strings.SplitAfter(table.String(), "\n") {
		fmt.Fprint(c.stdout, strings.TrimRight(line, " \n"), strings.Repeat("\n", strings.Count(line, "\n")))
	}
	if stale > 0 && !clean {
		fmt.Fprintf(c.stderr, "%d stale; \"manhole list -clean\" removes their files\n", stale)
	}
	return status
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// formatUptime rounds like gops: 3m12s, 5h2m, 4d3h.
func formatUptime(d time.Duration) string {
	d = d.Round(time.Second)
	switch {
	case d < time.Hour:
		return d.String()
	case d < 24*time.Hour:
		return strings.TrimSuffix(d.Round(time.Minute).String(), "0s")
	}
	days := d / (24 * time.Hour)
	return fmt.Sprintf("%dd%dh", days, (d-days*24*time.Hour)/time.Hour)
}

// scan finds every manhole in listDirs, and on Linux (unless MANHOLE_DIR
// narrows the search) every one beside a listening unix socket.
func scan() []*entry {
	listening := map[string]bool{}
	all := discovery.ListeningSockets(0)
	for _, p := range all {
		listening[p] = true
	}
	var entries []*entry
	seen := map[string]bool{}
	for _, dir := range listDirs() {
		seen[dir] = true
		entries = append(entries, scanDir(dir, nil)...)
	}
	if os.Getenv(envDir) == "" {
		for _, sock := range all {
			dir := filepath.Dir(sock)
			if seen[dir] {
				continue
			}
			seen[dir] = true
			for _, e := range scanDir(dir, func(m *discovery.Metadata) bool { return m.Socket != "" && listening[m.Socket] }) {
				if e.uid == os.Getuid() || os.Getuid() == 0 {
					entries = append(entries, e)
				}
			}
		}
	}
	for _, e := range entries {
		e.probe(listening)
	}
	sort.Slice(entries, func(i, j int) bool {
		if entries[i].pid != entries[j].pid {
			return entries[i].pid < entries[j].pid
		}
		return entries[i].dir < entries[j].dir
	})
	return entries
}

// scanDir reads <pid>.json and <pid>.sock files in dir. keep, if set,
// selects metadata files (for directories that are not ours).
func scanDir(dir string, keep func(*discovery.Metadata) bool) []*entry {
	// A directory the library would refuse is not scanned: as root, a
	// symlink here could make -clean remove files elsewhere.
	st, err := os.Lstat(dir)
	if isEnvDir(dir) {
		st, err = os.Stat(dir)
	}
	if err != nil || !st.IsDir() {
		return nil
	}
	metadata, sockets, err := discovery.ReadDir(dir)
	if err != nil {
		return nil
	}
	var entries []*entry
	claimed := map[string]bool{}
	for _, d := range metadata {
		pid := d.PID
		path := filepath.Join(dir, d.Name)
		m, err := readTrusted(path)
		if err != nil || keep != nil && !keep(m) {
			continue
		}
		e := &entry{pid: pid, uid: discovery.FileOwner(path), program: filepath.Base(m.Program), started: m.Started,
			socket: m.Socket, addr: m.Addr, activateOn: m.ActivateOn, dir: dir, files: []string{d.Name}}
		if m.PID > 0 {
			e.pid = m.PID
		}
		if m.Program == "" {
			e.program = ""
		}
		if m.Socket != "" && filepath.Dir(m.Socket) == dir {
			claimed[filepath.Base(m.Socket)] = true
			e.files = append(e.files, filepath.Base(m.Socket))
		}
		entries = append(entries, e)
	}
	if keep != nil {
		return entries
	}
	for _, d := range sockets {
		if claimed[d.Name] {
			continue
		}
		path := filepath.Join(dir, d.Name)
		e := &entry{pid: d.PID, uid: discovery.FileOwner(path), socket: path, dir: dir, files: []string{d.Name}}
		if p := discovery.LookupProcess(d.PID); p.Exists {
			e.program = p.Name
		}
		entries = append(entries, e)
	}
	return entries
}

// probe sets e.state. It connects to a socket only when /proc does not
// already say it is listening (there is no /proc on macOS; and a socket
// in a shared volume may be served from another network namespace, which
// /proc/net/unix does not show): a connection is logged by the manhole,
// and uses up a OneShot one.
func (e *entry) probe(listening map[string]bool) {
	alive := discovery.LookupProcess(e.pid).Exists
	switch {
	case e.socket != "":
		st, err := os.Lstat(e.socket)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			if e.activateOn != "" && alive {
				e.state, e.note = "dormant", "opens on "+e.activateOn
			} else if !alive {
				e.state, e.note = "stale", "process exited"
			} else {
				e.state, e.note = "stale", "socket is gone"
			}
		case err != nil:
			e.state, e.note = "unknown", err.Error()
		case st.Mode()&fs.ModeSocket == 0:
			e.state, e.note = "unknown", "not a socket"
		case listening[e.socket]:
			e.state = "live"
		case e.activateOn != "" && alive:
			// Probably a OneShot manhole, which our probe would use up.
			e.state = "live"
		default:
			c, err := net.DialTimeout("unix", e.socket, time.Second)
			switch {
			case err == nil:
				c.Close()
				e.state = "live"
			case errors.Is(err, syscall.ECONNREFUSED):
				e.state, e.note = "stale", "socket refuses connections"
				if !alive {
					e.note = "process exited"
				}
			default:
				e.state, e.note = "unknown", err.Error()
			}
		}
	case e.activateOn != "" && alive:
		e.state, e.note = "dormant", "opens on "+e.activateOn
	case e.addr != "" && alive:
		e.state = "live"
	case !alive:
		e.state, e.note = "stale", "process exited"
	default:
		e.state, e.note = "stale", "no socket"
	}
}

func (e *entry) paths() []string {
	var p []string
	for _, f := range e.files {
		p = append(p, filepath.Join(e.dir, f))
	}
	return p
}

// remove deletes e's files through a handle on the directory that was
// scanned, so that a directory swapped for a symlink since cannot
// redirect the removal, and deletes only sockets and metadata files.
func (e *entry) remove() error {
	// Look again: a new process may have taken the pid and the names.
	again := *e
	if again.probe(nil); again.state != "stale" {
		return fmt.Errorf("no longer stale (%s); not removing it", again.state)
	}
	before, err := os.Lstat(e.dir)
	if isEnvDir(e.dir) {
		before, err = os.Stat(e.dir)
	}
	if err != nil {
		return err
	}
	root, err := os.OpenRoot(e.dir)
	if err != nil {
		return err
	}
	defer root.Close()
	if now, err := root.Stat("."); err != nil || !os.SameFile(before, now) {
		return fmt.Errorf("%s changed while we looked at it; not removing anything", e.dir)
	}
	for _, f := range e.files {
		st, err := root.Lstat(f)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return err
		}
		isMeta := strings.HasSuffix(f, discovery.MetadataExt) && st.Mode().IsRegular()
		if !isMeta && st.Mode()&fs.ModeSocket == 0 {
			return fmt.Errorf("%s is not a socket; not removing it", filepath.Join(e.dir, f))
		}
		if err := root.Remove(f); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	return nil
}
