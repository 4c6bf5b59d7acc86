//go:build unix

package discovery

import (
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/gomanhole/manhole/internal/testkit"
)

// reason is the UntrustedError's reason for err, "" for nil; any other
// error fails the test.
func reason(t *testing.T, err error) string {
	t.Helper()
	var u *UntrustedError
	switch {
	case err == nil:
		return ""
	case errors.As(err, &u):
		return u.Reason
	}
	t.Fatalf("not an UntrustedError: %v", err)
	return ""
}

func TestCheckDir(t *testing.T) {
	base := testkit.ShortDir(t)
	mk := func(name string, mode os.FileMode) string {
		p := filepath.Join(base, name)
		if err := os.Mkdir(p, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(p, mode); err != nil {
			t.Fatal(err)
		}
		return p
	}
	private := mk("private", 0o700)
	link := filepath.Join(base, "link")
	os.Symlink(private, link)
	file := filepath.Join(base, "file")
	os.WriteFile(file, nil, 0o600)
	uid := os.Getuid()
	for _, c := range []struct {
		name, dir  string
		follow     bool
		wantReason string
	}{
		{"private", private, false, ""},
		{"missing", filepath.Join(base, "missing"), false, ""},
		{"symlink", link, false, "it is a symlink"},
		{"symlink the user named", link, true, ""},
		{"a file", file, false, "it is not a directory"},
		{"group-writable", mk("group", 0o770), false, "others may write to it (mode 0770)"},
		{"world-writable", mk("world", 0o777), false, "others may write to it (mode 0777)"},
		{"sticky", mk("sticky", 0o777|fs.ModeSticky), false, ""},
	} {
		if got := reason(t, CheckDir(c.dir, uid, c.follow)); got != c.wantReason {
			t.Errorf("%s: %q, want %q", c.name, got, c.wantReason)
		}
	}
}

// A directory of another uid holds only that uid's manholes; root's may
// hold anyone's.
func TestCheckDirOwner(t *testing.T) {
	needRoot(t)
	dir := testkit.ShortDir(t)
	if err := CheckDir(dir, 4321, false); err != nil {
		t.Errorf("root's directory for uid 4321: %v", err)
	}
	os.Chown(dir, 65534, 65534)
	if got, want := reason(t, CheckDir(dir, 4321, false)), "it belongs to user nobody (uid 65534), not to user 4321 (uid 4321)"; got != want {
		t.Errorf("nobody's directory for uid 4321: %q, want %q", got, want)
	}
	if err := CheckDir(dir, 65534, false); err != nil {
		t.Errorf("nobody's directory for nobody: %v", err)
	}
}

func TestPrepareDir(t *testing.T) {
	base := testkit.ShortDir(t)
	dir := filepath.Join(base, "a", "manhole")
	if err := PrepareDir(dir); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Lstat(dir); err != nil || !st.IsDir() || st.Mode().Perm() != 0o700 {
		t.Fatalf("created %v, %v; want a directory with mode 0700", st, err)
	}
	if err := PrepareDir(dir); err != nil {
		t.Errorf("again: %v", err)
	}
	link := filepath.Join(base, "link")
	os.Symlink(dir, link)
	if err := PrepareDir(link); err == nil || !strings.Contains(err.Error(), "is a symlink") {
		t.Errorf("symlink: %v", err)
	}
	os.Chmod(dir, 0o777)
	if err := PrepareDir(dir); err == nil || !strings.Contains(err.Error(), "chmod 0700") {
		t.Errorf("world-writable: %v", err)
	}
}

// deadPID is the pid of a process that has exited and been reaped.
func deadPID(t *testing.T) int {
	t.Helper()
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	return cmd.Process.Pid
}

func TestReadTrusted(t *testing.T) {
	dir := testkit.ShortDir(t)
	write := func(name string, m *Metadata, mode os.FileMode) string {
		p := filepath.Join(dir, name)
		if err := WriteMetadata(p, m); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(p, mode); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := write("1.json", &Metadata{PID: os.Getpid(), HostKey: "k"}, 0o600)
	if m, err := ReadTrusted(good); err != nil || m.PID != os.Getpid() || m.HostKey != "k" {
		t.Errorf("our own file: %+v, %v", m, err)
	}
	if _, err := ReadTrusted(write("2.json", &Metadata{PID: os.Getpid()}, 0o644)); err != nil {
		t.Errorf("a file others may read: %v", err)
	}
	// Stale is not untrusted: the caller says what it is.
	if m, err := ReadTrusted(write("3.json", &Metadata{PID: deadPID(t)}, 0o600)); err != nil || m == nil {
		t.Errorf("a dead process's file: %+v, %v", m, err)
	}

	link := filepath.Join(dir, "4.json")
	os.Symlink(good, link)
	fifo := filepath.Join(dir, "5.json")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	sub := filepath.Join(dir, "6.json")
	os.Mkdir(sub, 0o700)
	for _, c := range []struct {
		name, path, want string
	}{
		{"symlink", link, "it is not a regular file"},
		// Opened without O_NONBLOCK, a FIFO would hang the reader.
		{"FIFO", fifo, "it is not a regular file"},
		{"directory", sub, "it is not a regular file"},
		{"group-writable", write("7.json", &Metadata{PID: os.Getpid()}, 0o660), "others may write to it (mode 0660)"},
		{"world-writable", write("8.json", &Metadata{PID: os.Getpid()}, 0o646), "others may write to it (mode 0646)"},
	} {
		m, err := ReadTrusted(c.path)
		if got := reason(t, err); got != c.want || m != nil {
			t.Errorf("%s: %+v, %q; want %q", c.name, m, got, c.want)
		}
	}

	junk := filepath.Join(dir, "9.json")
	os.WriteFile(junk, []byte("{"), 0o600)
	var u *UntrustedError
	if _, err := ReadTrusted(junk); err == nil || errors.As(err, &u) {
		t.Errorf("junk: %v, want a parse error", err)
	}
	big := filepath.Join(dir, "10.json")
	os.WriteFile(big, []byte(`{"pid": 1, "args": ["`+strings.Repeat("x", maxMetadata)+`"]}`), 0o600)
	if _, err := ReadTrusted(big); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("2 MiB: %v", err)
	}
	if _, err := ReadTrusted(filepath.Join(dir, "11.json")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing: %v", err)
	}
}

// A file, or a socket it names, that belongs to someone but the uid its
// pid runs as (or root) is not believed: the planting of another local
// user.
func TestReadTrustedOwners(t *testing.T) {
	needRoot(t)
	const nobody = 65534
	dir := testkit.ShortDir(t)
	write := func(name string, m *Metadata, owner int) string {
		p := filepath.Join(dir, name)
		if err := WriteMetadata(p, m); err != nil {
			t.Fatal(err)
		}
		if err := os.Chown(p, owner, owner); err != nil {
			t.Fatal(err)
		}
		return p
	}
	theirSocket := filepath.Join(dir, "their.sock")
	os.WriteFile(theirSocket, nil, 0o600)
	os.Chown(theirSocket, nobody, nobody)
	dead := deadPID(t)
	for _, c := range []struct {
		name, path, want string
	}{
		{"nobody's file for our pid", write("1.json", &Metadata{PID: os.Getpid()}, nobody),
			"it belongs to user nobody (uid 65534), but pid " + strconv.Itoa(os.Getpid()) + " runs as user root (uid 0)"},
		{"our file naming nobody's socket", write("2.json", &Metadata{PID: os.Getpid(), Socket: theirSocket}, 0),
			"the socket it names (" + theirSocket + ") belongs to user nobody (uid 65534), but pid " + strconv.Itoa(os.Getpid()) + " runs as user root (uid 0)"},
		{"stale, nobody's file in root's directory", write("3.json", &Metadata{PID: dead}, nobody),
			"it belongs to user nobody (uid 65534), its directory to user root (uid 0)"},
		{"stale, root's file", write("4.json", &Metadata{PID: dead}, 0), ""},
	} {
		_, err := ReadTrusted(c.path)
		if got := reason(t, err); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
	// Root may own the file of anyone's process: pid 1 runs as root
	// here, so take a process of nobody's.
	cmd := exec.Command("sleep", "60")
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: nobody, Gid: nobody}}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	if _, err := ReadTrusted(write("5.json", &Metadata{PID: cmd.Process.Pid}, 0)); err != nil {
		t.Errorf("root's file for nobody's process: %v", err)
	}
	if _, err := ReadTrusted(write("6.json", &Metadata{PID: cmd.Process.Pid, Socket: theirSocket}, nobody)); err != nil {
		t.Errorf("nobody's file and socket for nobody's process: %v", err)
	}
}

func TestLookupProcess(t *testing.T) {
	self := LookupProcess(os.Getpid())
	if !self.Exists || self.PID != os.Getpid() {
		t.Fatalf("LookupProcess(self) = %+v", self)
	}
	if self.UID != os.Getuid() {
		t.Errorf("our uid: %d, want %d", self.UID, os.Getuid())
	}
	if self.Name == "" {
		t.Errorf("our name is unknown")
	}
	if !self.Reachable() {
		t.Error("we cannot reach ourselves")
	}
	for _, pid := range []int{0, -1, math.MaxInt32 + 1, deadPID(t)} {
		if p := LookupProcess(pid); p.Exists {
			t.Errorf("LookupProcess(%d) = %+v: exists", pid, p)
		}
	}
}

// A zombie answers kill(pid, 0), but it will never listen.
func TestLookupProcessZombie(t *testing.T) {
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		t.Skip("no /proc")
	}
	cmd := exec.Command("true")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Wait()
	pid := cmd.Process.Pid
	testkit.Eventually(t, "the child to be a zombie", func() bool {
		b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
		return err == nil && strings.Contains(string(b), ") Z ")
	})
	if p := LookupProcess(pid); p.Exists {
		t.Errorf("zombie %d: %+v", pid, p)
	}
}

// Another user's process exists, with its uid, though we may not signal
// it.
func TestLookupProcessOfAnotherUser(t *testing.T) {
	needRoot(t)
	asNobody := func(cmd *exec.Cmd) *exec.Cmd {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
		return cmd
	}
	cmd := asNobody(exec.Command("sleep", "60"))
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	if p := LookupProcess(cmd.Process.Pid); !p.Exists || p.UID != 65534 {
		t.Errorf("nobody's process as seen by root: %+v", p)
	}
	// Nobody may not signal pid 1 (EPERM): it exists all the same. The
	// test binary's own directory is root's alone: run a copy.
	self, err := os.ReadFile(os.Args[0])
	if err != nil {
		t.Fatal(err)
	}
	dir := testkit.ShortDir(t)
	os.Chmod(dir, 0o755)
	bin := filepath.Join(dir, "discovery.test")
	if err := os.WriteFile(bin, self, 0o755); err != nil {
		t.Fatal(err)
	}
	out, err := asNobody(exec.Command(bin, "-test.run=^TestHelperLookup$", "--", "1")).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "exists uid 0") {
		t.Errorf("pid 1 as seen by nobody: %v\n%s", err, out)
	}
}

// TestHelperLookup prints what LookupProcess says about the pid after
// "--", for TestLookupProcessOfAnotherUser to run as another uid.
func TestHelperLookup(t *testing.T) {
	args := os.Args
	i := slices.Index(args, "--")
	if i < 0 || i+1 >= len(args) {
		t.Skip("a helper for TestLookupProcessOfAnotherUser")
	}
	pid, _ := strconv.Atoi(args[i+1])
	p := LookupProcess(pid)
	if p.Exists {
		fmt.Printf("exists uid %d\n", p.UID)
	}
}
