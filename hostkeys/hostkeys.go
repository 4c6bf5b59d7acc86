// Package hostkeys makes the SSH host key a manhole presents and publishes
// what a client needs to verify it: a metadata file beside the socket,
// written atomically with mode 0600.
package hostkeys

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/crypto/ssh"
)

// Generate returns a new ed25519 host key that lives only in memory: a
// manhole on a unix socket needs no key on disk, since clients learn it
// from the metadata file.
func Generate() (ssh.Signer, error) {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generate host key: %w", err)
	}
	return ssh.NewSignerFromKey(priv)
}

// Fingerprint is the OpenSSH SHA256 fingerprint of key ("SHA256:...").
func Fingerprint(key ssh.PublicKey) string { return ssh.FingerprintSHA256(key) }

// AuthorizedKey formats key as one line of authorized_keys / known_hosts
// key syntax, without the trailing newline ("ssh-ed25519 AAAA...").
func AuthorizedKey(key ssh.PublicKey) string {
	return strings.TrimSuffix(string(ssh.MarshalAuthorizedKey(key)), "\n")
}

// Metadata describes a running manhole. It is written to <pid>.json beside
// the socket so that `manhole list` can find the process and clients can
// verify the host key without a trust-on-first-use prompt.
type Metadata struct {
	PID       int       `json:"pid"`
	Program   string    `json:"program"`
	Args      []string  `json:"args"`
	Started   time.Time `json:"started"`
	GoVersion string    `json:"go_version"`
	Socket    string    `json:"socket,omitempty"`
	Addr      string    `json:"addr,omitempty"`
	// HostKey is the host public key in authorized_keys syntax.
	HostKey string `json:"host_key"`
	// ActivateOn names the signal that makes a dormant manhole listen.
	ActivateOn string `json:"activate_on,omitempty"`
}

// PublicKey parses m.HostKey.
func (m *Metadata) PublicKey() (ssh.PublicKey, error) {
	k, _, _, _, err := ssh.ParseAuthorizedKey([]byte(m.HostKey))
	if err != nil {
		return nil, fmt.Errorf("metadata host key: %w", err)
	}
	return k, nil
}

// WriteMetadata writes m to path with mode 0600. The file is written under
// a temporary name and renamed into place, so a reader never sees half a
// file.
func WriteMetadata(path string, m *Metadata) error {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	return WriteFileAtomic(path, append(b, '\n'), 0o600)
}

// ReadMetadata reads a metadata file written by WriteMetadata.
func ReadMetadata(path string) (*Metadata, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var m Metadata
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &m, nil
}

// WriteFileAtomic writes data to a new temporary file in path's directory
// with the given mode, syncs it and renames it over path.
func WriteFileAtomic(path string, data []byte, mode os.FileMode) (err error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if err = f.Chmod(mode); err != nil {
		return err
	}
	if _, err = f.Write(data); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}
