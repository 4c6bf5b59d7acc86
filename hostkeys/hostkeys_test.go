package hostkeys

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"
)

func TestGenerateIsEd25519AndUnique(t *testing.T) {
	a, err := Generate()
	if err != nil {
		t.Fatal(err)
	}
	b, err := Generate()
	if err != nil {
		t.Fatal(err)
	}
	if got := a.PublicKey().Type(); got != "ssh-ed25519" {
		t.Errorf("key type %q, want ssh-ed25519", got)
	}
	if Fingerprint(a.PublicKey()) == Fingerprint(b.PublicKey()) {
		t.Error("two generated keys share a fingerprint")
	}
	if !strings.HasPrefix(Fingerprint(a.PublicKey()), "SHA256:") {
		t.Errorf("fingerprint %q lacks SHA256: prefix", Fingerprint(a.PublicKey()))
	}
}

func TestLoadOrCreateIsStableAndPrivate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "host_ed25519")
	a, err := LoadOrCreate(path)
	if err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("key file mode %v, want 0600", st.Mode().Perm())
	}
	b, err := LoadOrCreate(path)
	if err != nil {
		t.Fatal(err)
	}
	if Fingerprint(a.PublicKey()) != Fingerprint(b.PublicKey()) {
		t.Error("the host key changed across loads")
	}
	if a.PublicKey().Type() != "ssh-ed25519" {
		t.Errorf("type %s", a.PublicKey().Type())
	}
	os.Chmod(path, 0o644)
	if _, err := LoadOrCreate(path); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Errorf("world-readable key: %v", err)
	}
	os.WriteFile(path, []byte("junk"), 0o600)
	if _, err := LoadOrCreate(path); err == nil {
		t.Error("junk key file accepted")
	}
}

func TestKnownHostsLineParses(t *testing.T) {
	s, err := Generate()
	if err != nil {
		t.Fatal(err)
	}
	line := KnownHostsLine([]string{"127.0.0.1:2222", "app:22"}, s.PublicKey())
	_, hosts, key, _, _, err := ssh.ParseKnownHosts([]byte(line + "\n"))
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"[127.0.0.1]:2222", "app"}; strings.Join(hosts, " ") != strings.Join(want, " ") {
		t.Errorf("hosts %q, want %q", hosts, want)
	}
	if Fingerprint(key) != Fingerprint(s.PublicKey()) {
		t.Error("the line names another key")
	}
}
