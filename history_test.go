//go:build unix

package manhole_test

import (
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	gossh "golang.org/x/crypto/ssh"

	"github.com/gomanhole/manhole"
	"github.com/gomanhole/manhole/session"
)

// TestHistoryFollowsTheIdentity: a block typed in one session comes back
// whole with Up in the next session of the same key, and after a restart
// from the history file; another key never sees it, and no file holds
// two keys' lines.
func TestHistoryFollowsTheIdentity(t *testing.T) {
	a, b := newSigner(t), newSigner(t)
	stem := filepath.Join(t.TempDir(), "history")
	opts := func() manhole.Options {
		return manhole.Options{
			AuthorizedKeys: akLine(a, "") + akLine(b, ""),
			RequireKey:     true,
			HistoryFile:    stem,
		}
	}
	sock := socketPath(t)
	o := opts()
	o.SocketPath = sock
	mh := start(t, o)
	shellAs := func(mh *manhole.Manhole, s gossh.Signer) *shell {
		client, err := dialAuth(t, mh, "unix", mh.SocketPath(), gossh.PublicKeys(s))
		if err != nil {
			t.Fatal(err)
		}
		return openShell(t, client)
	}

	sh := shellAs(mh, a)
	sh.send(t, "for i := 0; i < 2; i++ {\r")
	sh.expect(t, `\.\.\. +$`)
	sh.send(t, "fmt.Println(\"loop\", i)\r}\r")
	sh.expect(t, "loop 1\n>>> $")
	sh.sess.Close()

	// The same key, a new session: Up brings back the whole block.
	sh = shellAs(mh, a)
	sh.send(t, "\x1b[A\r")
	sh.expect(t, "loop 0\nloop 1\n>>> $")
	sh.sess.Close()

	// Another key has a history of its own.
	sh = shellAs(mh, b)
	sh.send(t, "\x1b[A\r")
	sh.expect(t, ">>> $")
	sh.send(t, "fmt.Println(\"bee\")\r")
	sh.expect(t, "bee\n>>> $")
	if strings.Contains(sh.out.String(), "loop") {
		t.Fatalf("key b saw key a's history: %q", sh.out.String())
	}
	sh.sess.Close()

	// Restart: the file brings it back.
	mh.Close()
	mh = start(t, o)
	sh = shellAs(mh, a)
	sh.send(t, "\x1b[A\r")
	sh.expect(t, "loop 0\nloop 1\n>>> $")
	sh.sess.Close()

	fa := session.HistoryPath(stem, gossh.FingerprintSHA256(a.PublicKey()))
	fb := session.HistoryPath(stem, gossh.FingerprintSHA256(b.PublicKey()))
	for _, f := range []string{fa, fb} {
		fi, err := os.Lstat(f)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v, want 0600", f, fi.Mode().Perm())
		}
	}
	da, _ := os.ReadFile(fa)
	db, _ := os.ReadFile(fb)
	if strings.Contains(string(da), "bee") || strings.Contains(string(db), "loop") || !strings.Contains(string(da), "loop") {
		t.Fatalf("history files mixed up:\na: %s\nb: %s", da, db)
	}
}

// TestHistoryFileNotOursIsRefused: a history file another user planted
// (or made into a symlink) is neither read nor written.
func TestHistoryFileNotOursIsRefused(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to give a file to another user")
	}
	dir := t.TempDir()
	stem := filepath.Join(dir, "history")
	peer := "peer uid 0"
	planted := session.HistoryPath(stem, peer)
	if err := os.WriteFile(planted, []byte(`"fmt.Println(\"planted\")"`+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(planted, 65534, 65534); err != nil {
		t.Fatal(err)
	}
	logs := &lockedBuffer{}
	mh := start(t, manhole.Options{HistoryFile: stem, Logger: slog.New(slog.NewTextHandler(logs, nil))})
	sh := openShell(t, dial(t, mh))
	sh.send(t, "\x1b[A\r")
	sh.expect(t, ">>> $")
	sh.send(t, "1 + 1\r")
	sh.expect(t, "2\n>>> $")
	if strings.Contains(sh.out.String(), "planted") {
		t.Fatal("a file owned by another user was read")
	}
	waitForLog(t, logs, "history file not used")
	if b, _ := os.ReadFile(planted); strings.Contains(string(b), "1 + 1") {
		t.Fatal("a file owned by another user was written")
	}
	sh.sess.Close()
	mh.Close()

	// A symlink to a file of ours is not followed either.
	target := filepath.Join(dir, "elsewhere")
	os.WriteFile(target, nil, 0o600)
	os.Remove(planted)
	if err := os.Symlink(target, planted); err != nil {
		t.Fatal(err)
	}
	mh = start(t, manhole.Options{HistoryFile: stem})
	sh = openShell(t, dial(t, mh))
	sh.send(t, "2 + 2\r")
	sh.expect(t, "4\n>>> $")
	sh.sess.Close()
	if b, _ := os.ReadFile(target); len(b) != 0 {
		t.Fatalf("the history went through a symlink: %q", b)
	}
}
