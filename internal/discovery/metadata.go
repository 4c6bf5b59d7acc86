package discovery

import (
	"encoding/json"
	"fmt"
	"os"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/gomanhole/manhole/internal/atomicfile"
)

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
	return atomicfile.WriteFile(path, append(b, '\n'), 0o600)
}

// ReadMetadata reads a metadata file written by WriteMetadata, trusting
// whatever is there: for a manhole reading its own directory, and for
// tests. A reader that does not know who made the file uses ReadTrusted.
func ReadMetadata(path string) (*Metadata, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return parseMetadata(path, b)
}

func parseMetadata(path string, b []byte) (*Metadata, error) {
	var m Metadata
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &m, nil
}
