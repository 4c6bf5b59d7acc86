package sshd

import (
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gomanhole/manhole/internal/testkit"
)

func mode(t *testing.T, path string) os.FileMode {
	t.Helper()
	st, err := os.Lstat(path)
	if err != nil {
		t.Fatal(err)
	}
	return st.Mode()
}

func TestListenUnixCreatesPrivateDirAndSocket(t *testing.T) {
	dir := filepath.Join(testkit.ShortDir(t), "a", "manhole")
	path := filepath.Join(dir, "1.sock")
	l, err := ListenUnix(path)
	if err != nil {
		t.Fatal(err)
	}
	if m := mode(t, dir).Perm(); m != 0o700 {
		t.Errorf("directory mode %v, want 0700", m)
	}
	if m := mode(t, path); m&os.ModeSocket == 0 || m.Perm() != 0o600 {
		t.Errorf("socket mode %v, want socket 0600", m)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Lstat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("socket file left after Close: %v", err)
	}
}

func TestStaleSocketIsReplaced(t *testing.T) {
	path := filepath.Join(testkit.ShortDir(t), "s.sock")
	old, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	old.SetUnlinkOnClose(false)
	old.Close() // the file stays: a crashed process's socket
	if _, err := os.Lstat(path); err != nil {
		t.Fatalf("setup: stale socket missing: %v", err)
	}
	l, err := ListenUnix(path)
	if err != nil {
		t.Fatalf("stale socket not replaced: %v", err)
	}
	defer l.Close()
	c, err := net.Dial("unix", path)
	if err != nil {
		t.Fatalf("dial the new socket: %v", err)
	}
	c.Close()
}

func TestLiveSocketIsNotStolen(t *testing.T) {
	path := filepath.Join(testkit.ShortDir(t), "s.sock")
	live, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	defer live.Close()
	_, err = ListenUnix(path)
	if !errors.Is(err, ErrSocketInUse) {
		t.Fatalf("ListenUnix on a live socket: %v, want ErrSocketInUse", err)
	}
	if !strings.Contains(err.Error(), path) {
		t.Errorf("error %q does not name the path", err)
	}
	// The live socket still answers.
	c, err := net.Dial("unix", path)
	if err != nil {
		t.Fatalf("live socket broken: %v", err)
	}
	c.Close()
}

func TestRegularFileIsNotReplaced(t *testing.T) {
	path := filepath.Join(testkit.ShortDir(t), "s.sock")
	if err := os.WriteFile(path, []byte("data"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := ListenUnix(path); err == nil || !strings.Contains(err.Error(), "not a socket") {
		t.Fatalf("ListenUnix over a regular file: %v", err)
	}
	if b, _ := os.ReadFile(path); string(b) != "data" {
		t.Error("regular file was modified")
	}
}

func TestUnsafeDirectoriesRefused(t *testing.T) {
	base := testkit.ShortDir(t)
	real := filepath.Join(base, "real")
	if err := os.Mkdir(real, 0o700); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(base, "link")
	if err := os.Symlink(real, link); err != nil {
		t.Fatal(err)
	}
	world := filepath.Join(base, "world")
	os.Mkdir(world, 0o700)
	os.Chmod(world, 0o777)
	group := filepath.Join(base, "group")
	os.Mkdir(group, 0o700)
	os.Chmod(group, 0o770)
	sticky := filepath.Join(base, "sticky")
	os.Mkdir(sticky, 0o700)
	os.Chmod(sticky, 0o777|os.ModeSticky)

	for _, tc := range []struct {
		name, dir, wantErr string
	}{
		{"symlink", link, "symlink"},
		{"world writable", world, "writable by group or others"},
		{"group writable", group, "writable by group or others"},
		{"sticky world writable is fine", sticky, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l, err := ListenUnix(filepath.Join(tc.dir, "x.sock"))
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				l.Close()
				return
			}
			if err == nil {
				l.Close()
				t.Fatalf("want an error containing %q", tc.wantErr)
			}
			if !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("error %q, want it to contain %q", err, tc.wantErr)
			}
		})
	}

	t.Run("owned by another user", func(t *testing.T) {
		if os.Getuid() != 0 {
			t.Skip("needs root to chown")
		}
		other := filepath.Join(base, "other")
		os.Mkdir(other, 0o700)
		if err := os.Chown(other, 65534, 65534); err != nil {
			t.Fatal(err)
		}
		_, err := ListenUnix(filepath.Join(other, "x.sock"))
		if err == nil || !strings.Contains(err.Error(), "not owned by") {
			t.Fatalf("got %v, want a not-owned error", err)
		}
	})
}

func TestCloseLeavesAnotherProcessSocket(t *testing.T) {
	path := filepath.Join(testkit.ShortDir(t), "s.sock")
	l, err := ListenUnix(path)
	if err != nil {
		t.Fatal(err)
	}
	// Someone removes our socket and puts theirs at the same path.
	os.Remove(path)
	theirs, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	defer theirs.Close()
	l.Close()
	if _, err := os.Lstat(path); err != nil {
		t.Fatalf("Close removed a socket it does not own: %v", err)
	}
}
