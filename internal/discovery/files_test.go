package discovery

import (
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"

	"github.com/gomanhole/manhole/internal/testkit"
)

// needRoot skips a test that makes files of other uids.
func needRoot(t *testing.T) {
	t.Helper()
	if os.Getuid() != 0 {
		t.Skip("needs root to chown files to another uid")
	}
}

func TestDirFor(t *testing.T) {
	xdg := testkit.ShortDir(t)
	if got, want := DirFor(os.Getuid(), xdg), filepath.Join(xdg, "manhole"); got != want {
		t.Errorf("usable XDG_RUNTIME_DIR: %s, want %s", got, want)
	}
	if got, want := DirFor(4321, ""), "/tmp/manhole-4321"; got != want {
		t.Errorf("no XDG_RUNTIME_DIR: %s, want %s", got, want)
	}
	if got, want := DirFor(4321, "/nonexistent"), "/tmp/manhole-4321"; got != want {
		t.Errorf("missing XDG_RUNTIME_DIR: %s, want %s", got, want)
	}
	if got, want := DirFor(4321, "relative/dir"), "/tmp/manhole-4321"; got != want {
		t.Errorf("relative XDG_RUNTIME_DIR: %s, want %s", got, want)
	}
	file := filepath.Join(xdg, "file")
	os.WriteFile(file, nil, 0o600)
	if got, want := DirFor(os.Getuid(), file), "/tmp/manhole-"+strconv.Itoa(os.Getuid()); got != want {
		t.Errorf("XDG_RUNTIME_DIR a file: %s, want %s", got, want)
	}
}

// An XDG_RUNTIME_DIR counts only for the uid that owns it.
func TestDirForOtherOwner(t *testing.T) {
	needRoot(t)
	xdg := testkit.ShortDir(t)
	if err := os.Chown(xdg, 4321, 4321); err != nil {
		t.Fatal(err)
	}
	if got, want := DirFor(4321, xdg), filepath.Join(xdg, "manhole"); got != want {
		t.Errorf("its owner's: %s, want %s", got, want)
	}
	if got, want := DirFor(0, xdg), "/tmp/manhole-0"; got != want {
		t.Errorf("another uid's: %s, want %s", got, want)
	}
}

func TestDefaultPaths(t *testing.T) {
	xdg := testkit.ShortDir(t)
	t.Setenv("XDG_RUNTIME_DIR", xdg)
	if got, want := DefaultDir(), filepath.Join(xdg, "manhole"); got != want {
		t.Errorf("DefaultDir() = %s, want %s", got, want)
	}
	if got, want := DefaultSocketPath(42), filepath.Join(xdg, "manhole", "42.sock"); got != want {
		t.Errorf("DefaultSocketPath(42) = %s, want %s", got, want)
	}
	if got, want := MetadataBeside("/run/app/x.sock", 42), "/run/app/42.json"; got != want {
		t.Errorf("MetadataBeside = %s, want %s", got, want)
	}
	if got, want := MetadataIn("/run/app", 7), "/run/app/7.json"; got != want {
		t.Errorf("MetadataIn = %s, want %s", got, want)
	}
	if got, want := SocketIn("/run/app", 7), "/run/app/7.sock"; got != want {
		t.Errorf("SocketIn = %s, want %s", got, want)
	}
}

func TestPIDOf(t *testing.T) {
	for _, c := range []struct {
		name, ext string
		pid       int
		ok        bool
	}{
		{"42.json", MetadataExt, 42, true},
		{"42.sock", SocketExt, 42, true},
		{"42.sock", MetadataExt, 0, false},
		{"042.json", MetadataExt, 0, false},
		{"+42.json", MetadataExt, 0, false},
		{"-1.json", MetadataExt, 0, false},
		{"0.json", MetadataExt, 0, false},
		{".json", MetadataExt, 0, false},
		{"app.sock", SocketExt, 0, false},
		{".42.json.tmp123", MetadataExt, 0, false},
	} {
		pid, ok := PIDOf(c.name, c.ext)
		if pid != c.pid && c.ok || ok != c.ok {
			t.Errorf("PIDOf(%q, %q) = %d, %v; want %d, %v", c.name, c.ext, pid, ok, c.pid, c.ok)
		}
	}
}

func TestReadDir(t *testing.T) {
	dir := testkit.ShortDir(t)
	for _, n := range []string{"10.json", "1.json", "2.sock", "notes.txt", "3.sock.old", ".4.json.tmp99", "app.sock"} {
		if err := os.WriteFile(filepath.Join(dir, n), nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	meta, socks, err := ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if want := []Entry{{"1.json", 1}, {"10.json", 10}}; !slices.Equal(meta, want) {
		t.Errorf("metadata %v, want %v", meta, want)
	}
	if want := []Entry{{"2.sock", 2}}; !slices.Equal(socks, want) {
		t.Errorf("sockets %v, want %v", socks, want)
	}
	if _, _, err := ReadDir(filepath.Join(dir, "missing")); !os.IsNotExist(err) {
		t.Errorf("missing directory: %v", err)
	}
}

func TestDirs(t *testing.T) {
	xdg := testkit.ShortDir(t)
	t.Setenv("XDG_RUNTIME_DIR", xdg)
	uid := os.Getuid()
	ours := Dirs(uid)
	if len(ours) < 2 || ours[0] != filepath.Join(xdg, "manhole") || ours[len(ours)-1] != "/tmp/manhole-"+strconv.Itoa(uid) {
		t.Errorf("Dirs(our uid) = %q: want %s first and /tmp/manhole-%d last", ours, filepath.Join(xdg, "manhole"), uid)
	}
	if !slices.Equal(ours, Dedup(slices.Clone(ours))) {
		t.Errorf("Dirs(our uid) = %q has duplicates", ours)
	}
	// Our XDG_RUNTIME_DIR says nothing about another user.
	theirs := Dirs(4321)
	if slices.Contains(theirs, filepath.Join(xdg, "manhole")) || theirs[len(theirs)-1] != "/tmp/manhole-4321" {
		t.Errorf("Dirs(4321) = %q", theirs)
	}
}

func TestDirUID(t *testing.T) {
	for _, c := range []struct {
		dir string
		uid int
		ok  bool
	}{
		{"/tmp/manhole-1000", 1000, true},
		{"/tmp/manhole-0", 0, true},
		{"/run/user/1000/manhole", 1000, true},
		{"/tmp/manhole-x", 0, false},
		{"/tmp/manhole--1", 0, false},
		{"/run/user/me/manhole", 0, false},
		{"/var/manhole-1000", 0, false},
	} {
		uid, ok := dirUID(c.dir)
		if ok != c.ok || ok && uid != c.uid {
			t.Errorf("dirUID(%q) = %d, %v; want %d, %v", c.dir, uid, ok, c.uid, c.ok)
		}
	}
}

func TestDedup(t *testing.T) {
	got := Dedup([]string{"/a/", "/b", "/a", "/b/../a", "/c"})
	if want := []string{"/a", "/b", "/c"}; !slices.Equal(got, want) {
		t.Errorf("Dedup = %q, want %q", got, want)
	}
}
