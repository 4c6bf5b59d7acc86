package discovery

import (
	"bufio"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gomanhole/manhole/internal/testkit"
)

func TestParseNetUnix(t *testing.T) {
	const table = `Num       RefCount Protocol Flags    Type St Inode Path
0000000000000000: 00000002 00000000 00010000 0001 01 41 /run/a.sock
0000000000000000: 00000002 00000000 00010000 0001 01 42 /tmp/with space/b.sock
0000000000000000: 00000003 00000000 00000000 0001 03 43 /run/connected.sock
0000000000000000: 00000002 00000000 00010000 0001 01 44 @abstract
0000000000000000: 00000002 00000000 00000000 0002 01 45 /run/dgram.sock
0000000000000000: 00000002 00000000 00010000 0001 01 10000
`
	got := parseNetUnix(bufio.NewScanner(strings.NewReader(table)), nil)
	want := []string{"/run/a.sock", "/tmp/with space/b.sock"}
	if !slices.Equal(got, want) {
		t.Errorf("all listening: got %q, want %q", got, want)
	}
	got = parseNetUnix(bufio.NewScanner(strings.NewReader(table)), map[string]bool{"42": true})
	if !slices.Equal(got, want[1:]) {
		t.Errorf("inode 42: got %q, want %q", got, want[1:])
	}
}

// TestListeningSocketsOfPID is the /proc lookup that finds a manhole with
// an explicit socket path: it must see our own listener, and only it.
func TestListeningSocketsOfPID(t *testing.T) {
	path := filepath.Join(testkit.ShortDir(t), "x.sock")
	l, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if got := ListeningSockets(os.Getpid()); !slices.Equal(got, []string{path}) {
		t.Errorf("ListeningSockets(self) = %q, want [%q]", got, path)
	}
	if got := ListeningSockets(0); !slices.Contains(got, path) {
		t.Errorf("ListeningSockets(0) lacks %q", path)
	}
}
