package auth

import (
	"bytes"
	"errors"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
)

func newKey(t testing.TB) ssh.PublicKey {
	t.Helper()
	return newSigner(t).PublicKey()
}

func line(k ssh.PublicKey, opts string) string {
	s := strings.TrimSpace(string(ssh.MarshalAuthorizedKey(k))) + " test@host"
	if opts != "" {
		s = opts + " " + s
	}
	return s + "\n"
}

var (
	tcpAddr = func(ip string) net.Addr { return &net.TCPAddr{IP: net.ParseIP(ip), Port: 2222} }
	unixAdr = &net.UnixAddr{Name: "@", Net: "unix"}
)

func TestAuthorizedKeysOptions(t *testing.T) {
	now := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name    string
		opts    string
		addr    net.Addr
		wantErr error
		check   func(*Rights) bool
	}{
		{"plain key", "", tcpAddr("127.0.0.1"), nil, func(r *Rights) bool { return !r.NoPTY && r.Command == "" && !r.InspectOnly }},
		{"command", `command="stats.Ticks"`, unixAdr, nil, func(r *Rights) bool { return r.Command == "stats.Ticks" }},
		{"no-pty", `no-pty`, unixAdr, nil, func(r *Rights) bool { return r.NoPTY }},
		{"restrict", `restrict`, unixAdr, nil, func(r *Rights) bool { return r.NoPTY }},
		{"inspect-only", `inspect-only`, unixAdr, nil, func(r *Rights) bool { return r.InspectOnly }},
		{"several", `no-pty,inspect-only,command=":mem"`, unixAdr, nil, func(r *Rights) bool { return r.NoPTY && r.InspectOnly && r.Command == ":mem" }},
		{"from matches", `from="127.0.0.*"`, tcpAddr("127.0.0.1"), nil, nil},
		{"from CIDR", `from="10.0.0.0/8"`, tcpAddr("10.1.2.3"), nil, nil},
		{"from refuses", `from="10.0.0.0/8"`, tcpAddr("127.0.0.1"), ErrKeyFrom, nil},
		{"from negated", `from="!127.0.0.1,*"`, tcpAddr("127.0.0.1"), ErrKeyFrom, nil},
		{"from localhost on unix", `from="localhost"`, unixAdr, nil, nil},
		{"not expired", `expiry-time="20270101Z"`, unixAdr, nil, nil},
		{"expired", `expiry-time="202611211159Z"`, unixAdr, ErrKeyExpired, nil},
		{"expired to the second", `expiry-time="20261121120000Z"`, unixAdr, ErrKeyExpired, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k := newKey(t)
			p, _ := NewKeyPolicy(PolicyConfig{AuthorizedKeys: line(k, tc.opts)})
			r, err := p.Lookup(k, tc.addr, now)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("Lookup: %v, want %v", err, tc.wantErr)
			}
			if err == nil && tc.check != nil && !tc.check(r) {
				t.Errorf("rights %+v", r)
			}
			if err == nil && r.Fingerprint != ssh.FingerprintSHA256(k) {
				t.Errorf("fingerprint %q", r.Fingerprint)
			}
		})
	}
}

func TestBadLinesSkippedAndLogged(t *testing.T) {
	good := newKey(t)
	text := "# comment\n\nnot a key at all\n" +
		line(newKey(t), `bogus-option`) +
		line(newKey(t), `command=unquoted`) +
		line(newKey(t), `expiry-time="tomorrow"`) +
		line(good, "")
	var logs bytes.Buffer
	p, err := NewKeyPolicy(PolicyConfig{AuthorizedKeys: text, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Lookup(good, unixAdr, time.Now()); err != nil {
		t.Fatalf("the good key after bad lines: %v", err)
	}
	for _, want := range []string{"line=3", "line=4", "line=5", "line=6"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("log lacks %s:\n%s", want, logs.String())
		}
	}
	if strings.Contains(logs.String(), "line=7") {
		t.Errorf("good line logged as bad:\n%s", logs.String())
	}
}

func TestAuthorizedKeysFileHotReload(t *testing.T) {
	a, b := newKey(t), newKey(t)
	file := filepath.Join(t.TempDir(), "authorized_keys")
	if err := os.WriteFile(file, []byte(line(a, "")), 0o600); err != nil {
		t.Fatal(err)
	}
	p, _ := NewKeyPolicy(PolicyConfig{AuthorizedKeysFile: file})
	if _, err := p.Lookup(a, unixAdr, time.Now()); err != nil {
		t.Fatalf("a: %v", err)
	}
	if _, err := p.Lookup(b, unixAdr, time.Now()); !errors.Is(err, ErrKeyUnknown) {
		t.Fatalf("b before reload: %v", err)
	}
	// Replace the file as editors do: write a new one and rename it.
	tmp := file + ".new"
	os.WriteFile(tmp, []byte(line(b, "inspect-only")), 0o600)
	if err := os.Rename(tmp, file); err != nil {
		t.Fatal(err)
	}
	r, err := p.Lookup(b, unixAdr, time.Now())
	if err != nil || !r.InspectOnly {
		t.Fatalf("b after reload: %+v %v", r, err)
	}
	if _, err := p.Lookup(a, unixAdr, time.Now()); !errors.Is(err, ErrKeyUnknown) {
		t.Fatalf("a after it was removed: %v", err)
	}
	// A removed file means no keys from it, and coming back works.
	os.Remove(file)
	if _, err := p.Lookup(b, unixAdr, time.Now()); !errors.Is(err, ErrKeyUnknown) {
		t.Fatalf("b after the file was removed: %v", err)
	}
	os.WriteFile(file, []byte(line(a, "")), 0o600)
	if _, err := p.Lookup(a, unixAdr, time.Now()); err != nil {
		t.Fatalf("a after the file came back: %v", err)
	}
}

func FuzzParseAuthorizedKeys(f *testing.F) {
	k := newKey(f)
	for _, opts := range []string{"", `command="x"`, `from="1.2.3.0/24,!1.2.3.4"`, `expiry-time="20260101"`, "no-pty,restrict,inspect-only"} {
		f.Add([]byte(line(k, opts)))
	}
	f.Add([]byte("garbage\n\x00\xff ssh-ed25519 AAAA\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		keys, _ := ParseAuthorizedKeys(data)
		for _, lines := range keys {
			for _, r := range lines {
				r.AllowsFrom(tcpAddr("127.0.0.1"))
				r.AllowsFrom(unixAdr)
				r.Expired(time.Now())
			}
		}
	})
}

// sshd takes the first line of a key that lets the client in: a later
// line must not widen an earlier one's rights.
func TestFirstMatchingLineWins(t *testing.T) {
	k := newKey(t)
	p, _ := NewKeyPolicy(PolicyConfig{AuthorizedKeys: line(k, "inspect-only") + line(k, "")})
	r, err := p.Lookup(k, unixAdr, time.Now())
	if err != nil || !r.InspectOnly {
		t.Fatalf("key listed inspect-only, then plain: %+v %v", r, err)
	}
	// A first line whose from= refuses the client leaves the next one.
	p, _ = NewKeyPolicy(PolicyConfig{AuthorizedKeys: line(k, `from="10.0.0.1",command="x"`) + line(k, "no-pty")})
	if r, err := p.Lookup(k, tcpAddr("127.0.0.1"), time.Now()); err != nil || !r.NoPTY || r.Command != "" {
		t.Fatalf("second line for another address: %+v %v", r, err)
	}
	if r, err := p.Lookup(k, tcpAddr("10.0.0.1"), time.Now()); err != nil || r.Command != "x" {
		t.Fatalf("first line for its address: %+v %v", r, err)
	}
}

// As sshd's StrictModes: an authorized_keys file, or a directory on its
// path, that others may write is refused, at start and when it becomes so.
func TestAuthorizedKeysStrictModes(t *testing.T) {
	k := newKey(t)
	dir := t.TempDir()
	file := filepath.Join(dir, "authorized_keys")
	os.WriteFile(file, []byte(line(k, "")), 0o666)
	os.Chmod(file, 0o666)
	if _, err := NewKeyPolicy(PolicyConfig{AuthorizedKeysFile: file}); err == nil || !strings.Contains(err.Error(), "writable by others") {
		t.Fatalf("a 0666 file: %v", err)
	}
	os.Chmod(file, 0o600)
	os.Chmod(dir, 0o777)
	if _, err := NewKeyPolicy(PolicyConfig{AuthorizedKeysFile: file}); err == nil || !strings.Contains(err.Error(), dir+" is writable by others") {
		t.Fatalf("a 0777 directory: %v", err)
	}
	os.Chmod(dir, 0o700)
	var logs bytes.Buffer
	p, err := NewKeyPolicy(PolicyConfig{AuthorizedKeysFile: file, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Lookup(k, unixAdr, time.Now()); err != nil {
		t.Fatal(err)
	}
	// It becomes writable by others while running: no keys from it.
	os.Chmod(file, 0o646)
	if _, err := p.Lookup(k, unixAdr, time.Now()); !errors.Is(err, ErrKeyUnknown) {
		t.Fatalf("a file made writable by others still lets keys in: %v", err)
	}
	if !strings.Contains(logs.String(), "authorized_keys refused") {
		t.Errorf("not logged:\n%s", logs.String())
	}
}
