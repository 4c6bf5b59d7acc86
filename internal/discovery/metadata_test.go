package discovery

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/gomanhole/manhole/hostkeys"
)

func TestMetadataRoundTripMode0600(t *testing.T) {
	key, err := hostkeys.Generate()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "42.json")
	want := &Metadata{
		PID: 42, Program: "/bin/app", Args: []string{"app", "-x"},
		Started: time.Now().Round(time.Second), GoVersion: "go1.26",
		Socket: "/tmp/42.sock", HostKey: hostkeys.AuthorizedKey(key.PublicKey()),
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
	if hostkeys.Fingerprint(pk) != hostkeys.Fingerprint(key.PublicKey()) {
		t.Error("host key changed in the round trip")
	}
	// No temporary files are left behind.
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("directory holds %d entries, want 1", len(entries))
	}
}
