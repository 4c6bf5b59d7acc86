package auth

import (
	"net"
	"os"
	"path/filepath"
	"testing"
)

func TestPeerCredsUnixSocket(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.sock")
	ln, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()

	client, err := net.Dial("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	server, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer server.Close()

	for name, c := range map[string]net.Conn{"server side": server, "client side": client} {
		creds, err := PeerCreds(c)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if creds.UID != os.Getuid() || creds.GID != os.Getgid() {
			t.Errorf("%s: got %v, want uid=%d gid=%d", name, creds, os.Getuid(), os.Getgid())
		}
		if creds.PID != os.Getpid() {
			t.Errorf("%s: pid %d, want %d", name, creds.PID, os.Getpid())
		}
	}
}

func TestPeerCredsTCPUnsupported(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := PeerCreds(c); err == nil {
		t.Fatal("PeerCreds on TCP: want an error")
	}
}

func TestUIDPolicy(t *testing.T) {
	def := NewUIDPolicy(nil)
	for _, tc := range []struct {
		name   string
		policy *UIDPolicy
		uid    int
		want   bool
	}{
		{"default admits own uid", def, os.Getuid(), true},
		{"default admits root", def, 0, true},
		{"default refuses nobody", def, 65534, os.Getuid() == 65534},
		{"explicit list admits listed", NewUIDPolicy([]int{1234}), 1234, true},
		{"explicit list refuses root", NewUIDPolicy([]int{1234}), 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.policy.Allow(&Creds{UID: tc.uid}); got != tc.want {
				t.Errorf("Allow(uid %d) = %v, want %v", tc.uid, got, tc.want)
			}
		})
	}
	if def.Allow(nil) {
		t.Error("Allow(nil) = true")
	}
}
