package manhole_test

import (
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"net"
	"os"
	"strings"
	"testing"

	gossh "golang.org/x/crypto/ssh"

	"github.com/gomanhole/manhole"
	"github.com/gomanhole/manhole/internal/testkit"
)

// TestWindowsRefusesWhatNeedsUnix: each option Windows cannot honour is
// refused by name, as errors.ErrUnsupported.
func TestWindowsRefusesWhatNeedsUnix(t *testing.T) {
	keys := string(gossh.MarshalAuthorizedKey(newKey(t).PublicKey()))
	tcp := func(o manhole.Options) manhole.Options {
		o.Addr, o.AuthorizedKeys = "127.0.0.1:0", keys
		return o
	}
	for _, c := range []struct {
		option string
		opts   manhole.Options
	}{
		{"Addr", manhole.Options{}},
		{"SocketPath", tcp(manhole.Options{SocketPath: `C:\manhole\app.sock`})},
		{"AllowUIDs", tcp(manhole.Options{AllowUIDs: []int{0}})},
		{"ActivateOn", tcp(manhole.Options{ActivateOn: os.Interrupt})},
		{"AuthorizedKeysFile", tcp(manhole.Options{AuthorizedKeysFile: `C:\keys`})},
		{"RevokedKeysFile", tcp(manhole.Options{RevokedKeysFile: `C:\revoked`})},
		{"HostKeyFile", tcp(manhole.Options{HostKeyFile: `C:\host_key`})},
		{"HistoryFile", tcp(manhole.Options{HistoryFile: `C:\history`})},
	} {
		mh, err := manhole.Start(c.opts)
		if err == nil {
			mh.Close()
			t.Errorf("%s: Start accepted it", c.option)
			continue
		}
		if !errors.Is(err, errors.ErrUnsupported) || !strings.Contains(err.Error(), "Options."+c.option) {
			t.Errorf("%s: %v; want errors.ErrUnsupported naming Options.%s", c.option, err, c.option)
		}
	}
}

// TestWindowsListensOnTCP: with Addr and a key, a manhole serves over
// loopback TCP, with neither socket nor metadata file.
func TestWindowsListensOnTCP(t *testing.T) {
	key := newKey(t)
	mh, err := manhole.Start(manhole.Options{
		Addr:           "127.0.0.1:0",
		AuthorizedKeys: string(gossh.MarshalAuthorizedKey(key.PublicKey())),
		Namespace:      map[string]any{"answer": 42},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer mh.Close()
	if mh.SocketPath() != "" || mh.MetadataPath() != "" {
		t.Errorf("SocketPath %q, MetadataPath %q; want none on Windows", mh.SocketPath(), mh.MetadataPath())
	}
	// No metadata file vouches for the host key: take the one offered.
	var hostKey gossh.PublicKey
	cfg := &gossh.ClientConfig{
		User: "me",
		Auth: []gossh.AuthMethod{gossh.PublicKeys(key)},
		HostKeyCallback: func(_ string, _ net.Addr, k gossh.PublicKey) error {
			hostKey = k
			return nil
		},
	}
	client := testkit.Connect(t, "tcp", mh.Addr(), cfg)
	if hostKey == nil {
		t.Fatal("no host key")
	}
	sess, err := client.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	out, err := sess.Output("answer")
	if err != nil || string(out) != "42\n" {
		t.Errorf("answer: %q, %v", out, err)
	}
}

// newKey is a fresh ed25519 client key. (newSigner lives in the unix
// tests.)
func newKey(t *testing.T) gossh.Signer {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	s, err := gossh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	return s
}
