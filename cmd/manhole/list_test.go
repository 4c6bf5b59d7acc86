//go:build unix

package main

import (
	"errors"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gomanhole/manhole/hostkeys"
	"github.com/gomanhole/manhole/internal/discovery"
)

// deadSocket leaves a socket file nobody listens on, as a crashed
// process does.
func deadSocket(t *testing.T, path string) {
	t.Helper()
	l, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	l.SetUnlinkOnClose(false)
	l.Close()
}

func writeMeta(t *testing.T, dir string, m *discovery.Metadata) string {
	t.Helper()
	path := filepath.Join(dir, strconv.Itoa(m.PID)+".json")
	if err := discovery.WriteMetadata(path, m); err != nil {
		t.Fatal(err)
	}
	return path
}

func newHostKey(t *testing.T) string {
	t.Helper()
	s, err := hostkeys.Generate()
	if err != nil {
		t.Fatal(err)
	}
	return hostkeys.AuthorizedKey(s.PublicKey())
}

func TestList(t *testing.T) {
	d := startDemo(t)
	// A manhole whose process is gone: metadata and a dead socket.
	const gone = 99999999
	goneSock := filepath.Join(d.dir, strconv.Itoa(gone)+".sock")
	deadSocket(t, goneSock)
	goneMeta := writeMeta(t, d.dir, &discovery.Metadata{PID: gone, Program: "/usr/bin/ghost", Started: time.Now().Add(-time.Hour),
		Socket: goneSock, HostKey: newHostKey(t)})
	// A live process (this test) with a dead socket and no metadata.
	deadSock := filepath.Join(d.dir, strconv.Itoa(os.Getpid())+".sock")
	deadSocket(t, deadSock)
	// Not ours to judge or remove.
	other := filepath.Join(d.dir, "notes.txt")
	os.WriteFile(other, []byte("x"), 0o600)

	r := run(t, d.env(), "", "list")
	r.expect(t, 0, "2 stale")
	lines := strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n")
	if len(lines) != 4 || !regexp.MustCompile(`^PID +USER +PROGRAM +UPTIME +STATE +SOCKET +NOTE$`).MatchString(lines[0]) {
		t.Fatalf("want a header and 3 entries sorted by pid:\n%s", r.stdout)
	}
	want := map[int]*regexp.Regexp{
		d.pid:       regexp.MustCompile(`^` + d.pidArg() + ` +root +manhole-demo +\d+s +live +` + regexp.QuoteMeta(d.socket) + `$`),
		os.Getpid(): regexp.MustCompile(`^` + strconv.Itoa(os.Getpid()) + ` +root +\S+ +- +stale +` + regexp.QuoteMeta(deadSock) + ` +socket refuses connections$`),
		gone:        regexp.MustCompile(`^` + strconv.Itoa(gone) + ` +root +ghost +- +stale +` + regexp.QuoteMeta(goneSock) + ` +process exited$`),
	}
	if os.Getuid() != 0 {
		for pid, re := range want {
			want[pid] = regexp.MustCompile(strings.Replace(re.String(), "root", discovery.UserName(os.Getuid()), 1))
		}
	}
	for _, line := range lines[1:] {
		pid, _ := strconv.Atoi(strings.Fields(line)[0])
		if re := want[pid]; re == nil || !re.MatchString(line) {
			t.Errorf("line %q does not match %v", line, re)
		}
		delete(want, pid)
	}
	if len(want) > 0 {
		t.Errorf("entries missing: %v\n%s", want, r.stdout)
	}

	r = run(t, d.env(), "", "list", "-clean")
	r.expect(t, 0, "removed stale manhole of pid 99999999: "+goneMeta+", "+goneSock, "removed stale manhole of pid "+strconv.Itoa(os.Getpid())+": "+deadSock)
	if strings.Count(r.stdout, "\n") != 2 || !strings.Contains(r.stdout, d.socket) {
		t.Errorf("after -clean, want only the demo:\n%s", r.stdout)
	}
	for _, p := range []string{goneSock, goneMeta, deadSock} {
		if _, err := os.Lstat(p); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("-clean left %s (%v)", p, err)
		}
	}
	for _, p := range []string{d.socket, d.metaPath(), other} {
		if _, err := os.Lstat(p); err != nil {
			t.Errorf("-clean removed %s, which is not stale: %v", p, err)
		}
	}
	if r := run(t, d.env(), "", "exec", d.pidArg(), "1+1"); r.stdout != "2\n" {
		t.Errorf("the demo no longer answers after -clean: %v", r)
	}
}

// TestListCleanKeepsWhatIsNotASocket: a metadata file may name any path
// as its socket; -clean removes only sockets, so a crafted file cannot
// make root delete something else.
func TestListCleanKeepsWhatIsNotASocket(t *testing.T) {
	dir := tempDir(t, 0o700)
	victim := filepath.Join(dir, "precious")
	os.WriteFile(victim, []byte("keep me"), 0o600)
	writeMeta(t, dir, &discovery.Metadata{PID: 99999998, Socket: victim, HostKey: newHostKey(t)})
	r := run(t, []string{"MANHOLE_DIR=" + dir}, "", "list", "-clean")
	if _, err := os.Stat(victim); err != nil {
		t.Fatalf("-clean removed a regular file named as a socket: %v", r)
	}
	if !strings.Contains(r.stdout, "not a socket") {
		t.Errorf("want the entry shown as unknown, not a socket:\n%v", r)
	}
}

func TestListEmpty(t *testing.T) {
	dir := tempDir(t, 0o700)
	r := run(t, []string{"MANHOLE_DIR=" + dir}, "", "list")
	r.expect(t, 0, "no manholes found (looked in "+dir+")")
	if r.stdout != "" {
		t.Errorf("stdout %q, want nothing", r.stdout)
	}
}
