package hostkeys

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
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

func TestMetadataRoundTripMode0600(t *testing.T) {
	key, err := Generate()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "42.json")
	want := &Metadata{
		PID: 42, Program: "/bin/app", Args: []string{"app", "-x"},
		Started: time.Now().Round(time.Second), GoVersion: "go1.26",
		Socket: "/tmp/42.sock", HostKey: AuthorizedKey(key.PublicKey()),
	}
	if err := WriteMetadata(path, want); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", st.Mode().Perm())
	}
	got, err := ReadMetadata(path)
	if err != nil {
		t.Fatal(err)
	}
	if got.PID != want.PID || got.Socket != want.Socket || !got.Started.Equal(want.Started) || got.HostKey != want.HostKey {
		t.Errorf("round trip: got %+v, want %+v", got, want)
	}
	pk, err := got.PublicKey()
	if err != nil {
		t.Fatal(err)
	}
	if Fingerprint(pk) != Fingerprint(key.PublicKey()) {
		t.Error("host key changed in the round trip")
	}
	// No temporary files are left behind.
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("directory holds %d entries, want 1", len(entries))
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
