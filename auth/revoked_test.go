//go:build unix

package auth

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/gomanhole/manhole/internal/testkit"
)

func needKeygen(t *testing.T) {
	t.Helper()
	testkit.Need(t, "ssh-keygen", testkit.InstallSSH)
}

func keygen(t *testing.T, args ...string) string {
	t.Helper()
	out, err := exec.Command("ssh-keygen", args...).CombinedOutput()
	if err != nil {
		t.Fatalf("ssh-keygen %q: %v\n%s", args, err, out)
	}
	return string(out)
}

// loadSigner reads a private key ssh-keygen wrote.
func loadSigner(t *testing.T, file string) ssh.Signer {
	t.Helper()
	pem, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	s, err := ssh.ParsePrivateKey(pem)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func writeFile(t *testing.T, file, text string) {
	t.Helper()
	if err := os.WriteFile(file, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestKRLAgreesWithSSHKeygen revokes by serial (lists, ranges, bitmaps:
// ssh-keygen picks the encoding that is smallest), by key id, by key, by
// SHA-256 hash and by CA, in KRLs made by ssh-keygen -k, and checks that
// each of 153 certificates is refused exactly when ssh-keygen -Q says it
// is revoked.
func TestKRLAgreesWithSSHKeygen(t *testing.T) {
	needKeygen(t)
	dir := t.TempDir()
	keygen(t, "-q", "-t", "ed25519", "-N", "", "-C", "ca", "-f", filepath.Join(dir, "ca"))
	keygen(t, "-q", "-t", "ed25519", "-N", "", "-C", "ca2", "-f", filepath.Join(dir, "ca2"))
	ca, ca2 := loadSigner(t, filepath.Join(dir, "ca")), loadSigner(t, filepath.Join(dir, "ca2"))
	now := time.Now()
	byKey, byHash := newKey(t), newKey(t)

	type certFile struct {
		cert *ssh.Certificate
		file string
	}
	var certs []certFile
	serials := []uint64{50000, 9000000, 9000001}
	for serial := uint64(1); serial <= 150; serial++ {
		serials = append(serials, serial)
	}
	for _, serial := range serials {
		key, signer := newKey(t), ca
		switch {
		case serial == 90:
			key = byKey
		case serial == 91:
			key = byHash
		case serial > 140 && serial <= 150:
			signer = ca2 // same serials and ids, another CA
		}
		c := userCert(t, signer, key, now, func(c *ssh.Certificate) {
			c.Serial, c.KeyId = serial, fmt.Sprintf("id-%d", serial)
			if serial > 140 && serial <= 150 {
				c.Serial, c.KeyId = serial-140, fmt.Sprintf("id-%d", serial-140)
			}
		})
		file := filepath.Join(dir, fmt.Sprintf("cert-%d.pub", serial))
		writeFile(t, file, string(ssh.MarshalAuthorizedKey(c)))
		certs = append(certs, certFile{c, file})
	}
	specs := map[string]string{
		"serials": "serial: 3\nserial: 10-20\nserial: 40\nserial: 42\nserial: 44\nserial: 45\nserial: 47\nserial: 49\n" +
			"serial: 100-101\nserial: 103\nserial: 130\nserial: 132-139\n" +
			"serial: 1000-100000\nserial: 9000000\nserial: 12000000\n",
		"ids and keys": "id: id-60\nid: id-61\nkey: " + string(ssh.MarshalAuthorizedKey(byKey)) +
			"hash: " + ssh.FingerprintSHA256(byHash) + "\n",
		"CA":      "key: " + string(ssh.MarshalAuthorizedKey(ca.PublicKey())),
		"nothing": "# nothing\n",
	}
	caFile := filepath.Join(dir, "ca.pub")
	for name, spec := range specs {
		t.Run(name, func(t *testing.T) {
			specFile, krl := filepath.Join(dir, "spec-"+name), filepath.Join(dir, "krl-"+name)
			writeFile(t, specFile, spec)
			keygen(t, "-q", "-k", "-f", krl, "-s", caFile, specFile)
			args := []string{"-Q", "-f", krl}
			for _, c := range certs {
				args = append(args, c.file)
			}
			// -Q exits 1 when something is revoked.
			out, _ := exec.Command("ssh-keygen", args...).CombinedOutput()
			revokedByKeygen := map[string]bool{}
			for _, l := range strings.Split(string(out), "\n") {
				if f, ok := strings.CutSuffix(l, ": REVOKED"); ok {
					revokedByKeygen[strings.Fields(f)[0]] = true
				} else if l != "" && !strings.HasSuffix(l, ": ok") {
					t.Fatalf("ssh-keygen -Q: %q", l)
				}
			}
			p, err := NewKeyPolicy(PolicyConfig{TrustedUserCAKeys: line(ca.PublicKey(), `principals="alice"`) + line(ca2.PublicKey(), `principals="alice"`), RevokedKeysFile: krl})
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for _, c := range certs {
				_, err := p.Lookup(c.cert, unixAdr, now)
				revoked := errors.Is(err, ErrKeyRevoked)
				if err != nil && !revoked {
					t.Fatalf("%s: %v", c.file, err)
				}
				if revoked != revokedByKeygen[c.file] {
					t.Errorf("serial %d id %q CA %s: revoked %v, ssh-keygen says %v (%v)", c.cert.Serial, c.cert.KeyId,
						ssh.FingerprintSHA256(c.cert.SignatureKey), revoked, revokedByKeygen[c.file], err)
				}
				if revoked {
					n++
				}
			}
			t.Logf("%d of %d revoked", n, len(certs))
			if name != "nothing" && n == 0 {
				t.Error("the KRL revoked nothing")
			}
		})
	}
}

func TestRevokedKeyList(t *testing.T) {
	dir := t.TempDir()
	ca, good, bad := newSigner(t), newKey(t), newKey(t)
	now := time.Now()
	file := filepath.Join(dir, "revoked")
	writeFile(t, file, "# revoked\n\n"+line(bad, ""))
	p, err := NewKeyPolicy(PolicyConfig{AuthorizedKeys: line(good, "") + line(bad, ""), TrustedUserCAKeys: line(ca.PublicKey(), ""), RevokedKeysFile: file, Account: "alice"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Lookup(good, unixAdr, now); err != nil {
		t.Errorf("good key: %v", err)
	}
	if _, err := p.Lookup(bad, unixAdr, now); !errors.Is(err, ErrKeyRevoked) {
		t.Errorf("revoked key: %v", err)
	}
	if _, err := p.Lookup(userCert(t, ca, bad, now, nil), unixAdr, now); !errors.Is(err, ErrKeyRevoked) {
		t.Errorf("certificate of a revoked key: %v", err)
	}
	if _, err := p.Lookup(userCert(t, ca, good, now, nil), unixAdr, now); err != nil {
		t.Errorf("certificate of a good key: %v", err)
	}
	// Re-read when it changes: revoking the CA revokes its certificates.
	time.Sleep(10 * time.Millisecond)
	writeFile(t, file, line(ca.PublicKey(), "")+line(bad, "")+"\n")
	if _, err := p.Lookup(userCert(t, ca, good, now, nil), unixAdr, now); !errors.Is(err, ErrKeyRevoked) || !strings.Contains(err.Error(), "certificate authority") {
		t.Errorf("certificate of a revoked CA: %v", err)
	}
}

// An unusable revocation file refuses every key: failing open would let a
// revoked key back in.
func TestRevocationFailsClosed(t *testing.T) {
	dir := t.TempDir()
	k := newKey(t)
	file := filepath.Join(dir, "revoked")
	if _, err := NewKeyPolicy(PolicyConfig{AuthorizedKeys: line(k, ""), RevokedKeysFile: file}); err == nil {
		t.Error("a missing revocation file at start is not an error")
	}
	writeFile(t, file, "# nothing revoked\n")
	var logs bytes.Buffer
	p, err := NewKeyPolicy(PolicyConfig{AuthorizedKeys: line(k, ""), RevokedKeysFile: file, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Lookup(k, unixAdr, time.Now()); err != nil {
		t.Fatalf("empty revocation file: %v", err)
	}
	for name, breakIt := range map[string]func(){
		"garbage":       func() { writeFile(t, file, "not a key\n") },
		"truncated KRL": func() { writeFile(t, file, krlMagic+"\x00\x00") },
		"unknown KRL section": func() {
			writeFile(t, file, krlMagic+"\x00\x00\x00\x01"+strings.Repeat("\x00", 24)+"\x00\x00\x00\x00\x00\x00\x00\x00"+"\x09\x00\x00\x00\x00")
		},
		"writable by others": func() { writeFile(t, file, "# x\n"); os.Chmod(file, 0o666) },
		// What an in-place rewrite passes through: it must not revoke
		// nothing for a moment.
		"emptied": func() { writeFile(t, file, "") },
		"removed": func() { os.Remove(file) },
	} {
		t.Run(name, func(t *testing.T) {
			breakIt()
			if _, err := p.Lookup(k, unixAdr, time.Now()); !errors.Is(err, ErrKeyRevoked) || !strings.Contains(err.Error(), "unusable") {
				t.Errorf("lookup: %v", err)
			}
			writeFile(t, file, "# repaired\n")
			os.Chmod(file, 0o600)
			if _, err := p.Lookup(k, unixAdr, time.Now()); err != nil {
				t.Errorf("repaired: %v", err)
			}
		})
	}
	if !strings.Contains(logs.String(), "revocation file refused") {
		t.Errorf("not logged:\n%s", logs.String())
	}
}

// krl builds a KRL from sections of (type, body).
func krl(sections ...[]byte) []byte {
	b := []byte(krlMagic)
	b = binary.BigEndian.AppendUint32(b, 1)
	b = append(b, make([]byte, 24)...)    // version, date, flags
	b = append(b, 0, 0, 0, 0, 0, 0, 0, 0) // reserved, comment
	for _, s := range sections {
		b = append(b, s...)
	}
	return b
}

func sshString(b []byte) []byte {
	return append(binary.BigEndian.AppendUint32(nil, uint32(len(b))), b...)
}

// wildcardIDs is a certificate section for any CA revoking key ids.
func wildcardIDs(ids ...string) []byte {
	var sub []byte
	for _, id := range ids {
		sub = append(sub, sshString([]byte(id))...)
	}
	body := append(append(sshString(nil), sshString(nil)...), append([]byte{krlCertKeyID}, sshString(sub)...)...)
	return append([]byte{krlCertificates}, sshString(body)...)
}

// Two certificate sections without a CA key both count (sshd merges them).
func TestKRLWildcardSectionsAddUp(t *testing.T) {
	file := filepath.Join(t.TempDir(), "krl")
	writeFile(t, file, string(krl(wildcardIDs("alice@laptop"), wildcardIDs("nobody"))))
	ca := newSigner(t)
	p, err := NewKeyPolicy(PolicyConfig{TrustedUserCAKeys: line(ca.PublicKey(), ""), RevokedKeysFile: file, Account: "alice"})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	if _, err := p.Lookup(userCert(t, ca, newKey(t), now, nil), unixAdr, now); !errors.Is(err, ErrKeyRevoked) {
		t.Errorf("key id revoked by the first of two wildcard sections: %v", err)
	}
	other := userCert(t, ca, newKey(t), now, func(c *ssh.Certificate) { c.KeyId = "carol" })
	if _, err := p.Lookup(other, unixAdr, now); err != nil {
		t.Errorf("key id revoked by neither: %v", err)
	}
}

// A file changed in place with its size and mtime put back (touch -r,
// cp -p, tar) is still re-read: the change time moved.
func TestRevocationRewriteWithSameSizeAndMtime(t *testing.T) {
	dir := t.TempDir()
	a, b := newKey(t), newKey(t)
	file := filepath.Join(dir, "revoked")
	writeFile(t, file, line(a, ""))
	st, _ := os.Stat(file)
	p, err := NewKeyPolicy(PolicyConfig{AuthorizedKeys: line(a, "") + line(b, ""), RevokedKeysFile: file})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Lookup(b, unixAdr, time.Now()); err != nil {
		t.Fatal(err)
	}
	time.Sleep(20 * time.Millisecond)
	writeFile(t, file, line(b, "")) // same length: the same kind of key and comment
	os.Chtimes(file, st.ModTime(), st.ModTime())
	if st2, _ := os.Stat(file); st2.Size() != st.Size() || !st2.ModTime().Equal(st.ModTime()) {
		t.Fatal("the rewrite changed the size or the mtime")
	}
	if _, err := p.Lookup(b, unixAdr, time.Now()); !errors.Is(err, ErrKeyRevoked) {
		t.Errorf("key revoked by an in-place rewrite: %v", err)
	}
}

// A policy file reached through a symlink is judged by where it really
// is; a file that is not a regular one (a FIFO, a device that never ends)
// is refused rather than read.
func TestPolicyFilesThroughSymlinksAndSpecialFiles(t *testing.T) {
	dir := t.TempDir()
	k := newKey(t)
	open := filepath.Join(dir, "open")
	os.Mkdir(open, 0o777)
	os.Chmod(open, 0o777)
	target := filepath.Join(open, "revoked")
	writeFile(t, target, "# none\n")
	link := filepath.Join(dir, "revoked")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	if _, err := NewKeyPolicy(PolicyConfig{AuthorizedKeys: line(k, ""), RevokedKeysFile: link}); err == nil || !strings.Contains(err.Error(), "writable by others") {
		t.Errorf("revocation file linked into a world-writable directory: %v", err)
	}
	if _, err := NewKeyPolicy(PolicyConfig{AuthorizedKeysFile: link}); err == nil || !strings.Contains(err.Error(), "writable by others") {
		t.Errorf("authorized_keys linked into a world-writable directory: %v", err)
	}
	if _, err := NewKeyPolicy(PolicyConfig{AuthorizedKeys: line(k, ""), RevokedKeysFile: "/dev/zero"}); err == nil {
		t.Error("a device as the revocation file is accepted")
	}
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := NewKeyPolicy(PolicyConfig{AuthorizedKeys: line(k, ""), RevokedKeysFile: fifo})
		done <- err
	}()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "not a regular file") {
			t.Errorf("a FIFO as the revocation file: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("reading a FIFO as the revocation file hangs")
	}
}

// A symlink another user owns, or one in a directory another user owns,
// is refused even when it points at a good file: that user could point it
// elsewhere (at an empty file, un-revoking every key). And a relative path
// is made absolute at start, not resolved again from the application's
// working directory at each login.
func TestPolicyFilePathsOtherUsersControl(t *testing.T) {
	if os.Getuid() != 0 {
		t.Skip("needs root, to give files to another uid (CI runs as root)")
	}
	dir := t.TempDir()
	k := newKey(t)
	good := filepath.Join(dir, "good")
	writeFile(t, good, line(k, ""))
	theirs := filepath.Join(dir, "theirs")
	os.Mkdir(theirs, 0o755)
	os.Chown(theirs, 65534, 65534)
	linkInTheirs := filepath.Join(theirs, "revoked")
	os.Symlink(good, linkInTheirs)
	os.Lchown(linkInTheirs, 65534, 65534)
	if _, err := NewKeyPolicy(PolicyConfig{AuthorizedKeys: line(k, ""), RevokedKeysFile: linkInTheirs}); err == nil || !strings.Contains(err.Error(), "belongs to uid 65534") {
		t.Errorf("a symlink in another user's directory: %v", err)
	}
	theirLink := filepath.Join(dir, "their-link")
	os.Symlink(good, theirLink)
	os.Lchown(theirLink, 65534, 65534)
	if _, err := NewKeyPolicy(PolicyConfig{AuthorizedKeysFile: theirLink}); err == nil || !strings.Contains(err.Error(), "belongs to uid 65534") {
		t.Errorf("a symlink another user owns: %v", err)
	}

	wd, _ := os.Getwd()
	t.Cleanup(func() { os.Chdir(wd) })
	os.Chdir(dir)
	p, err := NewKeyPolicy(PolicyConfig{AuthorizedKeys: line(k, ""), RevokedKeysFile: "good"})
	if err != nil {
		t.Fatal(err)
	}
	elsewhere := t.TempDir()
	writeFile(t, filepath.Join(elsewhere, "good"), "# nothing revoked\n")
	os.Chdir(elsewhere)
	if _, err := p.Lookup(k, unixAdr, time.Now()); !errors.Is(err, ErrKeyRevoked) || strings.Contains(err.Error(), "unusable") {
		t.Errorf("after a chdir, the relative revocation file named another one: %v", err)
	}
}
