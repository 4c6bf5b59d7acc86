package hostkeys

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"golang.org/x/crypto/ssh"

	"github.com/gomanhole/manhole/internal/atomicfile"
)

// LoadOrCreate returns the host key stored at path, creating a new ed25519
// key there (OpenSSH private key format, mode 0600, written under a
// temporary name and renamed into place) if the file does not exist. A
// key file readable by group or others is refused, as sshd refuses it.
func LoadOrCreate(path string) (ssh.Signer, error) {
	st, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return create(path)
	}
	if err != nil {
		return nil, err
	}
	if st.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("hostkeys: %s has mode %v: it must be private (chmod 600)", path, st.Mode().Perm())
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	s, err := ssh.ParsePrivateKey(data)
	if err != nil {
		return nil, fmt.Errorf("hostkeys: %s: %w", path, err)
	}
	return s, nil
}

func create(path string) (ssh.Signer, error) {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	block, err := ssh.MarshalPrivateKey(priv, "manhole host key")
	if err != nil {
		return nil, err
	}
	// A concurrent creator may win the rename; both keys are valid, but
	// the one on disk must be the one we serve: re-read after writing.
	if err := atomicfile.WriteFile(path, pem.EncodeToMemory(block), 0o600); err != nil {
		return nil, fmt.Errorf("hostkeys: %s: %w", path, err)
	}
	return LoadOrCreate(path)
}
